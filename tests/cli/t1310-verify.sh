#!/usr/bin/env bash
# rokso verify: a clean tree passes (on the project's dev server, started for it); each
# rollback fault is caught with its message and exit 1 - a rollback that leaves a column,
# one that drops too much, one that fails, one whose re-apply fails; --from, --format
# json; the throwaway database is dropped every time, also on Ctrl-C; the project's own
# database is never touched.
# shellcheck disable=SC1091
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

new_database
SERVER="host=$ROKSO_TEST_PGHOST port=$ROKSO_TEST_PGPORT user=postgres dbname=postgres"
stop_dev() {
  [ -f "$WORK/clean/config.json" ] && rokso -C "$WORK/clean" dev stop >/dev/null 2>&1
  cleanup
}
trap stop_dev EXIT
throwaways() { sql "SELECT count(*) FROM pg_database WHERE datname LIKE 'rokso\_verify\_%'" postgres; }

# A project of its own on the test database: tree <name>, then its migrations.
tree() { new_project "$WORK/$1" offline; }

# A clean tree: tables, a column, an index, a view, a function, an enum, a trigger.
tree clean
write_py "$PROJECT/migration/001_t.py" "CREATE TABLE public.t (id serial PRIMARY KEY, name text NOT NULL DEFAULT '');
CREATE INDEX t_name ON public.t (name);" "DROP TABLE public.t;"
write_py "$PROJECT/migration/002_more.py" "CREATE TYPE public.mood AS ENUM ('ok', 'sad');
ALTER TABLE public.t ADD COLUMN mood public.mood;
CREATE VIEW public.v AS SELECT id, name FROM public.t;
CREATE FUNCTION public.touch() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN RETURN NEW; END \$\$;
CREATE TRIGGER t_touch BEFORE UPDATE ON public.t FOR EACH ROW EXECUTE FUNCTION public.touch();" \
  "DROP TRIGGER t_touch ON public.t; DROP FUNCTION public.touch(); DROP VIEW public.v;
ALTER TABLE public.t DROP COLUMN mood; DROP TYPE public.mood;"
write_py "$PROJECT/migration/003_schema.py" "CREATE SCHEMA app; CREATE TABLE app.a (x int REFERENCES public.t (id));" \
  "DROP SCHEMA app CASCADE;"
run rokso -C "$PROJECT" verify
expect_code 0 "a clean tree verifies"
expect_out "✔ 001_t.py"
expect_out "✔ 003_schema.py"
expect_out "Verified 3 migration(s)"
[ -d "$PROJECT/.rokso/dev/data" ] && pass || fail "verify did not use the project's dev server"
DEV_PORT=$(cat "$PROJECT/.rokso/dev/port")
expect_eq "$("$PG_BIN/psql" -XAtq -h 127.0.0.1 -p "$DEV_PORT" -U rokso -d postgres -c \
  "SELECT count(*) FROM pg_database WHERE datname LIKE 'rokso\_verify\_%'")" 0 "the throwaway database is dropped"
expect_eq "$(sql "SELECT to_regclass('public.t') IS NULL AND to_regclass('offline.rokso_db_version') IS NOT NULL")" t \
  "the project's database is untouched"
expect_eq "$(sql "SELECT count(*) FROM offline.rokso_db_version")" 0 "nothing recorded in the project's database"

# The faults, each in a tree of its own, on the test server (--dev-url).
tree leaves
write_py "$PROJECT/migration/001_t.py" "CREATE TABLE t (id int);" "DROP TABLE t;"
write_py "$PROJECT/migration/002_col.py" "ALTER TABLE t ADD COLUMN c int;" "SELECT 1;"
run rokso -C "$PROJECT" verify --dev-url "$SERVER"
expect_code 1 "a rollback that leaves a column"
expect_out "✔ 001_t.py"
expect_out "✘ 002_col.py"
expect_out "rollback leaves behind what apply made"
expect_out "+ column public.t.c: ALTER TABLE public.t ADD COLUMN c integer"
expect_out "applying again after rollback fails"
expect_err "verify failed: 1 migration(s) do not roll back cleanly"
expect_eq "$(throwaways)" 0 "the throwaway database is dropped after a failure"

