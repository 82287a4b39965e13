#!/bin/sh
# library.sh: libbinome as another program sees it. `make install` into a
# private root (DESTDIR, PREFIX=/usr); then, from that root only: binome.h
# compiles alone, the library has its soname, it exports exactly the
# functions binome.h declares (and client/lib/libbinome.map lists), and
# examples/binome_list.c, built with `pkg-config --cflags --libs binome`,
# lists a real daemon's pairs through the installed library. Each check on
# the header and the symbols is also shown failing on a broken copy.
#
#   BUILD=build sh tests/integration/library.sh
#
# Prints "ok N - ..." / "not ok N - ..." per check and ends with "N passed,
# N failed"; exits 1 when a check failed. The daemon is killed on exit.
. "$(dirname "$0")/lib/common.sh"
need_progs "run make first" "$BINOMED" "$BINOME"
for prog in pkg-config readelf nm cc; do
    command -v $prog >/dev/null 2>&1 ||
        { echo "$SCRIPT: $prog is missing; run scripts/deps.sh" >&2; exit 1; }
done
make_tmp library
top=$(cd "$(dirname "$0")/../.." && pwd)
R=$T/root

# ---- install ------------------------------------------------------------
if make -s --no-print-directory -C "$top" BUILD="$BUILD" install \
    DESTDIR="$R" PREFIX=/usr >"$T/install.log" 2>&1; then
    ok "make install DESTDIR=... PREFIX=/usr"
else
    not_ok "make install DESTDIR=... PREFIX=/usr"
    sed 's/^/#   /' "$T/install.log" | tail -20
    finish
fi
hdr=$R/usr/include/binome.h
ver() { sed -n "s/^#define LIBBINOME_VERSION_$1 \([0-9]*\)\$/\1/p" "$hdr"; }
major=$(ver MAJOR)
version=$major.$(ver MINOR).$(ver PATCH)
missing=""
for f in usr/bin/binome usr/bin/binomed usr/lib/libbinome.so.$version \
    usr/include/binome.h usr/lib/pkgconfig/binome.pc \
    usr/share/man/man1/binome.1 usr/share/man/man8/binomed.8; do
    [ -f "$R/$f" ] || missing="$missing $f"
done
[ "$(readlink "$R/usr/lib/libbinome.so.$major")" = "libbinome.so.$version" ] ||
    missing="$missing usr/lib/libbinome.so.$major"
[ "$(readlink "$R/usr/lib/libbinome.so")" = "libbinome.so.$major" ] ||
    missing="$missing usr/lib/libbinome.so"
if [ -z "$missing" ]; then
    ok "installed: programs, libbinome.so.$version and its two links, header, .pc, man pages"
else
    not_ok "installed files (missing:$missing)"
fi
lib=$R/usr/lib/libbinome.so.$version

# ---- the header alone ------------------------------------------------------
# header_alone FILE: FILE compiles with nothing but the C library, from a
# directory that holds no other header, and includes only <std*.h>.
header_alone() {
    mkdir -p "$T/alone" && cp "$1" "$T/alone/binome.h" &&
        (cd "$T/alone" && cc -std=c11 -fsyntax-only -Wall -Wextra -Werror \
            -x c binome.h) >"$T/alone.log" 2>&1 &&
        ! grep -E '^[[:space:]]*#[[:space:]]*include' "$1" |
            grep -vqE '<(stddef|stdint|stdio)\.h>'
}
if header_alone "$hdr"; then
    ok "binome.h compiles alone (cc -fsyntax-only -Wall -Werror) and includes only <stddef.h> <stdint.h> <stdio.h>"
else
    not_ok "binome.h compiles alone"
    sed 's/^/#   /' "$T/alone.log" | head -10
fi
# The same check on a copy that pulls an internal header.
sed 's|^#include <stdio.h>$|#include <stdio.h>\n#include "bn_err.h"|' "$hdr" \
    >"$T/bad.h"
if header_alone "$T/bad.h"; then
    not_ok "a header that includes bn_err.h is caught"
else
    ok "a header that includes bn_err.h is caught"
fi
if grep -qE '\bbn_[a-z0-9_]+|\bBN_[A-Z]' "$hdr"; then
    not_ok "binome.h names no bn_ / BN_ internal"
    grep -nE '\bbn_[a-z0-9_]+|\bBN_[A-Z]' "$hdr" | head -5 | sed 's/^/#   /'
else
    ok "binome.h names no bn_ / BN_ internal"
fi

# ---- soname and exported symbols --------------------------------------------
if readelf -d "$lib" | grep -q "(SONAME).*\[libbinome.so.$major\]"; then
    ok "soname libbinome.so.$major"
else
    not_ok "soname libbinome.so.$major"
    readelf -d "$lib" | grep SONAME | sed 's/^/#   /'
fi
# The functions binome.h declares: every bnc_name( once the comments are
# gone (a function pointer type is "(*bnc_name)", not matched).
cc -E -P -x c "$hdr" 2>/dev/null | tr '\n' ' ' |
    grep -oE '\bbnc_[a-z0-9_]+[[:space:]]*\(' | tr -d ' (' | sort -u \
    >"$T/declared"
nm -D --defined-only "$lib" | awk '$2 != "A" { sub(/@.*/, "", $3); print $3 }' |
    sort -u >"$T/exported"
