#!/bin/sh
# upgrade_client.sh: the members of a pair made by the previous release
# (tests/fixtures/schema3) keep working after 'binomed upgrade', with the
# stock client: their remembered log heads still hold, every note,
# session, objective and document reads back, the client says which part
# of the pair's log predates item-by-item checks, and new writes land as
# version 2 entries after the old ones and are checked.
#
#   BUILD=build sh tests/integration/upgrade_client.sh
. "$(dirname "$0")/lib/common.sh"
need_progs "run make first" "$BINOMED" "$BINOME"
make_tmp upgrade-client
FIXTURE=$(cd "$(dirname "$0")/../fixtures/schema3" && pwd)
. "$FIXTURE/story.env"
cp -r "$FIXTURE/data" "$T/data"
port=$(($$ % 20000 + 33000))
for who in mentor mentee; do
    cp -r "$FIXTURE/$who" "$T/$who"
    sed -i "s/^server=.*/server=127.0.0.1:$port/" "$T/$who/profile.conf"
done
# as WHO ARGS...: the fixture's profiles and passphrase.
as() {
    who=$1
    shift
    BINOME_PASSPHRASE="test passphrase" "$BINOME" --profile "$T/$who" "$@"
}

check "binomed upgrade converts the old directory" \
    "$BINOMED" upgrade --data "$T/data"
if ! run_daemon "$T/data"; then
    not_ok "the daemon starts on it"
    show_tail 5 "$T/binomed.log"
    finish
fi

check "the mentor lists the notes" as mentor note list "$PAIR"
if grep -q "older release" "$T/err"; then
    ok "the client says the old entries cannot be checked item by item"
else
    not_ok "the client says the old entries cannot be checked item by item"
fi
check "the mentor reads the edited report" as mentor note show "$PAIR" "$N1"
if grep -q "Next: CV review." "$T/out"; then
    ok "its latest revision"
else
    not_ok "its latest revision"
fi
check "the mentee reads the mentor's report" as mentee note show "$PAIR" "$N1"
as mentee note history "$PAIR" "$N1" --text >"$T/out" 2>"$T/err"
if [ "$(grep -c '^--- revision [12] by alice (mentor)' "$T/out")" = 2 ] &&
    grep -q "Next: CV review." "$T/out"; then
    ok "the report's history: both revisions, the mentor's (old entries)"
else
    not_ok "the report's history: both revisions, the mentor's (old entries)"
    sed 's/^/#   /' "$T/out" "$T/err"
fi
check "the mentor reads the mentee's action plan" \
    as mentor note show "$PAIR" "$N2"
check "the sessions, renumbered to their log seqs" as mentee session list "$PAIR" --json
if grep -q '"id":3' "$T/out" && grep -q '"id":4' "$T/out"; then
    ok "sessions 3 and 4"
else
    not_ok "sessions 3 and 4"
fi
check "the objective" as mentor objective list "$PAIR"
check "the document comes down" as mentee doc get "$PAIR" "$D1" -o "$T/doc.txt"
if [ "$(cat "$T/doc.txt" 2>/dev/null)" = "a small document" ]; then
    ok "byte for byte"
else
    not_ok "byte for byte"
fi
printf 'After the upgrade: we keep going.\n' >"$T/new"
if N3=$(as mentee note add "$PAIR" --kind note --session 3 --file "$T/new" 2>"$T/err"); then
    ok "the mentee writes after the upgrade"
else
    not_ok "the mentee writes after the upgrade"
fi
check "the mentor reads it" as mentor note show "$PAIR" "$N3"
if grep -q "we keep going" "$T/out"; then
    ok "its text"
else
    not_ok "its text"
fi
check "a session after the upgrade" as mentor session add "$PAIR" \
    --date "$(date -u -d '+7 days' +%Y-%m-%d)" --status planned
check "and the sessions still check" as mentee session list "$PAIR"
check "verify lists who can open the notes" as mentor verify "$PAIR"
if grep -q "alice" "$T/out" && grep -q "bob" "$T/out"; then
    ok "both members, and nobody else"
else
    not_ok "both members, and nobody else"
fi
stop_daemon
finish
