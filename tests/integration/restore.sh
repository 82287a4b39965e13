#!/bin/sh
# restore.sh: after the operator restores the server's data directory from
# a backup (issue 15, "After a restore from backup"), against a real
# binomed:
# - the member whose client saw later writes is refused on every command
#   (exit 3, the tamper alarm) with the lost entries named: their numbers
#   and kinds (note revision, session, objective), a rollback said apart
#   from a fork;
# - the other member, who saw none of them, just works;
# - 'pair resync' explains and asks (refused without --yes off a
#   terminal), then accepts the server's history: the pair works again
#   for both, 'verify' shows the resync, the lost note revisions of the
#   member are named to write again and '--rewrite' writes them again
#   from the sealed copies the client kept (once), a draft (the server
#   stopped under the editor) stays and is sent;
# - a fork (the other member writes after the restore, at the same
#   entry numbers) is reported as a fork and also needs the explicit step.
#
#   BUILD=build sh tests/integration/restore.sh
#
# Prints "ok N - ..." / "not ok N - ..." per check and ends with
# "N passed, N failed"; exits 1 when a check failed.
. "$(dirname "$0")/lib/common.sh"
need_progs "run make first" "$BINOMED" "$BINOME"
need_pty
make_tmp restore

start_daemon_checked 61 97 "binomed starts"
join_admin "$(tail -n 1 "$T/invite")" Claire
PROG=$(new_programme Restores)
join_people "$PROG" alice:mentor bob:mentee
verified_pair P alice bob
start_pair "$P" 30

# status_is CODE DESC CMD...: the command exits with CODE.
status_is() {
    want=$1 d=$2
    shift 2
    "$@" >"$T/out" 2>"$T/err"
    got=$?
    if [ "$got" -eq "$want" ]; then
        ok "$d"
    else
        not_ok "$d (exit $got, not $want)"
    fi
}
# head_of WHO: the log entry WHO's client last verified ('verify').
head_of() { as "$1" verify "$P" 2>/dev/null | sed -n 's/^log: entry \([0-9]*\),.*/\1/p'; }
# note_from WHO TEXT: WHO adds a note with TEXT; prints its id.
note_from() {
    printf '%s\n' "$2" >"$T/text"
    as "$1" note add "$P" --file "$T/text" 2>"$T/err"
}
# backup / restore: the operator stops binomed, copies the data directory
# (or puts the copy back over it) and starts it again.
backup() {
    stop_daemon
    rm -rf "$T/backup"
    cp -a "$DATA" "$T/backup"
    run_daemon "$DATA" && wait_up alice
}
restore() {
    stop_daemon
    rm -rf "$DATA"
    cp -a "$T/backup" "$DATA"
    run_daemon "$DATA" && wait_up alice
}

N1=$(note_from alice "Written before the backup.")
N2=$(note_from bob "Bob, before the backup.")
is_id "$N1" && is_id "$N2" || not_ok "both write a note before the backup"
check "bob reads the pair before the backup" as bob note list "$P"
H1=$(head_of alice)

backup
# After the backup: a new note, a revision, a session, an objective.
printf 'Written after the backup: lost by the restore.\n' >"$T/text"
grab N3 alice note add "$P" --kind report --file "$T/text" ||
    not_ok "alice writes a report after the backup"
printf 'A second revision, lost too.\n' >"$T/text"
check "alice writes a second revision of her first note" \
    as alice note edit "$P" "$N1" --file "$T/text"
grab S alice session add "$P" --date "$(ago 3)" ||
    not_ok "alice records a session"
grab O alice objective add "$P" "An objective written after the backup" ||
    not_ok "alice adds an objective"
H2=$(head_of alice)
if is_num "$H1" && is_num "$H2" && [ "$H2" -eq $((H1 + 4)) ]; then
    ok "alice's client saw entries $((H1 + 1)) to $H2 after the backup"
else
    not_ok "alice's client saw four entries after the backup ($H1, $H2)"
fi

