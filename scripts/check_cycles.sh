#!/bin/sh
# check_cycles.sh [OBJDIR [SRCDIR]]: the server's files stand in floors:
# no two of them need each other, directly or through others.
#
# The graph is read from the compiled objects, one per .c of SRCDIR
# (server by default) in OBJDIR (build/obj/server by default; an object
# without its source, left from a removed file, is not read): FILE -> OTHER when FILE uses a symbol that
# OTHER defines (nm -P: "U" in FILE, defined in OTHER). That is every call
# and every use of a table or a variable between files, whatever header
# declared it, and nothing that is only a type or a macro. Each cycle is
# printed as its files, then each arrow inside it with the symbols that
# make it ("  a -> b: sym ..."), so that whoever broke the floors sees
# which call did. Exit 0 without a cycle, 1 with one, 2 without objects.
set -u
dir=${1:-build/obj/server}
src=${2:-server}
for c in "$src"/*.c; do
    f=$(basename "$c" .c)
    [ -f "$dir/$f.o" ] || {
        echo "check_cycles: no $dir/$f.o (build first)" >&2
        exit 2
    }
done
for c in "$src"/*.c; do
    f=$(basename "$c" .c)
    nm -P -g "$dir/$f.o" | awk -v f="$f" 'NF >= 2 { print f, $1, $2 }'
done | awk '
# Lines: FILE SYMBOL TYPE. Files are numbered in order of appearance.
function node(name) {
    if (!(name in id)) {
        id[name] = ++n
        nm[n] = name
    }
    return id[name]
}
{
    i = node($1)
    if ($3 == "U" || $3 == "w" || $3 == "v")
        use[i, $2] = 1
    else
        def[$2] = i
}
END {
    for (k in use) {
        split(k, p, SUBSEP)
        a = p[1]; s = p[2]
        if (!(s in def) || def[s] == a)
            continue
        b = def[s]
        r[a, b] = 1
        syms[a, b] = syms[a, b] " " s
    }
    for (k = 1; k <= n; k++)
        for (i = 1; i <= n; i++)
            if ((i, k) in r)
                for (j = 1; j <= n; j++)
                    if ((k, j) in r)
                        r[i, j] = 1
    bad = 0
    for (i = 1; i <= n; i++) {
        if (seen[i] || !((i, i) in r))
            continue
        line = ""
        m = 0
        for (j = 1; j <= n; j++)
            if (((i, j) in r) && ((j, i) in r)) {
                seen[j] = 1
                member[++m] = j
                line = line " " nm[j]
            }
        print "cycle:" line
        for (x = 1; x <= m; x++)
            for (y = 1; y <= m; y++)
                if ((member[x], member[y]) in syms)
                    print "  " nm[member[x]] " -> " nm[member[y]] ":" \
                          syms[member[x], member[y]]
        bad = 1
    }
    exit bad
}'
