# bench_pg.sh: PostgreSQL as the peers' storage yardstick (sourced, not
# run; scripts/bench.sh and tests/integration/bench_smoke.sh use it).
#
# Self-hosted end-to-end encrypted note services keep their ciphertext in
# a relational database (Etebase's server in PostgreSQL); the database
# alone is the fairest peer this machine can run. These functions start
# Debian's PostgreSQL on a temporary directory and a loopback TCP port,
# store note envelopes keyed like binome's notes and measure them with
# pgbench. Each returns non-zero on failure; the caller says so.
#
#   pg_find           PG_BIN: the newest /usr/lib/postgresql/*/bin holding
#                     postgres, initdb, pg_ctl and pgbench (1 when none)
#   pg_start PORT     a new cluster in PG_DIR (a fresh /tmp/binome-pg-*,
#                     owned by the postgres user when run as root), listening
#                     on 127.0.0.1:PORT only; fsync = on and
#                     synchronous_commit = on (said explicitly: they are
#                     the defaults), max_connections 110, the rest
#                     PostgreSQL's defaults (wal_sync_method fdatasync,
#                     full_page_writes on). initdb runs with --no-sync:
#                     the cluster's first files, not the measured commits.
#   pg_stop           a fast shutdown, then PG_DIR removed (safe to call
#                     twice, and when pg_start failed)
#   pg_psql ARG...    psql -X -q -v ON_ERROR_STOP=1 on the cluster
#   pg_schema PAIRS NOTES [BYTES]
#                     the table `notes (pair, note, rev, env bytea)`,
#                     primary key (pair, note, rev), env stored EXTERNAL
#                     (out of line, never compressed); PAIRS x NOTES rows
#                     of revision 0 for the reads; PG_ENV_HEX: BYTES
#                     random bytes in hex (2,093 by default: binome's
#                     envelope for a 2,048-byte payload)
#   pg_bench NAME SCRIPT SECONDS CONNS OUT
#                     pgbench -c CONNS -j 2 -M prepared over TCP for
#                     SECONDS plus PG_CONNECT_SECS (3: pgbench's -T counts
#                     the start of its connections, 1.6 s here for 50; its
#                     tps leaves them out, and so do the latencies) with
#                     SCRIPT (write or read, below), its output in
#                     OUT.txt and its per-transaction log under OUT.log*;
#                     prints one line like bn_load's:
#                     "mode=NAME requests=N errors=N rps=R p50_us=...
#                     p99_us=... p999_us=... max_us=..."
#
# The two scripts: write, one INSERT of a new (client, random note,
# revision 1) row per transaction, committed durably (autocommit); read,
# one SELECT of a revision-0 row of the client's own pair by key.
# pgbench sends parameters and receives rows as text, so the envelope
# crosses the loopback in hex (4,188 characters for 2,093 bytes) each way; PostgreSQL decodes
# it on write and encodes it on read.

PG_BIN=""
PG_DIR=""
PG_PORT=""
PG_ENV_HEX=""

pg_find() {
    PG_BIN=""
    for _d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V); do
        [ -x "$_d/postgres" ] && [ -x "$_d/initdb" ] && [ -x "$_d/pg_ctl" ] &&
            [ -x "$_d/pgbench" ] && [ -x "$_d/psql" ] && PG_BIN=$_d
    done
    [ -n "$PG_BIN" ]
}

# pg_as CMD...: CMD as the cluster's owner (postgres when we are root).
pg_as() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

