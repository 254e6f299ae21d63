#!/usr/bin/env bash
# Statements PostgreSQL refuses inside a transaction block are detected with its own
# parser: such a migration runs statement by statement, says so, records how far it got
# when it fails, and a re-run resumes after the statements that already ran. A failed
# CREATE INDEX CONCURRENTLY's invalid index is pointed out, or dropped on request.
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

new_database
new_project
cd "$PROJECT"
M=migration/offline/200.tables

# Detected, not declared.
write_py "$M/big/2021_01_01__00_00_00_index.py" "CREATE TABLE offline.big AS SELECT g AS x FROM generate_series(1, 1000) g;
CREATE INDEX CONCURRENTLY big_x ON offline.big (x);" "DROP INDEX CONCURRENTLY offline.big_x; DROP TABLE offline.big;"
run rokso show "$M/big/2021_01_01__00_00_00_index.py"
expect_out "transaction:  no (runs statement by statement outside a transaction)"
expect_out "CREATE INDEX CONCURRENTLY (line 3)"
run rokso migrate
expect_code 0 "detected CREATE INDEX CONCURRENTLY"
expect_out "runs outside a transaction, statement by statement: CREATE INDEX CONCURRENTLY (line 3)"
expect_eq "$(sql "SELECT indisvalid FROM pg_index WHERE indexrelid = 'offline.big_x'::regclass")" t "index built"
expect_eq "$(sql "SELECT status FROM offline.rokso_db_version")" complete "recorded"
run rokso rollback --yes
expect_code 0 "rollback with DROP INDEX CONCURRENTLY"
expect_eq "$(sql "SELECT to_regclass('offline.big') IS NULL")" t "rolled back"
rm -r "$M/big"

# A failure part-way: progress is recorded, and a re-run resumes after what already ran.
write_py "$M/resume/2021_01_01__00_00_00_resume.py" "CREATE TABLE offline.r1 (id int);
CREATE INDEX CONCURRENTLY r1_id ON offline.r1 (id);
SELECT 1/0;" "DROP TABLE offline.r3; DROP TABLE offline.r1;"
run rokso migrate
expect_code 1 "third statement fails"
expect_err "division by zero"
expect_err "statement 3 of 3; the 2 before it ran and stay applied"
expect_eq "$(sql "SELECT status || ' ' || progress FROM offline.rokso_db_version")" "error 2" "progress recorded"
expect_eq "$(sql "SELECT to_regclass('offline.r1_id') IS NOT NULL")" t "the first two ran"
write_py "$M/resume/2021_01_01__00_00_00_resume.py" "CREATE TABLE offline.r1 (id int);
CREATE INDEX CONCURRENTLY r1_id ON offline.r1 (id);
CREATE TABLE offline.r3 (id int);" "DROP TABLE offline.r3; DROP TABLE offline.r1;"
run rokso migrate
expect_code 0 "resumed"
expect_out "resuming after statement 2 of 3"
expect_eq "$(sql "SELECT status || ' ' || coalesce(progress::text, 'null') FROM offline.rokso_db_version")" "complete null" "completed"
expect_eq "$(sql "SELECT to_regclass('offline.r3') IS NOT NULL")" t "the rest ran"
run rokso rollback --yes
expect_code 0
rm -r "$M/resume"

# When the statements that ran have changed since, nothing is skipped.
write_py "$M/changed/2021_01_01__00_00_00_c.py" "CREATE TABLE IF NOT EXISTS offline.c1 (id int);
VACUUM offline.c1;
SELECT 1/0;" "DROP TABLE offline.c1;"
run rokso migrate
expect_code 1
write_py "$M/changed/2021_01_01__00_00_00_c.py" "CREATE TABLE IF NOT EXISTS offline.c1 (id int, note text);
VACUUM offline.c1;
SELECT 1;" "DROP TABLE offline.c1;"
run rokso migrate
expect_code 0
expect_err "have changed since; running all statements again"
rm -r "$M/changed"

# A failed CREATE UNIQUE INDEX CONCURRENTLY leaves an invalid index: said, then dropped on request.
sql "CREATE TABLE offline.dups (x int); INSERT INTO offline.dups VALUES (1), (1)"
write_py "$M/dups/2021_01_01__00_00_00_unique.py" "CREATE UNIQUE INDEX CONCURRENTLY dups_x ON offline.dups (x);" \
  "DROP INDEX CONCURRENTLY offline.dups_x;"
run rokso migrate
expect_code 1 "duplicate keys"
expect_err "left the invalid index offline.dups_x; drop it before retrying: DROP INDEX CONCURRENTLY offline.dups_x;"
expect_eq "$(sql "SELECT indisvalid FROM pg_index WHERE indexrelid = 'offline.dups_x'::regclass")" f "invalid index left by the server"
run rokso migrate --drop-invalid-indexes
expect_code 1 "still duplicate keys"
expect_err "dropped the invalid index offline.dups_x"
expect_eq "$(sql "SELECT to_regclass('offline.dups_x') IS NULL")" t "invalid index dropped"
sql "DELETE FROM offline.dups WHERE ctid = (SELECT max(ctid) FROM offline.dups)"
run rokso migrate
expect_code 0 "after fixing the data"
expect_eq "$(sql "SELECT indisvalid FROM pg_index WHERE indexrelid = 'offline.dups_x'::regclass")" t "valid index"

finish
