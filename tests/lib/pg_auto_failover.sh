# A throwaway pg_auto_failover formation for the failover tests: source after
# tests/lib/cli.sh.
#
#   paf_available || skip_all "..."
#   paf_start            # monitor + primary + secondary; sets PAF_URL, PAF_PORT1, PAF_PORT2;
#                        # stopped by the EXIT trap
#   paf_primary_port     # the port of the node the monitor says is primary
#   paf_sql <port> <sql> [db]   # psql to one node (postgres user, over TCP)
#   paf_wait_primary_secondary [seconds]  # polls the monitor until one node is primary and
#                        # the other secondary, both as assigned
#   paf_failover         # pg_autoctl perform failover, waits for the new steady state
#   paf_stop_node <port> / paf_start_node <port>   # stop / start one node's pg_autoctl
#   paf_stop
#
# Everything runs on 127.0.0.1 with its own ports and in its own directory, trusts local
# TCP logins (--auth trust, no TLS: a test machine), and keeps pg_autoctl's config and
# state files under that directory (XDG_*), so nothing outside it is touched. As root,
# pg_autoctl runs as `postgres` (initdb refuses root). Speed: the data directories are
# made by initdb -N (no fsync: the slow part on a loaded machine) and run with fsync
# off, and the monitor checks health every second, so a stopped primary is noticed in
# seconds rather than pg_auto_failover's production default of 20.

PAF_BIN=${PAF_BIN:-$(command -v pg_autoctl 2>/dev/null || true)}
PAF_DIR=""
PAF_URL=""
PAF_PORT0=""  # the monitor
PAF_PORT1=""
PAF_PORT2=""
PAF_DB=appdb

paf_available() { [ -n "$PAF_BIN" ] && [ -x "$PAF_BIN" ]; }

_paf() {
  local env=(env "XDG_CONFIG_HOME=$PAF_DIR/config" "XDG_DATA_HOME=$PAF_DIR/data" "XDG_RUNTIME_DIR=$PAF_DIR/run"
    "PATH=$PG_BIN:/usr/bin:/bin" "PG_CONFIG=$PG_BIN/pg_config" "HOME=$PAF_DIR")
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "${env[@]}" "$@"; else "${env[@]}" "$@"; fi
}

_paf_free_port() {
  local port
  while :; do
    port=$(( 20000 + (RANDOM * 32768 + RANDOM + $$) % 40000 ))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && continue
    [ "$port" = "$PAF_PORT0" ] || [ "$port" = "$PAF_PORT1" ] || { echo "$port"; return; }
  done
}

paf_sql() {
  PGOPTIONS="-c client_min_messages=warning" PGCONNECT_TIMEOUT=5 "$PG_BIN/psql" -XAtq -v ON_ERROR_STOP=1 \
    -h 127.0.0.1 -p "$1" -U postgres -d "${3:-$PAF_DB}" -c "$2"
}

# The monitor's view, one line per node: "<port> <reported state> <assigned state>".
paf_states() {
  paf_sql "$PAF_PORT0" "SELECT nodeport, reportedstate, goalstate FROM pgautofailover.node ORDER BY nodeport" \
    pg_auto_failover 2>/dev/null | tr '|' ' '
}

# _paf_wait <seconds> <what> <command...>: polls the command until it succeeds.
_paf_wait() {
  local deadline=$(( $(date +%s) + $1 )) what=$2
  shift 2
  until "$@"; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "pg_auto_failover: timed out waiting for $what; the monitor says:" >&2
      paf_states >&2
      return 1
    fi
    sleep 0.2
  done
}

_paf_steady() {
  local states
  states=$(paf_states)
  [ "$(grep -c ' primary primary$' <<<"$states")" = 1 ] && [ "$(grep -c ' secondary secondary$' <<<"$states")" = 1 ]
}
paf_wait_primary_secondary() { _paf_wait "${1:-120}" "a primary and a secondary" _paf_steady; }

paf_primary_port() { paf_states | awk '$2 == "primary" && $3 == "primary" { print $1 }'; }

# _paf_initdb <dir>: a data directory made quickly, with test settings.
_paf_initdb() {
  _paf "$PG_BIN/initdb" -D "$1" -U postgres --auth=trust -N -E UTF8 --locale=C.UTF-8 >"$1.initdb.log" 2>&1 ||
    { cat "$1.initdb.log" >&2; return 1; }
  printf '%s\n' "fsync = off" "full_page_writes = off" "listen_addresses = '127.0.0.1'" \
    "unix_socket_directories = '$PAF_DIR'" "max_connections = 100" >>"$1/postgresql.conf"
}

