#!/bin/sh
# bench_smoke.sh: a short run of the load generator against a real binomed
# on a loopback port, so that `make check` notices when bn_load and the
# daemon stop understanding each other (log entries, envelopes, pipelining).
# It asserts that every mode completed requests without an error; it never
# asserts a rate or a latency (docs/PERFORMANCE.md has the figures).
# Then the same for PostgreSQL, the peers' storage of `make bench`
# (scripts/lib/bench_pg.sh: a cluster, 3 clients writing then reading for
# a second each, about 5 s); skipped when PostgreSQL is not installed
# (scripts/deps.sh bench installs it).
#
#   BUILD=build sh tests/integration/bench_smoke.sh
#
# Needs $BUILD/bench/bn_load (make target `benches`, built with `tests`)
# and $BUILD/binomed (or BINOMED). Prints "ok N - ..." / "not ok N - ..."
# and ends with "N passed, N failed"; exits 1 when a check failed.
. "$(dirname "$0")/lib/common.sh"
LOAD=$BUILD/bench/bn_load
need_progs "run 'make BUILD=$BUILD benches' first" "$BINOMED" "$LOAD"
make_tmp bench-smoke
. "$(dirname "$0")/../../scripts/lib/bench_pg.sh"
trap 'pg_stop; cleanup' EXIT

# not_ok DESC FILE...: a failed check shows the end of each FILE.
not_ok_detail() { show_tail 20 "$@"; }

# ---- a daemon on a free loopback port -------------------------------
port=$("$LOAD" --free-port)
if [ -n "$port" ] &&
    "$BINOMED" init --data "$T/data" --listen "127.0.0.1:$port" \
        >"$T/invite" 2>"$T/binomed.log"; then
    ok "binomed init on 127.0.0.1:$port"
else
    not_ok "binomed init" "$T/binomed.log"
    finish
fi
# The load generator measures the server, not the per-account rate limit.
echo "rate_per_account=0" >>"$T/data/binomed.conf"
"$BINOMED" --data "$T/data" --listen "127.0.0.1:$port" 2>>"$T/binomed.log" &
daemon=$!
i=0
while ! grep -q ' started ' "$T/binomed.log" 2>/dev/null && [ $i -lt 200 ] &&
    kill -0 "$daemon" 2>/dev/null; do
    sleep 0.05
    i=$((i + 1))
done
if grep -q ' started ' "$T/binomed.log"; then
    ok "binomed is listening"
else
    not_ok "binomed is listening" "$T/binomed.log"
    finish
fi

# ---- the load: 3 connections, each mode briefly, pipelined ----------
# write:each seals every note in the loop, write:pool before the clock;
# each write carries a signed log entry chained on the pair's head.
modes=write:each,read,mixed,write:pool
if "$LOAD" --invite "$(cat "$T/invite")" --conns 3 --pipeline 2 \
    --size 2048 --seconds 0.7 --modes "$modes" --requests 0,0,0,90 \
    --cpu-of "$daemon" \
    >"$T/out" 2>"$T/err"; then
    ok "bn_load ran $modes and exited 0"
else
    not_ok "bn_load ran $modes and exited 0" "$T/err" "$T/binomed.log"
fi

# check_mode MODE SEAL: the mode's closing line says requests > 0, errors 0.
check_mode() {
    line=$(grep "^mode=$1 .*seal=$2 " "$T/out" | head -n 1)
    req=$(echo "$line" | tr ' ' '\n' | sed -n 's/^requests=//p')
    err=$(echo "$line" | tr ' ' '\n' | sed -n 's/^errors=//p')
    if [ -n "$line" ] && [ "${req:-0}" -gt 0 ] && [ "$err" = 0 ]; then
        ok "mode=$1 seal=$2: $req requests, no error"
    else
        echo "${line:-no closing line for mode=$1 seal=$2}" >"$T/line"
        not_ok "mode=$1 seal=$2 completed requests without error" \
            "$T/line" "$T/err"
    fi
}
check_mode write each
check_mode read none
check_mode mixed each
check_mode write pool

if grep -q 'p50_us=[0-9]* p99_us=[0-9]* p999_us=[0-9]*' "$T/out"; then
    ok "closing lines carry p50, p99 and p99.9"
else
    not_ok "closing lines carry p50, p99 and p99.9" "$T/out"
fi
# --cpu-of: the daemon's CPU per request, a number for every mode.
if [ "$(grep -c ' server_cpu_us_per_req=[0-9.]*$' "$T/out")" = 4 ]; then
    ok "--cpu-of: each closing line carries the daemon's CPU per request"
else
    not_ok "--cpu-of: each closing line carries the daemon's CPU per request" \
        "$T/out"
fi

# ---- PostgreSQL: scripts/lib/bench_pg.sh still drives it -------------
if ! pg_find; then
    n=$((n + 1)) passed=$((passed + 1))
    echo "ok $n - # SKIP PostgreSQL not installed (sh scripts/deps.sh bench)"
    finish
fi
: >"$T/pg.log"
if pg_start "$("$LOAD" --free-port)" >"$T/pg.log" 2>&1 &&
    pg_schema 3 10 >>"$T/pg.log" 2>&1; then
    ok "PostgreSQL started on a loopback port and holds the notes table"
else
    cp "$PG_DIR/postgres.log" "$T/pg-server.log" 2>/dev/null
    not_ok "PostgreSQL started and holds the notes table" "$T/pg.log" \
        "$PG_DIR/initdb.log" "$T/pg-server.log"
    finish
fi
for mode in write read; do
    line=$(PG_CONNECT_SECS=1 pg_bench "$mode" "$mode" 1 3 "$T/pg-$mode")
    req=$(echo "$line" | tr ' ' '\n' | sed -n 's/^requests=//p')
    err=$(echo "$line" | tr ' ' '\n' | sed -n 's/^errors=//p')
    if [ "${req:-0}" -gt 0 ] && [ "$err" = 0 ] &&
        echo "$line" | grep -q 'p50_us=[0-9]* p99_us=[0-9]* p999_us=[0-9]*'; then
        ok "pgbench $mode: $req transactions, no error, p50/p99/p99.9"
    else
        not_ok "pgbench $mode completed transactions without error" \
            "$T/pg-$mode.txt"
    fi
done
if [ "$(pg_psql -Atc 'SELECT count(*) FROM notes WHERE rev = 1')" -gt 0 ] &&
    [ "$(pg_psql -Atc "SELECT attstorage FROM pg_attribute
        WHERE attrelid = 'notes'::regclass AND attname = 'env'")" = e ]; then
    ok "the written rows are there, env stored EXTERNAL (uncompressed)"
else
    not_ok "the written rows are there, env stored EXTERNAL"
fi
dir=$PG_DIR
pg_stop
if [ ! -e "$dir" ] && ! pgrep -f "postgres -D $dir" >/dev/null 2>&1; then
    ok "PostgreSQL stopped and its directory removed"
else
    not_ok "PostgreSQL stopped and its directory removed"
fi

finish
