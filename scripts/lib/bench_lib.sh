# bench_lib.sh: what the benchmark scripts share (sourced, not run).
#
#   bench_init NAME   sets TMP (a new /tmp/binome-NAME-XXXXXX), BPID, and
#                     the traps: on exit the daemon is stopped and TMP
#                     removed (kept with BENCH_KEEP=1); a script may
#                     define bench_extra_cleanup to remove more first
#   stop PID          TERM, then KILL after 10 s
#   die MESSAGE       "NAME: MESSAGE" on stderr, exit 1
#   start_binomed [CONF_LINE...]
#                     binomed init on TMP/data and a free loopback port
#                     (PORT), the lines appended to its binomed.conf, then
#                     run_binomed; the first admin invitation is in
#                     TMP/invite. Every benchmark's client is one address
#                     (127.0.0.1) opening many connections at once: the
#                     limits on connections not logged in (per address,
#                     in all) and per account are lifted first, and so
#                     are the storage quotas (they measure the server).
#   run_binomed [ARG...]
#                     the daemon on TMP/data with ARGs (BPID; its log
#                     appended to TMP/binomed.log, --log-level from
#                     BENCH_LOG_LEVEL), waited for up to 30 s
#
#   target_head, target_row FIGURE VALUE CMP LIMIT UNIT [DETAIL]
#                     the table of issue 17's targets (bench.sh, bench_all.sh)
#
# Needs BINOMED and LOAD (bn_load, for --free-port) set by the caller.

BENCH_NAME=bench

die() {
    echo "$BENCH_NAME: $*" >&2
    exit 1
}

stop() {
    [ -n "$1" ] || return 0
    kill "$1" 2>/dev/null || return 0
    _i=0
    while kill -0 "$1" 2>/dev/null && [ $_i -lt 100 ]; do
        sleep 0.1
        _i=$((_i + 1))
    done
    kill -9 "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}

bench_extra_cleanup() { :; }

bench_cleanup() {
    trap '' INT TERM HUP # a second signal must not cut the cleanup short
    stop "$BPID"
    BPID=""
    bench_extra_cleanup
    if [ "${BENCH_KEEP:-0}" = 1 ]; then
        echo "$BENCH_NAME: kept $TMP" >&2
    else
        rm -rf "$TMP"
    fi
}

bench_init() {
    BENCH_NAME=$1.sh
    TMP=$(mktemp -d "/tmp/binome-$1-XXXXXX")
    BPID=""
    trap bench_cleanup EXIT
    trap 'exit 130' INT TERM
}

start_binomed() {
    PORT=$("$LOAD" --free-port)
    "$BINOMED" init --data "$TMP/data" --listen "127.0.0.1:$PORT" \
        >"$TMP/invite" 2>"$TMP/binomed.log" || die "binomed init failed"
    for _line in prelogin_per_address=1000000 prelogin_max=1000000 \
        connections_per_account=100000 quota_pair_mib=1073741824 \
        quota_account_mib=1073741824 "$@"; do
        echo "$_line" >>"$TMP/data/binomed.conf"
    done
    run_binomed --listen "127.0.0.1:$PORT"
}

run_binomed() {
    : >>"$TMP/binomed.log"
    _from=$(($(wc -l <"$TMP/binomed.log") + 1))
    "$BINOMED" --data "$TMP/data" "$@" \
        ${BENCH_LOG_LEVEL:+--log-level "$BENCH_LOG_LEVEL"} \
        2>>"$TMP/binomed.log" &
    BPID=$!
    _i=0
    until tail -n "+$_from" "$TMP/binomed.log" | grep -q ' started '; do
        _i=$((_i + 1))
        [ $_i -lt 300 ] || die "binomed did not start (see $TMP/binomed.log)"
        kill -0 "$BPID" 2>/dev/null ||
            die "binomed exited: $(tail -n 3 "$TMP/binomed.log")"
        sleep 0.1
    done
}

# target_head: the header of a targets table (issue 17's "Targets").
# target_row FIGURE VALUE CMP LIMIT UNIT [DETAIL]: one row of it; VALUE a
# number (empty: not measured, DETAIL says why), CMP ">=" or "<=", the
# verdict MET or NOT MET.
target_head() {
    printf '%-42s | %-34s | %-9s | %s\n' "figure (issue 17)" "measured" \
        "target" "verdict"
    printf '%s\n' "-------------------------------------------+------------------------------------+-----------+--------"
}
target_row() {
    awk -v f="$1" -v v="$2" -v cmp="$3" -v lim="$4" -v u="$5" -v d="${6:-}" '
        BEGIN {
            if (v == "") {
                printf "%-42s | %-34s | %-9s | %s\n", f,
                    (d == "" ? "not measured" : d), cmp " " lim u, "-"
                exit
            }
            m = (cmp == ">=") ? (v + 0 >= lim + 0) : (v + 0 <= lim + 0)
            s = sprintf("%.2f", v)
            if (s + 0 == lim + 0 && !m) # 0.499 is not shown as 0.50
                s = sprintf("%.3f", v)
            s = s u
            if (d != "")
                s = s " (" d ")"
            printf "%-42s | %-34s | %-9s | %s\n", f, s, cmp " " lim u,
                m ? "MET" : "NOT MET"
        }'
}
