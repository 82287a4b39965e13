#!/bin/sh
# bench_all.sh BUILD: every benchmark of the issue "Performance", one after
# the other, then one summary of the targets (`make bench` runs it).
#
#   bench.sh        note writes and reads against a durable Redis and
#                   PostgreSQL (the part named redis)
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
# The summary at the end is one table with binome, PostgreSQL and Redis
# side by side (from bench.sh), then every target of issue 17 with the
# ratio measured in this run and whether it is met, then the other checks
# of the issue "Performance" (memory, idle connections, scale figures).
#
# Leaves nothing running. Exit status 1 when a benchmark failed to run
# (whether a target is met is reported, not a failure).
set -u

BUILD=${1:-build}
DIR=$(dirname "$0")
. "$DIR/lib/bench_lib.sh"
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
echo "==== summary (issue 17's targets; ratios from the same run)"
if [ -f "$OUT/redis.txt" ]; then
    sed -n '/^binome, PostgreSQL and Redis side by side/,/^$/p' "$OUT/redis.txt"
fi
target_head
if [ -f "$OUT/redis.txt" ]; then
    sed -n '/^figure (issue 17)/,/^#/p' "$OUT/redis.txt" |
        grep -E '\| (MET|NOT MET|-)$' | grep -v '^figure'
else
    no="not run (BENCH_ONLY)"
    target_row "write vs PostgreSQL INSERT" "" ">=" 2.5 " x" "$no"
    target_row "read vs PostgreSQL SELECT" "" ">=" 4 " x" "$no"
    target_row "write vs Redis SET (appendfsync always)" "" ">=" 0.5 " x" "$no"
    target_row "read vs Redis GET" "" ">=" 1.0 " x" "$no"
    target_row "p99 of writes at this load" "" "<=" 10 " ms" "$no"
    target_row "server CPU per write vs its floor" "" "<=" 1.6 " x" "$no"
fi
# cell FILE ROW COLUMN: a column of a "|" table row, spaces trimmed.
cell() {
    grep -h "^$2" "$1" 2>/dev/null | head -n 1 |
        awk -F'|' -v c="$3" '{ gsub(/^ +| +$/, "", $c); print $c }'
}
if [ -f "$OUT/scale.txt" ]; then
    over=$(cell "$OUT/scale.txt" "overhead ratio" 2 | cut -d' ' -f1)
    notes=$(cell "$OUT/scale.txt" "notes / pairs" 2 | cut -d' ' -f1)
    target_row "bytes on disk per note vs its envelope" "$over" "<=" 1.3 \
        " x" "$notes notes"
else
    target_row "bytes on disk per note vs its envelope" "" "<=" 1.3 " x" \
        "not run (BENCH_ONLY)"
fi
for op in put get; do
    if [ -f "$OUT/doc.txt" ]; then
        r=$(cell "$OUT/doc.txt" "doc $op vs" 4)
        target_row "doc $op vs secretstream alone" "$r" ">=" 0.8 " x" \
            "${BENCH_DOC_MB:-1024} MiB"
    else
        target_row "doc $op vs secretstream alone" "" ">=" 0.8 " x" \
            "not run (BENCH_ONLY)"
    fi
done
echo
echo "==== other checks (the issue \"Performance\")"
for name in doc idle idle-touched; do
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
