#!/bin/sh
# Sample intake (issue 16 item 4): a custodian registers collection kits and gets accession
# numbers; the label's Code 128 and DataMatrix barcodes decode (zbarimg, dmtxread) to the
# accession number and nothing else; one sample walks collected -> received -> extracted ->
# typed -> stored (by the import, --require-accession) -> destroyed, every event in
# `strdb intake show` and in the audit chain (record number, action, actor and the parameter
# digest); events out of order, before the last one, in the future, after destruction or
# without a legal basis are refused with a reason and audited; the import refuses a sample id
# that is no typed accession and leaves the database unchanged; analysts may read the chain
# but not write it; an expunction keeps the chain under the keyed hash. Needs $STRDB,
# pdftoppm, zbarimg, dmtxread, node, sqlite3.
. test/cli/lib.sh
DB=$T/i.db
"$S" init "$DB" >/dev/null 2>&1
ADMIN=$("$S" user add "$DB" alice --role admin 2>/dev/null)
CUST=$(STRDB_TOKEN=$ADMIN "$S" user add "$DB" bob --role custodian 2>/dev/null)
ANAL=$(STRDB_TOKEN=$ADMIN "$S" user add "$DB" carol --role analyst 2>/dev/null)
export STRDB_TOKEN="$CUST"
KIT="Thermo Fisher Bode SecurSwab 2 buccal collection kit"
"$S" intake kit "$DB" --type "$KIT" --lot L2026-114 --expires 2031-01-31 --count 3 >"$T/acc" 2>"$T/e"
A=$(sed -n 1p "$T/acc")
B=$(sed -n 2p "$T/acc")
check "three kits get three accession numbers PREFIXyy-nnnnnnn-c" \
    sh -c "[ \$(grep -c '^SDB[0-9][0-9]-[0-9]\{7\}-[0-9]\$' '$T/acc') = 3 ] && [ \$(sort -u '$T/acc' | wc -l) = 3 ]"
# fails NAME REASON CMD...: CMD exits non-zero and says REASON
fails() {
    name=$1 reason=$2
    shift 2
    "$@" >"$T/fo" 2>&1
    rc=$?
    if [ $rc != 0 ] && grep -q "$reason" "$T/fo"; then echo "PASS $name"
    else echo "FAIL $name (exit $rc)"; sed 's/^/    /' "$T/fo"; fi
}
fails "an expired lot is refused" "lot OLD expired on 2020-01-01" \
    "$S" intake kit "$DB" --type Swab --lot OLD --expires 2020-01-01
typo=$(echo "$A" | sed 's/-\([0-9]\)$/-X/')
fails "a mistyped accession number is named as such" "its check digit does not match: mistyped?" \
    "$S" intake show "$DB" "$typo"

# the label: both barcodes hold the accession number only
"$S" intake label "$DB" "$A" -o "$T/label.pdf" 2>"$T/e"
"$S" intake label "$DB" "$A" -o "$T/label.svg" 2>>"$T/e"
pdftoppm -r 300 -png "$T/label.pdf" "$T/label" 2>>"$T/e"
check "the label's Code 128 decodes to the accession number and nothing else" \
    sh -c "[ \"\$(zbarimg -q '$T/label-1.png')\" = 'CODE-128:$A' ]"
check "the label's DataMatrix decodes to the accession number and nothing else" \
    sh -c "[ -n '$A' ] && [ \"\$(timeout 60 dmtxread -n '$T/label-1.png' 2>/dev/null)\" = '$A' ]"
check "the label prints the accession number, kit type and lot, no name" \
    sh -c "pdftotext '$T/label.pdf' - | tr -s ' \n' ' ' | grep -q '$A Thermo Fisher Bode SecurSwab 2 .*lot L2026-114'"
check "the SVG label is a well-formed 80 x 40 mm drawing" \
    sh -c "xmllint --noout '$T/label.svg' && grep -q 'width=\"226.77' '$T/label.svg' && grep -q 'height=\"113.38' '$T/label.svg'"

# refusals: one line with the reason, audited, nothing recorded
refused() { # name reason strdb-args...
    name=$1 reason=$2
    shift 2
    n0=$(sqlite3 "$DB" "SELECT count(*) FROM intake_event")
    r0=$(sqlite3 "$DB" "SELECT count(*) FROM audit WHERE action = 'intake-event' AND outcome LIKE 'refused%'")
    "$S" intake event "$DB" "$@" >"$T/o" 2>"$T/e"
    rc=$?
    n1=$(sqlite3 "$DB" "SELECT count(*) FROM intake_event")
    r1=$(sqlite3 "$DB" "SELECT count(*) FROM audit WHERE action = 'intake-event' AND outcome LIKE 'refused%'")
    if [ $rc != 0 ] && [ "$(grep -c . "$T/e")" = 1 ] && grep -q "$reason" "$T/e" && [ "$n0" = "$n1" ] &&
        [ "$r1" = $((r0 + 1)) ]; then
        echo "PASS refused: $name: $(cat "$T/e")"
    else echo "FAIL refused: $name (exit $rc, events $n0 -> $n1, refusals $r0 -> $r1): $(cat "$T/e")"; fi
}
refused "received before collected" "'received' before 'collected': sample $A is only issued" \
    "$A" received --place "Central lab"
