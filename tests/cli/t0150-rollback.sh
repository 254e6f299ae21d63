#!/usr/bin/env bash
# rollback's questions and edge cases: the prompt reads stdin; end of input asks no
# question twice (exit 2, nothing done); any other answer does nothing (exit 0); an
# unknown revision is an error, not a no-op; --version picks rows by id.
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

new_database
new_project
cd "$PROJECT"
write_py migration/offline/200.tables/a/2021_01_01__00_00_00_a.py "CREATE TABLE offline.a (id int);" "DROP TABLE offline.a;"
run rokso migrate
R1=$(sed -n 's/.*revision# \([0-9a-f]\{8\}\)$/\1/p' <<<"$OUT")
write_py migration/offline/200.tables/b/2021_01_01__00_00_00_b.py "CREATE TABLE offline.b (id int);" "DROP TABLE offline.b;"
write_py migration/online/200.tables/c/2021_01_01__00_00_00_c.py "CREATE TABLE online.c (id int);" "DROP TABLE online.c;"
run rokso migrate
R2=$(sed -n 's/.*revision# \([0-9a-f]\{8\}\)$/\1/p' <<<"$OUT")
rows_before=$(sql "SELECT string_agg(id || filename || version, ',' ORDER BY id) FROM offline.rokso_db_version")

run rokso rollback
expect_code 2 "no answer"
expect_out "Please confirm to proceed(y/yes)"
expect_err "no answer"
expect_eq "$(sql "SELECT string_agg(id || filename || version, ',' ORDER BY id) FROM offline.rokso_db_version")" "$rows_before" "nothing done on EOF"

run_with_input "n\n" rokso rollback
expect_code 0 "answered no"
expect_out "No operation performed."
run_with_input "whatever\n" rokso rollback
expect_out "No operation performed."
expect_eq "$(sql "SELECT string_agg(id || filename || version, ',' ORDER BY id) FROM offline.rokso_db_version")" "$rows_before" "nothing done on no"
expect_eq "$(sql "SELECT to_regclass('online.c') IS NOT NULL")" t "c still there"

for bad in deadbeef "x' OR 1=1 --" ""; do
  run rokso rollback --version "$bad" --yes
  expect_code 2 "unknown revision '$bad'"
  expect_err "unknown revision"
done
expect_eq "$(sql "SELECT string_agg(id || filename || version, ',' ORDER BY id) FROM offline.rokso_db_version")" "$rows_before" "nothing done on unknown revision"

run_with_input "Y\n" rokso rollback --version "$R2"
expect_code 0 "rollback --version <latest> has nothing after it"
expect_out "Nothing to rollback."

run_with_input "YES\n" rokso rollback --version "$R1"
expect_code 0
expect_out "✅ Rollback complete."
expect_eq "$(sql "SELECT string_agg(version, ',' ORDER BY id) FROM offline.rokso_db_version")" "$R1" "after rollback --version"
expect_eq "$(sql "SELECT to_regclass('online.c') IS NULL AND to_regclass('offline.b') IS NULL AND to_regclass('offline.a') IS NOT NULL")" t "objects after rollback --version"

# A file that vanished cannot be rolled back: said before anything is undone.
rm migration/offline/200.tables/a/2021_01_01__00_00_00_a.py
run rokso rollback --yes
expect_code 1
expect_err "no longer under migration/"
expect_eq "$(sql "SELECT count(*) FROM offline.rokso_db_version")" 1 "row kept"

finish
