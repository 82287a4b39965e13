#!/bin/sh
# bench.sh BUILD: binome's durable writes and reads against Redis made as
# durable (appendonly yes, appendfsync always) and against PostgreSQL (the
# peers' storage: one durable INSERT, one SELECT by key), on this machine,
# in this run (docs/PERFORMANCE.md explains the figures).
#
#   binome  binomed on a temporary data directory and a free loopback port;
#           $BUILD/bench/bn_load: write (NOTE_PUT, notes sealed before the
#           clock: seal=pool), read (NOTE_GET), then write again with every
#           note sealed in the load generator's loop (seal=each, for
#           information: there the generator's own crypto is the limit).
#           With --cpu-of, bn_load also reports the daemon's CPU time
#           per request of each phase (server_cpu_us_per_req).
#   floor   $BUILD/bench/bench_floor: the CPU of what a write cannot avoid
#           on the server (one Ed25519 verification, the channel's two
#           AEAD operations), alone; the write's server CPU over it is
#           one of issue 17's targets.
#   redis   redis-server on a free loopback port; redis-benchmark SET, GET.
#   postgresql
#           a cluster on a temporary directory and a free loopback port
#           (scripts/lib/bench_pg.sh); pgbench -c CONNS -j 2 -M prepared
#           for BENCH_SECONDS: write, one INSERT of binome's envelope size
#           per transaction, keyed (pair, note, revision), stored EXTERNAL
#           (uncompressed), synchronous_commit and fsync on; read, one
#           SELECT of such a row by key. Always one request in flight per
#           connection (BENCH_PIPELINE applies to binome and Redis).
#
# The three get the same connections and payload size.
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
FLOOR=$BUILD/bench/bench_floor
BINOMED=$BUILD/binomed

. "$(dirname "$0")/lib/bench_lib.sh"
. "$(dirname "$0")/lib/bench_pg.sh"
BENCH_NAME=bench.sh

[ -x "$LOAD" ] || die "$LOAD is missing: run 'make BUILD=$BUILD benches'"
[ -x "$FLOOR" ] || die "$FLOOR is missing: run 'make BUILD=$BUILD benches'"
[ -x "$BINOMED" ] || die "$BINOMED is missing: run 'make BUILD=$BUILD'"
for tool in redis-server redis-benchmark redis-cli; do
    command -v "$tool" >/dev/null 2>&1 ||
        die "$tool is missing: run 'sh scripts/deps.sh bench'"
done
pg_find || die "PostgreSQL's server and pgbench are missing:" \
    "run 'sh scripts/deps.sh bench'"

bench_init bench
RPID=""
bench_extra_cleanup() {
    stop "$RPID"
    RPID=""
    pg_stop
}

# ---- the machine ----------------------------------------------------
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
fs=$(df -PT "$TMP" | awk 'NR == 2 { print $1 " (" $2 ")" }')
echo "# machine: $(nproc) cores, ${cpu:-unknown CPU}, $(uname -sr)"
echo "# disk of $TMP: $fs"
echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# $(redis-server --version | cut -d' ' -f1-3)"
echo "# $("$PG_BIN/postgres" --version)"
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
    --pipeline "$PIPE" --seconds "$SECS" --cpu-of "$BPID" \
    --modes write:pool,read,write:each --requests "$NSET,$NGET,0" \
    >"$TMP/binome.txt" 2>"$TMP/bn_load.log" ||
    die "bn_load failed: $(tail -n 5 "$TMP/bn_load.log")"
stop "$BPID"
BPID=""

# ---- the floor: the write's unavoidable server crypto, alone ---------
# (tests/bench/bench_floor.c: one Ed25519 verification, two AEAD
# operations; thread CPU time, best of 5 rounds)
"$FLOOR" >"$TMP/floor.txt" 2>&1 || die "bench_floor failed: $(cat "$TMP/floor.txt")"

# ---- postgresql -----------------------------------------------------
# The same envelope size as binome's (env_bytes: 2,093 for 2,048).
# field LINE KEY: the value of key=value in a bn_load line.
field() {
    echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"
}
W=$(grep '^mode=write .*seal=pool' "$TMP/binome.txt")
R=$(grep '^mode=read ' "$TMP/binome.txt")
E=$(grep '^mode=write .*seal=each' "$TMP/binome.txt")
ENV_BYTES=$(field "$W" env_bytes)

# pg_fail WHAT FILE...: dies with the end of the files (before pg_stop
# removes them).
pg_fail() {
    _what=$1
    shift
    die "$_what: $(tail -q -n 3 "$@" 2>/dev/null)"
}
PGPORT=$("$LOAD" --free-port)
echo "# postgresql: a cluster on 127.0.0.1:$PGPORT, $CONNS x 400 rows," \
    "write for ${SECS}s, read for ${SECS}s" >&2
