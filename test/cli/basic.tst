# strdb command line: help, catalog listing, and a small import/show/export cycle
0	-	$STRDB --version | grep >/dev/null '^strdb [0-9]'
0	-	$STRDB --help | grep >/dev/null import
2	-	$STRDB no-such-command
0	-	$STRDB init --help | grep >/dev/null '^usage: strdb init'
0	-	$STRDB import --help | grep >/dev/null '^usage: strdb import'
0	-	$STRDB export --help | grep >/dev/null '^usage: strdb export'
0	-	$STRDB show --help | grep >/dev/null '^usage: strdb show'
0	-	$STRDB stat --help | grep >/dev/null '^usage: strdb stat'
0	-	$STRDB loci --help | grep >/dev/null '^usage: strdb loci'
0	-	$STRDB audit --help | grep >/dev/null '^usage: strdb audit'
0	-	$STRDB rules --help | grep >/dev/null '^usage: strdb rules'
0	-	$STRDB freq --help | grep >/dev/null '^usage: strdb freq'
0	-	$STRDB rmp --help | grep >/dev/null '^usage: strdb rmp'
0	-	$STRDB kinship --help | grep >/dev/null '^usage: strdb kinship'
0	-	$STRDB paternity --help | grep >/dev/null '^usage: strdb paternity'
0	-	$STRDB yfreq --help | grep >/dev/null '^usage: strdb yfreq'
0	-	$STRDB meioses --help | grep >/dev/null '^usage: strdb meioses'
2	-	$STRDB import
0	loci_codis20.out	$STRDB loci --kit 'CODIS 20'
0	loci_yfilerplus.json	$STRDB loci --kit yfiler_plus --json
0	loci_kits.out	$STRDB loci --kits
1	-	$STRDB loci --kit NoSuchKit
0	-	$STRDB init $T/a.db
1	-	$STRDB init $T/a.db
0	-	$STRDB rules $T/a.db --index forensic-mixture --min-loci 2 --actor custodian
0	-	$STRDB rules $T/a.db --index population --min-y-loci 5 --actor custodian
0	rules.out	$STRDB rules $T/a.db
0	-	$STRDB import $T/a.db $D/golden/gm_spaced.txt --index forensic-mixture --basis crime-scene --actor analyst1
0	-	$STRDB import $T/a.db $D/golden/wide_y.csv --index population --basis population-study --kit 'Yfiler Plus'
0	show_s1.out	$STRDB show $T/a.db S1 --purpose casework --case C-77 | grep -v '^source'
0	show_m2.json	$STRDB show $T/a.db m2 --purpose population-study --json | sed 's/,"source".*/}/'
1	-	$STRDB show $T/a.db S1
1	-	$STRDB show $T/a.db S1 --purpose gossip
1	-	$STRDB show $T/a.db nobody --purpose casework
0	export.jsonl	$STRDB export $T/a.db --purpose administration
0	export.csv	$STRDB export $T/a.db --purpose administration --format csv
0	export_pop.jsonl	$STRDB export $T/a.db --purpose population-study --index population
1	-	$STRDB export $T/a.db --purpose administration --index nope
0	stat.out	cd $T && $STRDB stat a.db | grep -v '^audit records'
0	-	cd $T && $STRDB stat a.db --json | grep >/dev/null '"audit_records"'
0	audit_actions.out	$STRDB audit log $T/a.db --json | sed 's/.*"action":"\([^"]*\)".*"outcome":"\([^"]*\)".*/\1 \2/'
0	-	$STRDB audit verify $T/a.db | grep >/dev/null '^audit chain ok'
2	-	$STRDB audit frobnicate $T/a.db
1	-	$STRDB stat $T/missing.db
0	-	sh scripts/gen_cli_doc.sh $STRDB | cmp - docs/cli.md
0	-	$STRDB search --help | grep >/dev/null '^usage: strdb search'
0	-	$STRDB ysearch --help | grep >/dev/null '^usage: strdb ysearch'
0	-	$STRDB pairs --help | grep >/dev/null '^usage: strdb pairs'
