#!/usr/bin/env bash
# An existing roksopsql project continues under rokso unchanged: its config.json (as
# roksopsql wrote it), its migration/ tree and its version table made with roksopsql's
# exact DDL, with rows in it.
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

new_database
P=$WORK/legacy
mkdir -p "$P"
cat >"$P/config.json" <<JSON
{"database": {"database": "$DB", "dbschema": "offline", "host": "$ROKSO_TEST_PGHOST", "password": "", "port": "$ROKSO_TEST_PGPORT", "user": "postgres"}}
JSON

# roksopsql's DDL, verbatim, and the rows two roksopsql runs left.
sql "CREATE TABLE IF NOT EXISTS offline.rokso_db_version (
        id serial PRIMARY KEY,
        filename text NOT NULL,
        version varchar(100) NOT NULL,
        status VARCHAR(20) DEFAULT 'pending' NOT NULL,
        scheduledAt timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
        executedAt timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
        CONSTRAINT filename_UNQ UNIQUE (filename));
     CREATE TABLE offline.user_master (id serial PRIMARY KEY);
     CREATE TABLE online.website_user (id serial PRIMARY KEY);
     INSERT INTO offline.rokso_db_version (filename, version, status, scheduledAt, executedAt) VALUES
       ('offline/200.tables/user_master/2021_03_29__19_14_28_create_table_user_master.py', 'b23b4a2d', 'complete', '2021-03-29 20:04:01.691033', '2021-03-29 20:04:01.691033'),
       ('online/200.tables/website_user/2021_03_29__19_37_31_create_table_website_user.py', '22d0747c', 'complete', '2021-03-29 20:09:50.932331', '2021-03-29 20:09:50.932331');"

write_py "$P/migration/offline/200.tables/user_master/2021_03_29__19_14_28_create_table_user_master.py" \
  "CREATE TABLE IF NOT EXISTS offline.user_master (id serial PRIMARY KEY);" "DROP TABLE IF EXISTS offline.user_master;"
write_py "$P/migration/online/200.tables/website_user/2021_03_29__19_37_31_create_table_website_user.py" \
  "CREATE TABLE IF NOT EXISTS online.website_user (id serial PRIMARY KEY);" "DROP TABLE IF EXISTS online.website_user;"
# A file written the way roksopsql's template was, single-quoted rollback and all.
mkdir -p "$P/migration/offline/500.functions/generate_booking_number"
cat >"$P/migration/offline/500.functions/generate_booking_number/2021_03_29__19_34_09_create_function_generate_booking_number.py" <<'PY'
apply_sql = """
CREATE OR REPLACE FUNCTION offline.generate_booking_number()
 RETURNS character varying
 LANGUAGE plpgsql
AS $function$
begin
        return 'B-' || nextval('offline.user_master_id_seq');
END;
$function$
;
"""

rollback_sql = "DROP FUNCTION IF EXISTS offline.generate_booking_number;"

migrations = {
    "apply": apply_sql,
    "rollback": rollback_sql
}
PY
cd "$P"

run rokso status
expect_code 0 "status on a roksopsql table"
expect_out "b23b4a2d   complete  2021-03-29 20:04:01.691033  2021-03-29 20:04:01.691033"
expect_out "offline/500.functions/generate_booking_number/2021_03_29__19_34_09_create_function_generate_booking_number.py  NA         pending"
# status is read-only: the table is not upgraded by looking at it
expect_eq "$(sql "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'offline' AND table_name = 'rokso_db_version'")" 6 "columns before migrate"

run rokso last-success
expect_out "Last successful version: 22d0747c"

run rokso migrate
expect_code 0 "migrate continues the roksopsql history"
expect_out "Applying migration file:  offline/500.functions/generate_booking_number/"
expect_eq "$(sql "SELECT count(*) FROM offline.rokso_db_version")" 3 "rows"
expect_eq "$(sql "SELECT string_agg(id::text, ' ' ORDER BY id) FROM offline.rokso_db_version")" "1 2 3" "ids continue the serial"
expect_eq "$(sql "SELECT offline.generate_booking_number() LIKE 'B-%'")" t "function applied"
# upgraded in place: rokso's columns added, roksopsql's rows and columns untouched
expect_eq "$(sql "SELECT string_agg(column_name::text, ',' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_schema = 'offline' AND table_name = 'rokso_db_version'")" \
  "id,filename,version,status,scheduledat,executedat,executed_by,duration_ms,progress,progress_checksum,checksum,checksum_algorithm" "upgraded columns"
expect_eq "$(sql "SELECT version || ' ' || status || ' ' || scheduledat FROM offline.rokso_db_version WHERE id = 1")" \
  "b23b4a2d complete 2021-03-29 20:04:01.691033" "old row intact"
expect_eq "$(sql "SELECT executed_by FROM offline.rokso_db_version WHERE id = 3")" "postgres" "executed_by recorded"
# roksopsql's own reads still work on the upgraded table
expect_eq "$(sql "SELECT count(*) FROM (SELECT * FROM offline.rokso_db_version ORDER BY id DESC LIMIT 1) t")" 1 "SELECT * still works"

# rollback of the roksopsql-made revision 22d0747c works too
run rokso rollback --version b23b4a2d --yes
expect_code 0
expect_eq "$(sql "SELECT string_agg(version, ' ' ORDER BY id) FROM offline.rokso_db_version")" "b23b4a2d" "rolled back to b23b4a2d"
expect_eq "$(sql "SELECT to_regclass('online.website_user') IS NULL")" t "roksopsql-applied table rolled back"

# roksopsql spliced the schema unquoted, so "Offline" in config.json meant offline.
sed -i 's/"offline"/"Offline"/' config.json
run rokso last-success
expect_code 0
expect_out "Last successful version: b23b4a2d"

finish
