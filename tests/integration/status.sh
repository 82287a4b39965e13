#!/bin/sh
# status.sh: `binomed status --data DIR`, what the data directory tells
# the operator without the daemon (issue 17, "What the operator sees").
# On a fresh directory, then while a daemon serves a pair that writes
# notes: the map, its use and the free pages are printed and consistent
# (used <= map, free <= used), each database of BND_DBS has a row, the
# notes database counts the notes written (checked against the number
# the test wrote), --json gives the same figures, nothing a member wrote
# or named appears, and a directory that is not one is refused (exit 1)
# with a clear message.
#
#   BUILD=build sh tests/integration/status.sh
#
# Prints "ok N - ..." / "not ok N - ..." per check and ends with
# "N passed, N failed"; exits 1 when a check failed.
. "$(dirname "$0")/lib/common.sh"
need_progs "run make first" "$BINOMED" "$BINOME"
make_tmp status
not_ok_detail() { show_tail 15 "$T/out" "$T/err"; }

# records DB: the records column of DB's row in $T/out.
records() {
    awk -v db="$1" '$1 == db { print $2 }' "$T/out"
}

# ---- a fresh data directory, no daemon --------------------------------
start_daemon_checked 71 29 "binomed starts"
stop_daemon
if "$BINOMED" status --data "$DATA" >"$T/out" 2>"$T/err"; then
    ok "status runs on a fresh data directory without the daemon"
else
    not_ok "status runs on a fresh data directory without the daemon"
fi
has "it names the schema" "$T/out" "schema          4"
# "map             64.0 MiB, 28.0 KiB used (0.0 %): 7 pages of 4096 bytes"
share=$(sed -n 's/^map .* used (\([0-9.]*\) %).*/\1/p' "$T/out")
pages=$(sed -n 's/^map .*: \([0-9]*\) pages of.*/\1/p' "$T/out")
if [ -n "$share" ] && [ "${pages:-0}" -gt 0 ] &&
    awk -v p="$share" 'BEGIN { exit !(p <= 100) }'; then
    ok "the map and its use are printed ($pages pages, $share % of the map)"
else
    not_ok "the map and its use are printed, use <= map"
fi
has "the free pages are printed" "$T/out" "free pages      "
missing=""
for db in meta accounts pairs notes note_envs log docs devices recovery; do
    awk -v db="$db" '$1 == db { f = 1 } END { exit !f }' "$T/out" ||
        missing="$missing $db"
done
if [ -z "$missing" ]; then
    ok "each database has a row"
else
    not_ok "each database has a row (missing:$missing)"
fi
if [ "$(records notes)" = 0 ] || [ "$(records notes)" = absent ]; then
    ok "no notes yet"
else
    not_ok "no notes yet (notes: $(records notes))"
fi

# ---- a daemon serving a pair that writes ---------------------------------
if run_daemon "$DATA"; then
    ok "binomed serves the directory again"
else
    not_ok "binomed serves the directory again"
    finish
fi
join_admin "$(tail -n 1 "$T/invite")" Claire
PROG=$(new_programme Watched)
join_people "$PROG" alice:mentor bob:mentee
verified_pair P1 alice bob
SECRET="status-secret-$$-lanternfish"
wrote=0
for i in 1 2 3 4 5; do
    printf 'Session %s: %s\n' "$i" "$SECRET" >"$T/note"
    as alice note add "$P1" --file "$T/note" >/dev/null 2>"$T/err" &&
        wrote=$((wrote + 1))
done
if [ "$wrote" = 5 ]; then
    ok "alice wrote 5 notes"
else
    not_ok "alice wrote 5 notes (wrote $wrote)"
fi

if "$BINOMED" status --data "$DATA" >"$T/out" 2>"$T/err"; then
    ok "status runs while the daemon serves"
else
    not_ok "status runs while the daemon serves"
fi
if [ "$(records notes)" = 5 ]; then
    ok "the notes database counts the 5 notes written"
else
    not_ok "the notes database counts the 5 notes written (got $(records notes))"
fi
if [ "$(records pairs)" = 1 ]; then
    ok "the pairs database counts the one pair"
else
    not_ok "the pairs database counts the one pair (got $(records pairs))"
fi
free=$(sed -n 's/^free pages *\([0-9]*\) .*/\1/p' "$T/out")
pages=$(sed -n 's/^map .*: \([0-9]*\) pages of.*/\1/p' "$T/out")
if [ -n "$free" ] && [ -n "$pages" ] && [ "$free" -le "$pages" ]; then
    ok "free pages ($free) within the used pages ($pages)"
else
    not_ok "free pages within the used pages"
fi
for word in "$SECRET" Claire alice bob Watched; do
    lacks "the report does not show '$word'" "$T/out" "$word"
done

if "$BINOMED" status --data "$DATA" --json >"$T/out" 2>"$T/err" &&
    grep -q '^{"schema":4,.*"map_bytes":[1-9][0-9]*,.*"free_pages":[0-9]*,' "$T/out" &&
    grep -q '"notes":{"records":5,' "$T/out"; then
    ok "--json: one object with the map, the free pages and 5 notes"
else
    not_ok "--json: one object with the map, the free pages and 5 notes"
fi
cp "$T/out" "$T/json"
if command -v python3 >/dev/null 2>&1; then
    check "--json parses as JSON" python3 -c \
        'import json, sys; json.load(open(sys.argv[1]))' "$T/json"
fi

# ---- what is not a data directory ------------------------------------------
mkdir "$T/empty"
refuse "status refuses a directory that is not initialised, saying why" \
    "is not an initialised data directory" \
    "$BINOMED" status --data "$T/empty"
if "$BINOMED" status >"$T/out" 2>"$T/err"; then
    not_ok "status without --data is refused"
elif [ $? = 2 ]; then
    ok "status without --data is a usage error (exit 2)"
else
    not_ok "status without --data is a usage error (exit 2)"
fi

finish