pg_start "$PGPORT" ||
    pg_fail "PostgreSQL did not start" "$PG_DIR/initdb.log" \
        "$PG_DIR/pg_ctl.log" "$PG_DIR/postgres.log"
pg_schema "$CONNS" 400 "${ENV_BYTES:-2093}" >"$TMP/pg-schema.log" 2>&1 ||
    pg_fail "the PostgreSQL table failed" "$TMP/pg-schema.log"
PGW=$(pg_bench write write "$SECS" "$CONNS" "$TMP/pg-write") ||
    pg_fail "pgbench write failed" "$TMP/pg-write.txt" "$PG_DIR/postgres.log"
PGR=$(pg_bench read read "$SECS" "$CONNS" "$TMP/pg-read") ||
    pg_fail "pgbench read failed" "$TMP/pg-read.txt" "$PG_DIR/postgres.log"
pg_stop

# ---- the table ------------------------------------------------------
echo
sed 's/^/# /' "$TMP/binome.txt"
echo "# $(cat "$TMP/floor.txt")"
echo "# postgresql $PGW"
echo "# postgresql $PGR"
echo "# redis SET: $(grep 'throughput summary' "$TMP/redis-set.txt")"
echo "# redis GET: $(grep 'throughput summary' "$TMP/redis-get.txt")"
echo

# ms LINE: "rps p50 p99 p99.9" of a bn_load or pg_bench line, in ms.
ms() {
    echo "$(field "$1" rps) $(field "$1" p50_us) $(field "$1" p99_us)" \
        "$(field "$1" p999_us)" |
        awk '{ printf "%d %.3f %.3f %.3f\n", $1, $2 / 1000, $3 / 1000, $4 / 1000 }'
}
# row NAME "BINOME" "POSTGRESQL" "REDIS": each "rps p50 p99 p99.9" (ms),
# or "-".
row() {
    echo "$1|$2|$3|$4"
}
echo "binome, PostgreSQL and Redis side by side ($CONNS connections," \
    "$ENV_BYTES-byte envelopes, $SIZE-byte Redis values; latencies in ms):"
{
    row "write (durable)" "$(ms "$W")" "$(ms "$PGW")" "$SET_RPS $SET_LAT"
    row "read" "$(ms "$R")" "$(ms "$PGR")" "$GET_RPS $GET_LAT"
    row "write, sealed in loop" "$(ms "$E")" "-" "-" # for information
} | awk -F'|' '
    function side(s,  a) {
        if (s == "-")
            return sprintf("%-34s", "       -")
        split(s, a, " ")
        return sprintf("%8d  %6.2f / %6.2f / %6.2f", a[1], a[2], a[3], a[4])
    }
    BEGIN {
        printf "%-22s | %-34s | %-34s | %s\n", "operation", "binome",
            "PostgreSQL", "Redis"
        h = sprintf("%8s  %6s / %6s / %6s", "rps", "p50", "p99", "p99.9")
        printf "%-22s | %s | %s | %s\n", "", h, h, h
        printf "%s\n", "-----------------------+------------------------------------+------------------------------------+-----------------------------------"
    }
    { printf "%-22s | %s | %s | %s\n", $1, side($2), side($3), side($4) }'
echo

# ratio A B: A / B, empty when B is 0 or empty.
ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 > 0) printf "%.3f", a / b }'
}
WR=$(field "$W" rps)
RR=$(field "$R" rps)
target_head
target_row "write vs PostgreSQL INSERT" "$(ratio "$WR" "$(field "$PGW" rps)")" \
    ">=" 2.5 " x"
target_row "read vs PostgreSQL SELECT" "$(ratio "$RR" "$(field "$PGR" rps)")" \
    ">=" 4 " x"
target_row "write vs Redis SET (appendfsync always)" \
    "$(ratio "$WR" "$SET_RPS")" ">=" 0.5 " x"
target_row "read vs Redis GET" "$(ratio "$RR" "$GET_RPS")" ">=" 1.0 " x"
CPU=$(field "$W" server_cpu_us_per_req)
FL=$(tr ' ' '\n' <"$TMP/floor.txt" | sed -n 's/^floor_us=//p')
target_row "server CPU per write vs its floor" "$(ratio "$CPU" "$FL")" \
    "<=" 1.6 " x" "$CPU vs $FL us"
target_row "p99 of writes at this load" \
    "$(awk -v p="$(field "$W" p99_us)" 'BEGIN { printf "%.2f", p / 1000 }')" \
    "<=" 10 " ms"
echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
