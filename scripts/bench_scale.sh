#!/bin/sh
# bench_scale.sh BUILD: a million notes across ten thousand pairs (the
# issue "Performance"): bytes on disk per note over the envelope's own
# size, NOTE_GET latency, and how long a programme's statistics take.
#
# Runs $BUILD/bench/bench_scale in a temporary directory under /tmp (it
# builds the store in process through the dispatch and the writer thread,
# then measures the file, random reads and STATS through the dispatch),
# then starts binomed on the store it built and times the real CLI:
# `binome admin stats` once with data.mdb dropped from the page cache,
# then the median of BENCH_CLI_RUNS of the table, of --json, and of
# `binome whoami` (the same process start, key file, connection and
# LOGIN, no stats).
# Prints a small table.
#
# Environment: as bench_scale.c (BENCH_PAIRS 10000, BENCH_NOTES 1000000,
# BENCH_SIZE 2048, BENCH_READS 100000, BENCH_COLD_READS 20000,
# BENCH_ROUNDS 5, BENCH_PIPELINE 4096, BENCH_CHUNK 65536);
# BENCH_CLI_RUNS (5) runs of each CLI command, median; BENCH_KEEP=1 keeps
# the temporary directory (about 5 GB for a million notes).
#
# Refuses to start without 20 GB free on /tmp for a million notes (scaled
# to BENCH_NOTES, at least 1 GB). Leaves nothing running. Exit status 0
# when every step completed.
set -eu

BUILD=${1:-build}
NOTES=${BENCH_NOTES:-1000000}
RUNS=${BENCH_CLI_RUNS:-5}
BENCH=$BUILD/bench/bench_scale
LOAD=$BUILD/bench/bn_load
BINOMED=$BUILD/binomed
BINOME=$BUILD/binome

. "$(dirname "$0")/lib/bench_lib.sh"
BENCH_NAME=bench_scale.sh

for p in "$BENCH" "$LOAD"; do
    [ -x "$p" ] || die "$p is missing: run 'make BUILD=$BUILD benches'"
done
for p in "$BINOMED" "$BINOME"; do
    [ -x "$p" ] || die "$p is missing: run 'make BUILD=$BUILD'"
done

# 20 GB for a million notes (the store is about 5 GB), scaled.
NEED_MB=$((NOTES / 50))
[ "$NEED_MB" -ge 1024 ] || NEED_MB=1024
FREE_MB=$(df -Pm /tmp | awk 'NR == 2 { print $4 }')
if [ "$FREE_MB" -lt "$NEED_MB" ]; then
    df -h /tmp >&2
    die "only $FREE_MB MB free on /tmp; $NOTES notes need $NEED_MB MB" \
        "(free some space, or set BENCH_NOTES lower)"
fi

bench_init scale

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
fs=$(df -PT "$TMP" | awk 'NR == 2 { print $1 " (" $2 ")" }')
echo "# machine: $(nproc) cores, ${cpu:-unknown CPU}, $(uname -sr)"
echo "# disk of $TMP: $fs, $FREE_MB MB free"
echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

# The admin profile's key file: a throwaway passphrase, the fast KDF.
BINOME_PASSPHRASE="bench passphrase, not a secret"
BINOME_KDF=interactive
export BINOME_PASSPHRASE BINOME_KDF
PORT=$("$LOAD" --free-port)
BENCH_DIR=$TMP BENCH_LISTEN=127.0.0.1:$PORT "$BENCH" >"$TMP/scale.txt" \
    2>"$TMP/bench_scale.log" ||
    die "bench_scale failed: $(tail -n 5 "$TMP/bench_scale.log")"
sed 's/^/# /' "$TMP/bench_scale.log"
sed 's/^/# /' "$TMP/scale.txt"

# ---- the real CLI against binomed on the store just built --------------
PROG=$(sed -n 's/^profile: .*programme=\([0-9]*\).*/\1/p' "$TMP/scale.txt")
[ -n "$PROG" ] || die "bench_scale printed no programme"
# The first `admin stats` runs with data.mdb out of the page cache (GNU dd:
# with iflag=nocache and count=0 it drops the whole file's clean pages).
dd if="$TMP/data/data.mdb" iflag=nocache count=0 status=none ||
    die "dd could not drop data.mdb from the page cache"
run_binomed

# cli_run RUNS NAME ARGS...: runs `binome ARGS` RUNS times, each wall time
# (microseconds) a line of $TMP/cli-NAME.us.
cli_run() {
    runs=$1
    name=$2
    shift 2
    : >"$TMP/cli-$name.us"
    r=0
    while [ $r -lt "$runs" ]; do
        t0=$(date +%s%N)
        "$BINOME" --profile "$TMP/admin" "$@" >"$TMP/cli-$name.out" \
            2>"$TMP/cli-$name.err" ||
            die "binome $*: $(cat "$TMP/cli-$name.err")"
        t1=$(date +%s%N)
        echo $(((t1 - t0) / 1000)) >>"$TMP/cli-$name.us"
        r=$((r + 1))
    done
}

