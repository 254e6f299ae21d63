#!/usr/bin/env bash
# Each migration starts from the same session state, and rokso's own statements never
# depend on what a migration SET (issue 12.2): client_encoding, RESET ALL, search_path,
# SET ROLE and SET SESSION AUTHORIZATION change neither the next migration nor where and
# how the version rows are written.
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

new_database
new_project
cd "$PROJECT"
M=migration/offline/200.tables
ROLE=t0665_nobody
sql "DROP ROLE IF EXISTS $ROLE; CREATE ROLE $ROLE" postgres

# SET client_encoding in one file; the next file's name and data are not mojibake.
write_py "$M/enc/2021_01_01__00_00_00_latin1.py" "SET client_encoding = 'LATIN1';"
write_py "$M/enc/2021_01_01__00_00_01_café.py" "CREATE TABLE offline.enc (v text);
INSERT INTO offline.enc VALUES ('é');" "DROP TABLE offline.enc;"
run rokso migrate
expect_code 0 "migrate after SET client_encoding"
expect_eq "$(sql "SELECT v FROM offline.enc")" "é" "data stored as written"
expect_eq "$(sql "SELECT count(*) FROM offline.rokso_db_version WHERE filename IN ('offline/200.tables/enc/2021_01_01__00_00_00_latin1.py', 'offline/200.tables/enc/2021_01_01__00_00_01_café.py') AND status = 'complete'")" 2 "names stored as written"
run rokso migrate
expect_code 0
expect_out "Nothing to migrate"
run rokso status
expect_code 0 "status: nothing pending, nothing missing"
expect_eq "$(sql "SELECT count(*) FROM offline.rokso_db_version")" 2 "applied once"

# RESET ALL in one file: the next one still runs with rokso's lock_timeout.
sql "CREATE TABLE offline.busy (id int)"
write_py "$M/reset/2021_01_02__00_00_00_reset.py" "RESET ALL;"
write_py "$M/reset/2021_01_02__00_00_01_alter.py" "ALTER TABLE offline.busy ADD COLUMN note text;"
PGOPTIONS="-c client_min_messages=warning" "$PG_BIN/psql" -XAtq -h "$ROKSO_TEST_PGHOST" -p "$ROKSO_TEST_PGPORT" \
  -U postgres -d "$DB" -c "BEGIN; LOCK TABLE offline.busy IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(60); COMMIT;" \
  >/dev/null 2>&1 &
HOLDER=$!
for _ in $(seq 1 50); do
  [ "$(sql "SELECT count(*) FROM pg_locks WHERE relation = 'offline.busy'::regclass AND mode = 'AccessExclusiveLock' AND granted")" = 1 ] && break
  sleep 0.1
done
start=$(date +%s)
run timeout 40 rokso migrate --lock-timeout 300ms --lock-retries 0
elapsed=$(( $(date +%s) - start ))
expect_code 1 "the blocked ALTER timed out"
expect_err "55P03"
[ "$elapsed" -lt 20 ] && pass || fail "waited ${elapsed}s: RESET ALL removed the lock timeout"
expect_eq "$(sql "SELECT string_agg(split_part(filename, '/', 4) || ' ' || status, ',' ORDER BY id) FROM offline.rokso_db_version WHERE filename LIKE '%/reset/%'")" \
  "2021_01_02__00_00_00_reset.py complete,2021_01_02__00_00_01_alter.py error" "RESET ALL applied, the ALTER failed"
kill "$HOLDER" 2>/dev/null; wait "$HOLDER" 2>/dev/null
sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'BEGIN; LOCK TABLE%' AND pid <> pg_backend_pid()" >/dev/null
run rokso migrate
expect_code 0 "retried once the lock is gone"
rm -r "$M/reset"

# search_path, SET ROLE and SET SESSION AUTHORIZATION cannot redirect bookkeeping, nor
# carry over into the next migration.
write_py "$M/path/2021_01_03__00_00_00_path.py" "CREATE SCHEMA evil;
CREATE FUNCTION evil.clock_timestamp() RETURNS timestamptz LANGUAGE sql AS \$\$ SELECT timestamptz '2000-01-01 00:00+00' \$\$;
SET search_path = evil, pg_catalog;"
write_py "$M/path/2021_01_03__00_00_01_role.py" "SET ROLE $ROLE;"
write_py "$M/path/2021_01_03__00_00_02_after_role.py" "CREATE TABLE offline.after_role (id int);"
write_py "$M/path/2021_01_03__00_00_03_auth.py" "SET SESSION AUTHORIZATION $ROLE;"
write_py "$M/path/2021_01_03__00_00_04_after_auth.py" "CREATE TABLE offline.after_auth (id int);
CREATE TABLE after_path (id int);"
run rokso migrate
expect_code 0 "migrations that SET search_path, ROLE and SESSION AUTHORIZATION"
expect_eq "$(sql "SELECT count(*) FROM offline.rokso_db_version WHERE filename LIKE '%/path/%' AND status = 'complete' AND executedAt > '2001-01-01' AND executed_by = 'postgres'")" 5 "rows written by rokso's rules, as the connecting role"
expect_eq "$(sql "SELECT string_agg(tableowner, ',' ORDER BY tablename) FROM pg_tables WHERE tablename IN ('after_role', 'after_auth')")" "postgres,postgres" "the next migrations run as the connecting role"
expect_eq "$(sql "SELECT schemaname FROM pg_tables WHERE tablename = 'after_path'")" public "the next migration has the default search_path"

finish
