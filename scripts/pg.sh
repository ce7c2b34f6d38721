#!/usr/bin/env bash
# A private PostgreSQL for the project: data, socket and log under one folder, listening on loopback.
# Usage: scripts/pg.sh start|stop|status|url
# PostgreSQL refuses to run as root, so as root it runs as the `postgres` user.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${LIGHTNING_PG_DIR:-$root/.pg}
port=${LIGHTNING_PG_PORT:-55432}
database=${LIGHTNING_PG_DATABASE:-lightning}
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$bindir" ] || { echo "PostgreSQL is not installed (run scripts/install-deps.sh)" >&2; exit 1; }

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

url="postgres://postgres@127.0.0.1:$port/$database"

case "${1:-start}" in
  start)
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      as_owner "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log"
    fi
    if ! as_owner "$bindir/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
      as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_buffers=256MB ${LIGHTNING_PG_OPTIONS:-}" start >/dev/null
    fi
    if ! as_owner "$bindir/psql" -h "$dir" -p "$port" -U postgres -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = '$database'" | grep -q 1; then
      as_owner "$bindir/psql" -h "$dir" -p "$port" -U postgres -d postgres -qc "CREATE DATABASE \"$database\"" >/dev/null
    fi
    echo "PostgreSQL ready at $url"
    ;;
  stop)
    if [ -f "$dir/data/PG_VERSION" ] && as_owner "$bindir/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
      as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
      echo "PostgreSQL stopped"
    fi
    ;;
  status)
    as_owner "$bindir/pg_ctl" -D "$dir/data" status
    ;;
  url)
    echo "$url"
    ;;
  *)
    echo "usage: $0 start|stop|status|url" >&2
    exit 2
    ;;
esac
