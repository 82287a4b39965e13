#!/bin/sh
# drafts.sh: what a member writes is never lost (issue 13). On a pty
# (script(1)), with a fake editor that records being called:
# - a wrong passphrase, a session or a note that does not exist, an ended
#   pair: refused before the editor opens;
# - the server stopped while the editor is open: the text is kept as an
#   encrypted draft in the profile (no plaintext anywhere in the profile
#   or the editor's directory), 'drafts' lists it, 'drafts send' fails
#   while the server is down and sends it once it is back (the partner
#   reads it), then the draft is gone;
# - 'note add --draft ID' sends a draft; a draft whose note had in fact
#   landed is recognised, not written twice;
# - a note edited by the partner while the editor was open: the edit is
#   kept as a draft and 'note edit --draft' writes it on the new revision;
# - an objective typed on standard input while the server goes away is
#   kept too; 'drafts discard' drops a draft.
#
#   BUILD=build sh tests/integration/drafts.sh
. "$(dirname "$0")/lib/common.sh"
need_progs "run make first" "$BINOMED" "$BINOME"
need_pty
make_tmp drafts

start_daemon_checked 37 67 "binomed starts"
join_admin "$(tail -n 1 "$T/invite")" Claire
PROG=$(new_programme "Drafts")
join_people "$PROG" alice:mentor bob:mentee
verified_pair P alice bob
start_pair "$P" 1500

# The fake editor: marks that it ran, writes $EDITOR_TEXT, then runs
# $EDITOR_THEN (stop the daemon, let bob edit the same note, or hang up
# binome: $BINOME_PID).
cat >"$T/fake-editor" <<'EOF'
#!/bin/sh
echo called >>"$EDITOR_REC/called"
printf '%s\n' "$EDITOR_TEXT" >"$1"
if [ -n "${EDITOR_THEN:-}" ]; then
    BINOME_PID=$PPID sh -c "$EDITOR_THEN" >/dev/null 2>&1
fi
exit 0
EOF
chmod 755 "$T/fake-editor"
mkdir -m 700 "$T/xdg" "$T/rec"

# on_pty WHO ARGS...: binome as WHO with stdin and stdout on a pty (so that
# the editor opens); stdout in $T/out, stderr in $T/err. PASS overrides
# the passphrase.
cat >"$T/run" <<EOF
#!/bin/sh
who=\$1
shift
BINOME_PASSPHRASE="\${PASS:-pass phrase of \$who}" exec "$BINOME" --profile "$T/\$who" "\$@" 2>"$T/err"
EOF
on_pty() {
    rm -f "$T/rec/called"
    script -qec "sh $T/run $*" /dev/null </dev/null >"$T/out"
}
called() { [ -e "$T/rec/called" ]; }
export EDITOR="$T/fake-editor" EDITOR_REC="$T/rec" XDG_RUNTIME_DIR="$T/xdg"

# stop_server: the command an editor runs to stop the daemon under it.
cat >"$T/stop" <<'EOF'
#!/bin/sh
kill "$1"
i=0
while kill -0 "$1" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
EOF
restart() {
    wait "$daemon" 2>/dev/null
    daemon=""
    run_daemon "$DATA" && wait_up alice
}
# draft_of: the draft id that the last failure named on stderr.
draft_of() {
    tr -d '\r' <"$T/err" | sed -n 's/.*kept, encrypted, as draft \([0-9a-f]\{16\}\).*/\1/p' | head -n 1
}
# clear_anywhere TEXT: TEXT is in no file of alice's profile nor of the
# editor's runtime directory.
clear_nowhere() {
    ! grep -rqF -- "$1" "$T/alice" "$T/xdg"
}

S=$(as alice session add "$P" --date 2024-03-01 2>"$T/err")
is_num "$S" || not_ok "a session"

# ---- refused before the editor ---------------------------------------------
export EDITOR_TEXT="text that must not be typed for nothing"
PASS="not the passphrase" on_pty alice note add "$P"
if ! called && grep -qi "passphrase" "$T/err"; then
    ok "a wrong passphrase is refused before the editor opens"
else
    not_ok "a wrong passphrase is refused before the editor opens"
fi
on_pty alice note add "$P" --session 9999
if ! called && grep -q "no session 9999" "$T/err"; then
    ok "a session that does not exist is refused before the editor opens"
else
    not_ok "a session that does not exist is refused before the editor opens"
fi
on_pty alice note edit "$P" 0123456789abcdef
if ! called && grep -q "no note 0123456789abcdef" "$T/err"; then
    ok "a note that does not exist is refused before the editor opens"
else
    not_ok "a note that does not exist is refused before the editor opens"
