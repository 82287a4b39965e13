#!/bin/sh
# restore.sh: the malicious operator behind a "restore from backup"
# (issue 15). In the world, the operator copies the data directory (a
# backup), then alice writes a note, a session and an objective that her
# client verifies; every attack serves the backup copy (what a restore
# gives), possibly edited with bn_tamper:
#
#   an honest restore          the loss alone: alice is refused (exit 3)
#                              with the lost entries named, bob is not;
#                              'pair resync --yes' accepts it.
#   an altered entry           entry 3 of the restored log altered
#                              (log-flip): a forged history, not a loss.
#   a forged entry             an entry appended in alice's name with a
#                              made-up signature, where her lost note was
#                              (a forged fork).
#   a withheld note            a note the restored log holds, deleted.
#
# In each forged case 'pair resync --yes' must refuse (exit 3, naming the
# pair), leave the remembered head as it was, and the alarm stays: resync
# accepts only the loss of the tail of a validly signed history.
#
#   BUILD=build sh tests/adversary/restore.sh
. "$(dirname "$0")/lib/adversary.sh"
make_tmp adv-restore

TXT_LOST="alice writes after the backup: lost by the restore"
world_extra() {
    stop_daemon
    cp -a "$DATA" "$T/backup" || {
        not_ok "setup: the backup"
        finish
    }
    if ! restart "$DATA"; then
        not_ok "setup: binomed restarts after the backup"
        finish
    fi
    printf '%s\n' "$TXT_LOST" >"$T/lost"
    setup_grab LOST "alice writes after the backup" alice note add "$P" \
        --file "$T/lost"
    setup "alice records a session" as alice session add "$P" \
        --date 2024-05-02
    setup "alice adds an objective" as alice objective add "$P" \
        "objective three, lost"
    setup "alice reads the pair" as alice note list "$P"
}
world 67 101
# Every attack serves the backup: the restore.
DATA=$T/backup

# resync_refused DESC: alice's 'pair resync --yes' exits 3 naming the
# pair, her remembered head does not move, and she stays refused.
resync_refused() {
    [ -n "$A_SKIP" ] && return 0
    cp "$T/w/alice/log/$P" "$T/head-before"
    tampered "$1" alice pair resync "$P" --yes
    cmp -s "$T/head-before" "$T/w/alice/log/$P" ||
        fail "the resync moved alice's remembered head"
    [ ! -e "$T/w/alice/log/$P.resync" ] || fail "a resync was recorded"
    tampered "" alice note list "$P"
}

attack "an honest restore: the loss alone, accepted only by resync"
tampered "rolled back the log" alice note list "$P"
grep -q "note $LOST revision 1" "$T/err" || fail "the lost note is not named"
run bob note list "$P"
[ "$rc" -eq 0 ] || fail "bob, who saw none of it, exits $rc"
run alice pair resync "$P" --yes
[ "$rc" -eq 0 ] || fail "resync exits $rc"
run alice note list "$P"
[ "$rc" -eq 0 ] || fail "after the resync alice's note list exits $rc"
verdict

attack "a restore with an altered entry: resync refuses" log-flip "$P" 3
tampered "entry 3" alice note list "$P"
resync_refused "entry 3"
verdict

attack "a restore with a forged entry where the lost one was" \
    fake-erase-consent "$P" "$ALICE"
tampered "" alice note list "$P"
resync_refused ""
verdict

attack "a restore that also withholds a note: resync refuses" \
    hide-note "$P" "$N1"
resync_refused "$N1"
never_shown "$TXT_N1_R2"
verdict

finish
