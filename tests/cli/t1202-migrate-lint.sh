#!/usr/bin/env bash
# migrate --lint=off|warn|error (issue 15): the lint findings of what migrate is about to
# run, printed before it runs; `error` refuses to run anything on an error finding; the
# default `warn` prints and applies.
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

new_database
new_project
cd "$PROJECT"
sql "CREATE TABLE offline.t (a int); INSERT INTO offline.t VALUES (1)"
M=migration/offline/200.tables
mkdir -p "$M/t"
printf 'CREATE TABLE offline.first (a int);\n' >"$M/t/2021_01_01__00_00_00_first.up.sql"
printf 'DROP TABLE offline.first;\n' >"$M/t/2021_01_01__00_00_00_first.down.sql"
printf 'ALTER TABLE offline.t ADD COLUMN b int;\n\nCREATE INDEX t_b ON offline.t (b);\n' >"$M/t/2021_01_01__00_00_01_idx.up.sql"
printf 'DROP INDEX offline.t_b;\nALTER TABLE offline.t DROP COLUMN b;\n' >"$M/t/2021_01_01__00_00_01_idx.down.sql"

run rokso migrate --lint=loud
expect_code 2 "bad --lint value"
expect_one_line_error "unknown --lint mode 'loud' (off, warn or error)"

# error: refused, nothing applied (not even the clean file before it).
run rokso migrate --lint=error
expect_code 1 "refused"
expect_err "error: lint: migration/offline/200.tables/t/2021_01_01__00_00_01_idx.up.sql:3: require-concurrent-index-creation (error)"
expect_err "error: lint found 1 error(s) in the migrations to run; nothing was applied"
expect_eq "$(sql "SELECT to_regclass('offline.first') IS NULL")" t "first not created"
expect_eq "$(sql "SELECT count(*) FROM information_schema.columns WHERE table_name = 't' AND column_name = 'b'")" 0 "t unchanged"
expect_eq "$(sql "SELECT count(*) FROM offline.rokso_db_version")" 0 "nothing recorded"

# The rule made a warning in config.json: --lint=error prints it and runs.
cp config.json config.good
sed -i '0,/{/s//{"lint": {"severity": {"require-concurrent-index-creation": "warning"}},/' config.json
run rokso migrate --lint=error
expect_code 0 "warnings only: runs"
expect_err "warning: lint: migration/offline/200.tables/t/2021_01_01__00_00_01_idx.up.sql:3: require-concurrent-index-creation (warning): builds an index on the existing table \"t\" without CONCURRENTLY; fix: CREATE INDEX CONCURRENTLY"
expect_eq "$(sql "SELECT count(*) FROM offline.rokso_db_version WHERE status = 'complete'")" 2 "both applied"
expect_eq "$(sql "SELECT count(*) FROM pg_indexes WHERE indexname = 't_b'")" 1 "index built"
cp config.good config.json

# warn (the default): an error finding is printed as a warning, then applied.
printf 'ALTER TABLE offline.t ALTER COLUMN a TYPE bigint;\n' >"$M/t/2021_01_01__00_00_02_type.up.sql"
printf 'ALTER TABLE offline.t ALTER COLUMN a TYPE int;\n' >"$M/t/2021_01_01__00_00_02_type.down.sql"
run rokso migrate
expect_code 0 "warn applies"
expect_err "warning: lint: migration/offline/200.tables/t/2021_01_01__00_00_02_type.up.sql:1: changing-column-type (error): changes the type of column \"t.a\" of an existing table"
expect_eq "$(printf '%s\n' "$ERR" | grep -c 'lint:')" 1 "one finding"
expect_eq "$(sql "SELECT data_type FROM information_schema.columns WHERE table_name = 't' AND column_name = 'a'")" bigint "applied"

# off: nothing printed, applied.
printf 'ALTER TABLE offline.t RENAME COLUMN b TO c;\n' >"$M/t/2021_01_01__00_00_03_rename.up.sql"
printf 'ALTER TABLE offline.t RENAME COLUMN c TO b;\n' >"$M/t/2021_01_01__00_00_03_rename.down.sql"
run rokso lint --format json
expect_json "doc->'findings'->0->>'rule'" renaming-column "the pending file has a finding"
run rokso migrate --lint=off
expect_code 0
expect_no_out "lint:"
expect_eq "$(sql "SELECT count(*) FROM information_schema.columns WHERE table_name = 't' AND column_name = 'c'")" 1 "renamed"

# Nothing pending: nothing to lint, nothing printed.
run rokso migrate --lint=error
expect_code 0
expect_no_out "lint:"
run rokso lint
expect_code 0
expect_out "lint: nothing to lint (no pending migration)"
finish