fi
on_pty alice note add 9999
if ! called && [ -s "$T/err" ]; then
    ok "a pair that is not ours is refused before the editor opens"
else
    not_ok "a pair that is not ours is refused before the editor opens"
fi
on_pty admin note add "$P"
if ! called && grep -qiE "denied|not a member" "$T/err"; then
    ok "someone who is not a member is refused before the editor opens"
else
    not_ok "someone who is not a member is refused before the editor opens"
fi
if [ ! -e "$T/alice/drafts" ] || [ -z "$(ls -A "$T/alice/drafts")" ]; then
    ok "no draft for what was never written"
else
    not_ok "no draft for what was never written"
fi

# ---- the server stops while the editor is open ------------------------------
TEXT1="Canary-draft-7f3a: what we said at the first meeting"
EDITOR_TEXT=$TEXT1 EDITOR_THEN="sh $T/stop $daemon" on_pty alice note add "$P" --session "$S" --kind report
D1=$(draft_of)
if called && is_id "$D1" && grep -q "drafts send $D1" "$T/err" &&
    grep -q "cannot reach the server" "$T/err"; then
    ok "server gone after the editor: the note is kept as draft $D1, and the command says how to send it"
else
    not_ok "server gone after the editor: the note is kept as a draft"
fi
f="$T/alice/drafts/${D1:-x}"
if [ -f "$f" ] && [ "$(stat -c %a "$f")" = 600 ] &&
    [ "$(stat -c %a "$T/alice/drafts")" = 700 ]; then
    ok "the draft is a file of mode 0600 in drafts/ (0700) of the profile"
else
    not_ok "the draft is a file of mode 0600 in drafts/ (0700) of the profile"
fi
if clear_nowhere "Canary-draft-7f3a" && [ -z "$(ls -A "$T/xdg")" ]; then
    ok "no plaintext of the note in the profile or the editor's directory"
else
    not_ok "no plaintext of the note in the profile or the editor's directory"
fi
as alice drafts >"$T/out" 2>"$T/err"
if grep -q "^$D1 .* $P  note add  *report .*Canary-draft-7f3a" "$T/out"; then
    ok "'drafts' lists it (server down: no connection needed)"
else
    not_ok "'drafts' lists it" "$(cat "$T/out")"
fi
refuse "'drafts' needs the passphrase" "^binome: drafts: .*passphrase" \
    env BINOME_PASSPHRASE=wrong "$BINOME" --profile "$T/alice" drafts
refuse "'drafts send' while the server is down fails and keeps it" \
    "draft $D1 is kept" as alice drafts send "$D1"
[ -f "$f" ] || not_ok "the draft is still there after a failed send"

if restart; then ok "binomed restarts"; else not_ok "binomed restarts"; fi
grab N1 alice drafts send "$D1"
if is_id "$N1" && [ ! -e "$f" ]; then
    ok "'drafts send' sends it once the server is back; the draft is gone"
else
    not_ok "'drafts send' sends it once the server is back; the draft is gone"
fi
as bob note show "$P" "${N1:-0}" >"$T/got" 2>"$T/err"
if grep -qF "$TEXT1" "$T/got" && grep -q "^kind *report" "$T/got" &&
    grep -q "^session *$S" "$T/got"; then
    ok "bob reads it, as a report on session $S"
else
    not_ok "bob reads it, as a report on session $S"
fi

# ---- note add --draft; a draft whose note landed ------------------------------
TEXT2="Canary-draft-2b9e: the action plan"
EDITOR_TEXT=$TEXT2 EDITOR_THEN="sh $T/stop $daemon" on_pty alice note add "$P"
D2=$(draft_of)
restart
cp "$T/alice/drafts/${D2:-x}" "$T/d2-copy" 2>/dev/null
grab N2 alice note add "$P" --draft "${D2:-x}" </dev/null
if is_id "$N2" && [ ! -e "$T/alice/drafts/$D2" ] &&
    [ "$(as bob note show "$P" "$N2" --raw 2>/dev/null)" = "$TEXT2" ]; then
    ok "'note add PAIR --draft ID' sends the draft as it is"
else
    not_ok "'note add PAIR --draft ID' sends the draft as it is"
fi
cp "$T/d2-copy" "$T/alice/drafts/${D2:-x}" 2>/dev/null
grab N2b alice drafts send "${D2:-x}"
count=$(as alice note list "$P" | grep -c "^${N2:-x} ")
if [ "$N2b" = "$N2" ] && [ "$count" = 1 ] && [ ! -e "$T/alice/drafts/$D2" ]; then
    ok "a draft whose note had landed is recognised: one note, draft gone"
else
    not_ok "a draft whose note had landed is recognised ($N2b, $count)"
fi

