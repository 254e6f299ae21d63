#!/usr/bin/env bash
# rollback --steps N (the last N applied rows by id), --to-date <timestamp> (every row
# applied later than it, checked by the server), mutually exclusive with --version; and
# --dry-run, which shows what would be undone with its SQL and changes nothing anywhere:
# no question, no lock, no version table created or upgraded.
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

new_database
new_project
cd "$PROJECT"
# Each rollback logs its name, so the order in which they ran is in offline.undo_log.
sql "CREATE TABLE offline.undo_log (seq serial, name text)"
mig() {  # <name>: a migration creating offline.<name>, whose rollback drops it and logs
  write_py "migration/offline/200.tables/$1/2021_01_01__00_00_00_$1.py" "CREATE TABLE offline.$1 (id int);" \
    "DROP TABLE offline.$1; INSERT INTO offline.undo_log (name) VALUES ('$1');"
}
ident() { echo "offline/200.tables/$1/2021_01_01__00_00_00_$1.py"; }
rev_of() { sed -n 's/.*revision# \([0-9a-f]\{8\}\)$/\1/p' <<<"$OUT"; }
rows() { sql "SELECT coalesce(string_agg(id || '|' || filename || '|' || version || '|' || status || '|' || executedat, ',' ORDER BY id), '') FROM offline.rokso_db_version"; }
tables() { sql "SELECT coalesce(string_agg(relname, ',' ORDER BY relname), '') FROM pg_class WHERE relnamespace = 'offline'::regnamespace AND relkind = 'r' AND relname <> 'rokso_db_version'"; }
undo_log() { sql "SELECT coalesce(string_agg(name, ',' ORDER BY seq), '') FROM offline.undo_log"; }
snapshot() { echo "$(rows)#$(tables)#$(undo_log)"; }

# Four revisions: R1 = a; R2 = b, c; R3 = d; R4 = e.
mig a; run rokso migrate; R1=$(rev_of)
mig b; mig c; run rokso migrate; R2=$(rev_of)
mig d; run rokso migrate
mig e; run rokso migrate
expect_eq "$(sql "SELECT count(DISTINCT version) FROM offline.rokso_db_version")" 4 "four revisions"

# --- usage errors: exit 2, nothing done -----------------------------------------------------
before=$(snapshot)
for args in "--steps 1 --version $R1" "--steps 1 --to-date 2020-01-01" "--version $R1 --to-date 2020-01-01" \
            "--steps 1 --version $R1 --to-date 2020-01-01"; do
  # shellcheck disable=SC2086
  run rokso rollback $args --yes
  expect_code 2 "mutually exclusive: $args"
  expect_one_line_error "mutually exclusive"
done
for n in 0 -1; do
  run rokso rollback --steps "$n" --yes
  expect_code 2 "--steps $n"
  expect_one_line_error "--steps must be at least 1"
done
run rokso rollback --steps abc --yes
expect_code 2 "--steps abc"
run rokso rollback --steps 6 --yes
expect_code 2 "--steps more than is applied"
expect_one_line_error "only 5 applied migration(s)"
for bad in "not a date" "2024-13-45" "" "2024-01-01'; DROP TABLE offline.a; --"; do
  run rokso rollback --to-date "$bad" --yes
  expect_code 2 "--to-date '$bad'"
  expect_one_line_error "invalid --to-date"
done
run rokso rollback --dry-run --steps 0
expect_code 2 "--dry-run --steps 0"
expect_eq "$(snapshot)" "$before" "nothing done by usage errors"

# --- --dry-run: the list and each rollback SQL, in order; nothing changed --------------------
run rokso rollback --dry-run --steps 3
expect_code 0 "dry run --steps 3"
expect_no_out "Please confirm"
expect_out "DROP TABLE offline.e; INSERT INTO offline.undo_log (name) VALUES ('e');"
expect_out "DROP TABLE offline.d; INSERT INTO offline.undo_log (name) VALUES ('d');"
expect_out "DROP TABLE offline.c; INSERT INTO offline.undo_log (name) VALUES ('c');"
expect_no_out "offline.b;"
expect_out "Dry run: nothing was rolled back."
# Newest first: e's SQL, then d's, then c's.
order=$(grep -oE "^DROP TABLE offline\.[a-e]" <<<"$OUT" | sed 's/.*\.//' | tr -d '\n')
expect_eq "$order" "edc" "dry-run order"
expect_eq "$(snapshot)" "$before" "dry run changed nothing"

# It asks nothing (stdin is at its end) and takes no lock: it runs while another rokso
# holds the lock, without waiting.
hold_lock
run rokso rollback --dry-run --lock-wait 0
expect_code 0 "dry run while the lock is held"
expect_no_out "waiting for another"
expect_out "DROP TABLE offline.e;"
run rokso rollback --yes --lock-wait 0
expect_code 1 "a real rollback does wait for the lock"
release_lock
expect_eq "$(snapshot)" "$before" "nothing changed while the lock was held"

# --- --steps: splits a revision, newest first by id --------------------------------------------
run rokso rollback --steps 3 --yes
expect_code 0 "--steps 3"
expect_out "✅ Rollback complete."
expect_eq "$(undo_log)" "e,d,c" "rolled back e, d, c in that order"
expect_eq "$(sql "SELECT string_agg(filename, ',' ORDER BY id) FROM offline.rokso_db_version")" "$(ident a),$(ident b)" \
  "a and b (half of revision R2) remain"
expect_eq "$(tables)" "a,b,undo_log" "tables after --steps 3"

