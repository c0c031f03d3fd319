#!/usr/bin/env bash
# Runs a command with the backing services the scale-out tests need, then stops them:
#
#   tests/services/with-services.sh cargo test --release
#
# - PostgreSQL: a fresh cluster in a temporary directory on a free loopback port, started as
#   the `postgres` user when run as root (PostgreSQL refuses to run as root). The command sees
#   SLOTLINE_TEST_POSTGRES_URL; tests create their own databases in it.
# - Redis: tests start and restart their own `redis-server` (they need to kill it mid-test);
#   the command sees its path as SLOTLINE_TEST_REDIS_SERVER.
# - Chromium and chromedriver: the console test drives a real headless browser over WebDriver;
#   the command sees their paths as SLOTLINE_TEST_CHROMIUM and SLOTLINE_TEST_CHROMEDRIVER.
#
# Missing packages (redis-server, postgresql, chromium, chromium-driver) are installed from
# Debian first. Nothing here is needed by `make run`.
set -euo pipefail

need=()
command -v redis-server >/dev/null || need+=(redis-server)
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
[ -n "$pg_bin" ] && [ -x "$pg_bin/initdb" ] || need+=(postgresql)
command -v chromium >/dev/null || need+=(chromium)
command -v chromedriver >/dev/null || need+=(chromium-driver)
if [ ${#need[@]} -gt 0 ]; then
    echo "with-services: installing ${need[*]}" >&2
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
    pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi

# Run PostgreSQL's tools as its own user when we are root.
as_pg() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

pg_dir=$(mktemp -d /tmp/slotline-pg.XXXXXX)
[ "$(id -u)" -eq 0 ] && chown postgres: "$pg_dir"
pg_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null \
    || shuf -i 20000-60000 -n 1)

stop() {
    as_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$pg_dir"
}
trap stop EXIT

as_pg "$pg_bin/initdb" -D "$pg_dir/data" -U slotline --auth=trust -E UTF8 >"$pg_dir/initdb.log" 2>&1 \
    || { cat "$pg_dir/initdb.log" >&2; exit 1; }
as_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w \
    -o "-h 127.0.0.1 -p $pg_port -k $pg_dir -c fsync=off -c max_connections=200" start >/dev/null \
    || { cat "$pg_dir/server.log" >&2; exit 1; }

export SLOTLINE_TEST_POSTGRES_URL="postgres://slotline@127.0.0.1:$pg_port/postgres"
export SLOTLINE_TEST_REDIS_SERVER
SLOTLINE_TEST_REDIS_SERVER=$(command -v redis-server)
export SLOTLINE_TEST_CHROMIUM SLOTLINE_TEST_CHROMEDRIVER
SLOTLINE_TEST_CHROMIUM=${SLOTLINE_TEST_CHROMIUM:-$(command -v chromium)}
SLOTLINE_TEST_CHROMEDRIVER=${SLOTLINE_TEST_CHROMEDRIVER:-$(command -v chromedriver)}
echo "with-services: PostgreSQL on 127.0.0.1:$pg_port, redis-server at $SLOTLINE_TEST_REDIS_SERVER" >&2

"$@"
