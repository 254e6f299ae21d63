#!/usr/bin/env bash
# A .py file whose migrations dict has no "rollback" (or None) applies; rolling it back
# fails with a clear message, as roksopsql's did, and changes nothing.
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

new_database
new_project
cd "$PROJECT"
mkdir -p migration/offline/200.tables/nr
A=offline/200.tables/nr/2021_01_01__00_00_00_no_key.py
B=offline/200.tables/nr/2021_01_02__00_00_00_none.py
printf 'migrations = {"apply": "CREATE TABLE offline.nr_a (id int);"}\n' >"migration/$A"
printf 'apply_sql = "CREATE TABLE offline.nr_b (id int);"\nrollback_sql = None\nmigrations = {"apply": apply_sql, "rollback": rollback_sql}\n' >"migration/$B"

run rokso show "$A"
expect_code 0 "show"
expect_out "note:         no rollback defined: 'migrations' has no \"rollback\" key"

run rokso migrate
expect_code 0 "migrate applies files without a rollback"
expect_eq "$(sql "SELECT count(*) FROM pg_tables WHERE schemaname = 'offline' AND tablename IN ('nr_a', 'nr_b')")" 2 "both applied"

run rokso rollback --yes
expect_code 1 "rollback refuses"
expect_one_line_error "cannot roll back '$B': its file defines no rollback ('migrations[\"rollback\"]' is None); nothing was rolled back"
expect_eq "$(sql "SELECT count(*) FROM pg_tables WHERE schemaname = 'offline' AND tablename IN ('nr_a', 'nr_b')")" 2 "tables still there"
expect_eq "$(sql "SELECT count(*) FROM offline.rokso_db_version WHERE status = 'complete'")" 2 "rows still there"

# With an empty rollback (roksopsql's way to say "nothing to undo") rollback goes through.
printf 'apply_sql = "CREATE TABLE offline.nr_b (id int);"\nrollback_sql = ""\nmigrations = {"apply": apply_sql, "rollback": rollback_sql}\n' >"migration/$B"
printf 'migrations = {"apply": "CREATE TABLE offline.nr_a (id int);", "rollback": ""}\n' >"migration/$A"
run rokso rollback --yes
expect_code 0 "an empty rollback only removes the rows"
expect_eq "$(sql "SELECT count(*) FROM offline.rokso_db_version")" 0 "rows removed"
expect_eq "$(sql "SELECT count(*) FROM pg_tables WHERE schemaname = 'offline' AND tablename IN ('nr_a', 'nr_b')")" 2 "tables kept"

finish
