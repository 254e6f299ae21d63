#!/usr/bin/env bash
# A full disk: `create` and `init` fail with the OS's reason (exit 1) and leave no file
# behind (before, create left a 0-byte migration that broke status and migrate), and
# `status` and `migrate` keep working. Needs a small tmpfs, so root and mount: skipped
# with a message otherwise.
# shellcheck disable=SC1091
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

MNT="$WORK/full"
mkdir -p "$MNT"
if ! mount -t tmpfs -o size=256k,mode=0755 rokso-t0940 "$MNT" 2>/dev/null; then
  echo "$TEST_NAME: skipped: cannot mount a tmpfs here (needs root and mount rights)"
  finish
fi
trap 'cd / && umount "$MNT" 2>/dev/null; cleanup' EXIT

new_database
new_project "$MNT/project"
cd "$PROJECT" || exit 1
write_py "$PROJECT/migration/offline/200.tables/a/2021_01_01__00_00_00_a.py" "CREATE TABLE offline.a (id int);"
mkdir -p "$PROJECT/migration/offline/200.tables/t"
# Fill the disk to its last byte.
dd if=/dev/zero of="$MNT/filler" bs=4k >/dev/null 2>&1
dd if=/dev/zero of="$MNT/filler2" bs=1 >/dev/null 2>&1

files_under() { find "$1" -type f | sort; }
BEFORE=$(files_under "$PROJECT")

run rokso create --dbschema offline --type T --tablename t --filename on_full_disk
expect_code 1 "create on a full disk"
expect_one_line_error "No space left on device"
expect_err "on_full_disk.py"
expect_eq "$(files_under "$PROJECT")" "$BEFORE" "files after create on a full disk"
run rokso create --dbschema offline --type T --tablename t --filename pair_on_full_disk --format sql
expect_code 1 "create of a .sql pair on a full disk"
expect_one_line_error "No space left on device"
expect_eq "$(files_under "$PROJECT")" "$BEFORE" "files after create of a pair on a full disk"

# Nothing half-written is left for status or migrate to trip over.
run rokso status
expect_code 0 "status after create failed on a full disk"
run rokso migrate
expect_code 0 "migrate after create failed on a full disk"
expect_eq "$(sql "SELECT filename FROM offline.rokso_db_version")" "offline/200.tables/a/2021_01_01__00_00_00_a.py" "rows after migrate"

# init: config.json is written whole or not at all.
mkdir -p "$MNT/second"
run rokso init --projectpath "$MNT/second" --dbhost "$ROKSO_TEST_PGHOST" --dbport "$ROKSO_TEST_PGPORT" \
  --dbname "$DB" --dbusername postgres --dbpassword "" --dbschema online
expect_code 1 "init on a full disk"
expect_one_line_error "No space left on device"
expect_eq "$(files_under "$MNT/second")" "" "files after init on a full disk"

# With room again, create works and writes one whole file.
rm -f "$MNT/filler" "$MNT/filler2"
run rokso create --dbschema offline --type T --tablename t --filename with_room
expect_code 0 "create with room on the disk"
NEW=$(find "$PROJECT/migration/offline/200.tables/t" -type f -name '*_with_room.py')
[ -n "$NEW" ] && [ -s "$NEW" ] && pass || fail "the new migration is missing or empty"
expect_eq "$(find "$PROJECT" -name '.*tmp*' | wc -l)" 0 "temporary files left"
run rokso migrate
expect_code 0 "migrate the created file"
expect_eq "$(sql "SELECT count(*) FROM offline.rokso_db_version WHERE filename LIKE '%with_room.py'")" 1 "the created migration is applied"

finish
