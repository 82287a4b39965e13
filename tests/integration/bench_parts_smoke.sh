#!/bin/sh
# bench_parts_smoke.sh: tiny runs of the benchmark scripts that `make
# bench` runs besides bench.sh (bench_smoke.sh covers bn_load), so that
# `make check` notices when one stops running: the floor (bench_floor),
# a 2 MiB document, 40 idle connections, 2,000 notes across 20 pairs. It
# asserts that each script exits 0 and prints its table, and that what it
# measured is sane (the document round-tripped, every connection stayed
# alive, notes were stored); never a rate, a latency or a target.
#
#   BUILD=build sh tests/integration/bench_parts_smoke.sh
#
# Needs $BUILD/binomed, $BUILD/binome and the bench programs (make target
# `benches`, built with `tests`).
. "$(dirname "$0")/lib/common.sh"
SCRIPTS=$(cd "$(dirname "$0")/../../scripts" && pwd)
need_progs "run 'make BUILD=$BUILD benches' first" "$BINOMED" "$BINOME" \
    "$BUILD/bench/bn_load" "$BUILD/bench/bench_secretstream" \
    "$BUILD/bench/bench_idle" "$BUILD/bench/bench_scale" \
    "$BUILD/bench/bench_floor"
make_tmp bench-parts

# Their temporary directories, before: each must be gone after its run.
left() { ls -d /tmp/binome-bench-doc-* /tmp/binome-idle-* /tmp/binome-scale-* \
    2>/dev/null | sort; }
left >"$T/before"

# part NAME SCRIPT VAR=VALUE...: runs one script into $T/NAME.out.
part() {
    name=$1
    script=$2
    shift 2
    if env "$@" sh "$SCRIPTS/$script" "$BUILD" >"$T/$name.out" 2>&1; then
        ok "$script ran and exited 0"
    else
        not_ok "$script ran and exited 0" "$T/$name.out"
    fi
}

# bench_floor: the server's unavoidable crypto per write (bench.sh).
if "$BUILD/bench/bench_floor" --iterations 50 --rounds 2 >"$T/floor.out" \
    2>&1 && grep -q '^floor: verify_us=[0-9.]* aead_us=[0-9.]* floor_us=[1-9]' \
    "$T/floor.out"; then
    ok "bench_floor prints the floor"
else
    not_ok "bench_floor prints the floor" "$T/floor.out"
fi

part doc bench_doc.sh BENCH_DOC_MB=2
if grep -q '^doc put vs encrypt *| *[0-9.]* ' "$T/doc.out" &&
    grep -q '^doc get vs decrypt *| *[0-9.]* ' "$T/doc.out"; then
    ok "bench_doc.sh prints its put and get rows"
else
    not_ok "bench_doc.sh prints its put and get rows" "$T/doc.out"
fi

part idle bench_idle.sh BENCH_IDLE_CONNS=40 BENCH_IDLE_ACCOUNTS=4 \
    BENCH_IDLE_SECONDS=1 BENCH_IDLE_TOUCH=65536
if grep -q '^# idle: conns=40 .* alive=40$' "$T/idle.out"; then
    ok "bench_idle.sh: 40 connections logged in and stayed alive"
else
    not_ok "bench_idle.sh: 40 connections logged in and stayed alive" \
        "$T/idle.out"
fi

part scale bench_scale.sh BENCH_NOTES=2000 BENCH_PAIRS=20 BENCH_READS=2000 \
    BENCH_COLD_READS=200 BENCH_CLI_RUNS=1
if grep -q '^notes / pairs *| 2000 / 20$' "$T/scale.out" &&
    grep -q '^bytes on disk per note *| [1-9][0-9]* ' "$T/scale.out"; then
    ok "bench_scale.sh stored 2,000 notes and measured the disk"
else
    not_ok "bench_scale.sh stored 2,000 notes and measured the disk" \
        "$T/scale.out"
fi

left >"$T/after"
if comm -13 "$T/before" "$T/after" | grep -q .; then
    comm -13 "$T/before" "$T/after" >"$T/new"
    not_ok "the scripts left no temporary directory behind" "$T/new"
else
    ok "the scripts left no temporary directory behind"
fi
finish
