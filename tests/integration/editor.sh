#!/bin/sh
# editor.sh: the $EDITOR flow of 'note add' and 'note edit', on a pty
# (script(1)), with a fake editor that records its environment and its
# directory, and leaves what real editors leave (file~, .note.txt.swp, a
# FIFO, a subdirectory). Checks: the directory was private (0700) under
# $XDG_RUNTIME_DIR, the editor never saw BINOME_PASSPHRASE, and nothing
# is left afterwards; without a usable XDG_RUNTIME_DIR the fallback warns
# when it is not in memory; what cannot be removed is named on stderr.
#
#   BUILD=build sh tests/integration/editor.sh
. "$(dirname "$0")/lib/common.sh"
need_progs "run make first" "$BINOMED" "$BINOME"
need_pty
make_tmp editor

start_daemon_checked 29 53 "binomed starts"
join_admin "$(tail -n 1 "$T/invite")" Claire
PROG=$(new_programme "Editors")
join_people "$PROG" alice:mentor bob:mentee
verified_pair P alice bob

# The fake editor: records its environment, its directory and that
# directory's mode, keeps the text it was given, writes the new text,
# and leaves a backup, a swap file, a FIFO and a subdirectory. With
# DEEP=1 it also leaves a tree deeper than binome removes. With FAIL=1 it
# fails after leaving its files.
cat >"$T/fake-editor" <<'EOF'
#!/bin/sh
rec=$EDITOR_REC
env >"$rec/env"
dir=$(dirname "$1")
echo "$dir" >"$rec/dir"
stat -c %a "$dir" >"$rec/mode"
cp "$1" "$rec/init"
printf '%s\n' "$EDITOR_TEXT" >"$1"
cp "$1" "$1~"
printf 'swap of %s\n' "$EDITOR_TEXT" >"$dir/.note.txt.swp"
mkfifo "$dir/fifo"
mkdir "$dir/sub" && printf 'x\n' >"$dir/sub/auto-save"
if [ "${DEEP:-0}" = 1 ]; then
    mkdir -p "$dir/1/2/3/4/5/6/7/8/9" && echo deep >"$dir/1/2/3/4/5/6/7/8/9/f"
fi
[ "${FAIL:-0}" = 1 ] && exit 3
exit 0
EOF
chmod 755 "$T/fake-editor"
mkdir -m 700 "$T/xdg" "$T/rec"

# on_pty WHO ARGS...: binome as WHO with stdin and stdout on a pty (so
# that 'note add' opens the editor); stdout in $T/out, stderr in $T/err.
# The environment (EDITOR, XDG_RUNTIME_DIR, TMPDIR...) passes through.
cat >"$T/run" <<EOF
#!/bin/sh
who=\$1
shift
BINOME_PASSPHRASE="pass phrase of \$who" exec "$BINOME" --profile "$T/\$who" "\$@" 2>"$T/err"
EOF
on_pty() {
    script -qec "sh $T/run $*" /dev/null </dev/null >"$T/out"
}
export EDITOR="$T/fake-editor" EDITOR_REC="$T/rec" EDITOR_MARK=seen

# ---- note add under XDG_RUNTIME_DIR ---------------------------------------
export XDG_RUNTIME_DIR="$T/xdg" EDITOR_TEXT="first text from the editor"
on_pty alice note add "$P"
N=$(tr -d '\r' <"$T/out" | grep -E '^[0-9a-f]{16}$')
if is_id "$N"; then
    ok "note add through \$EDITOR (note $N)"
else
    not_ok "note add through \$EDITOR"
fi
if grep -q '^EDITOR_MARK=seen$' "$T/rec/env" &&
    ! grep -q 'BINOME_PASSPHRASE' "$T/rec/env"; then
    ok "the editor's environment has no BINOME_PASSPHRASE"
else
    not_ok "the editor's environment has no BINOME_PASSPHRASE"
