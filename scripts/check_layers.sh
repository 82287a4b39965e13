#!/bin/sh
# check_layers.sh [ROOT]: the modules stand in floors, and no file
# includes a header of a floor above its own:
#
#   common  <-  crypto  <-  proto  <-  server
#                                 <-  client/lib  <-  client/cli
#
# The CLI is a program like any other built on libbinome: it sees the
# library through binome.h alone (no crypto, no proto, no bnc_internal.h)
# and may use common's small utilities (text escaping, buffers, dates).
#
# Each quoted #include of a project header is looked up by name among the
# modules' headers; an include of a module the file's own may not use is
# printed as "FILE includes HEADER (MODULE)". Exit 0 when there is none,
# 1 otherwise. System headers (<...>) are not looked at.
set -u
root=${1:-.}
cd "$root" || exit 2

# allowed MODULE: the modules a file of MODULE may include.
allowed() {
    case $1 in
    common) echo "common" ;;
    crypto) echo "common crypto" ;;
    proto) echo "common crypto proto" ;;
    server) echo "common crypto proto server" ;;
    client/lib) echo "common crypto proto client/lib" ;;
    client/cli) echo "common client/lib client/cli" ;;
    esac
}

# module_of_header NAME: the module whose folder holds NAME, or nothing.
module_of_header() {
    for m in common crypto proto server client/lib client/cli; do
        [ -f "$m/$1" ] && { echo "$m"; return; }
    done
}

bad=0
for m in common crypto proto server client/lib client/cli; do
    ok=$(allowed "$m")
    for f in "$m"/*.c "$m"/*.h; do
        [ -f "$f" ] || continue
        for h in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f"); do
            hm=$(module_of_header "$(basename "$h")")
            [ -n "$hm" ] || continue
            case " $ok " in
            *" $hm "*)
                # Of the library, the CLI sees the public header only.
                if [ "$m" = client/cli ] && [ "$hm" = client/lib ] &&
                    [ "$(basename "$h")" != binome.h ]; then
                    echo "$f includes $h (client/lib, not binome.h)"
                    bad=1
                fi
                ;;
            *)
                echo "$f includes $h ($hm)"
                bad=1
                ;;
            esac
        done
    done
done
exit $bad
