#!/usr/bin/env bash
# A migration file (or a .sql pair's rollback) that is a symbolic link resolving outside
# migration/ is refused, naming it: `migrate --dry-run` would print its content
# (config.json with its password) and `migrate` would send any file on the machine to the
# server. Links that stay inside the tree keep working.
# shellcheck disable=SC1091
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

new_database
new_project
cd "$PROJECT" || exit 1
python3 - "$PROJECT/config.json" <<'PY'
import json, sys
path = sys.argv[1]
doc = json.load(open(path))
doc["database"]["password"] = "t0970-Secret"   # trust auth: never checked
json.dump(doc, open(path, "w"), indent=4)
PY
D="$PROJECT/migration/offline/200.tables/l"
mkdir -p "$D"
write_py "$D/2021_01_01__00_00_00_ok.py" "CREATE TABLE offline.ok (id int);"

for target in "../../../../config.json" "$PROJECT/config.json" "/etc/passwd"; do
  ln -sfn "$target" "$D/2021_01_02__00_00_00_leak.py"
  for cmd in "migrate --dry-run" "migrate" "status"; do
    # shellcheck disable=SC2086
    run rokso $cmd
    expect_code 1 "rokso $cmd with a link to $target"
    expect_one_line_error "refusing to read '$D/2021_01_02__00_00_00_leak.py': it is a symbolic link to"
    expect_err "outside the migration directory"
    expect_no_out "t0970-Secret"
    expect_no_out "root:x:0"
  done
done
rm -f "$D/2021_01_02__00_00_00_leak.py"
# A .sql pair whose rollback leads out.
printf 'CREATE TABLE offline.pair (id int);\n' >"$D/2021_01_03__00_00_00_pair.apply.sql"
ln -s "$PROJECT/config.json" "$D/2021_01_03__00_00_00_pair.rollback.sql"
run rokso migrate --dry-run
expect_code 1 "a rollback file linking out"
expect_one_line_error "2021_01_03__00_00_00_pair.rollback.sql': it is a symbolic link to"
expect_no_out "t0970-Secret"
rm -f "$D/2021_01_03__00_00_00_pair."*
expect_eq "$(sql "SELECT count(*) FROM offline.rokso_db_version")" 0 "rows after the refused runs"
expect_eq "$(sql "SELECT to_regclass('offline.ok') IS NULL")" t "nothing ran"

# Links inside the tree keep working: to a hidden shared file, and to another migration.
mkdir -p "$PROJECT/migration/.shared"
write_py "$PROJECT/migration/.shared/common.py" "CREATE TABLE offline.shared (id int);"
ln -s ../../../.shared/common.py "$D/2021_01_04__00_00_00_shared.py"
run rokso migrate
expect_code 0 "links inside migration/"
expect_eq "$(sql "SELECT count(*) FROM offline.rokso_db_version WHERE status = 'complete'")" 2 "rows"
expect_eq "$(sql "SELECT to_regclass('offline.shared') IS NOT NULL")" t "the linked migration ran"
# migration/ itself a link to a directory elsewhere: its files are inside it.
mv "$PROJECT/migration" "$WORK/real-migration"
ln -s "$WORK/real-migration" "$PROJECT/migration"
run rokso status
expect_code 0 "migration/ as a symbolic link"
expect_out "No new migration to process."

finish
