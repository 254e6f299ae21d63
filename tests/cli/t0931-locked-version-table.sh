#!/usr/bin/env bash
# Another session holds a lock on the version table (a long ALTER, a LOCK TABLE left
# open): `status` and `last-success` give up after the lock_timeout migrations use, exit
# 1, and say who holds the lock (pid, application_name) instead of hanging forever.
# shellcheck disable=SC1091
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

trap '[ -n "${HOLDER_PID:-}" ] && kill "$HOLDER_PID" 2>/dev/null; cleanup' EXIT

new_database
new_project
cd "$PROJECT" || exit 1
write_py "$PROJECT/migration/offline/200.tables/a/2021_01_01__00_00_00_a.py" "CREATE TABLE offline.a (id int);"
run rokso migrate
expect_code 0

# The holder: a psql whose transaction keeps the lock until this script ends it.
PGAPPNAME=t0931-holder "$PG_BIN/psql" -XAtq -h "$ROKSO_TEST_PGHOST" -p "$ROKSO_TEST_PGPORT" -U postgres -d "$DB" \
  -c "BEGIN; LOCK TABLE offline.rokso_db_version IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(120)" >/dev/null 2>&1 &
HOLDER_PID=$!
HOLDER_BACKEND=""
for _ in $(seq 1 100); do
  HOLDER_BACKEND=$(sql "SELECT l.pid FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE a.application_name = 't0931-holder' AND l.mode = 'AccessExclusiveLock' AND l.granted AND l.relation = 'offline.rokso_db_version'::regclass")
  [ -n "$HOLDER_BACKEND" ] && break
  sleep 0.05
done
[ -n "$HOLDER_BACKEND" ] || fail "the holder never took the lock"

# The default lock_timeout, 5 s.
START=$(date +%s%N)
run timeout 60 rokso status
ELAPSED_MS=$((($(date +%s%N) - START) / 1000000))
expect_code 1 "status while another session locks the version table"
expect_one_line_error "cannot read offline.rokso_db_version: another session holds a lock on it (pid $HOLDER_BACKEND, application_name 't0931-holder', AccessExclusiveLock"
expect_err "gave up after lock_timeout 5s"
[ "$ELAPSED_MS" -ge 4500 ] && [ "$ELAPSED_MS" -lt 20000 ] && pass || fail "status gave up after $ELAPSED_MS ms (lock_timeout 5s)"

# config.json's lock_timeout applies to reads too.
python3 - "$PROJECT/config.json" <<'PY'
import json, sys
path = sys.argv[1]
doc = json.load(open(path))
doc["migrations"] = {"lock_timeout": "1s"}
json.dump(doc, open(path, "w"), indent=4)
PY
for cmd in "last-success" "status --format json" "rollback --dry-run"; do
  START=$(date +%s%N)
  # shellcheck disable=SC2086
  run timeout 60 rokso $cmd
  ELAPSED_MS=$((($(date +%s%N) - START) / 1000000))
  expect_code 1 "rokso $cmd while another session locks the version table"
  expect_one_line_error "(pid $HOLDER_BACKEND, application_name 't0931-holder'"
  expect_err "gave up after lock_timeout 1s"
  [ "$ELAPSED_MS" -lt 10000 ] && pass || fail "rokso $cmd gave up after $ELAPSED_MS ms (lock_timeout 1s)"
done
# The holder still holds its lock, nothing was changed.
expect_eq "$(sql "SELECT count(*) FROM pg_locks WHERE pid = $HOLDER_BACKEND AND mode = 'AccessExclusiveLock' AND granted")" 1 "the holder's lock"

kill "$HOLDER_PID" 2>/dev/null
sql "SELECT pg_terminate_backend($HOLDER_BACKEND)" >/dev/null
wait "$HOLDER_PID" 2>/dev/null
HOLDER_PID=""
run rokso last-success
expect_code 0 "last-success once the lock is gone"
expect_eq "$(sql "SELECT count(*) FROM offline.rokso_db_version WHERE status = 'complete'")" 1 "version table rows"

finish