# ---- an edit that meets the partner's ----------------------------------------
EDITOR_TEXT="Canary-draft-5c1d: alice's edit" \
    EDITOR_THEN="printf 'bob was faster\n' | BINOME_PASSPHRASE='pass phrase of bob' $BINOME --profile $T/bob note edit $P $N1" \
    on_pty alice note edit "$P" "$N1"
D3=$(draft_of)
if is_id "$D3" && grep -q "changed since you read it" "$T/err" &&
    grep -q "note edit $P $N1 --draft $D3" "$T/err" &&
    clear_nowhere "Canary-draft-5c1d"; then
    ok "an edit refused because bob edited meanwhile is kept as draft $D3"
else
    not_ok "an edit refused because bob edited meanwhile is kept as a draft"
fi
EDITOR_TEXT="Canary-draft-5c1d: alice's edit, after bob's" on_pty alice note edit "$P" "$N1" --draft "${D3:-x}"
if tr -d '\r' <"$T/out" | grep -q "revision 3" && [ ! -e "$T/alice/drafts/$D3" ] &&
    [ "$(as bob note show "$P" "$N1" --raw 2>/dev/null)" = "Canary-draft-5c1d: alice's edit, after bob's" ]; then
    ok "'note edit --draft' writes it on the new revision; the draft is gone"
else
    not_ok "'note edit --draft' writes it on the new revision"
fi

# ---- the terminal hangs up while the editor is open --------------------------
EDITOR_TEXT="Canary-draft-4a4a: saved just before the hangup" \
    EDITOR_THEN='kill -HUP $BINOME_PID' on_pty alice note add "$P"
D6=$(draft_of)
if is_id "$D6" && grep -q "interrupted; nothing was sent" "$T/err" &&
    clear_nowhere "Canary-draft-4a4a" && [ -z "$(ls -A "$T/xdg")" ] &&
    as alice drafts show "$D6" 2>/dev/null | grep -q "Canary-draft-4a4a"; then
    ok "a hangup while the editor is open: what it saved is kept as draft $D6, nothing in clear"
else
    not_ok "a hangup while the editor is open: what it saved is kept as a draft"
fi
check "and it can be sent" as alice drafts send "${D6:-x}"

# ---- an objective typed on standard input -------------------------------------
# The text arrives once alice's command waits for it; the server is
# stopped first.
(sleep 2; sh "$T/stop" "$daemon"; echo "Canary-draft-9d44: find an internship") |
    as alice objective add "$P" >"$T/out" 2>"$T/err"
D4=$(draft_of)
if is_id "$D4" && clear_nowhere "Canary-draft-9d44"; then
    ok "an objective typed when the server went away is kept as draft $D4"
else
    not_ok "an objective typed when the server went away is kept as a draft"
fi
restart
grab O4 alice drafts send "${D4:-x}"
if is_id "$O4" && as bob objective list "$P" 2>/dev/null | grep -q "Canary-draft-9d44"; then
    ok "'drafts send' defines the objective; bob reads it"
else
    not_ok "'drafts send' defines the objective; bob reads it"
fi

# ---- an objective's new text typed on standard input ------------------------
(sleep 2; sh "$T/stop" "$daemon"; echo "Canary-draft-5b1e: a paid internship") |
    as alice objective edit "$P" "${O4:-x}" >"$T/out" 2>"$T/err"
D7=$(draft_of)
if is_id "$D7" && clear_nowhere "Canary-draft-5b1e" &&
    as alice drafts 2>/dev/null | grep -q "^$D7 .* objective edit "; then
    ok "an objective's new text typed when the server went away is kept as draft $D7"
else
    not_ok "an objective's new text typed when the server went away is kept as a draft"
fi
restart
check "'drafts send' edits the objective" as alice drafts send "${D7:-x}"
if grep -q "objective ${O4:-x} edited" "$T/out" &&
    as bob objective list "$P" 2>/dev/null | grep -q "Canary-draft-5b1e"; then
    ok "bob reads the objective's new text"
else
    not_ok "bob reads the objective's new text"
fi

# ---- discard ---------------------------------------------------------------------
EDITOR_TEXT="Canary-draft-0e0e" EDITOR_THEN="sh $T/stop $daemon" on_pty alice note add "$P"
D5=$(draft_of)
restart
if "$BINOME" --profile "$T/alice" drafts discard "${D5:-x}" >"$T/out" 2>"$T/err" &&
    [ ! -e "$T/alice/drafts/$D5" ] && as alice drafts 2>/dev/null | grep -q "^no drafts"; then
    ok "'drafts discard' drops a draft (no passphrase asked)"
else
    not_ok "'drafts discard' drops a draft"
fi
refuse "an unknown draft is named" "no draft" as alice drafts send 0123

finish
