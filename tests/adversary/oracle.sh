#!/bin/sh
# oracle.sh: the live audit's canary search as a file-reading oracle
# (issue 11, part 3). An auditor's canary search takes short byte strings
# and says which file of the data directory holds them: growing a known
# prefix one byte at a time reads server.key (and any clear field of
# data.mdb). Here the auditor asks for what it could only confirm through
# the oracle:
#
#   key prefix     the first bytes of server.key, past its 5-byte magic
#                  (so secret bytes): must be neither found nor located.
#   short canary   a 6-byte clear field of data.mdb (the administrator's
#                  name): must be refused (too short to be unguessable)
#                  or not found, never located in a file.
#
#   BUILD=build sh tests/adversary/oracle.sh
. "$(dirname "$0")/lib/adversary.sh"
make_tmp adv-oracle
PDIR=$T
if ! start_daemon 13 61; then
    not_ok "setup: binomed starts"
    finish
fi
setup "the administrator joins" join_admin "$(tail -n 1 "$T/invite")" Claire
setup_grab CODE "an auditor's invitation" admin admin invite --programme 0 \
    --role auditor
setup "the auditor joins" as audra join "$CODE" --name Audra

# located: the audit's output locates or reports a canary.
located() {
    grep -Eqi 'server\.key|data\.mdb|server\.pub|binomed\.conf' \
        "$T/out" "$T/err" || grep -Eqi '^ +canary ' "$T/out"
}

# The first bytes of server.key up to its first newline (a canary is a
# line), at most 24: its 5-byte magic and secret bytes after it.
k=$(head -c 24 "$DATA/server.key" | od -An -v -tx1 | tr -s ' ' '\n' |
    awk '$1 == "0a" { exit } $1 != "" { n++ } END { print n + 0 }')
head -c "$k" "$DATA/server.key" >"$T/canary.key"
printf '\n' >>"$T/canary.key"
why=""
: >"$T/detail"
A_SKIP=""
if [ "$k" -le 5 ]; then
    ok "a prefix of server.key's secret is not confirmed (skipped: newline at byte $k)"
else
    run audra audit --canary "$T/canary.key"
    grep -i 'canary' "$T/out" >>"$T/detail"
    located && fail "a $k-byte prefix of server.key (secret past byte 5) was found"
    if [ -z "$why" ]; then ok "a prefix of server.key's secret is not confirmed"
    else not_ok "a prefix of server.key's secret is not confirmed ($why)"; fi
fi

why=""
: >"$T/detail"
printf 'Claire\n' >"$T/canary.short"
run audra audit --canary "$T/canary.short"
grep -i 'canary' "$T/out" >>"$T/detail"
located && fail "a 6-byte canary was found and located"
if [ -z "$why" ]; then ok "a short canary is not answered"
else not_ok "a short canary is not answered ($why)"; fi

finish
