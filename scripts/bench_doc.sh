#!/bin/sh
# bench_doc.sh BUILD: `binome doc put` and `binome doc get` of a large file
# (1 GiB by default) against libsodium's secretstream alone over the same
# file on this machine, in this run, and the memory both sides use.
#
#   binome    binomed on a temporary data directory (on /tmp) and a free
#             loopback port; an administrator, a programme, a mentor and a
#             mentee, a pair both accepted, through the binome CLI. The
#             mentor runs `doc put PAIR FILE`, the mentee `doc get PAIR DOC
#             -o OUT`, each timed as a user runs it (profile opening,
#             handshake and login included); OUT is compared with cmp.
#   baseline  $BUILD/bench/bench_secretstream on the same file: 64 KiB
#             chunks read, pushed, written (then pulled back), each output
#             fsync'd at the end as `doc get` does. It runs before and
#             after the binome runs; the ratio uses the mean of the two.
#
# Memory: the client's peak RSS over the whole command (GNU time's %M,
# the kernel's ru_maxrss: the key file's Argon2id, 64 MiB at the
# interactive level, sets it), the client's highest VmRSS sampled during
# the transfer itself (once it has read or written 8 MiB), and the
# daemon's VmRSS before and VmHWM after each operation, its peak reset
# first through /proc/PID/clear_refs, so "growth" is the daemon's highest
# RSS during the operation less its RSS before it. RssAnon and RssFile
# show what it was (LMDB's map counts in RssFile).
#
# Targets (the issue "Performance", speed raised by issue 17): doc put and
# doc get at least 0.80 x secretstream's MB/s in the same direction; client resident memory under
# 32 MiB (both figures judged); the daemon's RSS growth under 32 MiB.
# Reported, not asserted: the exit status is 0 when every run completed
# and the download matched.
#
# Environment: BENCH_DOC_MB (1024: the file's size in MiB), BENCH_KEEP=1
# keeps the temporary directory's logs (the large files and the data
# directory always go), BENCH_LOG_LEVEL (binomed --log-level). MB/s are
# 10^6 bytes of plaintext per second. The daemon runs with its default
# configuration (a chunk counts 1/64 of a request against
# rate_per_account; max_doc_mib, 1024, counts plaintext), except
# max_doc_mib=BENCH_DOC_MB when the file is bigger than that.
set -eu

BUILD=${1:-build}
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
MB=${BENCH_DOC_MB:-1024}
BINOMED=$BUILD/binomed
BINOME=$BUILD/binome
LOAD=$BUILD/bench/bn_load
SS=$BUILD/bench/bench_secretstream
GTIME=/usr/bin/time
export BINOME_KDF=interactive
unset BINOME_PASSPHRASE XDG_CONFIG_HOME BINOME_TEST_ABORT_AT

. "$(dirname "$0")/lib/bench_lib.sh"
BENCH_NAME=bench_doc.sh

for prog in "$BINOMED" "$BINOME"; do
    [ -x "$prog" ] || die "$prog is missing: run 'make BUILD=$BUILD all'"
done
for prog in "$LOAD" "$SS"; do
    [ -x "$prog" ] || die "$prog is missing: run 'make BUILD=$BUILD benches'"
done
case $MB in '' | *[!0-9]*) die "BENCH_DOC_MB must be a number of MiB" ;; esac
[ "$MB" -ge 1 ] || die "BENCH_DOC_MB must be at least 1"
if ! "$GTIME" -f %M true >/dev/null 2>&1; then
    echo "bench_doc.sh: $GTIME is missing (Debian package 'time'):" \
        "client peak RSS not measured" >&2
    GTIME=""
fi

bench_init bench-doc
trap 'exit 130' INT TERM HUP
# The big files go even with BENCH_KEEP=1 (which keeps the logs).
bench_extra_cleanup() {
    rm -rf "$TMP/doc.bin" "$TMP/got.bin" "$TMP"/.bench-ss-* \
        "$TMP"/.binome-get-* "$TMP/data"
}

# Room for the file, the stored ciphertext, the download and the
# baseline's two outputs.
need_kb=$((MB * 1024 * 5 + 512 * 1024))
avail_kb=$(df -Pk "$TMP" | awk 'NR == 2 { print $4 }')
[ "$avail_kb" -ge "$need_kb" ] ||
    die "$TMP has $((avail_kb / 1024)) MiB free; $((need_kb / 1024)) needed"

# ---- the machine ----------------------------------------------------
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
fs=$(df -PT "$TMP" | awk 'NR == 2 { print $1 " (" $2 ")" }')
echo "# machine: $(nproc) cores, ${cpu:-unknown CPU}, $(uname -sr)"
echo "# disk of $TMP: $fs"
echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# file: $MB MiB from /dev/urandom; chunks of 64 KiB"

# ---- the daemon -----------------------------------------------------
if [ "$MB" -gt 1024 ]; then
    start_binomed "max_doc_mib=$MB"
else
    start_binomed
fi

