#!/usr/bin/env bash
# rokso mark: repairing history by hand. --applied records a file as complete under a new
# revision without running its SQL (adopting an object that already exists, or a failed
# migration finished by hand); --pending removes a row, complete or failed, without
# running its rollback SQL. Both ask first (end of input: exit 2, nothing done), hold the
# migration lock, and refuse unknown identities (exit 2).
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

new_database
new_project
cd "$PROJECT"
A=offline/200.tables/a/2021_01_01__00_00_00_a.py
B=offline/200.tables/b/2021_01_01__00_00_00_b.py
C=offline/200.tables/c/2021_01_01__00_00_00_c.py
D=offline/200.tables/d/2021_01_01__00_00_00_d.py
# Running A's SQL would make offline.a_ran; rolling it back would make offline.a_undone.
write_py "migration/$A" "CREATE TABLE offline.a_ran (id int);" "CREATE TABLE offline.a_undone (id int);"
write_py "migration/$B" "CREATE TABLE offline.b (id int);" "DROP TABLE offline.b;"
# The object A would create already exists: made by hand, as when adopting a database.
sql "CREATE TABLE offline.a (id int)"

rows() { sql "SELECT coalesce(string_agg(id || '|' || filename || '|' || version || '|' || status, ',' ORDER BY id), '') FROM offline.rokso_db_version"; }

# --- listed as a command ------------------------------------------------------------------
run rokso help
expect_code 0
if grep -qE '^ +mark +.*without running' <<<"$OUT"; then pass; else fail "'mark' not listed with its summary"; fi
run rokso mark --help
expect_code 0
expect_out "usage: rokso mark"
expect_out "--applied"
expect_out "--pending"

# --- usage errors: nothing is touched -----------------------------------------------------
run rokso mark --yes
expect_code 2 "neither --applied nor --pending"
expect_one_line_error "--applied"
run rokso mark --applied "$A" --pending "$A" --yes
expect_code 2 "both --applied and --pending"
run rokso mark --applied
expect_code 2 "--applied without an identity"
run rokso mark --applied offline/200.tables/a/nosuch.py --yes
expect_code 2 "unknown identity"
expect_one_line_error "unknown migration 'offline/200.tables/a/nosuch.py'"
run rokso mark --applied "x' OR 1=1 --" --yes
expect_code 2 "unknown identity that looks like SQL"
run rokso mark --pending "$A" --yes
expect_code 2 "--pending on a file with no row"
expect_one_line_error "has no row in offline.rokso_db_version"
run rokso -C "$WORK" mark --applied "$A" --yes
expect_code 2 "outside a project"
expect_eq "$(rows)" "" "nothing recorded by usage errors"

# --- --applied: the question ----------------------------------------------------------------
run rokso mark --applied "$A"
expect_code 2 "end of input"
expect_out "Mark '$A' as applied without running it? (y/yes)"
expect_err "no answer"
expect_eq "$(rows)" "" "nothing recorded at end of input"
run_with_input "n\n" rokso mark --applied "$A"
expect_code 0 "answered no"
expect_out "No operation performed."
run_with_input "whatever\n" rokso mark --applied "$A"
expect_code 0 "answered something else"
expect_out "No operation performed."
expect_eq "$(rows)" "" "nothing recorded on no"

# --- --applied: recorded, not run ------------------------------------------------------------
run_with_input "Yes\n" rokso mark --applied "$A"
expect_code 0 "mark --applied, confirmed"
RA=$(sed -n 's/.*revision# \([0-9a-f]\{8\}\)$/\1/p' <<<"$OUT")
if [[ "$RA" =~ ^[0-9a-f]{8}$ ]]; then pass; else fail "no revision printed: '$RA'"; fi
expect_eq "$(sql "SELECT filename || '|' || version || '|' || status || '|' || executed_by FROM offline.rokso_db_version")" \
  "$A|$RA|complete|postgres" "row recorded as complete at the printed revision"
expect_eq "$(sql "SELECT to_regclass('offline.a_ran') IS NULL")" t "A's apply SQL was not run"
# What status lists as pending: the lines after its "Pending migrations" header.
pending_in_status() { run rokso status; sed -n '/^Pending migrations/,$p' <<<"$OUT"; }
if pending_in_status | grep -qF "$A"; then fail "status still lists A as pending"; else pass; fi
if pending_in_status | grep -qF "$B"; then pass; else fail "status does not list B as pending"; fi
run rokso migrate
expect_code 0 "migrate after mark"
expect_eq "$(sql "SELECT to_regclass('offline.a_ran') IS NULL AND to_regclass('offline.b') IS NOT NULL")" t \
  "migrate skipped A and applied B"
RB=$(sql "SELECT version FROM offline.rokso_db_version WHERE filename = '$B'")
before=$(rows)

run rokso mark --applied "$A"
expect_code 0 "already applied"
expect_out "already applied"
expect_no_out "(y/yes)"
expect_eq "$(rows)" "$before" "already applied: row untouched"

# --- a path to the file works; each mark gets a fresh revision -------------------------------
write_py "migration/$C" "CREATE TABLE offline.c_ran (id int);" "DROP TABLE offline.c_ran;"
sql "CREATE TABLE offline.c_ran (id int)"   # adopted: the object exists already
cd migration/offline/200.tables
run rokso mark --applied "c/2021_01_01__00_00_00_c.py" --yes
expect_code 0 "mark --applied <relative path>"
cd "$PROJECT"
RC=$(sed -n 's/.*revision# \([0-9a-f]\{8\}\)$/\1/p' <<<"$OUT")
expect_eq "$(sql "SELECT status || '|' || version FROM offline.rokso_db_version WHERE filename = '$C'")" "complete|$RC" "C recorded by its identity"
if [ -n "$RC" ] && [ "$RC" != "$RA" ] && [ "$RC" != "$RB" ]; then pass; else fail "revision '$RC' is not new ($RA, $RB)"; fi
expect_eq "$(sql "SELECT count(DISTINCT version) FROM offline.rokso_db_version")" 3 "three revisions"

