# strdb simulate: outputs, determinism across threads, --db import, truth format
0	-	$STRDB simulate --out $T/a --founders 1500 --generations 6 --growth 0.03 --family-shape 1 --seed 5 --threads 1 --db $T/sim.db
0	-	$STRDB simulate --out $T/b --founders 1500 --generations 6 --growth 0.03 --family-shape 1 --seed 5 --threads 2
0	-	for f in database.jsonl queries.jsonl truth.csv pedigree.csv; do cmp $T/a/$f $T/b/$f || exit 1; done
1	-	$STRDB simulate --out $T/c --founders 1500 --generations 6 --growth 0.03 --family-shape 1 --seed 6 >/dev/null 2>&1; cmp -s $T/a/pedigree.csv $T/c/pedigree.csv
0	-	head -1 $T/a/pedigree.csv | grep '^id,father,mother,sex,generation$' >/dev/null && head -1 $T/a/truth.csv | grep '^query_id,relative_id,meioses,paternal_line$' >/dev/null
# every truth row names a query and a database member, meioses 1..6
0	-	awk -F, 'NR > 1 && ($3 < 1 || $3 > 6 || ($4 != 0 && $4 != 1)) { bad = 1 } END { exit bad }' $T/a/truth.csv
0	-	cut -d, -f2 $T/a/truth.csv | sed 1d | sort -u > $T/rel && grep -o '"sample_id":"G[0-9]*-[0-9]*"' $T/a/database.jsonl | cut -d'"' -f4 | sort -u > $T/db && comm -23 $T/rel $T/db | wc -l | grep '^0$' >/dev/null
0	-	cut -d, -f1 $T/a/truth.csv | sed 1d | sort -u > $T/q && grep -o '"sample_id":"G[0-9]*-[0-9]*"' $T/a/queries.jsonl | cut -d'"' -f4 | sort -u | cmp - $T/q
# a parent-child pair in the truth is a parent-child pair in the pedigree
0	-	awk -F, 'NR > 1 && $3 == 1 { print $1 "," $2 }' $T/a/truth.csv > $T/po; awk -F, 'FNR == NR { p[$1] = $2 "," $3; next } { split($0, a, ","); if (index(p[a[1]], a[2]) == 0 && index(p[a[2]], a[1]) == 0) bad = 1 } END { exit bad }' $T/a/pedigree.csv $T/po
0	-	$STRDB stat $T/sim.db --json | grep '"kind": "Y"' >/dev/null
0	-	$STRDB simulate --out $T/y --founders 500 --generations 3 --kit none --no-pedigree --format csv && head -1 $T/y/database.csv | grep 'DYS385' >/dev/null
0	-	$STRDB init $T/csv.db && $STRDB import $T/csv.db $T/y/database.csv --index population --basis population-study
2	-	$STRDB simulate --founders 10
0	-	! $STRDB simulate --out $T/z --y-kit NoSuchKit --kit none 2>$T/err && grep "no Y locus in kit 'NoSuchKit'" $T/err >/dev/null
0	-	$STRDB simulate --help | grep '^usage: strdb simulate' >/dev/null
0	-	$STRDB simulate --out $T/yi --founders 1000 --generations 3 --no-pedigree --db $T/yi.db --y-index population && $STRDB stat $T/yi.db | grep "^population  *Y" >/dev/null && $STRDB stat $T/yi.db | grep "^offender  *autosomal" >/dev/null
