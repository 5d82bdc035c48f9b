# search, ysearch, pairs through the command line
0	-	$STRDB init $T/p.db && $STRDB import $T/p.db $D/dbExample.csv --index population --basis population-study
0	-	$STRDB pairs $T/p.db | cmp - $T/ka || (tr -d '\r' < $D/known-answers/dbExample_match_partialmatch_counts.csv > $T/ka && $STRDB pairs $T/p.db | cmp - $T/ka)
0	pairs_hits.csv	$STRDB pairs $T/p.db --hit 6 --threads 2 | tail -6
0	-	$STRDB pairs $T/p.db --format json | grep '"pairs": 499500' >/dev/null
0	-	$STRDB audit log $T/p.db | tail -1 | grep 'pairs *database-health' >/dev/null
0	-	$STRDB init $T/s.db && $STRDB import $T/s.db $D/NIST1036_genotypes.csv --index offender --basis conviction && $STRDB import $T/s.db $D/stain.txt --index forensic-mixture --basis crime-scene
0	search_high.out	$STRDB search $T/s.db --genotype 'CSF1PO=11/12;D10S1248=14;D12S391=17/21;D13S317=11/12;D16S539=11;D18S51=17/18;D19S433=14;D1S1656=12/16.3;D21S11=28/30;D22S1045=11/15' --min-loci 8
0	search_moderate.json	$STRDB search $T/s.db --genotype 'D3S1358=14/15;TH01=6/9.3;D21S11=27/29;D18S51=15/17;FGA=21/22;vWA=14/17' --stringency moderate --min-loci 6 --index forensic-mixture --json
0	-	$STRDB search $T/s.db --genotype 'D3S1358=15/16;vWA=17/18;TH01=6/9.3' --stringency low --min-loci 3 --limit 5 | head -1 | grep '^5 hits' >/dev/null
0	-	$STRDB export $T/s.db --purpose administration --index offender --format jsonl -o $T/all.jsonl && head -20 $T/all.jsonl > $T/batch.jsonl && $STRDB search $T/s.db --batch $T/batch.jsonl --min-loci 20 --threads 2 | grep -c '"matching":29' | grep '^20$' >/dev/null
0	-	gzip -dc $D/y23_haplotypes.csv.gz > $T/y23.csv && $STRDB import $T/s.db $T/y23.csv --index population --basis population-study --id-from-line --id-prefix Y23-
0	ysearch.out	$STRDB ysearch $T/s.db --genotype 'DYS19=14;DYS389I=13;DYS389II=29;DYS390=24;DYS391=11;DYS392=13;DYS393=13;DYS385=11/14;DYS437=15;DYS438=12;DYS439=12;DYS448=19;DYS456=15;DYS458=17;DYS635=24;YGATAH4=14;DYS576=19;DYS481=22;DYS549=12;DYS533=13;DYS570=17;DYS643=10' --max-loci 1 --limit 10 --purpose population-study
0	-	$STRDB audit log $T/s.db | tail -1 | grep 'ysearch *population-study' >/dev/null
# bad queries: one line, non-zero exit
1	-	$STRDB search $T/s.db --genotype 'D99S1=12' 2>&1 | grep -c . | grep '^1$' >/dev/null; $STRDB search $T/s.db --genotype 'D99S1=12'
1	-	$STRDB search $T/s.db --genotype 'TH01=6/x9'
1	-	$STRDB search $T/s.db --genotype 'TH01='
0	-	! $STRDB search $T/s.db --genotype 'TH01=6;DYS19=14' 2>$T/err && grep "field 'DYS19': a Y locus in an autosomal search" $T/err >/dev/null && [ $(grep -c . $T/err) = 1 ]
0	-	! $STRDB ysearch $T/s.db --genotype 'TH01=6' 2>$T/err && grep 'an autosomal locus in a Y search' $T/err >/dev/null
0	-	! $STRDB search $T/s.db --genotype 'TH01=6' --stringency medium 2>/dev/null
