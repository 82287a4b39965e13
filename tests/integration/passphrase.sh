#!/bin/sh
# passphrase.sh: a new passphrase for the keys on this machine (issue 15,
# its first part), through the command line against a real binomed: the
# current passphrase is needed, the new one opens the keys and the old
# one no longer does, the keys themselves do not change (the pair and its
# notes read on), and a refused change leaves the key file as it was.
#
#   BUILD=build sh tests/integration/passphrase.sh
#
# Prints "ok N - ..." / "not ok N - ..." per check and ends with
# "N passed, N failed"; exits 1 when a check failed.
. "$(dirname "$0")/lib/common.sh"
need_progs "run make first" "$BINOMED" "$BINOME"
make_tmp passphrase

start_daemon_checked 59 89 "binomed starts"
join_admin "$(tail -n 1 "$T/invite")" Claire
PROG=$(new_programme Passphrases)
join_people "$PROG" alice:mentor bob:mentee
verified_pair P alice bob
echo "Written before the change." >"$T/n1"
grab N1 alice note add "$P" --file "$T/n1" && is_id "$N1" ||
    not_ok "alice writes a note"
cp "$T/alice/identity.key" "$T/before.key"

OLD="pass phrase of alice" NEW="a new and longer pass phrase"
# pp CURRENT NEW: binome passphrase for alice with these passphrases.
pp() {
    BINOME_PASSPHRASE="$1" BINOME_NEW_PASSPHRASE="$2" "$BINOME" \
        --profile "$T/alice" passphrase
}
refuse "the wrong current passphrase changes nothing" \
    "not the current passphrase" pp "not it" "$NEW"
refuse "an empty new passphrase is refused" "empty passphrase" pp "$OLD" ""
refuse "the same passphrase again is no change" "is the current one" \
    pp "$OLD" "$OLD"
if cmp -s "$T/before.key" "$T/alice/identity.key"; then
    ok "after the refusals the key file is untouched"
else
    not_ok "after the refusals the key file is untouched"
fi
check "alice changes her passphrase" pp "$OLD" "$NEW"
has "it says the old one opens nothing" "$T/out" "the old one opens nothing"
if cmp -s "$T/before.key" "$T/alice/identity.key"; then
    not_ok "the key file was sealed again"
else
    ok "the key file was sealed again"
fi
refuse "the old passphrase no longer opens her keys" "passphrase" \
    as alice whoami
BINOME_PASSPHRASE="$NEW" "$BINOME" --profile "$T/alice" note show "$P" \
    "$N1" --raw >"$T/out" 2>"$T/err"
has "with the new one she reads her pair's note" "$T/out" \
    "Written before the change."
BINOME_PASSPHRASE="$NEW" "$BINOME" --profile "$T/alice" verify "$P" \
    >"$T/out" 2>"$T/err"
has "her keys did not change: the pair is still verified" "$T/out" \
    "status: verified"
ls -a "$T/alice" >"$T/files"
lacks "no temporary key file is left beside it" "$T/files" "tmp"
check "a copy of the old file still opens with the old passphrase (SECURITY.md)" sh -c \
    'cp "$1" "$2/identity.key" && BINOME_PASSPHRASE="$3" "$4" --profile "$2" whoami' \
    sh "$T/before.key" "$T/alice" "$OLD" "$BINOME"

finish
