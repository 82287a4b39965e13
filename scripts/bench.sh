#!/bin/sh
# bench.sh BUILD: binome's durable writes and reads against Redis made as
# durable (appendonly yes, appendfsync always), on this machine, in this run
# (docs/PERFORMANCE.md explains the figures).
#
#   binome  binomed on a temporary data directory and a free loopback port;
#           $BUILD/bench/bn_load: write (NOTE_PUT, notes sealed before the
#           clock: seal=pool), read (NOTE_GET), then write again with every
#           note sealed in the load generator's loop (seal=each, for
#           information: there the generator's own crypto is the limit).
#   redis   redis-server on a free loopback port; redis-benchmark SET, GET.
#
# Both sides get the same connections, payload size and pipeline depth.
# redis-benchmark counts requests, not seconds, so each Redis test is
# calibrated with a short run to last about BENCH_SECONDS, and binome's
# write and read then run the same number of requests as SET and GET.
#
# Environment: BENCH_SECONDS (10, or 2 with BENCH_QUICK=1), BENCH_CONNS (50),
# BENCH_SIZE (2048), BENCH_PIPELINE (1), BENCH_LOG_LEVEL (binomed
# --log-level; unset: the daemon's default), BENCH_KEEP=1 keeps the
# temporary directory (logs, raw outputs).
#
# Installs nothing: `make bench` runs scripts/deps.sh bench first. Leaves
# nothing running. Exit status 0 when every run completed without error
# (whether the targets are met is reported, not a failure).
set -eu

BUILD=${1:-build}
if [ "${BENCH_QUICK:-0}" = 1 ]; then
    SECS=${BENCH_SECONDS:-2}
else
    SECS=${BENCH_SECONDS:-10}
fi
CONNS=${BENCH_CONNS:-50}
SIZE=${BENCH_SIZE:-2048}
PIPE=${BENCH_PIPELINE:-1}
LOAD=$BUILD/bench/bn_load
BINOMED=$BUILD/binomed

. "$(dirname "$0")/lib/bench_lib.sh"
BENCH_NAME=bench.sh

[ -x "$LOAD" ] || die "$LOAD is missing: run 'make BUILD=$BUILD benches'"
[ -x "$BINOMED" ] || die "$BINOMED is missing: run 'make BUILD=$BUILD'"
for tool in redis-server redis-benchmark redis-cli; do
    command -v "$tool" >/dev/null 2>&1 ||
        die "$tool is missing: run 'sh scripts/deps.sh bench'"
done

bench_init bench
RPID=""
bench_extra_cleanup() {
    stop "$RPID"
    RPID=""
}

# ---- the machine ----------------------------------------------------
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
fs=$(df -PT "$TMP" | awk 'NR == 2 { print $1 " (" $2 ")" }')
echo "# machine: $(nproc) cores, ${cpu:-unknown CPU}, $(uname -sr)"
echo "# disk of $TMP: $fs"
echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# $(redis-server --version | cut -d' ' -f1-3)"
echo "# conns=$CONNS size=$SIZE pipeline=$PIPE seconds=$SECS"

# ---- redis ----------------------------------------------------------
RPORT=$("$LOAD" --free-port)
mkdir "$TMP/redis"
redis-server --port "$RPORT" --bind 127.0.0.1 --appendonly yes \
    --appendfsync always --save '' --dir "$TMP/redis" \
    --logfile "$TMP/redis/redis.log" --daemonize no &
RPID=$!
i=0
until [ "$(redis-cli -p "$RPORT" ping 2>/dev/null)" = PONG ]; do
    i=$((i + 1))
    [ $i -lt 100 ] || die "redis-server did not start (see its log)"
    kill -0 "$RPID" 2>/dev/null || die "redis-server exited"
    sleep 0.1
done

# redis_run TEST N: one redis-benchmark test into $TMP/redis-TEST.txt.
redis_run() {
    redis-benchmark -h 127.0.0.1 -p "$RPORT" -c "$CONNS" -d "$SIZE" \
        -P "$PIPE" -t "$1" -n "$2" 2>&1 | tr '\r' '\n' \
        >"$TMP/redis-$1.txt" || die "redis-benchmark $1 failed"
}

# redis_rps TEST: requests per second of the last run.
redis_rps() {
    awk '/throughput summary:/ { print int($3) }' "$TMP/redis-$1.txt"
}

