#!/usr/bin/env bash
# rollback right after a failed run undoes that run, as roksopsql's did: plain rollback
# takes the revision of the newest row; its complete rows are rolled back, its `error`
# rows (which changed nothing) are cleared without running their rollback SQL, and a
# non-transactional migration that failed part-way is refused with the statements it
# ran. The confirmation lists exactly that. last-success keeps naming the newest complete
# revision. rollback --version treats error rows the same way.
# shellcheck disable=SC1091
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

new_database
new_project
cd "$PROJECT" || exit 1
M=migration/offline/200.tables
# Every rollback SQL logs its name, so what ran is in offline.undo_log.
write_py "$M/a/2021_01_01__00_00_00_a.py" "CREATE TABLE offline.undo_log (name text); CREATE TABLE offline.a_t (id int);" \
  "DROP TABLE offline.a_t; DROP TABLE offline.undo_log;"
A=offline/200.tables/a/2021_01_01__00_00_00_a.py
run rokso migrate
expect_code 0
R1=$(sed -n 's/.*revision# \([0-9a-f]\{8\}\)$/\1/p' <<<"$OUT")

history() { sql "SELECT coalesce(string_agg(filename || ':' || status, ' ' ORDER BY id), '') FROM offline.rokso_db_version"; }
undo_log() { sql "SELECT coalesce(string_agg(name, ',' ORDER BY name), '') FROM offline.undo_log"; }
revision_of() { sql "SELECT version FROM offline.rokso_db_version WHERE filename = '$1'"; }

# --- a run that applied b and failed on c ---------------------------------------------------
write_py "$M/b/2021_01_01__00_00_00_b.py" "CREATE TABLE offline.b_t (id int);" \
  "DROP TABLE offline.b_t; INSERT INTO offline.undo_log VALUES ('b');"
write_py "$M/c/2021_01_01__00_00_00_c.py" "CREATE TABLE offline.c_t (id int); SELECT 1/0;" \
  "INSERT INTO offline.undo_log VALUES ('c');"
B=offline/200.tables/b/2021_01_01__00_00_00_b.py
C=offline/200.tables/c/2021_01_01__00_00_00_c.py
run rokso migrate
expect_code 1 "the run fails on c"
expect_eq "$(history)" "$A:complete $B:complete $C:error" "history after the failed run"
R2=$(revision_of "$B")
expect_eq "$(revision_of "$C")" "$R2" "b and c share the failed run's revision"

# last-success: the newest complete revision, which here is the failed run's too.
run rokso last-success
expect_out "Last successful version: $R2"

# The confirmation lists b to roll back and c to clear; a "no" changes nothing.
run_with_input "n\n" rokso rollback
expect_code 0 "answered no"
expect_out "No operation performed."
rolled=$(sed -n '/Following files will be rolledback:/,/Failed migrations whose rows will be cleared/p' <<<"$OUT")
cleared=$(sed -n '/Failed migrations whose rows will be cleared/,$p' <<<"$OUT")
if grep -qF "$B" <<<"$rolled" && ! grep -qF "$C" <<<"$rolled" && ! grep -qF "$A" <<<"$rolled"; then
  pass
else
  fail "files to roll back: $rolled"
fi
if grep -qF "$C" <<<"$cleared" && ! grep -qF "$B" <<<"$cleared"; then pass; else fail "rows to clear: $cleared"; fi
expect_out "no rollback SQL runs"
expect_eq "$(history)" "$A:complete $B:complete $C:error" "nothing done on no"

run rokso rollback --yes
expect_code 0 "rollback after the failed run"
expect_out "Rolling back file::  $B"
expect_out "Clearing the row of failed file::  $C"
expect_out "Rollback complete."
expect_eq "$(history)" "$A:complete" "the failed run is undone, the earlier revision kept"
expect_eq "$(undo_log)" "b" "b's rollback ran, c's did not"
expect_eq "$(sql "SELECT to_regclass('offline.b_t') IS NULL AND to_regclass('offline.c_t') IS NULL AND to_regclass('offline.a_t') IS NOT NULL")" \
  t "objects after the rollback"
run rokso last-success
expect_out "Last successful version: $R1"

