#!/bin/sh
# Users and roles through the strdb command: the role x command matrix (every
# role against every action, allowed or refused exactly as
# sdb_role_allows says, every refusal audited), missing, wrong and disabled
# tokens, and open mode before the first user. Needs $STRDB; PASS/FAIL lines.
. test/cli/lib.sh
"$S" init "$T/db" 2>/dev/null
check "open mode: commands run without a token" \
    "$S" import "$T/db" $D/NIST1036_genotypes.csv --index offender --basis conviction
"$S" import "$T/db" $D/bad/good3.csv --index volunteer --basis consent --id-prefix V- 2>/dev/null
check "the first user must be an admin" sh -c "! '$S' user add '$T/db' carol --role analyst 2>/dev/null"
ADMIN=$("$S" user add "$T/db" alice --role admin 2>/dev/null)
check "the first admin gets a 64-hex-digit token" sh -c "echo '$ADMIN' | grep -qx '[0-9a-f]\{64\}'"
export STRDB_TOKEN=$ADMIN
CUST=$("$S" user add "$T/db" bob --role custodian 2>/dev/null)
ANAL=$("$S" user add "$T/db" carol --role analyst 2>/dev/null)
AUDI=$("$S" user add "$T/db" dave --role auditor 2>/dev/null)
"$S" audit keygen --key "$T/k" --pubkey "$T/k.pub"
G='D3S1358=15/16;vWA=17/18;TH01=6/9.3'
# action | command (run with the role's token) | roles allowed
cat >"$T/matrix" <<MATRIX
import|import $T/db $D/bad/good3.csv --index offender --basis conviction --id-prefix I\$\$-|custodian
export|export $T/db --purpose administration -o $T/x.jsonl|custodian
show|show $T/db GT37019 --purpose casework|custodian analyst
search|search $T/db --genotype $G --stringency low --min-loci 3|analyst
ysearch|ysearch $T/db --genotype DYS19=14 --purpose database-health|analyst
pairs|pairs $T/db --index offender|analyst
freq|freq $T/db --index offender --purpose database-health|analyst
yfreq|yfreq $T/db --index offender --purpose database-health --genotype DYS19=14;DYS390=24|analyst
stat|stat $T/db|admin custodian analyst auditor
rules-show|rules $T/db|admin custodian analyst auditor
rules-set|rules $T/db --index offender --min-loci 8|admin custodian
policy-show|policy $T/db|admin custodian analyst auditor
policy-set|policy $T/db --allow casework:search:volunteer|admin custodian
retention-report|retention report $T/db|admin custodian auditor
retention-run|retention run $T/db --dry-run|custodian
retention-set|retention set $T/db arrest years:3|admin custodian
consent|consent give $T/db V-GT37019 --scope casework|custodian
expunge|expunge $T/db I\$\$-GT37020 --reason test|custodian
audit-read|audit verify $T/db|admin custodian auditor
audit-checkpoint|audit checkpoint $T/db --key $T/k|admin auditor
user-admin|user list $T/db|admin
subject-report|subject-report $T/db GT37019|custodian auditor
intake|intake kit $T/db --type Swab --lot L1|custodian
intake-show|intake show $T/db|custodian analyst auditor
MATRIX
bad=0
n=0
for role in admin custodian analyst auditor; do
    case $role in admin) tok=$ADMIN ;; custodian) tok=$CUST ;; analyst) tok=$ANAL ;; auditor) tok=$AUDI ;; esac
    while IFS='|' read -r action cmd allowed; do
        n=$((n + 1))
        # each import/expunge pair works on its own ids ($$ -> a per-row number)
        cmd=$(echo "$cmd" | sed "s/I\\\$\\\$-/I$n-/")
        [ "$action" = expunge ] && STRDB_TOKEN=$CUST "$S" import "$T/db" $D/bad/good3.csv --index offender --basis conviction --id-prefix I$n- >/dev/null 2>&1
        before=$(sqlite3 "$T/db" "SELECT count(*) FROM audit WHERE outcome LIKE 'refused: role%'")
        IFS=' '
        STRDB_TOKEN=$tok "$S" $cmd >"$T/o" 2>"$T/e"
        rc=$?
        after=$(sqlite3 "$T/db" "SELECT count(*) FROM audit WHERE outcome LIKE 'refused: role%'")
        case " $allowed " in *" $role "*) want=ok ;; *) want=refused ;; esac
        if [ $want = ok ] && { [ $rc != 0 ] || grep -q "refused: role" "$T/e"; }; then
            echo "    $role $action: expected to run, exit $rc: $(head -1 "$T/e")"; bad=$((bad + 1))
        elif [ $want = refused ] && { [ $rc = 0 ] || ! grep -q "refused: role '$role' may not $action" "$T/e" || [ "$after" != $((before + 1)) ]; }; then
            echo "    $role $action: expected an audited refusal, exit $rc: $(head -1 "$T/e")"; bad=$((bad + 1))
        fi
    done <"$T/matrix"
done
if [ $bad = 0 ]; then echo "PASS role x command matrix: 4 roles x 24 actions exactly as the policy says, refusals audited"
else echo "FAIL role x command matrix: $bad of $n cells wrong"; fi

unset STRDB_TOKEN
check "a missing token is refused and audited" \
    sh -c "! '$S' stat '$T/db' 2>/dev/null && [ \$(sqlite3 '$T/db' \"SELECT actor FROM audit ORDER BY seq DESC LIMIT 1\") = '(unauthenticated)' ]"
check "a wrong token is refused" sh -c "! STRDB_TOKEN=$(echo "$ANAL" | tr 0-9a-f 1-9a-f0) '$S' stat '$T/db' 2>/dev/null"
echo "$ANAL" >"$T/tokfile"
check "--token-file works like STRDB_TOKEN" "$S" search "$T/db" --genotype "$G" --stringency low --min-loci 3 --token-file "$T/tokfile"
check "--actor must be the token's user" sh -c "! STRDB_TOKEN=$ANAL '$S' search '$T/db' --genotype '$G' --actor alice 2>/dev/null"
check "the actor recorded is the token's user" \
    sh -c "[ \$(sqlite3 '$T/db' \"SELECT actor FROM audit WHERE action = 'search' AND outcome = 'ok' ORDER BY seq DESC LIMIT 1\") = carol ]"
STRDB_TOKEN=$ADMIN "$S" user disable "$T/db" carol
check "a disabled user's token is refused" sh -c "! STRDB_TOKEN=$ANAL '$S' stat '$T/db' 2>/dev/null"
NEW=$(STRDB_TOKEN=$ADMIN "$S" user rotate "$T/db" dave 2>/dev/null)
check "rotate: the old token stops working, the new one works" \
    sh -c "! STRDB_TOKEN=$AUDI '$S' stat '$T/db' 2>/dev/null && STRDB_TOKEN=$NEW '$S' stat '$T/db' >/dev/null"
check "the token is never stored in clear" sh -c "! grep -q -a '$ADMIN' '$T/db'"
check "the chain verifies after all of it" sh -c "STRDB_TOKEN=$ADMIN '$S' audit verify '$T/db'"
