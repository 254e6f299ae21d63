#!/usr/bin/env bash
# A throwaway PostgreSQL for the tests: initdb + pg_ctl into <dir>, its own unix socket
# in <dir> and its own TCP port on 127.0.0.1. As root, the server runs as `postgres`
# (initdb refuses root). Writes <dir>/env for the tests to source.
#
#   pg_cluster.sh start <dir>      a new cluster (any old one in <dir> is wiped)
#   pg_cluster.sh restart <dir>    start <dir>'s existing cluster again, same port
#                                  (e.g. after its postmaster was killed)
#   pg_cluster.sh stop <dir>
#
# Local connections (unix socket) trust everyone; TCP connections need a password
# (scram-sha-256), so the tests can check wrong-password handling for real.
set -euo pipefail

action=${1:?start|stop}
dir=${2:?directory}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

case "$action" in
start)
  if [ -f "$dir/env" ] && as_postgres "$PG_BIN/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    as_postgres "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
  mkdir -p "$dir"
  if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$dir"; fi
  chmod 700 "$dir"
  as_postgres "$PG_BIN/initdb" -D "$dir/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
    -N -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
  for attempt in $(seq 1 20); do
    port=$(( 20000 + (RANDOM * 32768 + RANDOM + $$) % 40000 ))
    port_in_use "$port" && continue
    if as_postgres "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-k $dir -p $port -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
        start >/dev/null 2>&1; then
      break
    fi
    port=""
  done
  if [ -z "${port:-}" ]; then cat "$dir/server.log" >&2; echo "cannot start PostgreSQL" >&2; exit 1; fi
  chmod 755 "$dir"  # the socket must be reachable by the (root or not) test processes
  # A login role with a password, as the tutorial's pguser.
  "$PG_BIN/psql" -XAtq -h "$dir" -p "$port" -U postgres -d postgres \
    -c "CREATE ROLE pguser LOGIN SUPERUSER PASSWORD 'tutorial-secret'" >/dev/null
  cat >"$dir/env" <<ENV
export ROKSO_TEST_PGHOST='$dir'
export ROKSO_TEST_PGPORT='$port'
export ROKSO_TEST_PGDIR='$dir'
ENV
  echo "PostgreSQL running: socket $dir, port $port"
  ;;
restart)
  . "$dir/env"
  as_postgres "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-k $dir -p $ROKSO_TEST_PGPORT -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null
  ;;
stop)
  if [ -d "$dir/data" ]; then
    as_postgres "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
  ;;
*)
  echo "usage: $0 start|restart|stop <dir>" >&2
  exit 2
  ;;
esac
