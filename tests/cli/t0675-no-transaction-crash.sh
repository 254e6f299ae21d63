#!/usr/bin/env bash
# kill -9 in the middle of a migration that runs statement by statement (issue 12.6):
# each statement that committed is recorded right after it, so the retry resumes after
# it instead of running it again (and failing on "already exists").
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

new_database
new_project
cd "$PROJECT"
M=migration/offline/200.tables
sql "CREATE TABLE offline.gate (id int)"
mkdir -p "$M/k"
cat >"$M/k/2021_01_01__00_00_00_k.py" <<'PY'
transaction = False
apply_sql = """
CREATE TABLE offline.k1 (id int);
ALTER TABLE offline.gate ADD COLUMN note text;
CREATE TABLE offline.k3 (id int);
"""
rollback_sql = "DROP TABLE offline.k3; ALTER TABLE offline.gate DROP COLUMN note; DROP TABLE offline.k1;"
migrations = {"apply": apply_sql, "rollback": rollback_sql}
PY

# The second statement blocks on a lock the test holds; rokso is killed while it waits.
hold_table_lock offline.gate
rokso migrate --lock-timeout 60s >"$WORK/m.out" 2>"$WORK/m.err" &
ROKSO=$!
waiting=0
for _ in $(seq 1 100); do
  [ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'ALTER TABLE offline.gate%'")" = 1 ] && { waiting=1; break; }
  sleep 0.1
done
expect_eq "$waiting" 1 "rokso waits in the second statement"
kill -9 "$ROKSO"; wait "$ROKSO" 2>/dev/null
sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'ALTER TABLE offline.gate%'" >/dev/null
expect_eq "$(sql "SELECT to_regclass('offline.k1') IS NOT NULL")" t "the first statement committed"
expect_eq "$(sql "SELECT status || ' ' || progress FROM offline.rokso_db_version")" "error 1" "and was recorded"
release_table_lock offline.gate

run rokso migrate
expect_code 0 "the retry resumes"
expect_out "resuming after statement 1 of 3"
expect_eq "$(sql "SELECT status || ' ' || coalesce(progress::text, 'null') FROM offline.rokso_db_version")" "complete null" "recorded complete"
expect_eq "$(sql "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'offline' AND table_name = 'gate' AND column_name = 'note'")" 1 "the second statement ran"
expect_eq "$(sql "SELECT to_regclass('offline.k3') IS NOT NULL")" t "the third statement ran"

finish