# redis_lat TEST: "p50 p99 p99.9" in ms. p50 and p99 come from the
# summary; p99.9 is the first percentile line at or above 99.9% of the
# HDR distribution (e.g. 99.902%).
redis_lat() {
    awk '
        /latency summary/ { want = 2; next }
        want == 2 { want = 1; next }
        want == 1 { p50 = $3; p99 = $5; want = 0 }
        /^[0-9.]+% <= .* milliseconds/ && p999 == "" {
            v = $1; sub(/%/, "", v)
            if (v + 0 >= 99.9) p999 = $3
        }
        END { printf "%s %s %s\n", p50, p99, p999 }
    ' "$TMP/redis-$1.txt"
}

# calibrate TEST: the request count that lasts about SECS seconds.
calibrate() {
    redis_run "$1" $((CONNS * 100))
    r=$(redis_rps "$1")
    n=$((r * SECS))
    [ "$n" -ge $((CONNS * 100)) ] || n=$((CONNS * 100))
    echo "$n"
}

echo "# redis: calibrating" >&2
NSET=$(calibrate set)
NGET=$(calibrate get)
[ -n "$NSET" ] && [ -n "$NGET" ] || die "redis-benchmark calibration failed"
redis-cli -p "$RPORT" flushall >/dev/null
echo "# redis: SET x $NSET, GET x $NGET" >&2
redis_run set "$NSET"
SET_RPS=$(redis_rps set)
SET_LAT=$(redis_lat set)
redis_run get "$NGET"
GET_RPS=$(redis_rps get)
GET_LAT=$(redis_lat get)
stop "$RPID"
RPID=""

# ---- binome ---------------------------------------------------------
# The load generator measures the server, not the per-account rate limit.
start_binomed "rate_per_account=0"

echo "# binome: setup of $CONNS pairs, then write x $NSET (pre-sealed)," \
    "read x $NGET, write for ${SECS}s (sealed in the loop)" >&2
"$LOAD" --invite "$(cat "$TMP/invite")" --conns "$CONNS" --size "$SIZE" \
    --pipeline "$PIPE" --seconds "$SECS" \
    --modes write:pool,read,write:each --requests "$NSET,$NGET,0" \
    >"$TMP/binome.txt" 2>"$TMP/bn_load.log" ||
    die "bn_load failed: $(tail -n 5 "$TMP/bn_load.log")"
stop "$BPID"
BPID=""

# ---- the table ------------------------------------------------------
echo
sed 's/^/# /' "$TMP/binome.txt"
echo "# redis SET: $(grep 'throughput summary' "$TMP/redis-set.txt")"
echo "# redis GET: $(grep 'throughput summary' "$TMP/redis-get.txt")"
echo
# field LINE KEY: the value of key=value in a bn_load line.
field() {
    echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"
}
W=$(grep '^mode=write .*seal=pool' "$TMP/binome.txt")
R=$(grep '^mode=read ' "$TMP/binome.txt")
E=$(grep '^mode=write .*seal=each' "$TMP/binome.txt")

# row NAME BN_LINE REDIS_RPS "REDIS_LAT" TARGET: one line of the table.
row() {
    rps=$(field "$2" rps)
    p50=$(field "$2" p50_us)
    p99=$(field "$2" p99_us)
    p999=$(field "$2" p999_us)
    echo "$1|$rps|$p50|$p99|$p999|$3|$4|$5"
}
{
    row "write: NOTE_PUT vs SET" "$W" "$SET_RPS" "$SET_LAT" 1.2
    row "read: NOTE_GET vs GET" "$R" "$GET_RPS" "$GET_LAT" 1.0
    row "write, sealed in loop" "$E" "$SET_RPS" "$SET_LAT" -
} | awk -F'|' '
    BEGIN {
        printf "%-24s | %10s | %7s | %7s | %7s | %10s | %7s | %7s | %7s | %5s | %s\n",
            "operation", "binome rps", "p50 ms", "p99 ms", "p99.9", "redis rps",
            "p50 ms", "p99 ms", "p99.9", "ratio", "target"
        printf "%s\n", "-------------------------+------------+---------+---------+---------+------------+---------+---------+---------+-------+-----------------"
    }
    {
        split($7, rl, " ")
        ratio = $6 > 0 ? $2 / $6 : 0
        if ($8 == "-")
            verdict = "(information)"
        else
            verdict = sprintf(">= %.1fx %s", $8, ratio >= $8 ? "MET" : "NOT MET")
        printf "%-24s | %10d | %7.2f | %7.2f | %7.2f | %10d | %7.2f | %7.2f | %7.2f | %5.2f | %s\n",
            $1, $2, $3 / 1000, $4 / 1000, $5 / 1000, $6, rl[1], rl[2], rl[3],
            ratio, verdict
    }'
echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