run rokso -C "$PROJECT" verify --dev-url "$SERVER" --format json
expect_code 1 "json"
expect_json "doc->>'outcome'" failed
expect_json "doc->'files'->1->>'result'" failed
expect_json "doc->'files'->1->'problems'->0->>'problem'" rollback_leaves
expect_json "doc->'files'->1->'problems'->0->'differences'->0->>'object'" public.t.c
expect_json "doc->'files'->1->'problems'->1->>'problem'" reapply_failed

tree too_much
write_py "$PROJECT/migration/001_t.py" "CREATE TABLE t (id int);" "DROP TABLE t;"
write_py "$PROJECT/migration/002_u.py" "CREATE TABLE u (id int);" "DROP TABLE u; DROP TABLE t;"
write_py "$PROJECT/migration/003_w.py" "CREATE TABLE w (id int);" "DROP TABLE w;"
run rokso -C "$PROJECT" verify --dev-url "$SERVER"
expect_code 1 "a rollback that drops too much"
expect_out "✘ 002_u.py"
expect_out "rollback removes more than apply made"
expect_out "- table public.t: CREATE TABLE public.t"
expect_out "✔ 003_w.py"

tree fails
write_py "$PROJECT/migration/001_t.py" "CREATE TABLE t (id int);" "DROP TABLE no_such_table;"
run rokso -C "$PROJECT" verify --dev-url "$SERVER"
expect_code 1 "a rollback that fails"
expect_out "rollback fails:"
expect_out "no_such_table"

tree reapply
write_py "$PROJECT/migration/001_k.py" "CREATE TABLE k (id int PRIMARY KEY);" "DROP TABLE k;"
write_py "$PROJECT/migration/002_row.py" "INSERT INTO k VALUES (1);" ""
write_py "$PROJECT/migration/003_after.py" "CREATE TABLE after (id int);" "DROP TABLE after;"
run rokso -C "$PROJECT" verify --dev-url "$SERVER"
expect_code 1 "a migration whose re-apply fails"
expect_out "applying again after rollback fails"
expect_out "duplicate key"
expect_out "? 003_after.py (not verified: an earlier migration failed)"

# --from: the earlier migrations are only applied.
run rokso -C "$WORK/leaves" verify --dev-url "$SERVER" --from 002_col.py
expect_code 1 "--from still checks the named one"
expect_out "· 001_t.py (applied, not verified: before --from)"
write_py "$WORK/leaves/migration/003_ok.py" "CREATE TABLE ok (id int);" "DROP TABLE ok;"
run rokso -C "$WORK/leaves" verify --dev-url "$SERVER" --from 003_ok.py
expect_code 0 "--from after the broken one"
expect_out "Verified 1 migration(s)"
run rokso -C "$WORK/leaves" verify --dev-url "$SERVER" --from nope.py
expect_code 2 "--from an unknown migration"
expect_one_line_error "unknown migration 'nope.py'"

# Ctrl-C in the middle: the guardian drops the throwaway database.
tree slow
write_py "$PROJECT/migration/001_slow.py" "SELECT pg_sleep(60);" ""
rokso -C "$PROJECT" verify --dev-url "$SERVER" >"$WORK/slow.out" 2>&1 &
VERIFY=$!
wait_until "SELECT count(*) = 1 FROM pg_stat_activity WHERE datname LIKE 'rokso\_verify\_%' AND query LIKE '%pg_sleep(60)%'" 30 \
  "verify's migration running"
kill -INT "$VERIFY"
wait "$VERIFY"
expect_eq "$?" 130 "verify interrupted"
wait_until "SELECT count(*) = 0 FROM pg_database WHERE datname LIKE 'rokso\_verify\_%'" 30 "the throwaway database dropped"

finish