refused "a collection without a legal basis" "a collection needs its legal basis" \
    "$A" collected --place "Police station 4"
refused "an unknown legal basis" "unknown legal basis 'whim'" \
    "$A" collected --place "Police station 4" --basis whim
refused "a collection in the future" "is in the future" \
    "$A" collected --place "Police station 4" --basis arrest --at 2999-01-01
refused "a collection before the kit was issued" "earlier than the sample's last event (kit issued at" \
    "$A" collected --place "Police station 4" --basis arrest --at 2020-01-01
refused "an unknown event" "unknown event 'swabbed'" "$A" swabbed --place X

ok() { "$S" intake event "$DB" "$@" 2>"$T/e" || echo "FAIL event $*: $(cat "$T/e")"; }
ok "$A" collected --place "Police station 4" --basis arrest --note "buccal swab, two tips"
refused "typed before received" "'typed' before 'extracted'" "$A" typed --place "Central lab"
ok "$A" received --place "Central lab, sample reception"
refused "a received sample received again" "is already received" "$A" received --place "Central lab"
ok "$A" extracted --place "Central lab, extraction bench 2"
refused "stored before typed" "'stored' before 'typed'" "$A" stored --place "Central lab"
ok "$A" typed --place "Central lab, 3500xL"
refused "stored by hand with no profile" "no profile with sample id $A is stored" \
    "$A" stored --place "Central lab"
check "an analyst may read the chain" sh -c "STRDB_TOKEN=$ANAL '$S' intake show '$DB' '$A' >/dev/null"
fails "an analyst may not write it" "refused: role 'analyst' may not intake" \
    env STRDB_TOKEN="$ANAL" "$S" intake event "$DB" "$B" collected --place X --basis arrest

# the import: only typed accession numbers, collected under the import's basis
row=$(sed -n 2p $D/NIST1036_genotypes.csv | cut -d, -f2-)
{ sed -n 1p $D/NIST1036_genotypes.csv; echo "$A,$row"; echo "GT99999,$row"; } >"$T/two.csv"
{ sed -n 1p $D/NIST1036_genotypes.csv; echo "$A,$row"; } >"$T/one.csv"
{ sed -n 1p $D/NIST1036_genotypes.csv; echo "$B,$row"; } >"$T/untyped.csv"
before=$("$S" stat "$DB" | grep '^profiles')
fails "an import with a sample id that is no accession number is refused whole, naming the line" \
    "two.csv:3: field 'sample id': 'GT99999' is not an accession number issued by this database" \
    "$S" import "$DB" "$T/two.csv" --index arrestee --basis arrest --require-accession
fails "an accession number not yet typed is refused" "'stored' before 'typed': sample $B is only issued" \
    "$S" import "$DB" "$T/untyped.csv" --index arrestee --basis arrest --require-accession
fails "a legal basis other than the collection's is refused" "collected under legal basis 'arrest', not 'conviction'" \
    "$S" import "$DB" "$T/one.csv" --index arrestee --basis conviction --require-accession
check "the refused imports left the database as it was" \
    sh -c "[ \"\$('$S' stat '$DB' | grep '^profiles')\" = '$before' ] && [ \$(sqlite3 '$DB' \"SELECT count(*) FROM intake_event WHERE event = 'stored'\") = 0 ]"
"$S" import "$DB" "$T/one.csv" --index arrestee --basis arrest --require-accession 2>"$T/e" ||
    echo "FAIL import of the typed sample: $(cat "$T/e")"
fails "a second import of the stored sample is refused" "is already stored" \
    "$S" import "$DB" "$T/one.csv" --index arrestee --basis arrest --require-accession --replace
ok "$A" destroyed --place "Central lab, autoclave" --note "retention period over"
refused "an event after destruction" "sample $A was destroyed at .*; no event can follow" \
    "$A" received --place "Central lab"
refused "a second destruction" "was destroyed at" "$A" destroyed --place "Central lab"
refused "destroying a kit never collected" "kit $B was never collected" "$B" destroyed --place "Central lab"

# every event in strdb intake show and in the audit chain
"$S" intake show "$DB" "$A" --json >"$T/show.json" 2>"$T/e" || echo "FAIL intake show: $(cat "$T/e")"
"$S" audit log "$DB" --json >"$T/audit.jsonl" 2>>"$T/e"
check "intake show lists the six events in order, each with actor, time, place, basis and audit record; the audit chain has each" \
    node -e '