# A failed row is never rolled back: --steps counts applied rows only.
write_py "migration/offline/200.tables/f/2021_01_01__00_00_00_f.py" "SELECT 1/0;" "INSERT INTO offline.undo_log (name) VALUES ('f');"
run rokso migrate --migration "$(ident f)"
expect_code 1 "f fails"
run rokso rollback --steps 1 --yes
expect_code 0
expect_eq "$(undo_log)" "e,d,c,b" "--steps 1 skips the failed row"
expect_eq "$(sql "SELECT string_agg(filename || ':' || status, ',' ORDER BY id) FROM offline.rokso_db_version")" \
  "$(ident a):complete,$(ident f):error" "the failed row kept"
rm -r migration/offline/200.tables/f
sql "DELETE FROM offline.rokso_db_version WHERE status = 'error'"

# --- --to-date: by executedat, later than (not equal to) the timestamp, newest id first --------
run rokso migrate  # b, c, d, e again, one revision
expect_code 0
sql "TRUNCATE offline.undo_log"
# Timestamps out of id order, to show rows are picked by time and undone by id.
sql "UPDATE offline.rokso_db_version SET executedat = CASE filename
       WHEN '$(ident a)' THEN timestamp '2024-01-01 10:00' WHEN '$(ident b)' THEN timestamp '2024-01-03 10:00'
       WHEN '$(ident c)' THEN timestamp '2024-01-02 12:00' WHEN '$(ident d)' THEN timestamp '2024-01-02 12:00:00.5'
       WHEN '$(ident e)' THEN timestamp '2024-01-01 11:00' END"
before=$(snapshot)
run rokso rollback --to-date '2030-01-01' --yes
expect_code 0 "--to-date in the future"
expect_out "Nothing to rollback."
run rokso rollback --to-date '2024-01-02 12:00' --dry-run
expect_code 0 "--to-date dry run"
order=$(grep -oE "^DROP TABLE offline\.[a-e]" <<<"$OUT" | sed 's/.*\.//' | tr -d '\n')
expect_eq "$order" "db" "dry run: d then b (c is not later than the timestamp)"
expect_eq "$(snapshot)" "$before" "--to-date dry run changed nothing"
run_with_input "n\n" rokso rollback --to-date '2024-01-02 12:00'
expect_code 0
expect_out "Please confirm to proceed(y/yes)"
expect_out "No operation performed."
expect_eq "$(snapshot)" "$before" "answered no"
run_with_input "y\n" rokso rollback --to-date '2024-01-02 12:00'
expect_code 0 "--to-date"
expect_eq "$(undo_log)" "d,b" "rolled back d then b"
expect_eq "$(sql "SELECT string_agg(filename, ',' ORDER BY id) FROM offline.rokso_db_version")" "$(ident a),$(ident c),$(ident e)" \
  "a, c and e remain"
run rokso rollback --to-date 'Jan 1 2024 10:30' --yes
expect_code 0 "--to-date in another spelling PostgreSQL reads"
expect_eq "$(undo_log)" "d,b,e,c" "then e and c, newest id first"
expect_eq "$(sql "SELECT string_agg(filename, ',' ORDER BY id) FROM offline.rokso_db_version")" "$(ident a)" "a remains"

# --- --version still works as before ---------------------------------------------------------
run rokso migrate
expect_code 0
run rokso rollback --version "$R1" --dry-run
expect_code 0 "--version --dry-run"
expect_out "offline.b;"
expect_no_out "DROP TABLE offline.a;"

# --- a dry run neither creates nor upgrades the version table ----------------------------------
# A second project whose version table is roksopsql's, not yet upgraded.
new_project "$WORK/p2" online
cd "$WORK/p2"
write_py migration/online/200.tables/x/2021_01_01__00_00_00_x.py "CREATE TABLE online.x (id int);" "DROP TABLE online.x;"
sql "DROP TABLE online.rokso_db_version"
sql "CREATE TABLE online.rokso_db_version (id serial PRIMARY KEY, filename text NOT NULL, version varchar(100) NOT NULL,
       status VARCHAR(20) DEFAULT 'pending' NOT NULL, scheduledAt timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
       executedAt timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP, CONSTRAINT filename_UNQ UNIQUE (filename));
     CREATE TABLE online.x (id int);
     INSERT INTO online.rokso_db_version (filename, version, status) VALUES ('online/200.tables/x/2021_01_01__00_00_00_x.py', 'abcdef12', 'complete')"
columns() { sql "SELECT string_agg(attname, ',' ORDER BY attnum) FROM pg_attribute WHERE attrelid = 'online.rokso_db_version'::regclass AND attnum > 0 AND NOT attisdropped"; }
cols_before=$(columns)
run rokso rollback --dry-run
expect_code 0 "dry run on a roksopsql-made table"
expect_out "DROP TABLE online.x;"
expect_eq "$(columns)" "$cols_before" "version table not upgraded by a dry run"
expect_eq "$(sql "SELECT count(*) FROM online.rokso_db_version")" 1 "row kept"
expect_eq "$(sql "SELECT to_regclass('online.x') IS NOT NULL")" t "online.x kept"
sql "DROP TABLE online.rokso_db_version"
run rokso rollback --dry-run --steps 1
expect_code 2 "--steps 1 with no version table"
run rokso rollback --dry-run
expect_code 0 "dry run with no version table"
expect_out "Nothing to rollback."
expect_eq "$(sql "SELECT to_regclass('online.rokso_db_version') IS NULL")" t "version table not created by a dry run"

finish