# ---- the people -----------------------------------------------------
# as WHO ARGS...: binome with WHO's profile and passphrase.
as() {
    who=$1
    shift
    BINOME_PASSPHRASE="bench passphrase of $who" \
        "$BINOME" --profile "$TMP/$who" "$@"
}
# must WHAT WHO ARGS...: as WHO ARGS, stdout kept; die with stderr on
# failure.
must() {
    what=$1
    shift
    as "$@" 2>"$TMP/err" || die "$what failed: $(cat "$TMP/err")"
}

echo "# setup: administrator, programme, mentor, mentee, pair" >&2
must "admin join" admin join "$(tail -n 1 "$TMP/invite")" --name Admin \
    >/dev/null
PROG=$(must "programme create" admin admin programme create \
    --name "Bench" --theme "Documents" --months 6 --frequency monthly \
    --format mixed)
for who in mentor mentee; do
    code=$(must "invite $who" admin admin invite --programme "$PROG" \
        --role "$who")
    must "$who join" "$who" join "$code" --name "$who" >/dev/null
done
PAIR=$(must "admin pair" admin admin pair --programme "$PROG" \
    --mentor mentor --mentee mentee)
must "mentor accepts" mentor pair accept "$PAIR" </dev/null >/dev/null
must "mentee accepts" mentee pair accept "$PAIR" </dev/null >/dev/null
# Opening the pair the first time draws and wraps its key: not timed.
must "mentor doc list" mentor doc list "$PAIR" >/dev/null
must "mentee doc list" mentee doc list "$PAIR" >/dev/null

echo "# writing the $MB MiB file" >&2
head -c $((MB * 1048576)) /dev/urandom >"$TMP/doc.bin" ||
    die "cannot write $TMP/doc.bin"
BYTES=$((MB * 1048576))

# ---- the measures ---------------------------------------------------
now_ns() { date +%s%N; }

# status_kb KEY: a field of the daemon's /proc status, in KiB.
status_kb() {
    awk -v k="$1:" '$1 == k { print $2 }' "/proc/$BPID/status"
}

# sample_client PID: until PID ends, the highest VmRSS (KiB) of PID
# among the samples taken once it had read or written 8 MiB (/proc/PID/io:
# the transfer is under way, the key file's Argon2id is over), into
# $TMP/sample. Builtins only between the sleeps.
sample_client() {
    peak=0
    while [ -r "/proc/$1/status" ]; do
        io=0
        while read -r k v; do
            case $k in rchar: | wchar:) io=$((io + v)) ;; esac
        done 2>/dev/null <"/proc/$1/io" || true
        if [ "$io" -ge 8388608 ]; then
            while read -r k v _; do
                if [ "$k" = VmRSS: ] && [ "$v" -gt "$peak" ]; then
                    peak=$v
                fi
            done 2>/dev/null <"/proc/$1/status" || true
        fi
        sleep 0.05
    done
    echo "$peak" >"$TMP/sample"
}

# timed NAME WHO ARGS...: run as WHO, timed; $TMP/NAME.out holds stdout.
# Sets NAME_s (seconds), NAME_rss (the client's peak RSS, KiB, GNU time's
# %M: the whole command, its key file's Argon2id included), NAME_xfer (its
# highest sampled VmRSS during the transfer), and the daemon's VmRSS
# before (NAME_d0), VmHWM during (NAME_hwm), VmRSS, RssAnon and RssFile
# after (NAME_d1, NAME_anon, NAME_file).
timed() {
    name=$1 who=$2
    shift 2
    kill -0 "$BPID" 2>/dev/null || die "binomed is not running"
    echo 5 >"/proc/$BPID/clear_refs" 2>/dev/null ||
        echo "bench_doc.sh: cannot reset the daemon's VmHWM" >&2
    d0=$(status_kb VmRSS)
    echo 0 >"$TMP/$name.rss"
    t0=$(now_ns)
    if [ -n "$GTIME" ]; then
        BINOME_PASSPHRASE="bench passphrase of $who" \
            "$GTIME" -f %M -o "$TMP/$name.rss" \
            "$BINOME" --profile "$TMP/$who" "$@" \
            >"$TMP/$name.out" 2>"$TMP/$name.err" &
        tpid=$!
        cpid=""
        while [ -z "$cpid" ] && kill -0 "$tpid" 2>/dev/null; do
            cpid=$(pgrep -P "$tpid" || true)
        done
    else
        as "$who" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" &
        tpid=$!
        cpid=$tpid
    fi
    echo 0 >"$TMP/sample"
    [ -n "$cpid" ] && sample_client "$cpid"
    wait "$tpid" || die "$name failed: $(cat "$TMP/$name.err")"
    t1=$(now_ns)
    secs=$(echo "$t0 $t1" | awk '{ printf "%.3f", ($2 - $1) / 1e9 }')
    eval "${name}_s=$secs ${name}_rss=$(tail -n 1 "$TMP/$name.rss")"
    eval "${name}_xfer=$(cat "$TMP/sample") ${name}_d0=$d0"
    eval "${name}_hwm=$(status_kb VmHWM) ${name}_d1=$(status_kb VmRSS)"
    eval "${name}_anon=$(status_kb RssAnon) ${name}_file=$(status_kb RssFile)"
}