const fs = require("fs");
const s = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
const audit = new Map(fs.readFileSync(process.argv[2], "utf8").trim().split("\n").map(l => JSON.parse(l)).map(r => [r.seq, r]));
const want = ["collected", "received", "extracted", "typed", "stored", "destroyed"];
const fail = m => { console.error(m); process.exit(1); };
if (s.accession !== process.argv[3] || s.state !== "destroyed" || s.basis !== "arrest" || s.profile !== "stored")
    fail("sample: " + JSON.stringify(s));
if (s.kit_type !== process.argv[4] || s.lot !== "L2026-114") fail("kit: " + JSON.stringify(s));
if (JSON.stringify(s.events.map(e => e.event)) !== JSON.stringify(want)) fail("events: " + JSON.stringify(s.events));
let last = "";
for (const e of s.events) {
    if (e.actor !== "bob" || e.basis !== "arrest" || !e.place || !(e.at >= last)) fail("event: " + JSON.stringify(e));
    last = e.at;
    const r = audit.get(Number(e.audit_record));
    const action = e.event === "stored" ? "import" : "intake-event";
    if (!r || r.action !== action || r.actor !== "bob" || r.outcome !== "ok") fail("audit of " + e.event + ": " + JSON.stringify(r));
}
if (!s.events[0].note.startsWith("buccal") || s.events[4].place !== "import batch 1") fail("notes/places");
' "$T/show.json" "$T/audit.jsonl" "$A" "$KIT"
seq=$(node -e 'const s=JSON.parse(require("fs").readFileSync(process.argv[1]));console.log(s.events[1].audit_record)' "$T/show.json")
at=$(node -e 'const s=JSON.parse(require("fs").readFileSync(process.argv[1]));console.log(s.events[1].at)' "$T/show.json")
digest=$(printf 'sample=1\nevent=received\nat=%s\nplace=Central lab, sample reception\nbasis=\nnote=' "$at" | sha256sum | cut -d' ' -f1)
check "the audit record of an event vouches for the stored event (SHA-256 of its row)" \
    sh -c "sqlite3 '$DB' 'SELECT params_digest FROM audit WHERE seq = $seq' | grep -qx '$digest'"
# an edit of the chain of custody outside strdb is named by audit verify
tamper() { # name reason sql
    cp "$DB" "$T/t.db"
    sqlite3 "$T/t.db" "$3"
    "$S" audit verify "$T/t.db" >"$T/o" 2>"$T/e"
    rc=$?
    if [ $rc != 0 ] && grep -q "$2" "$T/e"; then echo "PASS audit verify names $1: $(cat "$T/e")"
    else echo "FAIL audit verify of $1 (exit $rc): $(cat "$T/e")"; fi
}
check "the untouched chain verifies" "$S" audit verify "$DB"
tamper "an event's place edited" "intake event 2 was changed outside strdb: audit record $seq does not vouch for it" \
    "UPDATE intake_event SET place = 'elsewhere' WHERE id = 2"
tamper "an event's time edited" "intake event 2 was changed outside strdb" \
    "UPDATE intake_event SET at = '2026-01-01T00:00:00Z' WHERE id = 2"
tamper "an event deleted" "the intake event of audit record [0-9]* was deleted outside strdb" \
    "DELETE FROM intake_event WHERE id = 3"
tamper "a collection's legal basis edited" "intake event 1 was changed outside strdb" \
    "UPDATE intake_sample SET basis = 'conviction' WHERE id = 1"
tamper "a relabelled sample" "intake sample 1 ($A) was changed outside strdb" \
    "UPDATE intake_sample SET sample_id = 'SDB26-0000099-3' WHERE id = 1"
tamper "a state set back" "intake sample 1 ($A) was changed outside strdb" \
    "UPDATE intake_sample SET state = 'typed' WHERE id = 1"
tamper "a kit's lot edited" "intake kit 1 was changed outside strdb" \
    "UPDATE intake_kit SET lot = 'L0' WHERE id = 1"
tamper "a sample added to a kit" "intake kit 1 was changed outside strdb" \
    "INSERT INTO intake_sample (id, sample_id, kit_id, state) VALUES (50, 'X', 1, 'issued')"
check "the subject report of the sample lists its intake records" \
    sh -c "'$S' subject-report '$DB' '$A' | grep -c 'intake-event' | grep -qx 5"
STRDB_TOKEN=$CUST "$S" expunge "$DB" "$A" --reason "test" >/dev/null 2>"$T/e" || echo "FAIL expunge: $(cat "$T/e")"
check "an expunction keeps the chain of custody under the keyed hash, not the accession number" \
    sh -c "[ \$(sqlite3 '$DB' \"SELECT count(*) FROM intake_sample WHERE sample_id = '$A'\") = 0 ] &&
           [ \$(sqlite3 '$DB' \"SELECT count(*) FROM intake_event e JOIN intake_sample s ON s.id = e.sample WHERE s.sample_id LIKE 'expunged-%'\") = 6 ]"
check "the chain still verifies after the expunction" "$S" audit verify "$DB"
