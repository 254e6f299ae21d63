#!/usr/bin/env bash
# rokso lint --explain (issue 15): the applied part of the tree replayed on a throwaway
# database, then each pending (or named) migration run there statement by statement in a
# transaction that is rolled back: the locks each statement takes on existing relations
# (ACCESS EXCLUSIVE called out), the tables it rewrites, its time. A type change shows
# ACCESS EXCLUSIVE and a rewrite; ADD COLUMN ACCESS EXCLUSIVE and no rewrite; CREATE
# INDEX CONCURRENTLY is not run (it cannot run in a transaction block); a failing
# statement exits 1. The throwaway database is dropped and the project's database is
# left as it was; one case runs on the project's dev server (no --dev-url).
# shellcheck disable=SC1091
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

new_database
SERVER="host=$ROKSO_TEST_PGHOST port=$ROKSO_TEST_PGPORT user=postgres dbname=postgres"
stop_dev() {
  [ -f "$WORK/project/.rokso/dev/port" ] && rokso -C "$WORK/project" dev stop >/dev/null 2>&1
  cleanup
}
trap stop_dev EXIT
throwaways() { sql "SELECT count(*) FROM pg_database WHERE datname LIKE 'rokso\_explain\_%'" postgres; }

new_project
M=$PROJECT/migration
write_py "$M/001_t.py" "CREATE TABLE public.t (id int PRIMARY KEY, v int);
INSERT INTO public.t SELECT g, g FROM generate_series(1, 100) g;" "DROP TABLE public.t;"
run rokso -C "$PROJECT" migrate --lint=off
expect_code 0 "the first migration is applied"

write_py "$M/002_type.py" "SET lock_timeout = '5s';
ALTER TABLE public.t ALTER COLUMN v TYPE bigint;" "ALTER TABLE public.t ALTER COLUMN v TYPE int;"
write_py "$M/003_cic.py" "CREATE INDEX CONCURRENTLY t_v ON public.t (v);" "DROP INDEX CONCURRENTLY public.t_v;"
write_py "$M/004_add.py" "SET lock_timeout = '5s';
ALTER TABLE public.t ADD COLUMN note text;
CREATE TABLE public.u (id int);" "DROP TABLE public.u; ALTER TABLE public.t DROP COLUMN note;"

run rokso -C "$PROJECT" lint --explain --dev-url "$SERVER"
expect_code 1 "lint's errors keep their exit code"
expect_out "changing-column-type"
expect_out "migration/002_type.py (explained in one transaction, rolled back)"
expect_out "  line 3: ALTER TABLE public.t ALTER COLUMN v TYPE bigint"
expect_out "    ACCESS EXCLUSIVE: reads and writes of the table wait while it runs"
expect_out "    locks: ACCESS EXCLUSIVE on table public.t"
expect_out "    rewrote: table public.t, index public.t_pkey"
expect_out "migration/003_cic.py (runs outside a transaction; explained in one, rolled back)"
expect_out "    not run: CREATE INDEX CONCURRENTLY cannot run inside a transaction block"
expect_out "  line 3: ALTER TABLE public.t ADD COLUMN note text"
expect_eq "$(throwaways)" 0 "the throwaway database is dropped"
expect_eq "$(sql "SELECT format_type(atttypid, -1) FROM pg_attribute WHERE attrelid = 'public.t'::regclass AND attname = 'v'")" \
  integer "the project's database is untouched"
expect_eq "$(sql "SELECT count(*) FROM offline.rokso_db_version")" 1 "nothing recorded in the project's database"

run rokso -C "$PROJECT" lint --explain --dev-url "$SERVER" --format json
expect_code 1
stmt="doc->'explain'->"
expect_json "jsonb_array_length(doc->'explain')" 3 "three migrations explained"
expect_json "${stmt}0->'statements'->1->>'outcome'" ran
expect_json "${stmt}0->'statements'->1->>'line'" 3 "the line in the file"
expect_json "${stmt}0->'statements'->1->>'line_in'" file
expect_json "${stmt}0->'statements'->1->>'access_exclusive'" true
expect_json "${stmt}0->'statements'->1->'rewrites'->0->>'relation'" public.t
expect_json "${stmt}0->'statements'->0->'locks'" "[]" "SET takes no lock"
expect_json "${stmt}1->>'transactional'" false
expect_json "${stmt}1->'statements'->0->>'outcome'" not_run
expect_json "${stmt}1->'statements'->0->'locks'" "[]"
# ADD COLUMN without a default: ACCESS EXCLUSIVE, but no rewrite. It runs after 002
# and 003 were applied on the throwaway database: the index of 003 exists there.
expect_json "${stmt}2->'statements'->1->>'access_exclusive'" true
expect_json "${stmt}2->'statements'->1->'rewrites'" "[]" "ADD COLUMN rewrites nothing"
expect_json "${stmt}2->'statements'->2->'locks'" "[]" "a new table locks nothing existing"
expect_json "${stmt}2->'statements'->2->>'milliseconds' IS NOT NULL" t
expect_eq "$(throwaways)" 0

# A named migration whose statement fails: exit 1, the rest not reached.
write_py "$WORK/bad.py" "ALTER TABLE public.nope ADD COLUMN x int;
CREATE TABLE public.w (id int);" "DROP TABLE public.w;"
run rokso -C "$PROJECT" lint --explain --dev-url "$SERVER" "$WORK/bad.py"
expect_code 1 "a failing statement"
expect_out "    failed: "
expect_out 'relation "public.nope" does not exist'
expect_out "    not reached: an earlier statement failed"
expect_err "error: lint --explain: 1 statement(s) failed on the throwaway database"
expect_eq "$(throwaways)" 0 "dropped after a failure too"
expect_eq "$(sql "SELECT to_regclass('public.w') IS NULL")" t

# Usage mistakes: exit 2, nothing made.
run rokso -C "$PROJECT" lint --explain --all --dev-url "$SERVER"
expect_code 2 "--explain with --all"
expect_one_line_error "--explain runs the pending or the named migrations, not --all"
run rokso -C "$PROJECT" lint --explain --dev-url "$SERVER" 001_t.py
expect_code 2 "an applied migration"
expect_one_line_error "is applied already"
run rokso -C "$PROJECT" lint --dev-url "$SERVER"
expect_code 2 "--dev-url without --explain"
expect_eq "$(throwaways)" 0

# Nothing pending: nothing run, no throwaway database made.
mkdir -p "$WORK/empty/migration"
cp "$PROJECT/config.json" "$WORK/empty/config.json"
run rokso -C "$WORK/empty" lint --explain --dev-url "$SERVER"
expect_code 0 "nothing pending"
expect_out "lint: nothing to lint (no pending migration)"
expect_eq "$ERR" "" "no replay, so no warning about the applied file missing from this tree"
expect_eq "$(throwaways)" 0

# On the project's dev server (no --dev-url), started for it and left running.
rm "$M/002_type.py" "$M/003_cic.py"
run rokso -C "$PROJECT" lint --explain 004_add.py
expect_code 0 "only warnings"
expect_out "    locks: ACCESS EXCLUSIVE on table public.t"
[ -f "$PROJECT/.rokso/dev/port" ] && pass || fail "--explain did not use the project's dev server"
DEV_PORT=$(cat "$PROJECT/.rokso/dev/port")
expect_eq "$("$PG_BIN/psql" -XAtq -h 127.0.0.1 -p "$DEV_PORT" -U rokso -d postgres -c \
  "SELECT count(*) FROM pg_database WHERE datname LIKE 'rokso\_explain\_%'")" 0 "dropped on the dev server"

finish
