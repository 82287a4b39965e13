#!/bin/sh
# deps.sh: install what binome needs to build and test, when it is missing.
# Checks with pkg-config and command -v; installs with apt-get (Debian).
# Usage: scripts/deps.sh [build|bench|report]...   (build is always checked)
set -eu

pkgs=""
need() { pkgs="$pkgs $1"; }

for pc in libsodium:libsodium-dev libuv:libuv1-dev lmdb:liblmdb-dev \
          msgpack:libmsgpack-dev cmocka:libcmocka-dev; do
    name=${pc%%:*} deb=${pc#*:}
    pkg-config --exists "$name" 2>/dev/null || need "$deb"
done
command -v pkg-config >/dev/null 2>&1 || need pkg-config
command -v readelf >/dev/null 2>&1 || need binutils   # nm, readelf: library.sh
command -v clang >/dev/null 2>&1 || need clang
command -v make >/dev/null 2>&1 || need make
command -v mdb_stat >/dev/null 2>&1 || need lmdb-utils

for extra in "$@"; do
    case "$extra" in
    build) ;;
    bench)
        command -v redis-server >/dev/null 2>&1 || need redis-server
        command -v redis-benchmark >/dev/null 2>&1 || need redis-tools
        [ -x /usr/bin/time ] || need time
        # PostgreSQL (the peers' storage): server, initdb, pg_ctl, pgbench
        ls /usr/lib/postgresql/*/bin/pgbench >/dev/null 2>&1 &&
            ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 ||
            need postgresql ;;
    report)
        command -v chromium >/dev/null 2>&1 || need chromium ;;
    valgrind)
        command -v valgrind >/dev/null 2>&1 || need valgrind ;;
    *) echo "deps.sh: unknown group '$extra'" >&2; exit 2 ;;
    esac
done

[ -z "$pkgs" ] && exit 0

echo "deps.sh: installing:$pkgs" >&2
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >&2
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $pkgs >&2
