# strdb freq: the NIST 1036 genotypes give back the published NIST 1036 frequencies
0	-	$STRDB init $T/n.db && $STRDB import $T/n.db $D/NIST1036_genotypes.csv --index population --basis population-study
0	-	$STRDB freq $T/n.db --by-population -o $T/est.csv
0	-	grep '^"AA","TH01","9.3",0.096491228070175[0-9]*,684$' $T/est.csv >/dev/null
0	-	grep '^"Cauc","D22S1045","16",0.38227146814404[0-9]*,722$' $T/est.csv >/dev/null
0	-	$STRDB rmp --freq $T/est.csv --pop Cauc --genotype 'D3S1358=17/18;vWA=16/19;D16S539=9/13;CSF1PO=12;TPOX=11;D8S1179=14/15;D21S11=29/31.2;D18S51=16/18;TH01=6/9.3;FGA=20/23;D5S818=12;D13S317=9/11;D7S820=8/11;D2S1338=22/25;D19S433=13/14;D1S1656=12/13;D12S391=18/23;D2S441=10/14;D10S1248=13/15;D22S1045=16' --json | grep '"rmp": 5.625922532735[0-9]*e-26' >/dev/null
0	-	$STRDB audit log $T/n.db | tail -1 | grep 'freq *population-study' >/dev/null