# A draft: the server stops while alice's editor is open (a fake editor
# on a pty, as in drafts.sh); her text is kept, sealed, in drafts/.
cat >"$T/editor" <<'EOF2'
#!/bin/sh
printf '%s\n' "Kept as a draft across the restore." >"$1"
kill "$STOP_PID"
i=0
while kill -0 "$STOP_PID" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
exit 0
EOF2
chmod 755 "$T/editor"
mkdir -m 700 "$T/xdg"
STOP_PID=$daemon EDITOR="$T/editor" XDG_RUNTIME_DIR="$T/xdg" \
    BINOME_PASSPHRASE="pass phrase of alice" script -qec \
    "$BINOME --profile $T/alice note add $P 2>$T/err" /dev/null \
    </dev/null >"$T/out"
D=$(tr -d '\r' <"$T/err" | sed -n 's/.*kept, encrypted, as draft \([0-9a-f]\{16\}\).*/\1/p' | head -n 1)
if is_id "$D"; then
    ok "the server stops under alice's editor: her text is kept as draft $D"
else
    not_ok "the server stops under alice's editor: her text is kept as a draft"
fi

restore

status_is 3 "alice's note list is refused with the tamper status" \
    as alice note list "$P"
has "it says the server rolled back the pair's log" "$T/err" \
    "rolled back the log of pair $P"
has "it says where the server's log ends and what she saw" "$T/err" \
    "it ends at entry $H1 and you saw up to entry $H2"
has "it names the lost note (entry $((H1 + 1)), a note revision)" "$T/err" \
    "entry $((H1 + 1)): note revision, note $N3 revision 1 (report)"
has "... the lost revision (entry $((H1 + 2)))" "$T/err" \
    "entry $((H1 + 2)): note revision, note $N1 revision 2"
has "... the lost session (entry $((H1 + 3)))" "$T/err" \
    "entry $((H1 + 3)): session, session $S"
has "... the lost objective (entry $H2)" "$T/err" \
    "entry $H2: objective, objective $O"
has "... with its author and kind" "$T/err" "(report), by alice (you)"
has "it says how to accept the server's history" "$T/err" \
    "binome pair resync $P"
lacks "it prints no note text" "$T/err" "lost by the restore"
status_is 3 "without a resync alice's writes are refused too" \
    note_from alice "Into the restored server."
status_is 3 "... and verify too" as alice verify "$P"
status_is 3 "... again and again" as alice note list "$P"

check "bob, who saw none of the lost entries, just works" \
    as bob note list "$P"
check "bob reads alice's first note as the backup had it" \
    as bob note show "$P" "$N1" --raw
has "... its first revision" "$T/out" "Written before the backup."

# Resync: explained and asked; off a terminal only with --yes.
status_is 1 "'pair resync' without --yes, off a terminal, changes nothing" \
    as alice pair resync "$P"
has "... it explains what is lost first" "$T/out" \
    "entry $((H1 + 1)): note revision"
has "... and says to confirm with --yes" "$T/err" "--yes"
status_is 3 "alice is still refused" as alice note list "$P"
check "'pair resync --yes' accepts the server's history" \
    as alice pair resync "$P" --yes
has "it says the pair is resynced" "$T/out" "pair $P resynced"
has "it names her lost report to write again" "$T/out" \
    "entry $((H1 + 1)): note revision, note $N3 revision 1 (report)"
has "... and her lost revision" "$T/out" "note $N1 revision 2 (note)"
has "... and how to write them again" "$T/out" "pair resync $P --rewrite"
has "... and that her draft is kept" "$T/out" "Your 1 draft(s) are kept"
# --rewrite, once resynced: from the sealed copies alice's client kept.
check "'pair resync --rewrite' writes her lost notes again" \
    as alice pair resync "$P" --rewrite
has "... the lost report, anew under its id" "$T/out" \
    "note $N3 revision 1 written again"
has "... the lost revision, as an edit" "$T/out" \
    "note $N1 revision 2 written again"
has "... and counts them" "$T/out" "2 of 2 lost note(s) of yours written again"
check "bob reads the report written again" as bob note show "$P" "$N3" --raw
has "... its text" "$T/out" "Written after the backup: lost by the restore."
check "bob reads the revision written again" as bob note show "$P" "$N1" --raw
has "... its text" "$T/out" "A second revision, lost too."
check "a second --rewrite writes nothing twice" \
    as alice pair resync "$P" --rewrite
has "... it finds them on the server" "$T/out" \
    "note $N3 revision 1: on the server again"
