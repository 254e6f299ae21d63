#!/usr/bin/env bash
# rokso dev: init --dev makes a project on its own server (made in .rokso/dev, git-ignored,
# 0700, run as postgres since the tests run as root) and migrate works on it; start is a
# no-op when running, stop when stopped; status, url, psql and reset; a server killed
# with -9 (stale postmaster.pid) starts again. Every dev server started is stopped.
# shellcheck disable=SC1091
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

P=$WORK/devproject
Q=$WORK/second
stop_dev_servers() {
  for d in "$P" "$Q"; do [ -f "$d/config.json" ] && rokso -C "$d" dev stop >/dev/null 2>&1; done
  cleanup
}
trap stop_dev_servers EXIT

dev_port() { cat "$1/.rokso/dev/port"; }
# psql on the dev server of project $2 (default $P), database dev.
dev_sql() {
  "$PG_BIN/psql" -XAtq -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$(dev_port "${2:-$P}")" -U rokso -d dev -c "$1"
}

# Outside a project there is no dev server to speak of.
mkdir -p "$WORK/empty"
run rokso -C "$WORK/empty" dev status
expect_code 2 "dev outside a project"
expect_one_line_error "config.json"

run rokso init --dev --projectpath "$P"
expect_code 0 "init --dev"
expect_out "Dev server running: postgres://rokso@127.0.0.1:"
expect_eq "$(stat -c %a "$P/.rokso/dev")" 700 "mode of .rokso/dev"
expect_eq "$(stat -c %U "$P/.rokso/dev/data")" postgres "owner of the data directory (run as root)"
expect_eq "$(grep -c '^\*$' "$P/.rokso/.gitignore")" 1 ".rokso/.gitignore ignores everything"
grep -q '"host": "127.0.0.1"' "$P/config.json" && pass || fail "config.json does not point at the dev server"
grep -q "\"port\": $(dev_port "$P")" "$P/config.json" && pass || fail "config.json lacks the dev server's port"
expect_eq "$(dev_sql "SELECT count(*) FROM public.rokso_db_version")" 0 "the version table is on the dev server"

# migrate on it.
write_py "$P/migration/a/001_t.py" "CREATE TABLE t (id int);" "DROP TABLE t;"
run rokso -C "$P" migrate
expect_code 0 "migrate on the dev server"
expect_eq "$(dev_sql "SELECT to_regclass('public.t') IS NOT NULL")" t "the table is on the dev server"

run rokso -C "$P" dev start
expect_code 0 "start when running"
expect_out "already running"
run rokso -C "$P" dev status
expect_code 0
expect_out "dev server running (pid $(head -1 "$P/.rokso/dev/data/postmaster.pid"))"
run rokso -C "$P" dev url
expect_code 0
expect_eq "$OUT" "postgres://rokso@127.0.0.1:$(dev_port "$P")/dev" "url"
expect_eq "$("$PG_BIN/psql" -XAtq "$OUT" -c "SELECT current_user")" rokso "the url connects"
run rokso -C "$P" dev psql -XAt -c "SELECT 40 + 2"
expect_code 0 "dev psql"
expect_eq "$OUT" 42 "dev psql passes its arguments to psql"

# reset: an empty dev database again.
run rokso -C "$P" dev reset
expect_code 0 "reset"
expect_eq "$(dev_sql "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace")" 0 "reset empties the database"

# A server killed with -9 leaves its postmaster.pid: status says stopped, start starts.
PID=$(head -1 "$P/.rokso/dev/data/postmaster.pid")
kill -9 "$PID"
deadline=$(( $(date +%s) + 30 ))
while kill -0 "$PID" 2>/dev/null && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.05; done
[ -f "$P/.rokso/dev/data/postmaster.pid" ] && pass || fail "the killed server left no postmaster.pid to test with"
run rokso -C "$P" dev status
expect_code 0
expect_out "dev server stopped"
run rokso -C "$P" dev start
expect_code 0 "start after kill -9"
expect_out "dev server started"
expect_eq "$(dev_sql "SELECT 1")" 1 "the restarted server answers"

run rokso -C "$P" dev stop
expect_code 0 "stop"
expect_out "dev server stopped"
[ -f "$P/.rokso/dev/data/postmaster.pid" ] && fail "postmaster.pid left after stop" || pass
run rokso -C "$P" dev stop
expect_code 0 "stop when stopped"
expect_out "dev server is not running"
run rokso -C "$P" dev url
expect_code 1 "url when stopped"
expect_one_line_error "the dev server is not running"
run rokso -C "$P" dev frobnicate
expect_code 2 "unknown action"

# Its port taken while it was stopped: start moves to another, and config.json follows,
# its port alone rewritten (targets, other keys and ${VAR} references kept as written).
python3 - "$P/config.json" <<'PY'
import json, sys
path = sys.argv[1]
doc = json.load(open(path))
doc["targets"] = {"eu": "postgres://app:${T1300_EU_PASSWORD}@eu.example/app"}
doc["lock_wait_timeout"] = 7
json.dump(doc, open(path, "w"), indent=4, sort_keys=True)
PY
chmod 600 "$P/config.json"
OLD_PORT=$(dev_port "$P")
python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1)
open(sys.argv[2], "w").close()
while True: time.sleep(60)
' "$OLD_PORT" "$WORK/port-held" &
HOLDER=$!
for _ in $(seq 1 600); do [ -f "$WORK/port-held" ] && break; sleep 0.05; done
[ -f "$WORK/port-held" ] && pass || fail "nothing took port $OLD_PORT"
run rokso -C "$P" dev start
expect_code 0 "start with its port taken"
expect_err "port $OLD_PORT was taken, so the dev server now listens on $(dev_port "$P"); config.json follows it"
[ "$(dev_port "$P")" != "$OLD_PORT" ] && pass || fail "the dev server stayed on the taken port"
grep -q "\"port\": $(dev_port "$P")," "$P/config.json" && pass || fail "config.json's port did not follow"
grep -q 'postgres://app:${T1300_EU_PASSWORD}@eu.example/app' "$P/config.json" && pass || fail "config.json lost its target"
grep -q '"lock_wait_timeout": 7' "$P/config.json" && pass || fail "config.json lost a key"
expect_eq "$(stat -c %a "$P/config.json")" 600 "config.json's mode"
expect_eq "$(dev_sql "SELECT 1")" 1 "the moved server answers"
run rokso -C "$P" status
expect_code 0 "status on the moved server, through config.json"
kill "$HOLDER"
wait "$HOLDER" 2>/dev/null
run rokso -C "$P" dev stop
expect_code 0

# A second project gets a server of its own, on another port.
run rokso init --projectpath "$Q" --dbhost "$ROKSO_TEST_PGHOST" --dbport "$ROKSO_TEST_PGPORT" \
  --dbname postgres --dbusername postgres --dbpassword "" --dbschema public
expect_code 0
start_ns=$(date +%s%N)
run rokso -C "$Q" dev start
elapsed_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
expect_code 0 "dev start in a second project"
# Printed, not asserted: a time is a benchmark's to judge (a loaded machine would flake).
echo "# rokso dev start (initdb included) took ${elapsed_ms} ms"
[ "$(dev_port "$Q")" != "$(dev_port "$P")" ] && pass || fail "two dev servers on one port"
expect_eq "$(dev_sql "SELECT current_database()" "$Q")" dev "the second server answers"
run rokso -C "$Q" dev stop
expect_code 0

finish
