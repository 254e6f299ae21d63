#!/usr/bin/env bash
# A rokso waiting for the lock holds no snapshot, so it cannot deadlock with a
# CREATE INDEX CONCURRENTLY run by the holder (CIC waits for every older snapshot).
# Also: a migration declared `transaction = False` runs statement by statement, says so,
# and is recorded once it succeeded.
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

new_database
new_project
cd "$PROJECT"
sql "CREATE TABLE offline.big AS SELECT g AS x FROM generate_series(1, 20000) g"
mkdir -p migration/offline/200.tables/big
cat >migration/offline/200.tables/big/2021_01_01__00_00_00_index.py <<'PY'
transaction = False

apply_sql = """
SELECT pg_sleep(2);
CREATE INDEX CONCURRENTLY big_x_idx ON offline.big (x);
"""

rollback_sql = "DROP INDEX CONCURRENTLY IF EXISTS offline.big_x_idx;"

migrations = {"apply": apply_sql, "rollback": rollback_sql}
PY

start=$(date +%s)
rokso migrate >"$WORK/holder.out" 2>"$WORK/holder.err" &
holder=$!
# The waiter starts once the holder is inside its migration (holding the lock), not
# after a guessed time: under load the holder may not even have connected by then.
wait_until "SELECT count(*) > 0 FROM pg_stat_activity WHERE datname = current_database()
              AND query LIKE '%pg_sleep(2)%' AND pid <> pg_backend_pid()" 60 "the holder's migration to start"
rokso migrate --lock-wait 60 >"$WORK/waiter.out" 2>"$WORK/waiter.err" &
waiter=$!
wait "$holder"; holder_code=$?
wait "$waiter"; waiter_code=$?
elapsed=$(( $(date +%s) - start ))
CODE=$holder_code; OUT=$(cat "$WORK/holder.out"); ERR=$(cat "$WORK/holder.err")
expect_code 0 "holder running CREATE INDEX CONCURRENTLY"
expect_out "runs outside a transaction"
CODE=$waiter_code; OUT=$(cat "$WORK/waiter.out"); ERR=$(cat "$WORK/waiter.err")
expect_code 0 "waiter"
expect_err "waiting for another rokso migrate/rollback"
expect_out "Nothing to migrate"
[ "$elapsed" -lt 20 ] && pass || fail "CIC and the waiting rokso took ${elapsed}s (deadlock until timeout?)"
expect_eq "$(sql "SELECT indisvalid FROM pg_index WHERE indexrelid = 'offline.big_x_idx'::regclass")" t "index built and valid"
expect_eq "$(sql "SELECT status FROM offline.rokso_db_version")" complete "recorded"

run rokso rollback --yes
expect_code 0 "concurrent rollback outside a transaction"
expect_eq "$(sql "SELECT to_regclass('offline.big_x_idx') IS NULL")" t "index dropped"
expect_eq "$(sql "SELECT count(*) FROM offline.rokso_db_version")" 0 "row removed"

# A CREATE INDEX CONCURRENTLY that hits the lock timeout once its index is in the catalog
# (waiting for a writer's open transaction) leaves that index invalid: the retry drops
# it and builds it again, instead of failing on "already exists" (issue 12.7).
rm -r migration/offline/200.tables/big
sql "CREATE TABLE offline.cic (x int)"
write_py migration/offline/200.tables/cic/2021_01_02__00_00_00_cic.py "CREATE INDEX CONCURRENTLY cic_x ON offline.cic (x);" \
  "DROP INDEX CONCURRENTLY offline.cic_x;"
PGOPTIONS="-c client_min_messages=warning" "$PG_BIN/psql" -XAtq -h "$ROKSO_TEST_PGHOST" -p "$ROKSO_TEST_PGPORT" \
  -U postgres -d "$DB" -c "BEGIN; INSERT INTO offline.cic VALUES (1); SELECT pg_sleep(60); COMMIT;" >/dev/null 2>&1 &
writer=$!
for _ in $(seq 1 50); do
  [ "$(sql "SELECT count(*) FROM pg_locks WHERE relation = to_regclass('offline.cic') AND mode = 'RowExclusiveLock' AND granted")" = 1 ] && break
  sleep 0.1
done
rokso migrate --lock-timeout 300ms --lock-retries 6 >"$WORK/cic.out" 2>"$WORK/cic.err" &
cic=$!
for _ in $(seq 1 200); do
  grep -q "lock timeout while applying" "$WORK/cic.err" && break
  sleep 0.1
done
expect_eq "$(sql "SELECT count(*) FROM pg_index WHERE indexrelid = to_regclass('offline.cic_x') AND NOT indisvalid")" 1 "the timed-out build left an invalid index"
kill "$writer" 2>/dev/null; wait "$writer" 2>/dev/null
sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'BEGIN; INSERT INTO offline.cic%'" >/dev/null
wait "$cic"
CODE=$?; OUT=$(cat "$WORK/cic.out"); ERR=$(cat "$WORK/cic.err")
expect_code 0 "CREATE INDEX CONCURRENTLY retried after a lock timeout"
expect_out "dropped the invalid index offline.cic_x the timed-out attempt left"
expect_eq "$(sql "SELECT indisvalid FROM pg_index WHERE indexrelid = 'offline.cic_x'::regclass")" t "index built and valid"
expect_eq "$(sql "SELECT status FROM offline.rokso_db_version WHERE filename LIKE '%cic.py'")" complete "recorded"

finish