# _paf_node <n> <port>: creates node<n> and runs its keeper in the background.
_paf_node() {
  _paf "$PAF_BIN" create postgres --pgdata "$PAF_DIR/node$1" --pgport "$2" --pghost 127.0.0.1 \
    --listen 127.0.0.1 --hostname 127.0.0.1 --name "node$1" --auth trust --no-ssl --username postgres --dbname "$PAF_DB" \
    --monitor "postgresql://autoctl_node@127.0.0.1:$PAF_PORT0/pg_auto_failover?sslmode=disable" --run \
    >>"$PAF_DIR/node$1.log" 2>&1 &
}

paf_start() {
  PAF_DIR=$(mktemp -d "/tmp/rokso-paf.XXXXXX")
  chmod 755 "$PAF_DIR"
  mkdir -p "$PAF_DIR/config" "$PAF_DIR/data" "$PAF_DIR/run"
  chmod 700 "$PAF_DIR/run"
  if [ "$(id -u)" = 0 ]; then chown -R postgres:postgres "$PAF_DIR"; fi
  trap 'paf_stop; cleanup' EXIT
  PAF_PORT0=$(_paf_free_port)
  PAF_PORT1=$(_paf_free_port)
  PAF_PORT2=$(_paf_free_port)
  # Monitor and first node are initdb'd together; pg_autoctl adopts existing directories.
  _paf_initdb "$PAF_DIR/monitor" & local init0=$!
  _paf_initdb "$PAF_DIR/node1" || return 1
  wait "$init0" || return 1
  printf '%s\n' "pgautofailover.health_check_period = 1000" "pgautofailover.health_check_timeout = 1000" \
    "pgautofailover.health_check_max_retries = 1" "pgautofailover.health_check_retry_delay = 500" \
    "pgautofailover.node_considered_unhealthy_timeout = 3000" >>"$PAF_DIR/monitor/postgresql.conf"
  _paf "$PAF_BIN" create monitor --pgdata "$PAF_DIR/monitor" --pgport "$PAF_PORT0" --hostname 127.0.0.1 \
    --listen 127.0.0.1 --auth trust --no-ssl --run >>"$PAF_DIR/monitor.log" 2>&1 &
  _paf_wait 120 "the monitor" paf_sql "$PAF_PORT0" "SELECT FROM pgautofailover.formation" pg_auto_failover \
    >/dev/null 2>&1 || return 1
  _paf_node 1 "$PAF_PORT1"
  _paf_wait 120 "node1 as single" eval 'paf_states | grep -q " single single$"' || return 1
  _paf_node 2 "$PAF_PORT2"
  paf_wait_primary_secondary 180 || return 1
  PAF_URL="postgresql://postgres@127.0.0.1:$PAF_PORT1,127.0.0.1:$PAF_PORT2/$PAF_DB?target_session_attrs=read-write&connect_timeout=2"
  echo "pg_auto_failover running: monitor $PAF_PORT0, nodes $PAF_PORT1 $PAF_PORT2; $PAF_URL"
}

# Orchestrated failover: the monitor demotes the primary (its server stops, cutting every
# session) and promotes the secondary; returns once the old primary is a secondary again.
paf_failover() {
  _paf "$PAF_BIN" perform failover --pgdata "$PAF_DIR/monitor" >>"$PAF_DIR/failover.log" 2>&1 || true
  paf_wait_primary_secondary 120
}

_paf_port_node() { [ "$1" = "$PAF_PORT1" ] && echo node1 || echo node2; }
paf_stop_node() { _paf "$PAF_BIN" stop --pgdata "$PAF_DIR/$(_paf_port_node "$1")" --immediate >/dev/null 2>&1 || true; }
paf_start_node() {
  _paf "$PAF_BIN" run --pgdata "$PAF_DIR/$(_paf_port_node "$1")" >>"$PAF_DIR/$(_paf_port_node "$1").log" 2>&1 &
}

paf_stop() {
  [ -n "$PAF_DIR" ] && [ -d "$PAF_DIR" ] || return 0
  local d
  for d in node1 node2 monitor; do
    [ -d "$PAF_DIR/$d" ] && _paf "$PAF_BIN" stop --pgdata "$PAF_DIR/$d" --immediate >/dev/null 2>&1
  done
  # The keepers stop their servers on the way out; pg_ctl makes sure none is left.
  for d in node1 node2 monitor; do
    [ -f "$PAF_DIR/$d/postmaster.pid" ] && _paf "$PG_BIN/pg_ctl" -D "$PAF_DIR/$d" -m immediate -w -t 20 stop >/dev/null 2>&1
  done
  if [ "${KEEP_WORK:-}" = 1 ]; then echo "pg_auto_failover kept in $PAF_DIR" >&2; else rm -rf "$PAF_DIR"; fi
  PAF_DIR=""
}
