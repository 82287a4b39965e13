#!/bin/sh
# upgrade.sh: a data directory of the previous release
# (tests/fixtures/schema3, made by tests/fixtures/make_schema3.sh against
# commit 1830fbf) through the real binomed: the daemon refuses it and names
# 'binomed upgrade'; the upgrade backs it up beside it, converts it, says
# so again when run twice; the audit is clean and the daemon starts.
# (test_srv_upgrade checks what the converted pair serves.)
#
#   BUILD=build sh tests/integration/upgrade.sh
. "$(dirname "$0")/lib/common.sh"
need_progs "run make first" "$BINOMED"
make_tmp upgrade
FIXTURE=$(cd "$(dirname "$0")/../fixtures/schema3" && pwd)
cp -r "$FIXTURE/data" "$T/data"
port=$(($$ % 20000 + 31000))

refuse "the daemon refuses a schema 3 directory, naming the upgrade" \
    "binomed upgrade --data $T/data" \
    "$BINOMED" --data "$T/data" --listen "127.0.0.1:$port"
check "the audit says schema 3" sh -c \
    '"$1" audit --data "$2" 2>&1 | grep -q "schema version 3"' \
    sh "$BINOMED" "$T/data"
# A directory whose backup path would be longer than PATH_MAX: the backup
# cannot be made, so nothing is converted (root ignores permissions).
deep=$T
while [ ${#deep} -lt 4000 ]; do
    deep=$deep/$(printf '%0250d' 0)
done
deep=$deep/$(printf '%0*d' $((4060 - ${#deep})) 0)
mkdir -p "$deep" && cp -r "$FIXTURE/data" "$deep/d"
refuse "no backup possible: nothing converted" "nothing changed" \
    "$BINOMED" upgrade --data "$deep/d"
check "it is still of schema 3" sh -c \
    '"$1" audit --data "$2" 2>&1 | grep -q "schema version 3"' \
    sh "$BINOMED" "$deep/d"
check "still schema 3" sh -c '"$1" audit --data "$2" 2>&1 | grep -q "schema version 3"' \
    sh "$BINOMED" "$T/data"
check "binomed upgrade converts it" "$BINOMED" upgrade --data "$T/data"
if grep -q "2 sessions renumbered, 2 notes moved" "$T/err"; then
    ok "it says what it did"
else
    not_ok "it says what it did"
fi
backup=$(ls -d "$T"/data.schema3-backup-* 2>/dev/null | head -n 1)
if [ -n "$backup" ] && [ -f "$backup/data.mdb" ] && [ -f "$backup/server.key" ]; then
    ok "a backup is beside it ($(basename "$backup"))"
else
    not_ok "a backup is beside it"
fi
check "the backup still holds schema 3" sh -c \
    '"$1" audit --data "$2" 2>&1 | grep -q "schema version 3"' sh "$BINOMED" "$backup"
check "the converted directory audits clean" "$BINOMED" audit --data "$T/data"
check "a second upgrade has nothing to do" sh -c \
    '"$1" upgrade --data "$2" 2>&1 | grep -q "already of schema 4"' sh "$BINOMED" "$T/data"
# another script may hold the port: try the next ones
tries=0
until run_daemon "$T/data" || [ $tries -ge 10 ]; do
    tries=$((tries + 1))
    port=$((port + 7))
done
if [ -n "$daemon" ] && kill -0 "$daemon" 2>/dev/null; then
    ok "the daemon starts on it"
else
    not_ok "the daemon starts on it"
    show_tail 5 "$T/binomed.log"
fi
stop_daemon
check "--help lists upgrade" sh -c '"$1" --help | grep -q "^  upgrade "' sh "$BINOMED"
check "binomed upgrade --help" sh -c '"$1" upgrade --help | grep -q "schema3-backup"' sh "$BINOMED"
finish