sed -n 's/^[[:space:]]*\(bnc_[a-z0-9_]*\);$/\1/p' \
    "$top/client/lib/libbinome.map" | sort -u >"$T/listed"
# same A B DESC: files A and B hold the same lines, else show the difference.
same() {
    if [ -s "$1" ] && cmp -s "$1" "$2"; then
        ok "$3"
    else
        not_ok "$3"
        diff "$1" "$2" | grep '^[<>]' | head -10 | sed 's/^/#   /'
    fi
}
same "$T/declared" "$T/exported" \
    "exported symbols (nm -D) are the $(wc -l <"$T/declared") functions binome.h declares"
same "$T/declared" "$T/listed" "client/lib/libbinome.map lists the same"
# A leaked internal symbol makes the lists differ.
{ cat "$T/exported"; echo bn_strerror; } | sort >"$T/leaky"
if cmp -s "$T/declared" "$T/leaky"; then
    not_ok "a leaked bn_strerror is caught"
else
    ok "a leaked bn_strerror is caught"
fi

# ---- an example program built against the installed tree only ----------------
export PKG_CONFIG_PATH="$R/usr/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
export PKG_CONFIG_SYSROOT_DIR="$R"
flags=$(pkg-config --cflags --libs binome 2>"$T/pc.log")
case " $flags " in
*" -I$R/usr/include "*) inc=1 ;;
*) inc=0 ;;
esac
case " $flags " in
*" -L$R/usr/lib "*) libs=1 ;;
*) libs=0 ;;
esac
case $flags in
*"$top"*) inc=0 ;; # never the source tree
esac
if [ $inc -eq 1 ] && [ $libs -eq 1 ]; then
    ok "pkg-config --cflags --libs binome: $flags"
else
    not_ok "pkg-config --cflags --libs binome points into the installed tree (got: $flags)"
    sed 's/^/#   /' "$T/pc.log"
fi
# An instrumented build (make test-asan) instruments the library too.
san=""
readelf -d "$lib" | grep -q 'NEEDED.*libasan' &&
    san="-fsanitize=address,undefined"
cp "$top/examples/binome_list.c" "$T/"
# shellcheck disable=SC2086 # flags are words
if (cd "$T" && cc -std=c11 -Wall -Wextra -Werror $san -o binome_list \
    binome_list.c $flags) >"$T/cc.log" 2>&1; then
    ok "examples/binome_list.c builds with pkg-config's flags alone"
else
    not_ok "examples/binome_list.c builds with pkg-config's flags alone"
    sed 's/^/#   /' "$T/cc.log" | head -20
    finish
fi
unset PKG_CONFIG_SYSROOT_DIR
export LD_LIBRARY_PATH="$R/usr/lib"
if LD_TRACE_LOADED_OBJECTS=1 "$T/binome_list" 2>&1 |
    grep -q "libbinome.so.$major => $R/usr/lib/libbinome.so.$major"; then
    ok "binome_list loads the installed libbinome.so.$major"
else
    not_ok "binome_list loads the installed libbinome.so.$major"
fi

# Without a profile: the library's own message, exit 1.
if "$T/binome_list" "$T/nobody" >"$T/out" 2>"$T/err"; then
    not_ok "no profile: exit 1"
elif grep -q "^binome_list: profile: no profile here" "$T/err" &&
    grep -q "^libbinome $version, binome " "$T/out"; then
    ok "no profile: the version, then bnc_strerror's message, exit 1"
else
    not_ok "no profile: the version, then bnc_strerror's message"
    sed 's/^/#   /' "$T/out" "$T/err"
fi

start_daemon_checked 31 59 "binomed starts"
join_admin "$(tail -n 1 "$T/invite")" Claire
PROG=$(new_programme Library)
join_people "$PROG" alice:mentor bob:mentee
new_pair P1 alice bob
BINOME_PASSPHRASE="pass phrase of alice" "$T/binome_list" "$T/alice" \
    >"$T/out" 2>"$T/err"
rc=$?
alice=$(as alice whoami --json | sed -n 's/^{"account":\([0-9]*\),.*/\1/p')
cat >"$T/want" <<EOF
libbinome $version, binome $("$BINOME" --version | sed 's/^binome //')
account $alice alice (mentor)
pair $P1 pending since - mentor alice mentee bob
1 pair
EOF
if [ $rc -eq 0 ] && cmp -s "$T/want" "$T/out"; then
    ok "binome_list lists alice's pair through the installed library"
else
    not_ok "binome_list lists alice's pair (exit $rc)"
    diff "$T/want" "$T/out" | sed 's/^/#   /'
    sed 's/^/#   /' "$T/err"
fi
if grep -qF "pass phrase" "$T/out" "$T/err"; then
    not_ok "the passphrase is never printed"
else
    ok "the passphrase is never printed"
fi
BINOME_PASSPHRASE="wrong" "$T/binome_list" "$T/alice" >"$T/out" 2>"$T/err"
if [ $? -eq 1 ] && grep -q "^binome_list: login: wrong passphrase" "$T/err"; then
    ok "a wrong passphrase: bnc_strerror's message, exit 1"
else
    not_ok "a wrong passphrase: bnc_strerror's message, exit 1"
    sed 's/^/#   /' "$T/err"
fi
finish
