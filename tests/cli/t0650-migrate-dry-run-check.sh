#!/usr/bin/env bash
# migrate --dry-run prints the plan and its SQL and writes nothing anywhere (not even
# the version table); migrate --check applies the pending migrations in one transaction
# and rolls it back, reporting whether they would succeed.
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

new_database
new_project
cd "$PROJECT"
sql "DROP TABLE offline.rokso_db_version"   # a fresh clone on a new database: no version table yet
M=migration/offline/200.tables
write_py "$M/a/2021_01_01__00_00_00_a.py" "CREATE TABLE offline.a (id int);" "DROP TABLE offline.a;"
write_py "$M/b/2021_01_01__00_00_00_b.py" "INSERT INTO offline.a VALUES (1);" "DELETE FROM offline.a;"
write_py "$M/c/2021_01_01__00_00_00_c.py" "CREATE INDEX CONCURRENTLY a_id ON offline.a (id);" "DROP INDEX CONCURRENTLY offline.a_id;"
state() { sql "SELECT count(*) FROM pg_class WHERE relnamespace = 'offline'::regnamespace"; }
before=$(state)

run rokso migrate --dry-run
expect_code 0 "dry run"
expect_out "Dry run: 3 migration(s) would be applied, in this order; nothing is executed or recorded."
expect_out "🌀 offline/200.tables/a/2021_01_01__00_00_00_a.py"
expect_out "CREATE TABLE offline.a (id int);"
expect_out "runs outside a transaction, statement by statement"
first=$(grep -n "🌀 offline/200.tables/a/" <<<"$OUT" | cut -d: -f1)
last=$(grep -n "🌀 offline/200.tables/c/" <<<"$OUT" | cut -d: -f1)
[ "$first" -lt "$last" ] && pass || fail "plan order"
expect_eq "$(state)" "$before" "dry run changed nothing (not even the version table)"

run rokso migrate --check
expect_code 0 "check passes"
expect_out "✔ offline/200.tables/a/2021_01_01__00_00_00_a.py"
expect_out "✔ offline/200.tables/b/2021_01_01__00_00_00_b.py"
expect_out "not checked (runs outside a transaction): offline/200.tables/c/"
expect_out "Check passed: 2 migration(s) would apply cleanly (1 not checked); everything was rolled back."
expect_eq "$(state)" "$before" "check left nothing behind"

write_py "$M/b/2021_01_01__00_00_00_b.py" "INSERT INTO offline.a VALUES ('not a number');" "DELETE FROM offline.a;"
run rokso migrate --check
expect_code 1 "check fails"
expect_err "check failed: 'offline/200.tables/b/2021_01_01__00_00_00_b.py' would fail"
expect_err "invalid input syntax for type integer"
expect_eq "$(state)" "$before" "failed check left nothing behind"

run rokso migrate --check --dry-run
expect_code 2 "exclusive"

finish