# median_ms NAME: the median of cli_run NAME's times, in ms.
median_ms() {
    sort -n "$TMP/cli-$1.us" |
        awk '{ v[NR] = $1 } END { printf "%.1f\n", v[int((NR + 1) / 2)] / 1000 }'
}

cli_run 1 cold admin stats --programme "$PROG"
cli_run "$RUNS" whoami whoami
cli_run "$RUNS" stats admin stats --programme "$PROG"
cli_run "$RUNS" json admin stats --programme "$PROG" --json
COLD_MS=$(median_ms cold)
WHOAMI_MS=$(median_ms whoami)
STATS_MS=$(median_ms stats)
JSON_MS=$(median_ms json)
stop "$BPID"
BPID=""
echo "# binome admin stats, first run after dropping data.mdb from the" \
    "page cache: $COLD_MS ms"
echo "# binome whoami: $WHOAMI_MS ms; binome admin stats: $STATS_MS ms" \
    "($(wc -c <"$TMP/cli-stats.out") bytes);" \
    "--json: $JSON_MS ms ($(wc -c <"$TMP/cli-json.out") bytes)" \
    "(median of $RUNS)"

# ---- the table ------------------------------------------------------
echo
{
    cat "$TMP/scale.txt"
    echo "cli: whoami_ms=$WHOAMI_MS stats_ms=$STATS_MS json_ms=$JSON_MS" \
        "cold_ms=$COLD_MS"
} | awk '
    {
        kind = $1
        sub(/:$/, "", kind)
        if (kind == "read") {
            split($2, a, "=")
            kind = "read_" a[2]
        }
        for (i = 2; i <= NF; i++) {
            split($i, kv, "=")
            v[kind, kv[1]] = kv[2]
        }
    }
    END {
        mib = 1048576
        printf "%-44s | %s\n", "measure", "value"
        printf "%s\n", "---------------------------------------------+------------------------------"
        printf "%-44s | %s\n", "notes / pairs", v["build", "notes"] " / " v["build", "pairs"]
        printf "%-44s | %.1f s (setup %.1f s, notes %.1f s: %d/s)\n", "build time",
            v["build", "build_s"], v["build", "setup_s"], v["build", "notes_s"],
            v["build", "notes_per_s"]
        printf "%-44s | %.0f MiB allocated (st_blocks)\n", "data.mdb",
            v["disk", "alloc_bytes"] / mib
        printf "%-44s | %.0f MiB (%d pages of %d, %d free inside)\n",
            "LMDB last page used x page size", v["disk", "used_bytes"] / mib,
            v["disk", "last_pgno"] + 1, v["disk", "page_bytes"],
            v["disk", "free_pages"]
        printf "%-44s | %d (marginal %d)\n", "bytes on disk per note",
            v["disk", "bytes_per_note"], v["disk", "marginal_bytes_per_note"]
        printf "%-44s | %d\n", "envelope bytes (ciphertext)", v["disk", "env_bytes"]
        printf "%-44s | %.2f x (marginal %.2f x)\n", "overhead ratio (per note / envelope)",
            v["disk", "overhead"], v["disk", "marginal_overhead"]
        printf "%-44s | %.1f / %.1f / %.1f us (%d reads; cached %.0f%%)\n",
            "NOTE_GET p50 / p99 / p99.9, after the build", v["read_warm", "p50_us"],
            v["read_warm", "p99_us"], v["read_warm", "p999_us"],
            v["read_warm", "reads"], v["read_warm", "cached_pct"]
        if (v["read_cold", "reads"] != "")
            printf "%-44s | %.1f / %.1f / %.1f us (%d reads; cached %.0f%% -> %.0f%%)\n",
                "NOTE_GET p50 / p99 / p99.9, cache dropped", v["read_cold", "p50_us"],
                v["read_cold", "p99_us"], v["read_cold", "p999_us"],
                v["read_cold", "reads"], v["read_cold", "cached_pct"],
                v["read_cold", "cached_after_pct"]
        printf "%-44s | %.1f ms (STATS_GET %.3f + %d pages %.1f)\n",
            "STATS_GET + all STATS_PAIRS_GET (dispatch)", v["stats", "total_ms"],
            v["stats", "stats_get_ms"], v["stats", "pages"], v["stats", "stats_pairs_ms"]
        printf "%-44s | %.1f ms (--json %.1f; whoami %.1f)\n",
            "binome admin stats (real CLI, wall, median)", v["cli", "stats_ms"],
            v["cli", "json_ms"], v["cli", "whoami_ms"]
        printf "%-44s | %.1f ms\n", "binome admin stats, page cache dropped",
            v["cli", "cold_ms"]
    }'
echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
