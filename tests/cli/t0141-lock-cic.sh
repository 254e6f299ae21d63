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
sleep 0.7
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

finish