# --- the newest revision holds only a failed retry: only its row is cleared --------------
sql "DELETE FROM offline.undo_log"
run rokso migrate
expect_code 1
R3=$(revision_of "$B")
run rokso migrate   # retries only c, which fails again at a revision of its own
expect_code 1
R4=$(revision_of "$C")
if [ "$R4" != "$R3" ]; then pass; else fail "the retry shares b's revision"; fi
run rokso last-success
expect_out "Last successful version: $R3"
run rokso rollback --dry-run
expect_code 0
expect_no_out "$B"
expect_out "$C"
run rokso rollback --yes
expect_code 0
expect_eq "$(history)" "$A:complete $B:complete" "only the failed retry's row is cleared"
expect_eq "$(undo_log)" "" "no rollback SQL ran"
expect_eq "$(sql "SELECT to_regclass('offline.b_t') IS NOT NULL")" t "b stays applied"
rm -r "$M/c"

# --- a non-transactional migration that failed part-way is refused ------------------------
mkdir -p "$M/e"
cat >"$M/e/2021_01_01__00_00_00_e.py" <<'PY'
transaction = False

apply_sql = """
CREATE TABLE offline.e1 (id int);
CREATE TABLE offline.e2 (id int);
SELECT 1/0;
"""

rollback_sql = "DROP TABLE offline.e2; DROP TABLE offline.e1; INSERT INTO offline.undo_log VALUES ('e');"

migrations = {"apply": apply_sql, "rollback": rollback_sql}
PY
E=offline/200.tables/e/2021_01_01__00_00_00_e.py
run rokso migrate
expect_code 1 "e fails after two statements"
expect_eq "$(sql "SELECT progress FROM offline.rokso_db_version WHERE filename = '$E'")" 2 "progress recorded"
before=$(history)
run_with_input "y\n" rokso rollback
expect_code 1 "rollback of a part-way failure is refused"
expect_err "cannot roll back '$E'"
expect_err "first 2 statement(s)"
expect_err "1. CREATE TABLE offline.e1 (id int);"
expect_err "2. CREATE TABLE offline.e2 (id int);"
expect_err "rokso mark --pending $E"
expect_no_out "Please confirm"
expect_eq "$(history)" "$before" "nothing changed by the refusal"
expect_eq "$(sql "SELECT to_regclass('offline.e1') IS NOT NULL AND to_regclass('offline.e2') IS NOT NULL")" t "e's statements stay"
expect_eq "$(undo_log)" "" "e's rollback did not run"
run rokso rollback --dry-run
expect_code 1 "the dry run says the same"
expect_err "cannot roll back '$E'"
# The way out it names: undo by hand, clear the row.
sql "DROP TABLE offline.e1; DROP TABLE offline.e2"
run rokso mark --pending "$E" --yes
expect_code 0
rm -r "$M/e"
expect_eq "$(history)" "$A:complete $B:complete" "after clearing e by hand"

# --- rollback --version: error rows after the revision are cleared too ---------------------
write_py "$M/f/2021_01_01__00_00_00_f.py" "CREATE TABLE offline.f_t (id int);" \
  "DROP TABLE offline.f_t; INSERT INTO offline.undo_log VALUES ('f');"
write_py "$M/g/2021_01_01__00_00_00_g.py" "SELECT 1/0;" "INSERT INTO offline.undo_log VALUES ('g');"
F=offline/200.tables/f/2021_01_01__00_00_00_f.py
G=offline/200.tables/g/2021_01_01__00_00_00_g.py
run rokso migrate
expect_code 1
expect_eq "$(history)" "$A:complete $B:complete $F:complete $G:error" "history before rollback --version"
run rokso rollback --version "$R3" --dry-run --format json
expect_code 0
expect_json "doc->'files'->0->>'identity' || ':' || (doc->'files'->0->>'action') || ':' || coalesce(doc->'files'->0->>'rollback_sql', 'null')" \
  "$G:clear:null" "the error row, cleared, no SQL"
expect_json "doc->'files'->1->>'identity' || ':' || (doc->'files'->1->>'action') || ':' || (doc->'files'->1->>'status')" \
  "$F:roll_back:complete" "the complete row, rolled back"
expect_json "jsonb_array_length(doc->'files')" 2
run rokso rollback --version "$R3" --yes
expect_code 0
expect_eq "$(history)" "$A:complete $B:complete" "rollback --version clears the error row after it"
expect_eq "$(undo_log)" "f" "f's rollback ran, g's did not"

finish
