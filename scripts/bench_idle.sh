#!/bin/sh
# bench_idle.sh BUILD: the daemon's resident memory with 1,000 idle
# logged-in connections (the issue "Performance": under 64 MiB).
#
# Starts binomed on a temporary data directory and a free loopback port,
# runs $BUILD/bench/bench_idle against it (setup through libbinome, then
# BENCH_IDLE_CONNS connections through the handshake and LOGIN, round
# robin over BENCH_IDLE_ACCOUNTS accounts, kept idle BENCH_IDLE_SECONDS),
# and prints one table row from the daemon's /proc/PID/status.
#
# Environment: BENCH_IDLE_CONNS (1000), BENCH_IDLE_ACCOUNTS (10),
# BENCH_IDLE_SECONDS (10), BENCH_IDLE_TOUCH (0; BYTES: each connection
# first sends one request of that size, e.g. 65536 as a document chunk,
# to show what a connection keeps after it), BENCH_LOG_LEVEL (binomed
# --log-level),
# BENCH_KEEP=1 keeps the temporary directory.
#
# Leaves nothing running. Exit status 0 when every connection logged in
# and stayed alive (whether the target is met is reported, not a failure).
set -eu

BUILD=${1:-build}
CONNS=${BENCH_IDLE_CONNS:-1000}
ACCOUNTS=${BENCH_IDLE_ACCOUNTS:-10}
IDLE=${BENCH_IDLE_SECONDS:-10}
TOUCH=${BENCH_IDLE_TOUCH:-0}
TARGET_MIB=64
BENCH=$BUILD/bench/bench_idle
LOAD=$BUILD/bench/bn_load
BINOMED=$BUILD/binomed

. "$(dirname "$0")/lib/bench_lib.sh"
BENCH_NAME=bench_idle.sh

[ -x "$BENCH" ] || die "$BENCH is missing: run 'make BUILD=$BUILD benches'"
[ -x "$LOAD" ] || die "$LOAD is missing: run 'make BUILD=$BUILD benches'"
[ -x "$BINOMED" ] || die "$BINOMED is missing: run 'make BUILD=$BUILD'"

bench_init idle

# The daemon needs a descriptor per connection: raise the soft limit of
# this shell (the daemon inherits it) as far as the hard limit allows.
NEED=$((CONNS + 128))
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$NEED" ]; then
    ulimit -n "$NEED" 2>/dev/null ||
        die "RLIMIT_NOFILE $(ulimit -n) (hard $(ulimit -Hn)) is below $NEED"
fi

echo "# machine: $(nproc) cores, $(uname -sr), RLIMIT_NOFILE $(ulimit -n)"
echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# conns=$CONNS accounts=$ACCOUNTS idle_seconds=$IDLE touch_bytes=$TOUCH"

# The benchmark measures memory, not the per-account rate limit (1,000
# LOGINs of ten accounts in about a second); max_connections (default
# 1024) must leave room for the setup's connection and a margin.
start_binomed "rate_per_account=0" "max_connections=$((CONNS + 64))"

"$BENCH" --invite "$(cat "$TMP/invite")" --pid "$BPID" --conns "$CONNS" \
    --accounts "$ACCOUNTS" --idle "$IDLE" \
    ${BENCH_IDLE_TOUCH:+--touch "$TOUCH"} >"$TMP/idle.txt" \
    2>"$TMP/bench_idle.log" ||
    die "bench_idle failed: $(tail -n 5 "$TMP/bench_idle.log")"
stop "$BPID"
BPID=""

echo
sed 's/^/# /' "$TMP/bench_idle.log"
sed 's/^/# /' "$TMP/idle.txt"
echo
tr ' ' '\n' <"$TMP/idle.txt" | awk -F= -v target="$TARGET_MIB" '
    NF == 2 { v[$1] = $2 }
    END {
        before = v["before_rss_kib"] / 1024
        login = v["login_rss_kib"] / 1024
        after = v["idle_rss_kib"] / 1024
        hwm = v["idle_hwm_kib"] / 1024
        printf "%-11s | %-17s | %-18s | %-16s | %-12s | %-18s | %s\n",
            "connections", "daemon RSS before", "after login / idle",
            "peak (VmHWM) MiB", "per conn KiB", "alive after idle",
            "target"
        printf "%s\n", "------------+-------------------+--------------------+------------------+--------------+--------------------+---------------------"
        printf "%11d | %13.1f MiB | %6.1f / %5.1f MiB | %16.1f | %12.1f | %18d | < %d MiB %s\n",
            v["conns"], before, login, after, hwm, v["per_conn_kib"],
            v["alive"], target,
            (after < target && hwm < target) ? "MET" : "NOT MET"
    }'
echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
