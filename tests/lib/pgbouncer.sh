# A throwaway PgBouncer in front of the test PostgreSQL: source after tests/lib/cli.sh.
#
#   pgbouncer_available || skip_all "..."
#   pgbouncer_start transaction     # pool mode; sets PGB_PORT, stopped by the EXIT trap
#   pgbouncer_stop
#
# Clients log in over TCP on 127.0.0.1:$PGB_PORT as pguser with the test password
# (auth_type md5 against an auth_file); PgBouncer reaches PostgreSQL over its unix socket,
# where the test cluster trusts local logins. As root it runs as `postgres` (it refuses
# root, as initdb does).

PGB_BIN=${PGB_BIN:-}
if [ -z "$PGB_BIN" ]; then
  PGB_BIN=$(command -v pgbouncer 2>/dev/null || true)
  [ -z "$PGB_BIN" ] && [ -x /usr/sbin/pgbouncer ] && PGB_BIN=/usr/sbin/pgbouncer
fi
PGB_DIR=""
PGB_PORT=""

pgbouncer_available() { [ -n "$PGB_BIN" ] && [ -x "$PGB_BIN" ]; }

# Ends the script as passed, with one clear SKIP line.
skip_all() {
  echo "$TEST_NAME: SKIP: $*"
  exit 0
}

_pgb_as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pgbouncer_start() {
  local mode=${1:-transaction}
  PGB_DIR=$(mktemp -d "/tmp/rokso-pgbouncer.XXXXXX")
  chmod 755 "$PGB_DIR"
  printf '"pguser" "tutorial-secret"\n' >"$PGB_DIR/userlist.txt"
  local attempt
  for attempt in $(seq 1 20); do
    PGB_PORT=$(( 20000 + (RANDOM * 32768 + RANDOM + $$ + attempt) % 40000 ))
    (exec 3<>"/dev/tcp/127.0.0.1/$PGB_PORT") 2>/dev/null && continue
    cat >"$PGB_DIR/pgbouncer.ini" <<INI
[databases]
* = host=$ROKSO_TEST_PGHOST port=$ROKSO_TEST_PGPORT

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PGB_PORT
unix_socket_dir =
auth_type = md5
auth_file = $PGB_DIR/userlist.txt
pool_mode = $mode
max_client_conn = 200
default_pool_size = 20
logfile = $PGB_DIR/pgbouncer.log
pidfile = $PGB_DIR/pgbouncer.pid
INI
    if [ "$(id -u)" = 0 ]; then chown -R postgres:postgres "$PGB_DIR"; fi
    if _pgb_as_postgres "$PGB_BIN" -d -q "$PGB_DIR/pgbouncer.ini" 2>>"$PGB_DIR/start.err"; then
      local i
      for i in $(seq 1 50); do
        (exec 3<>"/dev/tcp/127.0.0.1/$PGB_PORT") 2>/dev/null && { trap 'pgbouncer_stop; cleanup' EXIT; return 0; }
        sleep 0.1
      done
      pgbouncer_stop
    fi
  done
  echo "cannot start pgbouncer:" >&2
  cat "$PGB_DIR/start.err" "$PGB_DIR/pgbouncer.log" >&2 2>/dev/null
  return 1
}

pgbouncer_stop() {
  [ -n "$PGB_DIR" ] || return 0
  if [ -f "$PGB_DIR/pgbouncer.pid" ]; then
    local pid
    pid=$(cat "$PGB_DIR/pgbouncer.pid")
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  [ "${KEEP_WORK:-}" = 1 ] || rm -rf "$PGB_DIR"
  PGB_DIR=""
}

# psql through PgBouncer as pguser (the test database unless $2).
pgb_sql() {
  PGPASSWORD=tutorial-secret "$PG_BIN/psql" -XAtq -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PGB_PORT" -U pguser \
    -d "${2:-$DB}" -c "$1"
}
