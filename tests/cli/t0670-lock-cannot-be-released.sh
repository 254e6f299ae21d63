#!/usr/bin/env bash
# A migration cannot release rokso's lock (issue 12.3): in session mode the advisory lock
# lives on a connection of its own, so pg_advisory_unlock_all() in a migration leaves it
# held and a second migrate keeps waiting; in lease mode a migration that deletes the
# lease row is stopped before it commits, and nothing of it is recorded.
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

new_database
new_project
cd "$PROJECT"
M=migration/offline/200.tables
sql "CREATE TABLE offline.counter (n int); CREATE TABLE offline.gate (id int)"

# Session mode. The migration drops every advisory lock of its session, then blocks on
# a table the test holds, so that a second migrate tries its luck meanwhile.
write_py "$M/u/2021_01_01__00_00_00_unlock.py" "SELECT pg_advisory_unlock_all();
INSERT INTO offline.counter VALUES (1);
LOCK TABLE offline.gate IN ACCESS EXCLUSIVE MODE;"
hold_table_lock offline.gate
rokso migrate --lock-timeout 60s >"$WORK/first.out" 2>"$WORK/first.err" &
FIRST=$!
waiting=0
for _ in $(seq 1 100); do
  [ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%LOCK TABLE offline.gate%' AND pid <> pg_backend_pid()")" = 1 ] && { waiting=1; break; }
  sleep 0.1
done
expect_eq "$waiting" 1 "the first migrate ran pg_advisory_unlock_all() and waits on the gate"
run rokso migrate --lock-wait 1 --lock-timeout 1s --lock-retries 0
expect_code 1 "the second migrate does not get in"
expect_err "timed out after 1 s waiting for another rokso migrate/rollback"
expect_eq "$(sql "SELECT count(*) FROM offline.rokso_db_version")" 0 "the second migrate recorded nothing"
release_table_lock offline.gate
wait "$FIRST"
CODE=$?; OUT=$(cat "$WORK/first.out"); ERR=$(cat "$WORK/first.err")
expect_code 0 "the first migrate completes"
expect_eq "$(sql "SELECT count(*) FROM offline.counter")" 1 "the data migration ran once"
expect_eq "$(sql "SELECT count(*) || ' ' || min(status) FROM offline.rokso_db_version")" "1 complete" "recorded once"
rm -r "$M/u"

# Lease mode: deleting the lease row is caught before the commit.
write_py "$M/l/2021_01_02__00_00_00_lease.py" "DELETE FROM offline.rokso_db_version_lock;
INSERT INTO offline.counter VALUES (2);"
ROKSO_LOCK_MODE=lease run rokso migrate
expect_code 1 "lease row deleted by the migration"
expect_err "the migration lock is no longer held"
expect_eq "$(sql "SELECT count(*) FROM offline.counter WHERE n = 2")" 0 "its transaction rolled back"
expect_eq "$(sql "SELECT count(*) FROM offline.rokso_db_version WHERE filename LIKE '%/l/%'")" 0 "nothing recorded"
expect_eq "$(sql "SELECT count(*) FROM offline.rokso_db_version_lock")" 0 "the lease was released at exit"

finish
