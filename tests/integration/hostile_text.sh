#!/bin/sh
# hostile_text.sh: a member writes terminal escape sequences (a window
# title, a forged line, a right-to-left override) in a note, an objective
# and a document name; the partner's binome shows them escaped, on a
# terminal (a pty made by script(1)) and through a pipe, and passes the
# exact bytes only with --raw. Names with control characters are refused.
#
#   BUILD=build sh tests/integration/hostile_text.sh
. "$(dirname "$0")/lib/common.sh"
need_progs "run make first" "$BINOMED" "$BINOME"
need_pty
make_tmp text

start_daemon_checked 23 47 "binomed starts"
join_admin "$(tail -n 1 "$T/invite")" Claire
PROG=$(new_programme "Hostile text")
join_people "$PROG" alice:mentor bob:mentee
verified_pair P alice bob

ESC=$(printf '\033')
BEL=$(printf '\007')
CR=$(printf '\r')

# run WHO ARGS...: binome as WHO, for script -c (one word per argument,
# none with spaces).
cat >"$T/run" <<EOF
#!/bin/sh
who=\$1
shift
BINOME_PASSPHRASE="pass phrase of \$who" exec "$BINOME" --profile "$T/\$who" "\$@"
EOF
# on_pty OUT WHO ARGS...: run on a pseudo-terminal (stdin and stdout are
# the pty), everything it wrote in OUT.
on_pty() {
    out=$1
    shift
    script -qec "sh $T/run $*" /dev/null </dev/null >"$out" 2>"$T/err"
}
# clean FILE: no ESC, BEL or lone CR byte in FILE (the pty turns each
# newline into CR LF).
clean() {
    ! grep -q "[$ESC$BEL]" "$1" && ! sed "s/$CR\$//" "$1" | grep -q "$CR"
}

# ---- a note -------------------------------------------------------------
printf 'Agenda\n\033]0;pwned\007\033[2K\rforged line\n\033]52;c;ZXZpbA==\007end\n' \
    >"$T/evil"
if grab N alice note add "$P" --file "$T/evil" && is_id "$N"; then
    ok "alice writes a note with escape sequences"
else
    not_ok "alice writes a note with escape sequences"
fi

on_pty "$T/show.pty" bob note show "$P" "$N"
if grep -qF 'signature  verified' "$T/show.pty" &&
    grep -qF '\x1b]0;pwned\x07' "$T/show.pty" &&
    grep -qF '\x1b[2K\rforged line' "$T/show.pty" &&
    grep -qF '\x1b]52;c;ZXZpbA==\x07end' "$T/show.pty" && clean "$T/show.pty"; then
    ok "note show on a terminal shows the sequences escaped, none raw"
else
    not_ok "note show on a terminal shows the sequences escaped, none raw"
    od -c "$T/show.pty" | head -20 | sed 's/^/#   /'
fi

on_pty "$T/raw.pty" bob note show "$P" "$N" --raw
if grep -q "${ESC}]0;pwned${BEL}" "$T/raw.pty" &&
    grep -q "${ESC}\[2K${CR}forged line" "$T/raw.pty"; then
    ok "note show --raw on a terminal passes the bytes as they are"
else
    not_ok "note show --raw on a terminal passes the bytes as they are"
fi

as bob note show "$P" "$N" >"$T/show.pipe" 2>"$T/err"
if grep -qF '\x1b]0;pwned\x07' "$T/show.pipe" && clean "$T/show.pipe"; then
    ok "note show into a pipe is escaped too (a pipe may end on a terminal)"
else
    not_ok "note show into a pipe is escaped too"
fi
as bob note show "$P" "$N" --raw >"$T/raw.pipe" 2>"$T/err"
if cmp -s "$T/evil" "$T/raw.pipe"; then
    ok "note show --raw into a pipe gives exactly the bytes written"
else
    not_ok "note show --raw into a pipe gives exactly the bytes written"
fi

# ---- an objective ---------------------------------------------------------
OBJ=$(printf 'Goal \033[31mred\033[0m \342\200\256gnp.exe \302\233')
check "alice defines an objective with escapes and a bidi override" \
    as alice objective add "$P" "$OBJ"
on_pty "$T/obj.pty" bob objective list "$P"
if grep -qF 'Goal \x1b[31mred\x1b[0m \u202egnp.exe \u009b' "$T/obj.pty" &&
    clean "$T/obj.pty" && ! grep -q "$(printf '\342\200\256')" "$T/obj.pty"; then
    ok "objective list shows the text escaped, override included"
else
    not_ok "objective list shows the text escaped, override included"
    sed 's/^/#   /' "$T/obj.pty" | od -c | head
fi
as bob objective list "$P" --json >"$T/obj.json" 2>"$T/err"
if grep -qF 'Goal \u001b[31mred\u001b[0m \u202egnp.exe \u009b' "$T/obj.json" &&
    clean "$T/obj.json"; then
    ok "objective list --json escapes them as JSON (same text, nothing raw)"
else
    not_ok "objective list --json escapes them as JSON"
fi

# ---- a document name ------------------------------------------------------
DOCNAME=$(printf 'minutes\033]0;t\007\342\200\256txt.exe')
printf 'doc body\n' >"$T/$DOCNAME"
if grab D alice doc put "$P" "$T/$DOCNAME" && is_id "$D"; then
    ok "alice shares a document whose name holds escapes"
else
    not_ok "alice shares a document whose name holds escapes"
fi
on_pty "$T/docs.pty" bob doc list "$P"
if grep -qF 'minutes\x1b]0;t\x07\u202etxt.exe' "$T/docs.pty" &&
    clean "$T/docs.pty"; then
    ok "doc list shows the name escaped"
else
    not_ok "doc list shows the name escaped"
fi
mkdir "$T/get"
if (cd "$T/get" && as bob doc get "$P" "$D" >"$T/get.out" 2>"$T/err") &&
    [ -f "$T/get/minutes_]0;t__txt.exe" ] && clean "$T/get.out"; then
    ok "doc get writes it under a name without controls or override"
else
    not_ok "doc get writes it under a name without controls or override"
    ls "$T/get" | od -c | sed 's/^/#   /'
fi

# ---- names ----------------------------------------------------------------
code=$(as admin admin invite --programme "$PROG" --role mentee 2>"$T/err")
refuse "join refuses a name with an escape sequence" "control" \
    as eve join "$code" --name "$(printf 'Eve\033[2K\rAlice')"
refuse "join refuses a name with a right-to-left override" "bidirectional" \
    as eve2 join "$code" --name "$(printf 'Eve\342\200\256ecilA')"
refuse "join refuses a name with a C1 control" "control" \
    as eve3 join "$code" --name "$(printf 'Eve\302\233')"
check "the same invitation then joins with a clean name" \
    as eve4 join "$code" --name "Ève"
refuse "a programme name with an escape sequence is refused" "control" \
    as admin admin programme create --name "$(printf 'P\033]0;x\007')" \
    --theme T --months 6 --frequency monthly --format mixed

# ---- what the command line echoes -----------------------------------------
as bob session add "$P" --date "$(printf '\033]0;x\007')" >/dev/null \
    2>"$T/date.err"
if grep -qF '\x1b]0;x\x07' "$T/date.err" && clean "$T/date.err"; then
    ok "an error message quoting an argument escapes it"
else
    not_ok "an error message quoting an argument escapes it" "$T/date.err"
fi

finish
