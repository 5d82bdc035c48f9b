# Exchange formats (issue 16): the one-allele-per-row layout of strvalidator and EuroForMix (semicolon, tab, quoted), the allele-list layout of the positive controls, and the EuroForMix/LRmix and Familias frequency layouts
0	-	$STRDB init $T/g.db 2>/dev/null && $STRDB import $T/g.db $D/formats/esx17_genemapper.txt --index offender --basis conviction 2>/dev/null && $STRDB export $T/g.db --purpose administration 2>/dev/null | sed 's/"basis".*//' > $T/g.jsonl
0	formats_long.out	$STRDB init $T/l.db 2>/dev/null && $STRDB import $T/l.db $D/formats/esx17_long.csv --index offender --basis conviction 2>&1 | sed 's/.*] //'
0	formats_long.jsonl	$STRDB export $T/l.db --purpose administration 2>/dev/null | sed 's/"basis".*//'
# the same profiles from the long layout (semicolon; tab and quoted) as from the GeneMapper layout
0	-	$STRDB export $T/l.db --purpose administration 2>/dev/null | sed 's/"basis".*//' | cmp - $T/g.jsonl
0	-	$STRDB init $T/q.db 2>/dev/null && $STRDB import $T/q.db $D/formats/esx17_long_quoted.tsv --index offender --basis conviction --format long 2>/dev/null && $STRDB export $T/q.db --purpose administration 2>/dev/null | sed 's/"basis".*//' | cmp - $T/g.jsonl
# the positive-control layout: control, locus, alleles "14;15", AMEL 1 = X, 2 = Y (3657 types X-STRs only: rejected, the others in)
0	formats_controls.out	$STRDB init $T/c.db 2>/dev/null && $STRDB import $T/c.db $D/formats/positive_controls.csv --index forensic-mixture --basis crime-scene --skip-invalid 2>&1 | sed 's/.*] //; s/^strdb import: //'
0	formats_controls.jsonl	$STRDB export $T/c.db --purpose administration 2>/dev/null | grep -E '"sample_id":"(2800M|9947A)"' | sed 's/"basis".*"loci"/"loci"/'
# --format names each layout; a header that is not that layout is refused with one line
1	-	$STRDB init $T/e.db 2>/dev/null; $STRDB import $T/e.db $D/formats/esx17_genemapper.txt --index offender --basis conviction --format long 2>&1 | grep >/dev/null "^strdb import: .*esx17_genemapper.txt:1: one-allele-per-row (long) header lacks a 'Allele' column$"
1	-	$STRDB import $T/e.db $D/formats/esx17_long.csv --index offender --basis conviction --format alleles 2>&1 | grep >/dev/null "allele-list header lacks a 'Alleles' column"
1	-	printf 'Sample.Name;Marker;Allele\nS1;D3S1358;15\nS1;D3S1358;x\n' > $T/bad.csv; $STRDB import $T/e.db $T/bad.csv --index offender --basis conviction 2>&1 | grep >/dev/null "bad.csv:3: field 'Allele': allele 'x' is not valid at locus D3S1358"
0	-	[ "$(sqlite3 $T/e.db 'SELECT count(*) FROM profile')" = 0 ]
# frequency tables: EuroForMix's own SGMPlus_Norway.csv, its long layout and a decimal-comma copy give the same RMP
0	formats_rmp.out	$STRDB rmp --freq $D/formats/SGMPlus_Norway.csv --min-freq none --genotype 'D3S1358=15/16;VWA=17/18;FGA=21/22;TH01=6/9.3;D8S1179=13/14;D21S11=29/30.2;D18S51=12/14;D19S433=13/14.2;D2S1338=17/20;D16S539=11/12' 2>/dev/null
0	formats_rmp.out	$STRDB rmp --freq $D/formats/SGMPlus_Norway_long.csv --min-freq none --genotype 'D3S1358=15/16;VWA=17/18;FGA=21/22;TH01=6/9.3;D8S1179=13/14;D21S11=29/30.2;D18S51=12/14;D19S433=13/14.2;D2S1338=17/20;D16S539=11/12' 2>/dev/null | sed 's/SGMPlus_Norway_long/SGMPlus_Norway/'
0	formats_rmp.out	$STRDB rmp --freq $D/formats/SGMPlus_Norway_decimal_comma.csv --min-freq none --genotype 'D3S1358=15/16;VWA=17/18;FGA=21/22;TH01=6/9.3;D8S1179=13/14;D21S11=29/30.2;D18S51=12/14;D19S433=13/14.2;D2S1338=17/20;D16S539=11/12' 2>/dev/null | sed 's/SGMPlus_Norway_decimal_comma/SGMPlus_Norway/'
# strdb freq --format writes the layouts; what it writes reads back to the same table
0	formats_freq_efm.csv	$STRDB freq --from $D/formats/SGMPlus_Norway_long.csv --format euroformix
0	formats_freq_familias.txt	$STRDB freq --from $D/formats/SGMPlus_Norway.csv --format familias
0	-	$STRDB freq --from $D/frequencies/NIST1036freqs.csv --format euroformix --pop Hisp -o $T/hisp.csv && $STRDB freq --from $T/hisp.csv --format long | sed 's/^"hisp"/"Hisp"/' | sed 1d | sort > $T/a; $STRDB freq --from $D/frequencies/NIST1036freqs.csv --format long | grep '^"Hisp"' | sed 's/,[0-9]*$/,0/' | sort > $T/b; cmp $T/a $T/b
0	-	$STRDB freq --from $D/frequencies/NIST1036freqs.csv --format familias --pop Cauc -o $T/cauc.txt && $STRDB rmp --freq $T/cauc.txt --min-freq none --genotype 'D3S1358=15/16;vWA=17/18;TH01=6/9.3' 2>/dev/null | tail -1 > $T/x; $STRDB rmp --freq $D/frequencies/NIST1036freqs.csv --pop Cauc --min-freq none --genotype 'D3S1358=15/16;vWA=17/18;TH01=6/9.3' 2>/dev/null | tail -1 | cmp - $T/x
2	-	$STRDB freq --from $D/formats/SGMPlus_Norway.csv --format excel 2>&1 | grep >/dev/null "^strdb freq: --format: expected long, euroformix or familias, got 'excel'$"
1	-	$STRDB freq --from $D/formats/SGMPlus_Norway.csv --format familias --pop Nowhere 2>&1 | grep >/dev/null "no population 'Nowhere'"