pg_start() {
    PG_PORT=$1
    [ -n "$PG_BIN" ] || pg_find || return 1
    PG_DIR=$(mktemp -d /tmp/binome-pg-XXXXXX) || return 1
    chmod 755 "$PG_DIR"
    if [ "$(id -u)" = 0 ]; then
        id postgres >/dev/null 2>&1 || return 1
        chown postgres "$PG_DIR" || return 1
    fi
    pg_as "$PG_BIN/initdb" -D "$PG_DIR/db" -U postgres --auth=trust \
        -E UTF8 --no-locale --no-sync >"$PG_DIR/initdb.log" 2>&1 || return 1
    pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/db" -l "$PG_DIR/postgres.log" -w \
        -t 60 -o "-c listen_addresses=127.0.0.1 -p $PG_PORT
            -c unix_socket_directories=$PG_DIR -c fsync=on
            -c synchronous_commit=on -c max_connections=110" \
        start >"$PG_DIR/pg_ctl.log" 2>&1
}

pg_stop() {
    [ -n "$PG_DIR" ] || return 0
    if [ -f "$PG_DIR/db/postmaster.pid" ]; then
        pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/db" -m fast -w -t 30 stop \
            >/dev/null 2>&1 ||
            pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/db" -m immediate stop \
                >/dev/null 2>&1
    fi
    rm -rf "$PG_DIR"
    PG_DIR=""
}

pg_psql() {
    "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" \
        -U postgres -d postgres "$@"
}

pg_schema() {
    PG_ENV_HEX=$(head -c "${3:-2093}" /dev/urandom | od -An -v -tx1 | tr -d ' \n')
    pg_psql <<EOF
CREATE TABLE notes (
    pair bigint NOT NULL,
    note bigint NOT NULL,
    rev integer NOT NULL,
    env bytea NOT NULL,
    PRIMARY KEY (pair, note, rev)
);
ALTER TABLE notes ALTER COLUMN env SET STORAGE EXTERNAL;
INSERT INTO notes
    SELECT p, n, 0, decode('$PG_ENV_HEX', 'hex')
    FROM generate_series(1, $1) p, generate_series(1, $2) n;
VACUUM ANALYZE notes;
CHECKPOINT;
EOF
    PG_READ_NOTES=$2
}

pg_bench() {
    _name=$1 _script=$2 _secs=$3 _conns=$4 _out=$5
    case $_script in
    write)
        printf '%s\n' '\set note random(1, 9000000000000000000)' \
            'INSERT INTO notes (pair, note, rev, env) VALUES (:client_id + 1, :note, 1, :env);' \
            >"$_out.sql"
        ;;
    read)
        printf '%s\n' "\\set note random(1, $PG_READ_NOTES)" \
            'SELECT env FROM notes WHERE pair = :client_id + 1 AND note = :note AND rev = 0;' \
            >"$_out.sql"
        ;;
    *) return 1 ;;
    esac
    "$PG_BIN/pgbench" -h 127.0.0.1 -p "$PG_PORT" -U postgres -n \
        -c "$_conns" -j 2 -M prepared -T "$((_secs + ${PG_CONNECT_SECS:-3}))" -f "$_out.sql" \
        -D "env=\\x$PG_ENV_HEX" --log --log-prefix="$_out.log" postgres \
        >"$_out.txt" 2>&1 || return 1
    # The per-transaction log: client, transaction, latency in us, ...
    cat "$_out.log".* | awk '{ print $3 }' | sort -n >"$_out.lat"
    [ -s "$_out.lat" ] || return 1
    awk -v name="$_name" -v txt="$_out.txt" '
        { v[NR] = $1 }
        # the smallest latency with at least p % of them at or below it
        function pct(p,  x, i) {
            x = p * NR / 100
            i = int(x)
            if (i < x) i++
            if (i < 1) i = 1
            return v[i]
        }
        END {
            while ((getline line < txt) > 0) {
                if (line ~ /^tps = /) { split(line, a, " "); rps = a[3] }
                if (line ~ /failed transactions:/) {
                    split(line, a, ": "); split(a[2], b, " "); errors = b[1]
                }
            }
            printf "mode=%s requests=%d errors=%d rps=%d p50_us=%d p99_us=%d p999_us=%d max_us=%d\n",
                name, NR, errors, rps, pct(50), pct(99), pct(99.9), v[NR]
        }' "$_out.lat"
}
