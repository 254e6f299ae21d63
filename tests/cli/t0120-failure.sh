#!/usr/bin/env bash
# The failure path: a migration whose second statement fails leaves no trace of its
# first, is recorded as `error`, shows in status, stops the run, and is retried first
# (and alone) once fixed, as roksopsql did. -v shows statements and times.
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

new_database
new_project
cd "$PROJECT"
M=migration/offline/200.tables
write_py "$M/a_first/2021_01_01__00_00_00_ok.py" "CREATE TABLE offline.a_first (id int);" "DROP TABLE offline.a_first;"
write_py "$M/b_broken/2021_01_01__00_00_00_broken.py" \
  "CREATE TABLE offline.b_half (id int);
INSERT INTO offline.b_half VALUES (1);
SELECT no_such_column FROM offline.b_half;" "DROP TABLE offline.b_half;"
write_py "$M/c_later/2021_01_01__00_00_00_later.py" "CREATE TABLE offline.c_later (id int);" "DROP TABLE offline.c_later;"
A=offline/200.tables/a_first/2021_01_01__00_00_00_ok.py
B=offline/200.tables/b_broken/2021_01_01__00_00_00_broken.py
C=offline/200.tables/c_later/2021_01_01__00_00_00_later.py

run rokso migrate
expect_code 1 "failed migration"
expect_err "Your migration '$B' has failed. Please fix it and retry."
expect_err 'column "no_such_column" does not exist'
expect_err "LINE 4: SELECT no_such_column FROM offline.b_half;"  # line 4 of apply_sql
expect_err "42703"
expect_eq "$(sql "SELECT to_regclass('offline.a_first') IS NOT NULL")" t "earlier migration kept"
expect_eq "$(sql "SELECT to_regclass('offline.b_half') IS NULL")" t "no trace of the failed migration's first statements"
expect_eq "$(sql "SELECT to_regclass('offline.c_later') IS NULL")" t "run stopped at the failure"
expect_eq "$(sql "SELECT string_agg(filename || ':' || status, ' ' ORDER BY id) FROM offline.rokso_db_version")" \
  "$A:complete $B:error" "history"
expect_eq "$(sql "SELECT count(DISTINCT version) FROM offline.rokso_db_version")" 1 "one revision for the run"

run rokso status
expect_code 0
expect_out "Failed migrations:"
expect_out "$B"
expect_eq "$(grep -c ' error ' <<<"$OUT")" 1 "failed row shown once"
expect_out "$C  NA         pending"

# While a failure exists, --migration accepts only the failed file.
run rokso migrate --migration "$C"
expect_code 2
expect_err "'$B' failed earlier and must be fixed first"
expect_eq "$(sql "SELECT to_regclass('offline.c_later') IS NULL")" t "--migration refused"

# Unfixed retry fails again; still one row for it.
run rokso migrate
expect_code 1
expect_eq "$(sql "SELECT count(*) FROM offline.rokso_db_version WHERE filename = '$B'")" 1 "one row per file"

# --steps counts applied migrations: the last complete one is rolled back, the error row
# stays (plain rollback would clear it: t0155).
run rokso rollback --steps 1 --yes
expect_code 0
expect_eq "$(sql "SELECT string_agg(filename || ':' || status, ' ' ORDER BY id) FROM offline.rokso_db_version")" \
  "$B:error" "error row kept by rollback --steps"
expect_eq "$(sql "SELECT to_regclass('offline.a_first') IS NULL")" t "complete one rolled back"

# Fix it: plain migrate retries only the failed file, and stops there.
write_py "$M/b_broken/2021_01_01__00_00_00_broken.py" \
  "CREATE TABLE offline.b_half (id int);
INSERT INTO offline.b_half VALUES (1);
SELECT id FROM offline.b_half;" "DROP TABLE offline.b_half;"
run rokso migrate -v
expect_code 0 "retry after fix"
expect_out "Applying migration file:  $B"
expect_no_out "Applying migration file:  $A"
expect_out "Executing>>"
expect_out "INSERT INTO offline.b_half VALUES (1)"
expect_out ">> Time taken: "
expect_eq "$(sql "SELECT count(*) FROM offline.b_half")" 1 "fixed migration applied once"
expect_eq "$(sql "SELECT string_agg(filename || ':' || status, ' ' ORDER BY id) FROM offline.rokso_db_version")" \
  "$B:complete" "retried row replaced"
expect_eq "$(sql "SELECT to_regclass('offline.c_later') IS NULL")" t "retry run stops after the failed ones"

run rokso migrate
expect_code 0
expect_eq "$(sql "SELECT string_agg(filename, ' ' ORDER BY id) FROM offline.rokso_db_version")" "$B $A $C" "ids follow application order"

# An empty rollback SQL is not an error: the row goes, the object stays.
write_py "$M/d_norollback/2021_01_01__00_00_00_d.py" "CREATE TABLE offline.d_kept (id int);" ""
run rokso migrate
expect_code 0
run rokso rollback --yes
expect_code 0
expect_out "Rollback complete."
expect_eq "$(sql "SELECT to_regclass('offline.d_kept') IS NOT NULL")" t "empty rollback runs nothing"
expect_eq "$(sql "SELECT count(*) FROM offline.rokso_db_version WHERE filename LIKE '%d_norollback%'")" 0 "row removed"
rm -r "$M/d_norollback"

# A failing rollback leaves that migration applied and recorded.
write_py "$M/e_badrollback/2021_01_01__00_00_00_e.py" "CREATE TABLE offline.e_t (id int);" "DROP TABLE offline.e_t; SELECT 1/0;"
run rokso migrate
run rokso rollback --yes
expect_code 1 "failed rollback"
expect_err "division by zero"
expect_eq "$(sql "SELECT to_regclass('offline.e_t') IS NOT NULL")" t "failed rollback undone"
expect_eq "$(sql "SELECT count(*) FROM offline.rokso_db_version WHERE filename LIKE '%e_badrollback%'")" 1 "row kept"

finish
