# statistics commands in the exact forms external checks use
0	-	$STRDB rmp --freq $D/frequencies/NIST1036freqs.csv --pop Cauc --genotype 'D3S1358=17/18;vWA=16/19;D16S539=9/13;CSF1PO=12;TPOX=11;D8S1179=14/15;D21S11=29/31.2;D18S51=16/18;TH01=6/9.3;FGA=20/23;D5S818=12;D13S317=9/11;D7S820=8/11;D2S1338=22/25;D19S433=13/14;D1S1656=12/13;D12S391=18/23;D2S441=10/14;D10S1248=13/15;D22S1045=16' --json | grep >/dev/null '"rmp": 5.625922532735[0-9]*e-26'
0	-	$STRDB rmp --freq $D/frequencies/NIST1036freqs.csv --pop Cauc --theta 0.03 --genotype 'D3S1358=17/18;vWA=16/19;D16S539=9/13;CSF1PO=12;TPOX=11;D8S1179=14/15;D21S11=29/31.2;D18S51=16/18;TH01=6/9.3;FGA=20/23;D5S818=12;D13S317=9/11;D7S820=8/11;D2S1338=22/25;D19S433=13/14;D1S1656=12/13;D12S391=18/23;D2S441=10/14;D10S1248=13/15;D22S1045=16' --json | grep >/dev/null '"rmp": 1.1668598546[0-9]*e-23'
0	rmp_2800m.out	$STRDB rmp --freq $D/frequencies/NIST1036freqs.csv --pop Cauc --genotype 'D3S1358=17/18;vWA=16/19;D16S539=9/13;CSF1PO=12;TPOX=11;D8S1179=14/15;D21S11=29/31.2;D18S51=16/18;TH01=6/9.3;FGA=20/23;D5S818=12;D13S317=9/11;D7S820=8/11;D2S1338=22/25;D19S433=13/14;D1S1656=12/13;D12S391=18/23;D2S441=10/14;D10S1248=13/15;D22S1045=16'
0	-	$STRDB rmp --freq $D/frequencies/NIST1036freqs.csv --pop Cauc --profile $D/golden/wide_auto.csv | grep >/dev/null '^RMP '
0	kinship_po.json	$STRDB kinship --freq $D/frequencies/NIST1036freqs.csv --pop Cauc --rel PO --a 'TH01=6/9.3;FGA=21/22' --b 'TH01=6/8;FGA=22/24' --json
0	-	$STRDB kinship --freq $D/frequencies/NIST1036freqs.csv --pop Cauc --rel FS --a 'TH01=6/9.3;FGA=21/22' --b 'TH01=6/9.3;FGA=21/22' --theta 0.01 --json | grep >/dev/null '"lr": '
0	-	$STRDB kinship --freq $D/frequencies/NIST1036freqs.csv --pop Cauc --rel PO --a 'FGA=21/22' --b 'FGA=23/24' --mutation stepwise --rate 0.002 --json | grep >/dev/null '"lr": [0-9]'
0	paternity.json	$STRDB paternity --freq $D/frequencies/NIST1036freqs.csv --pop Cauc --mother 'TH01=6/7' --child 'TH01=7/9.3' --alleged-father 'TH01=9.3/9.3' --json
0	-	$STRDB meioses --a 'DYS19=14;DYS390=24;DYS391=11' --b 'DYS19=15;DYS390=24;DYS391=11' --json | grep >/dev/null '"mode"'
# --min-freq none takes the table as given (pedmut's PO LR, test_stats: test_kinship_pedmut)
0	-	$STRDB kinship --freq $D/frequencies/NIST1036freqs.csv --pop Cauc --rel PO --a 'TH01=6/9.3' --b 'TH01=7/8' --mutation proportional --rate 0.005 --min-freq none --json | grep >/dev/null '"lr": 0.0065391331399841[0-9]*,'
0	-	$STRDB kinship --freq $D/frequencies/NIST1036freqs.csv --pop Cauc --rel PO --a 'TH01=6/9.3' --b 'TH01=7/8' --mutation proportional --rate 0.005 --min-freq none --json | grep >/dev/null '"min_freq": "none"'
0	-	$STRDB rmp --freq $D/frequencies/NIST1036freqs.csv --pop Cauc --genotype 'TH01=6/99' --min-freq 0.01 2>&1 >/dev/null | grep >/dev/null 'minimum frequency 0.01 was used'
1	-	$STRDB rmp --freq $D/frequencies/NIST1036freqs.csv --pop Cauc --genotype 'TH01=6/99' --min-freq none 2>&1 | grep >/dev/null "field 'TH01'.*allele 99 is not in the table, which --min-freq none takes as given"
2	-	$STRDB kinship --freq $D/frequencies/NIST1036freqs.csv --pop Cauc --rel PO --a 'TH01=6' --b 'TH01=6' --min-freq medium 2>&1 | grep >/dev/null "invalid value 'medium' for --min-freq; one of none, 5/2N, or a frequency in (0, 1]"
# bad input: one clear line each
1	-	$STRDB rmp --freq $D/frequencies/NIST1036freqs.csv --pop Nope --genotype 'TH01=6' 2>&1 | grep >/dev/null "unknown population 'Nope' (the table has: AfAm, Asian, Cauc, Hisp)"
1	-	$STRDB rmp --freq $D/frequencies/NIST1036freqs.csv --pop Cauc --genotype 'TH01=6/abc' 2>&1 | grep >/dev/null "unreadable allele 'abc'"
1	-	$STRDB rmp --freq $D/frequencies/NIST1036freqs.csv --pop Cauc --genotype 'D99S1=6' 2>&1 | grep >/dev/null "unknown locus 'D99S1'"
0	-	$STRDB rmp --freq $D/frequencies/NIST1036freqs.csv --pop Cauc --genotype 'TH01=6/99' 2>&1 >/dev/null | grep >/dev/null 'minimum frequency 5/2N was used'
0	-	$STRDB rmp --freq $D/frequencies/bad_sum.csv --genotype 'TH01=6/7' 2>&1 >/dev/null | grep >/dev/null 'frequencies sum to 0.900000'
1	-	$STRDB rmp --freq $D/frequencies/bad_sum.csv --genotype 'TH01=6/7' --strict 2>&1 | grep >/dev/null "field 'TH01'.*sum to 0.900000, not 1"
1	-	$STRDB rmp --freq $D/frequencies/NIST1036freqs.csv --genotype 'TH01=6' 2>&1 | grep >/dev/null 'choose one with --pop'
1	-	$STRDB paternity --freq $D/frequencies/NIST1036freqs.csv --pop Cauc --mother 'TH01=6/7' --child 'TH01=8/9.3' --alleged-father 'TH01=9.3' 2>&1 | grep >/dev/null 'cannot come from the mother'
# yfreq on the Y23 set
0	-	gzip -dc $D/y23_haplotypes.csv.gz > $T/y23.csv && $STRDB init $T/y.db && $STRDB import $T/y.db $T/y23.csv --index population --basis population-study --id-from-line
0	yfreq_y23.json	$STRDB yfreq $T/y.db --genotype 'DYS19=14;DYS389I=13;DYS389II=29;DYS390=24;DYS391=11;DYS392=13;DYS393=13;DYS385=11/14' --json
1	-	$STRDB yfreq $T/y.db --genotype 'TH01=6;FGA=20'
0	-	$STRDB audit log $T/y.db | tail -1 | grep >/dev/null 'yfreq *population-study'
