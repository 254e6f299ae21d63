#!/usr/bin/env bash
# rokso diff: a database that is what its migrations make shows no drift; drift by
# ALTER, by CREATE and by DROP is caught with its DDL (--exit-code, --format json,
# status --drift); diff --write makes a migration whose apply, migrated, removes the
# drift (and whose rollback brings it back). The clean case also runs on the project's
# dev server (no --dev-url), the rest on the test server.
# shellcheck disable=SC1091
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

new_database
SERVER="host=$ROKSO_TEST_PGHOST port=$ROKSO_TEST_PGPORT user=postgres dbname=postgres"
new_project "$WORK/project" offline
write_py "$PROJECT/migration/001_t.py" "CREATE TABLE public.t (id int PRIMARY KEY, name text);
CREATE INDEX t_name ON public.t (name);" "DROP TABLE public.t;"
write_py "$PROJECT/migration/002_u.py" "CREATE TABLE public.u (id int, t_id int REFERENCES public.t (id));
CREATE VIEW public.names AS SELECT name FROM public.t;" "DROP VIEW public.names; DROP TABLE public.u;"
run rokso -C "$PROJECT" migrate
expect_code 0

# The clean case on the project's dev server (no --dev-url): started for it, left running.
stop_dev() {
  [ -f "$PROJECT/.rokso/dev/port" ] && rokso -C "$PROJECT" dev stop >/dev/null 2>&1
  cleanup
}
trap stop_dev EXIT
run rokso -C "$PROJECT" diff --exit-code
expect_code 0 "a clean database, compared with the tree replayed on the dev server"
expect_out "No drift"
[ -f "$PROJECT/.rokso/dev/port" ] && pass || fail "diff did not use the project's dev server"
expect_eq "$("$PG_BIN/psql" -XAtq -h 127.0.0.1 -p "$(cat "$PROJECT/.rokso/dev/port")" -U rokso -d postgres -c \
  "SELECT count(*) FROM pg_database WHERE datname LIKE 'rokso\_diff\_%'")" 0 "the throwaway database is dropped"
rokso -C "$PROJECT" dev stop >/dev/null

run rokso -C "$PROJECT" diff --dev-url "$SERVER" --exit-code
expect_code 0 "a clean database"
expect_out "No drift"
expect_eq "$(sql "SELECT count(*) FROM pg_database WHERE datname LIKE 'rokso\_diff\_%'" postgres)" 0 "the throwaway database is dropped"

# Drift by ALTER, CREATE and DROP, made by hand.
sql "ALTER TABLE public.t ADD COLUMN extra int NOT NULL DEFAULT 0;
CREATE TABLE public.hand (id int);
CREATE INDEX hand_id ON public.hand (id);
DROP INDEX public.t_name;
ALTER TABLE public.u ALTER COLUMN t_id TYPE bigint;"
run rokso -C "$PROJECT" diff --dev-url "$SERVER"
expect_code 0 "drift without --exit-code"
expect_out "+ column public.t.extra (added outside migrations)"
expect_out "ALTER TABLE public.t ADD COLUMN extra integer DEFAULT 0 NOT NULL;"
expect_out "+ table public.hand (added outside migrations)"
expect_out "CREATE INDEX hand_id ON public.hand USING btree (id);"
expect_out "- index public.t_name (removed outside migrations)"
expect_out "DROP INDEX public.t_name;"
expect_out "~ column public.u.t_id (changed outside migrations)"
expect_out "database has:    ALTER TABLE public.u ADD COLUMN t_id bigint;"
run rokso -C "$PROJECT" diff --dev-url "$SERVER" --exit-code
expect_code 1 "--exit-code on drift"

run rokso -C "$PROJECT" diff --dev-url "$SERVER" --format json
expect_code 0
expect_json "doc->>'drift'" true
expect_json "(SELECT count(*) FROM jsonb_array_elements(doc->'changes'))" 6
expect_json "(SELECT c->>'change' FROM jsonb_array_elements(doc->'changes') c WHERE c->>'object' = 'public.t_name')" removed

run rokso -C "$PROJECT" status --drift --dev-url "$SERVER"
expect_code 0 "status --drift"
expect_out "schema drift: 4 difference(s) between the migrations and the database"
expect_out "+ column public.t.extra"
run rokso -C "$PROJECT" status --drift --format json --dev-url "$SERVER"
expect_code 2 "status --drift has no JSON"
expect_one_line_error "rokso diff --format json"

# --write: a migration that, migrated, makes the tree's schema the database's.
run rokso -C "$PROJECT" diff --dev-url "$SERVER" --write adopt_hand_changes
expect_code 0 "diff --write"
expect_out "[*] migration written: $PROJECT/migration/drift/"
FILE=$(ls "$PROJECT"/migration/drift/*_adopt_hand_changes.py 2>/dev/null)
[ -n "$FILE" ] && pass || fail "no migration written"
grep -q "CREATE TABLE public.hand ()" "$FILE" && pass || fail "the written migration lacks the table"
# On a database at the tree's schema (a fresh one), the written migration gives the drifted schema.
run rokso -C "$PROJECT" verify --dev-url "$SERVER"
expect_code 0 "the written migration rolls back cleanly"
# Recorded as applied here (the database already is that way): no drift left.
run rokso -C "$PROJECT" mark --applied "drift/$(basename "$FILE")" --yes
expect_code 0
run rokso -C "$PROJECT" diff --dev-url "$SERVER" --exit-code
expect_code 0 "no drift once the written migration is in the tree"
expect_out "No drift"
# The database stays as it was made by hand.
expect_eq "$(sql "SELECT to_regclass('public.hand') IS NOT NULL AND to_regclass('public.t_name') IS NULL")" t "database untouched"

# Applying the written migration's rollback and then apply on the database itself.
run rokso -C "$PROJECT" rollback --yes
expect_code 0 "rollback of the written migration"
expect_eq "$(sql "SELECT to_regclass('public.hand') IS NULL AND to_regclass('public.t_name') IS NOT NULL")" t "rollback restores the tree's schema"
run rokso -C "$PROJECT" diff --dev-url "$SERVER" --exit-code
expect_code 1 "after rolling it back the tree (with it) differs"
run rokso -C "$PROJECT" migrate
expect_code 0 "migrate applies the written migration"
expect_eq "$(sql "SELECT count(*) FROM information_schema.columns WHERE table_name = 't' AND column_name = 'extra'")" 1 "the column is back"
run rokso -C "$PROJECT" diff --dev-url "$SERVER" --exit-code
expect_code 0 "no drift after migrate"

finish