# baseline N: bench_secretstream on the file, its lines in $TMP/ssN.txt.
baseline() {
    "$SS" "$TMP/doc.bin" --work "$TMP" >"$TMP/ss$1.txt" 2>"$TMP/ss$1.err" ||
        die "bench_secretstream failed: $(cat "$TMP/ss$1.err")"
}

# field FILE DIR KEY: the value of KEY in FILE's line dir=DIR.
field() {
    sed -n "s/^dir=$2 .*[[:space:]]$3=\([^[:space:]]*\).*/\1/p" "$1"
}

echo "# secretstream alone (1 of 2)" >&2
baseline 1
d_start=$(status_kb VmRSS)
echo "# doc put ($MB MiB)" >&2
# The fixed cost of a command (profile, handshake, login, one request).
timed list mentor doc list "$PAIR"
timed put mentor doc put "$PAIR" "$TMP/doc.bin"
DOC=$(tail -n 1 "$TMP/put.out")
echo "# doc get ($MB MiB)" >&2
timed get mentee doc get "$PAIR" "$DOC" -o "$TMP/got.bin"
cmp -s "$TMP/doc.bin" "$TMP/got.bin" ||
    die "the downloaded file differs from the uploaded one"
rm -f "$TMP/got.bin"
echo "# secretstream alone (2 of 2)" >&2
baseline 2
rm -f "$TMP/doc.bin"

# ---- the table ------------------------------------------------------
# The figures were set by eval in timed().
# shellcheck disable=SC2154
echo
sed 's/^/# secretstream run 1: /' "$TMP/ss1.txt"
sed 's/^/# secretstream run 2: /' "$TMP/ss2.txt"
for op in list put get; do
    eval "s=\$${op}_s rss=\$${op}_rss xfer=\$${op}_xfer d0=\$${op}_d0"
    eval "hwm=\$${op}_hwm d1=\$${op}_d1 anon=\$${op}_anon file=\$${op}_file"
    echo "# binome $op: seconds=$s client_maxrss_kib=$rss" \
        "client_transfer_vmrss_kib=$xfer daemon_vmrss_kib_before=$d0" \
        "vmhwm=$hwm vmrss_after=$d1 rss_anon=$anon rss_file=$file"
done
echo "# daemon VmRSS: $d_start KiB before the put, $get_d1 KiB at the end"
echo "# fixed cost of one command (doc list): ${list_s} s"
echo "# document $DOC: the download matched the file byte for byte (cmp)"
echo

# row NAME SECONDS SS_MBPS CLIENT_KIB XFER_KIB D0_KIB HWM_KIB
row() {
    echo "$1|$2|$3|${4:-0}|${5:-0}|$6|$7"
}
ss_enc=$(printf '%s %s\n' "$(field "$TMP/ss1.txt" encrypt mbps)" \
    "$(field "$TMP/ss2.txt" encrypt mbps)" | awk '{ print ($1 + $2) / 2 }')
ss_dec=$(printf '%s %s\n' "$(field "$TMP/ss1.txt" decrypt mbps)" \
    "$(field "$TMP/ss2.txt" decrypt mbps)" | awk '{ print ($1 + $2) / 2 }')
{
    row "doc put vs encrypt" "$put_s" "$ss_enc" "$put_rss" "$put_xfer" \
        "$put_d0" "$put_hwm"
    row "doc get vs decrypt" "$get_s" "$ss_dec" "$get_rss" "$get_xfer" \
        "$get_d0" "$get_hwm"
} | awk -F'|' -v bytes="$BYTES" '
    function mib(kib) { return kib == 0 ? "n/a" : sprintf("%.1f", kib / 1024) }
    function met(kib) { return kib == 0 ? "n/a" : (kib < 32768 ? "MET" : "NOT MET") }
    BEGIN {
        printf "%-18s | %6s | %6s | %5s | %-13s | %11s | %11s | %11s | %s\n",
            "operation", "MB/s", "ss MB/s", "ratio", "target >=0.80",
            "client peak", "client xfer", "daemon grow", "< 32 MiB: client peak / xfer, daemon"
        printf "%s\n", "-------------------+--------+---------+-------+---------------+-------------+-------------+-------------+--------------------------------------"
    }
    {
        mbps = $2 > 0 ? bytes / $2 / 1e6 : 0
        ratio = $3 > 0 ? mbps / $3 : 0
        growth = $7 - $6
        printf "%-18s | %6.1f | %7.1f | %5.2f | %-13s | %7s MiB | %7s MiB | %7.1f MiB | %s / %s, %s\n",
            $1, mbps, $3, ratio, (ratio >= 0.80 ? "MET" : "NOT MET"),
            mib($4), mib($5), growth / 1024, met($4), met($5),
            (growth < 32768 ? "MET" : "NOT MET")
    }'
echo "# client peak: GNU time %M, the whole command (the key file's Argon2id"
echo "# included); client xfer: its highest VmRSS sampled during the transfer;"
echo "# daemon grow: its VmHWM during the operation less its VmRSS before."
echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