fi
d=$(cat "$T/rec/dir")
case $d in
"$T/xdg/binome-edit-"??????) ok "the file was in a private directory under XDG_RUNTIME_DIR" ;;
*) not_ok "the file was in a private directory under XDG_RUNTIME_DIR ($d)" ;;
esac
if [ "$(cat "$T/rec/mode")" = 700 ]; then
    ok "that directory was mode 0700"
else
    not_ok "that directory was mode 0700 ($(cat "$T/rec/mode"))"
fi
if [ ! -e "$d" ] && [ -z "$(ls -A "$T/xdg")" ]; then
    ok "the directory, the backup, the swap file and the FIFO are gone"
else
    not_ok "the directory and what the editor left are gone"
    ls -laR "$T/xdg" | sed 's/^/#   /'
fi
if [ ! -s "$T/err" ]; then
    ok "no warning under XDG_RUNTIME_DIR"
else
    not_ok "no warning under XDG_RUNTIME_DIR"
fi
as bob note show "$P" "${N:-0}" --raw >"$T/got" 2>"$T/err"
if [ "$(cat "$T/got")" = "first text from the editor" ]; then
    ok "bob reads what alice wrote in the editor"
else
    not_ok "bob reads what alice wrote in the editor"
fi

# ---- note edit: the editor starts from the current text --------------------
export EDITOR_TEXT="second text from the editor"
on_pty alice note edit "$P" "${N:-0}"
if [ "$(cat "$T/rec/init")" = "first text from the editor" ] &&
    tr -d '\r' <"$T/out" | grep -q "revision 2" &&
    [ -z "$(ls -A "$T/xdg")" ] && ! grep -q BINOME_PASSPHRASE "$T/rec/env"; then
    ok "note edit starts the editor on the current text and cleans up"
else
    not_ok "note edit starts the editor on the current text and cleans up"
fi

# ---- a failing editor -------------------------------------------------------
FAIL=1 on_pty alice note add "$P"
if grep -q "the editor failed; nothing was sent" "$T/err" &&
    [ -z "$(ls -A "$T/xdg")" ]; then
    ok "a failing editor sends nothing and leaves nothing"
else
    not_ok "a failing editor sends nothing and leaves nothing"
fi

# ---- no usable XDG_RUNTIME_DIR: $TMPDIR, with a warning on disk -------------
mkdir -m 755 "$T/xdg-open" "$T/tmp"
export XDG_RUNTIME_DIR="$T/xdg-open" TMPDIR="$T/tmp"
export EDITOR_TEXT="text written under TMPDIR"
on_pty alice note add "$P"
d=$(cat "$T/rec/dir")
fs=$(stat -f -c %T "$T/tmp")
case $fs in tmpfs | ramfs) warn_expected=no ;; *) warn_expected=yes ;; esac
if grep -q "may reach the disk" "$T/err"; then warned=yes; else warned=no; fi
case $d in
"$T/tmp/binome-edit-"??????)
    if [ ! -e "$d" ] && [ -z "$(ls -A "$T/tmp")" ] && [ -z "$(ls -A "$T/xdg-open")" ] &&
        [ "$warned" = "$warn_expected" ]; then
        ok "an XDG_RUNTIME_DIR others may enter is not used; TMPDIR on $fs: warning $warned"
    else
        not_ok "fallback to TMPDIR on $fs (warning $warned, expected $warn_expected)"
    fi
    ;;
*) not_ok "fallback to TMPDIR ($d)" ;;
esac
unset TMPDIR

# ---- what cannot be removed is named ----------------------------------------
export XDG_RUNTIME_DIR="$T/xdg" EDITOR_TEXT="deep"
DEEP=1 on_pty alice note add "$P"
d=$(cat "$T/rec/dir")
if grep -q "cannot remove $d/1/2/3/4/5/6/7/8/9" "$T/err" &&
    grep -q "remove it yourself" "$T/err" && [ ! -e "$d/note.txt" ] &&
    [ ! -e "$d/.note.txt.swp" ]; then
    ok "what cannot be removed is named on stderr; the rest is gone"
else
    not_ok "what cannot be removed is named on stderr; the rest is gone"
fi
rm -rf "$d"

finish