# --- rollback of a marked file runs its rollback SQL, like any applied one ---------------------
run rokso rollback --yes
expect_code 0
expect_eq "$(sql "SELECT count(*) FROM offline.rokso_db_version WHERE filename = '$C'")" 0 "marked C rolled back"
expect_eq "$(sql "SELECT to_regclass('offline.c_ran') IS NULL")" t "its rollback SQL ran"

# --- --pending: removes the row, runs nothing ------------------------------------------------
before=$(rows)
run rokso mark --pending "$A"
expect_code 2 "--pending at end of input"
expect_out "Mark '$A' as pending without rolling it back? (y/yes)"
expect_out "$RA"   # the row to be removed is shown first
expect_eq "$(rows)" "$before" "nothing removed at end of input"
run_with_input "no\n" rokso mark --pending "$A"
expect_code 0
expect_out "No operation performed."
expect_eq "$(rows)" "$before" "nothing removed on no"
run_with_input "y\n" rokso mark --pending "$A"
expect_code 0 "mark --pending, confirmed"
expect_eq "$(sql "SELECT count(*) FROM offline.rokso_db_version WHERE filename = '$A'")" 0 "A's row removed"
expect_eq "$(sql "SELECT count(*) FROM offline.rokso_db_version")" 1 "B's row kept"
expect_eq "$(sql "SELECT to_regclass('offline.a_undone') IS NULL AND to_regclass('offline.a') IS NOT NULL")" t \
  "A's rollback SQL was not run"
if pending_in_status | grep -qF "$A"; then pass; else fail "status does not list A as pending again"; fi
run rokso mark --pending "$A" --yes
expect_code 2 "--pending twice"

# --- a failed migration: cleared with --pending, or adopted with --applied ---------------------
write_py "migration/$D" "SELECT 1/0;" "DROP TABLE offline.d;"
mv "migration/$A" "$WORK/a.py"   # keep A out of the way
run rokso migrate
expect_code 1 "D fails"
expect_eq "$(sql "SELECT status FROM offline.rokso_db_version WHERE filename = '$D'")" error "D recorded as error"
run rokso mark --pending "$D" --yes
expect_code 0 "--pending clears a failed row"
expect_eq "$(sql "SELECT count(*) FROM offline.rokso_db_version WHERE filename = '$D'")" 0 "D's error row removed"
run rokso migrate
expect_code 1 "D fails again"
failed_id=$(sql "SELECT id FROM offline.rokso_db_version WHERE filename = '$D'")
sql "CREATE TABLE offline.d (id int)"   # the user finishes D by hand
run rokso mark --applied "$D" --yes
expect_code 0 "--applied on a failed row"
RD=$(sed -n 's/.*revision# \([0-9a-f]\{8\}\)$/\1/p' <<<"$OUT")
expect_eq "$(sql "SELECT count(*) || '|' || min(status) || '|' || min(version) || '|' || bool_and(id > $failed_id) FROM offline.rokso_db_version WHERE filename = '$D'")" \
  "1|complete|$RD|true" "the error row replaced by one complete row with a new id"
run rokso migrate
expect_code 0 "nothing failed any more"
expect_out "Nothing to migrate"

# --- --pending on a row whose file is gone --------------------------------------------------
rm "migration/$D"
run rokso mark --pending "$D" --yes
expect_code 0 "--pending on a row whose file was deleted"
expect_eq "$(sql "SELECT count(*) FROM offline.rokso_db_version WHERE filename = '$D'")" 0 "orphan row removed"
mv "$WORK/a.py" "migration/$A"

# --- the migration lock ---------------------------------------------------------------------
before=$(rows)
hold_lock
run rokso mark --applied "$A" --yes --lock-wait 1
expect_code 1 "mark waits for the lock, then gives up"
expect_err "waiting for another rokso migrate/rollback"
expect_err "timed out"
run rokso mark --pending "$B" --yes --lock-wait 0.5
expect_code 1 "--pending also waits for the lock"
release_lock
expect_eq "$(rows)" "$before" "nothing done without the lock"

# --- a missing version table is created by --applied; --pending has nothing to remove ---------
sql "DROP TABLE offline.rokso_db_version"
run rokso mark --pending "$B" --yes
expect_code 2 "--pending without a version table"
expect_eq "$(sql "SELECT to_regclass('offline.rokso_db_version') IS NULL")" t "--pending created nothing"
run rokso mark --applied "$B" --yes
expect_code 0 "--applied creates the version table"
expect_eq "$(sql "SELECT filename || '|' || status FROM offline.rokso_db_version")" "$B|complete" "recorded in the new table"
expect_eq "$(sql "SELECT count(*) FROM pg_attribute WHERE attrelid = 'offline.rokso_db_version'::regclass AND attname = 'executed_by'")" 1 \
  "with rokso's columns"

# --- a malformed file cannot be marked applied ------------------------------------------------
mkdir -p migration/offline/200.tables/e
printf 'apply_sql = "x" %% 1\n' >migration/offline/200.tables/e/2021_01_01__00_00_00_e.py
run rokso mark --applied offline/200.tables/e/2021_01_01__00_00_00_e.py --yes
expect_code 1 "malformed file"
expect_err "2021_01_01__00_00_00_e.py:1:"
expect_eq "$(sql "SELECT count(*) FROM offline.rokso_db_version WHERE filename LIKE '%_e.py'")" 0 "malformed file not recorded"

finish
