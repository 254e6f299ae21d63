#!/usr/bin/env bash
# roksopsql's tutorial, end to end on rokso (seed/000: "Setup" to "Rolling back to a
# specific version"): two schemas, three files, single migrate, migrate all, status,
# rollback, rollback --version, last-success — asserting database state and the seed's
# phrases. Uses the tutorial's password login over TCP.
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

new_database
sql "ALTER DATABASE $DB OWNER TO pguser; ALTER SCHEMA offline OWNER TO pguser; ALTER SCHEMA online OWNER TO pguser"
mkdir -p "$WORK/tutorial"
cd "$WORK/tutorial"

# init, answering the seed's prompts in the seed's order (port and schema defaults shown).
run_with_input "$(printf '.\n127.0.0.1\n%s\n%s\npguser\ntutorial-secret\noffline\n' "$ROKSO_TEST_PGPORT" "$DB")" rokso init
expect_code 0 "init"
expect_out "Enter path to setup project"
expect_out "Enter database port [Default:5432] [5432]"
expect_out "Enter a schema name [Default:public] [public]"
expect_out "You are connected to -  PostgreSQL 15"
expect_no_out "tutorial-secret"
expect_eq "$(stat -c %a config.json)" 600 "config.json mode"
expect_eq "$(sql "SELECT count(*) FROM pg_tables WHERE schemaname = 'offline' AND tablename = 'rokso_db_version'")" 1 "version table"
[ -d migration ] && pass || fail "migration/ missing"

# create <schema> <letter> <object> <name> <apply> <rollback>; sets CREATED (identity)
create() {
  run_with_input "$(printf '%s\n%s\n%s\n%s\n' "$1" "$2" "$3" "$4")" rokso create
  expect_code 0 "create $3"
  expect_out "has been generated"
  local dir file
  dir=$(sed -n 's/^migration filepath:: //p' <<<"$OUT")
  file=$(sed -n 's/^\[\*\] migration file \(.*\) has been generated$/\1/p' <<<"$OUT")
  [ -f "$dir/$file" ] && pass || fail "generated file $dir/$file missing"
  write_py "$dir/$file" "$5" "$6"
  CREATED="${dir#"$WORK/tutorial/migration/"}/$file"
}

create offline T user_master create_table_user_master \
  "CREATE TABLE IF NOT EXISTS offline.user_master (id serial PRIMARY KEY, email varchar(100) NOT NULL, CONSTRAINT email_UNQ UNIQUE (email));" \
  "DROP TABLE IF EXISTS offline.user_master;"
USER_MASTER=$CREATED
expect_eq "$(dirname "$USER_MASTER")" "offline/200.tables/user_master" "table directory"
create offline F generate_booking_number create_function_generate_booking_number \
  'CREATE OR REPLACE FUNCTION offline.generate_booking_number() RETURNS character varying LANGUAGE plpgsql AS $function$
begin
  return concat(date_part($$year$$, CURRENT_TIMESTAMP), $$-$$, 700 + date_part($$doy$$, CURRENT_TIMESTAMP));
END;
$function$;' \
  "DROP FUNCTION IF EXISTS offline.generate_booking_number;"
BOOKING=$CREATED
expect_eq "$(dirname "$BOOKING")" "offline/500.functions/generate_booking_number" "function directory"
create online T website_user create_table_website_user \
  "CREATE TABLE IF NOT EXISTS online.website_user (id serial PRIMARY KEY, email varchar(100) NOT NULL);" \
  "DROP TABLE IF EXISTS online.website_user;"
WEBSITE=$CREATED

# status: nothing applied, three pending, in roksopsql's order.
run rokso status
expect_code 0 "status"
expect_out "Last few successful migrations:"
expect_out "Pending migrations for application:"
pending=$(grep -E '  NA +pending$' <<<"$OUT" | awk '{print $1}' | tr '\n' ' ')
expect_eq "$pending" "$USER_MASTER $BOOKING $WEBSITE " "pending order"

