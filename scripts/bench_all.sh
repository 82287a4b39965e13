#!/bin/sh
# bench_all.sh BUILD: every benchmark of the issue "Performance", one after
# the other, then one summary of the targets (`make bench` runs it).
#
#   bench.sh        note writes and reads against a durable Redis
#   bench_doc.sh    doc put / doc get of a 1 GiB file against secretstream
#   bench_idle.sh   1,000 idle logged-in connections, twice: as they are,
#                   and after each sent one 64 KiB request
#   bench_scale.sh  1,000,000 notes across 10,000 pairs
#
# BENCH_QUICK=1 makes every part short (2 s phases, a 64 MiB document,
# 20,000 notes across 200 pairs) for development; the figures of
# docs/PERFORMANCE.md come from the full run (about 15 minutes here).
# Each script's own environment applies (see their headers); BENCH_ONLY
# runs a subset, e.g. BENCH_ONLY="idle doc".
#
# Leaves nothing running. Exit status 1 when a benchmark failed to run
# (whether a target is met is reported, not a failure).
set -u

BUILD=${1:-build}
DIR=$(dirname "$0")
ONLY=${BENCH_ONLY:-"redis doc idle scale"}
OUT=$(mktemp -d /tmp/binome-bench-all-XXXXXX)
trap 'rm -rf "$OUT"' EXIT
trap 'exit 130' INT TERM
failed=""

if [ "${BENCH_QUICK:-0}" = 1 ]; then
    : "${BENCH_DOC_MB:=64}" "${BENCH_NOTES:=20000}" "${BENCH_PAIRS:=200}"
    export BENCH_DOC_MB BENCH_NOTES BENCH_PAIRS
fi

# part NAME SCRIPT [VAR=VALUE...]: runs one benchmark, shows its output
# as it comes and keeps it for the summary.
part() {
    name=$1
    script=$2
    shift 2
    echo
    echo "==== $name: $script $*"
    { env "$@" sh "$DIR/$script" "$BUILD" 2>&1; echo $? >"$OUT/$name.rc"; } |
        tee "$OUT/$name.txt"
    [ "$(cat "$OUT/$name.rc")" = 0 ] || failed="$failed $name"
}

for p in $ONLY; do
    case $p in
    redis) part redis bench.sh ;;
    doc) part doc bench_doc.sh ;;
    idle)
        part idle bench_idle.sh
        part idle-touched bench_idle.sh BENCH_IDLE_TOUCH=65536
        ;;
    scale) part scale bench_scale.sh ;;
    *) echo "bench_all.sh: unknown part $p" >&2 && exit 2 ;;
    esac
done

# ---- summary ----------------------------------------------------------
echo
echo "==== summary (targets of the issue; ratios from the same run)"
for name in redis doc idle idle-touched; do
    [ -f "$OUT/$name.txt" ] || continue
    grep -h 'MET\b' "$OUT/$name.txt" | grep -v '^#' | sed "s/^/$name: /"
done
if [ -f "$OUT/scale.txt" ]; then
    grep -E '^(notes / pairs|bytes on disk per note|overhead ratio|NOTE_GET|STATS|binome admin stats)' \
        "$OUT/scale.txt" | sed 's/^/scale: /'
fi
if [ -n "$failed" ]; then
    echo "bench_all.sh: failed to run:$failed" >&2
    exit 1
fi
