#!/usr/bin/env bash
# Every migration runs with a lock_timeout: blocked by another session's lock it fails
# fast instead of queueing everyone behind it, is retried with backoff, and then
# either succeeds (the lock went away) or is reported with SQLSTATE 55P03.
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

new_database
new_project
cd "$PROJECT"
sql "CREATE TABLE offline.busy (id int)"
write_py migration/offline/200.tables/busy/2021_01_01__00_00_00_alter.py \
  "ALTER TABLE offline.busy ADD COLUMN note text;" "ALTER TABLE offline.busy DROP COLUMN note;"

# hold_table_lock <seconds>: another session holds ACCESS EXCLUSIVE on offline.busy.
hold_table_lock() {
  PGOPTIONS="-c client_min_messages=warning" "$PG_BIN/psql" -XAtq -h "$ROKSO_TEST_PGHOST" -p "$ROKSO_TEST_PGPORT" \
    -U postgres -d "$DB" -c "BEGIN; LOCK TABLE offline.busy IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep($1); COMMIT;" \
    >/dev/null 2>&1 &
  HOLDER=$!
  for _ in $(seq 1 50); do
    [ "$(sql "SELECT count(*) FROM pg_locks WHERE database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND relation = 'offline.busy'::regclass AND mode = 'AccessExclusiveLock' AND granted")" = 1 ] && return
    sleep 0.1
  done
  fail "could not lock offline.busy for the test"
}

hold_table_lock 30
start=$(date +%s)
run rokso migrate --lock-timeout 200ms --lock-retries 2
elapsed=$(( $(date +%s) - start ))
expect_code 1 "still locked after the retries"
expect_err "lock timeout while applying"
expect_err "retry 1 of 2"
expect_err "retry 2 of 2"
expect_err "55P03"
expect_err "Your migration 'offline/200.tables/busy/2021_01_01__00_00_00_alter.py' has failed"
[ "$elapsed" -lt 15 ] && pass || fail "gave up only after ${elapsed}s"
expect_eq "$(sql "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'offline' AND table_name = 'busy' AND column_name = 'note'")" 0 "not applied"
expect_eq "$(sql "SELECT status FROM offline.rokso_db_version")" error "recorded as failed"
kill "$HOLDER" 2>/dev/null; wait "$HOLDER" 2>/dev/null
sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'BEGIN; LOCK TABLE offline.busy%' AND pid <> pg_backend_pid()" >/dev/null

# The lock goes away during the backoff: the retry succeeds.
hold_table_lock 1.5
run rokso migrate --lock-timeout 300ms
expect_code 0 "succeeds on a retry"
expect_err "retry 1 of 3"
expect_eq "$(sql "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'offline' AND table_name = 'busy' AND column_name = 'note'")" 1 "applied"
expect_eq "$(sql "SELECT status FROM offline.rokso_db_version")" complete "recorded"
wait "$HOLDER" 2>/dev/null

# Settings from config.json, checked like flags.
sed -i 's/^{/{"migrations": {"lock_timeout": "soon"},/' config.json
run rokso migrate
expect_code 2 "bad lock_timeout in config.json"
expect_one_line_error "lock timeout 'soon' is not a duration"
run rokso migrate --lock-timeout 5x
expect_code 2 "bad --lock-timeout"

finish