# migrate one file
run rokso migrate --migration "$USER_MASTER"
expect_code 0 "migrate --migration"
expect_out "Applying migration file:  $USER_MASTER"
expect_out "Your database is at revision# "
REV1=$(sed -n 's/.*revision# \([0-9a-f]\{8\}\)$/\1/p' <<<"$OUT")
expect_eq "${#REV1}" 8 "revision id length"
expect_eq "$(sql "SELECT to_regclass('offline.user_master') IS NOT NULL")" t "user_master exists"
expect_eq "$(sql "SELECT to_regclass('online.website_user') IS NULL")" t "website_user not yet"
expect_eq "$(sql "SELECT filename || ' ' || version || ' ' || status FROM offline.rokso_db_version")" \
  "$USER_MASTER $REV1 complete" "version row"

run rokso status
# The revision is hex: when all 8 of its digits are decimal (one run in 40), the table
# right-aligns the column as a number, as tabulate does, so the gap before 'complete' varies.
if grep -qE " $REV1 +complete " <<<"$OUT"; then pass; else fail "status lacks '$REV1  complete'"; fi
expect_eq "$(grep -cE '  NA +pending$' <<<"$OUT")" 2 "two pending"

# migrate all: the other two share one new revision
run rokso migrate
expect_code 0 "migrate"
REV2=$(sed -n 's/.*revision# \([0-9a-f]\{8\}\)$/\1/p' <<<"$OUT")
[ -n "$REV2" ] && [ "$REV2" != "$REV1" ] && pass || fail "second revision '$REV2'"
expect_eq "$(sql "SELECT string_agg(version, ' ' ORDER BY id) FROM offline.rokso_db_version")" "$REV1 $REV2 $REV2" "revisions"
expect_eq "$(sql "SELECT offline.generate_booking_number() ~ '^[0-9]{4}-[0-9]+\$'")" t "function works"
expect_eq "$(sql "SELECT to_regclass('online.website_user') IS NOT NULL")" t "website_user exists"

run rokso status
expect_out "No new migration to process."
run rokso migrate
expect_code 0
expect_out "Nothing to migrate ...."
run rokso last-success
expect_out "Last successful version: $REV2"

# rollback the last revision, confirmed through a pipe as with roksopsql
run_with_input "y\n" rokso rollback
expect_code 0 "rollback"
expect_out "Following files will be rolledback:"
expect_out "Please confirm to proceed(y/yes)"
expect_out "🔄 Rolling back file::  $WEBSITE"
expect_out "🔄 Rolling back file::  $BOOKING"
expect_out "✅ Rollback complete."
# newest first
first=$(grep -n "Rolling back file::  $WEBSITE" <<<"$OUT" | cut -d: -f1)
second=$(grep -n "Rolling back file::  $BOOKING" <<<"$OUT" | cut -d: -f1)
[ "$first" -lt "$second" ] && pass || fail "rollback order"
expect_eq "$(sql "SELECT to_regclass('online.website_user') IS NULL")" t "website_user dropped"
expect_eq "$(sql "SELECT count(*) FROM pg_proc WHERE proname = 'generate_booking_number'")" 0 "function dropped"
expect_eq "$(sql "SELECT string_agg(version, ' ' ORDER BY id) FROM offline.rokso_db_version")" "$REV1" "rows after rollback"
run rokso last-success
expect_out "Last successful version: $REV1"

# re-apply, then roll back to the first revision (everything after it, by id)
run rokso migrate
expect_code 0
REV3=$(sed -n 's/.*revision# \([0-9a-f]\{8\}\)$/\1/p' <<<"$OUT")
run_with_input "yes\n" rokso rollback --version "$REV1"
expect_code 0 "rollback --version"
expect_out "✅ Rollback complete."
expect_eq "$(sql "SELECT string_agg(filename, ' ' ORDER BY id) FROM offline.rokso_db_version")" "$USER_MASTER" "rows after rollback --version"
expect_eq "$(sql "SELECT to_regclass('offline.user_master') IS NOT NULL AND to_regclass('online.website_user') IS NULL")" t "state after rollback --version"
[ "$REV3" != "$REV1" ] && pass || fail "fresh revision"

# rolling back the very first revision too leaves an empty history
run rokso rollback --yes
expect_code 0
run rokso last-success
expect_out "No last revision detected"
expect_eq "$(sql "SELECT count(*) FROM offline.rokso_db_version")" 0 "empty history"
expect_eq "$(sql "SELECT to_regclass('offline.user_master') IS NULL")" t "user_master dropped"

finish