check "alice's draft is still there after the resync" as alice drafts
has "... listed" "$T/out" "$D"
check "... and she sends it" as alice drafts send "$D"
DN=$(tail -n 1 "$T/out")
check "bob reads it" as bob note show "$P" "$DN" --raw
has "... its text" "$T/out" "Kept as a draft across the restore."
N4=$(note_from alice "Written after the resync.")
if is_id "$N4"; then ok "alice writes again"; else not_ok "alice writes again"; fi
check "bob reads it" as bob note show "$P" "$N4" --raw
has "... its text" "$T/out" "Written after the resync."
check "alice reads bob's note" as alice note show "$P" "$N2" --raw
has "... its text" "$T/out" "Bob, before the backup."
check "alice's verify works" as alice verify "$P"
has "verify says she resynced, and what was lost" "$T/out" \
    "you had seen were lost ($((H1 + 1)) note revision"
has "... a rollback" "$T/out" "after it rolled the log back: entries $((H1 + 1)) to $H2"
check "a second 'pair resync' has nothing to do" as alice pair resync "$P" --yes
has "... and says so" "$T/out" "nothing to resync"

# ---- a fork: the other member writes after the restore ------------------
H3=$(head_of alice)
backup
N5=$(note_from alice "Alice, after the second backup.")
is_id "$N5" || not_ok "alice writes after the second backup"
restore
N6=$(note_from bob "Bob, after the restore: the same entry number.")
if is_id "$N6"; then
    ok "bob writes after the restore (entry $((H3 + 1)) again, his)"
else
    not_ok "bob writes after the restore"
fi
status_is 3 "alice is refused" as alice note list "$P"
has "it says the server forked the pair's log, from entry $((H3 + 1))" \
    "$T/err" "the server forked the log of pair $P: from entry $((H3 + 1)) on"
has "it names her lost note" "$T/err" \
    "entry $((H3 + 1)): note revision, note $N5 revision 1"
lacks "it does not call it a plain rollback" "$T/err" "rolled back the log"
status_is 3 "it keeps refusing without the explicit step" \
    as alice note list "$P"
check "'pair resync --yes --rewrite' accepts the fork" \
    as alice pair resync "$P" --yes --rewrite
has "... and writes her lost note again" "$T/out" \
    "note $N5 revision 1 written again"
check "bob reads it" as bob note show "$P" "$N5" --raw
has "... its text" "$T/out" "Alice, after the second backup."
check "alice reads bob's note written after the restore" \
    as alice note show "$P" "$N6" --raw
has "... its text" "$T/out" "Bob, after the restore"
check "alice writes after the fork's resync" note_from alice "And on."
check "bob reads the pair" as bob note list "$P"
as alice verify "$P" >"$T/out" 2>"$T/err"
has "verify shows both resyncs" "$T/out" "after it forked the log: entry $((H3 + 1)) you had seen was lost"
for f in "$T/alice/log/$P" "$T/alice/log/$P.idx" "$T/alice/log/$P.resync" \
    "$T/alice/log/$P.mine"; do
    if [ -f "$f" ] && [ "$(stat -c %a "$f")" = 600 ]; then
        ok "${f#"$T/"} is kept, mode 0600"
    else
        not_ok "${f#"$T/"} is kept, mode 0600"
    fi
done
if grep -rq "backup\|restore" "$T/alice/log"; then
    not_ok "the profile's log records hold no note text"
else
    ok "the profile's log records hold no note text"
fi
if grep -rq "backup\|restore\|Alice, after" "$T/alice"; then
    not_ok "no note text in clear anywhere in alice's profile (sent/ sealed)"
else
    ok "no note text in clear anywhere in alice's profile (sent/ sealed)"
fi
if [ "$(stat -c %a "$T/alice/sent")" = 700 ] &&
    [ -n "$(ls "$T/alice/sent/$P")" ]; then
    ok "sent/ keeps the copies, mode 0700"
else
    not_ok "sent/ keeps the copies, mode 0700"
fi
check "alice erases what she wrote ('erase --mine')" as alice erase "$P" --mine
if [ -e "$T/alice/sent/$P" ]; then
    not_ok "... and her sealed copies of it go from her profile"
else
    ok "... and her sealed copies of it go from her profile"
fi

finish
