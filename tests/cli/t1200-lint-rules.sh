#!/usr/bin/env bash
# rokso lint (issue 15): every rule caught by a fixture that must be caught, and left
# alone by one that must pass clean (the same kind of statement done safely, or on a
# table the same migration creates). The fixtures are .sql pairs named on the command
# line, outside migration/, so this reads no database.
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

new_database
new_project
cd "$PROJECT"
FX=$WORK/fx
mkdir -p "$FX"

# fixture <name> <apply SQL> [<rollback SQL>]: $FX/<name>.up.sql (+ .down.sql)
fixture() {
  printf '%s\n' "$2" >"$FX/$1.up.sql"
  if [ -n "${3:-}" ]; then printf '%s\n' "$3" >"$FX/$1.down.sql"; fi
}
# rules_of <name>: the rules found in that fixture, sorted, comma-separated ("" if none).
rules_of() {
  j "(SELECT coalesce(string_agg(r, ',' ORDER BY r), '') FROM (SELECT DISTINCT f->>'rule' AS r FROM jsonb_array_elements(doc->'findings') f WHERE f->>'file' = '$FX/$1.up.sql') x)"
}
expect_rules() {  # expect_rules <name> <rules>
  expect_eq "$(rules_of "$1")" "$2" "rules of $1"
}

T="ALTER TABLE offline.t"
fixture pos_index "CREATE INDEX t_a ON offline.t (a);" "DROP INDEX CONCURRENTLY offline.t_a;"
fixture neg_index "CREATE INDEX CONCURRENTLY t_a ON offline.t (a);" "DROP INDEX CONCURRENTLY offline.t_a;"
fixture neg_index_new "CREATE TABLE offline.n (a int);
CREATE INDEX n_a ON offline.n (a);" "DROP TABLE offline.n;"
fixture pos_drop_index "DROP INDEX offline.t_a;"
fixture neg_drop_index "DROP INDEX CONCURRENTLY offline.t_a;"
fixture pos_fk "$T ADD CONSTRAINT t_fk FOREIGN KEY (a) REFERENCES offline.u (id);" "$T DROP CONSTRAINT t_fk;"
fixture pos_check "$T ADD CONSTRAINT t_c CHECK (a > 0);" "$T DROP CONSTRAINT t_c;"
fixture pos_fk_column "$T ADD COLUMN u_id int REFERENCES offline.u (id);" "$T DROP COLUMN u_id;"
fixture neg_fk "$T ADD CONSTRAINT t_fk FOREIGN KEY (a) REFERENCES offline.u (id) NOT VALID;
$T ADD CONSTRAINT t_c CHECK (a > 0) NOT VALID;" "$T DROP CONSTRAINT t_fk;"
fixture pos_unique "$T ADD CONSTRAINT t_u UNIQUE (a);" "$T DROP CONSTRAINT t_u;"
fixture neg_unique "$T ADD CONSTRAINT t_u UNIQUE USING INDEX t_a;" "$T DROP CONSTRAINT t_u;"
fixture pos_pk "$T ADD PRIMARY KEY (a);" "$T DROP CONSTRAINT t_pkey;"
fixture neg_pk "$T ADD CONSTRAINT t_pkey PRIMARY KEY USING INDEX t_a;" "$T DROP CONSTRAINT t_pkey;"
fixture pos_set_not_null "$T ALTER COLUMN a SET NOT NULL;" "$T ALTER COLUMN a DROP NOT NULL;"
fixture neg_set_not_null "$T ADD CONSTRAINT a_nn CHECK (a IS NOT NULL) NOT VALID;" "$T DROP CONSTRAINT a_nn;"
fixture pos_required "$T ADD COLUMN b int NOT NULL;" "$T DROP COLUMN b;"
fixture neg_required "$T ADD COLUMN b int NOT NULL DEFAULT 0;" "$T DROP COLUMN b;"
fixture pos_volatile "$T ADD COLUMN c uuid DEFAULT gen_random_uuid();" "$T DROP COLUMN c;"
fixture pos_serial "$T ADD COLUMN s bigserial;" "$T DROP COLUMN s;"
fixture pos_identity "$T ADD COLUMN g int GENERATED ALWAYS AS IDENTITY;" "$T DROP COLUMN g;"
fixture neg_volatile "$T ADD COLUMN c timestamptz DEFAULT now();
$T ADD COLUMN d int DEFAULT 42;" "$T DROP COLUMN c, DROP COLUMN d;"
fixture pos_type "$T ALTER COLUMN a TYPE bigint;" "$T ALTER COLUMN a TYPE int;"
fixture neg_type "$T ALTER COLUMN a SET DEFAULT 1;" "$T ALTER COLUMN a DROP DEFAULT;"
fixture pos_vacuum_full "VACUUM FULL offline.t;"
fixture neg_vacuum_full "VACUUM (ANALYZE) offline.t;"
fixture pos_cluster "CLUSTER offline.t USING t_a;"
fixture neg_cluster "ANALYZE offline.t;"
fixture pos_lock "LOCK TABLE offline.t IN SHARE MODE;"
fixture neg_lock "SELECT 1;"
fixture pos_drop_column "$T DROP COLUMN a;"
fixture neg_drop_column "CREATE TABLE offline.n (a int, b int);
ALTER TABLE offline.n DROP COLUMN b;" "DROP TABLE offline.n;"
fixture pos_drop_table "DROP TABLE offline.t;"
fixture neg_drop_table "CREATE TABLE offline.n (a int);
DROP TABLE offline.n;" "DROP TABLE IF EXISTS offline.n;"
fixture pos_drop_database "DROP DATABASE other;"
fixture pos_rename_column "$T RENAME COLUMN a TO b;" "$T RENAME COLUMN b TO a;"
fixture neg_rename_column "CREATE TABLE offline.n (a int);
ALTER TABLE offline.n RENAME COLUMN a TO b;" "DROP TABLE offline.n;"
fixture pos_rename_table "$T RENAME TO t2;" "ALTER TABLE offline.t2 RENAME TO t;"
fixture neg_rename_table "CREATE TABLE offline.n (a int);
ALTER TABLE offline.n RENAME TO n2;" "DROP TABLE offline.n2;"
fixture pos_transaction "CREATE TABLE offline.n (a int);
COMMIT;
CREATE TABLE offline.m (a int);" "DROP TABLE offline.m;
DROP TABLE offline.n;"
fixture pos_transaction_rollback "CREATE TABLE offline.n (a int);" "DROP TABLE offline.n;
ROLLBACK;"
fixture neg_transaction "BEGIN;
CREATE TABLE offline.n (a int);
SAVEPOINT s;
RELEASE SAVEPOINT s;
COMMIT;" "DROP TABLE offline.n;"
fixture pos_empty_rollback "CREATE TABLE offline.n (a int);"
fixture neg_empty_rollback "CREATE TABLE offline.n (a int);" "DROP TABLE offline.n;"
fixture pos_rollback_leaves "CREATE TABLE offline.n (a int);
CREATE VIEW offline.v AS SELECT a FROM offline.n;
CREATE FUNCTION offline.f() RETURNS int LANGUAGE sql AS 'SELECT 1';
$T ADD COLUMN e int;" "DROP TABLE offline.n CASCADE;"
fixture neg_rollback_leaves "CREATE TABLE offline.n (a int);
CREATE VIEW offline.v AS SELECT a FROM offline.n;
CREATE FUNCTION offline.f() RETURNS int LANGUAGE sql AS 'SELECT 1';
CREATE TYPE offline.mood AS ENUM ('ok');
CREATE INDEX CONCURRENTLY t_e ON offline.t (a);
$T ADD COLUMN e int;" "$T DROP COLUMN e;
DROP TYPE offline.mood;
DROP FUNCTION offline.f();
DROP VIEW offline.v;
DROP TABLE offline.n;
DROP INDEX CONCURRENTLY offline.t_e;"
fixture pos_lock_timeout "$T ADD COLUMN e int;" "$T DROP COLUMN e;"
fixture neg_lock_timeout "SET lock_timeout = '2s';
$T ADD COLUMN e int;" "$T DROP COLUMN e;"

run rokso lint --format json "$FX"/*.up.sql
expect_code 1 "errors found"
expect_rules pos_index require-concurrent-index-creation
expect_rules neg_index ""
expect_rules neg_index_new ""
expect_rules pos_drop_index require-concurrent-index-deletion
expect_rules neg_drop_index ""
expect_rules pos_fk constraint-missing-not-valid
expect_rules pos_check constraint-missing-not-valid
expect_rules pos_fk_column constraint-missing-not-valid
expect_rules neg_fk ""
expect_rules pos_unique disallowed-unique-constraint
expect_rules neg_unique ""
expect_rules pos_pk adding-primary-key-constraint
expect_rules neg_pk ""
expect_rules pos_set_not_null adding-not-nullable-field
expect_rules neg_set_not_null ""
expect_rules pos_required adding-required-field
expect_rules neg_required ""
expect_rules pos_volatile adding-field-with-volatile-default
expect_rules pos_serial adding-field-with-volatile-default
expect_rules pos_identity adding-field-with-volatile-default
expect_rules neg_volatile ""
expect_rules pos_type changing-column-type
expect_rules neg_type ""
expect_rules pos_vacuum_full ban-vacuum-full
expect_rules neg_vacuum_full ""
expect_rules pos_cluster ban-cluster
expect_rules neg_cluster ""
expect_rules pos_lock ban-lock-table
expect_rules neg_lock ""
expect_rules pos_drop_column ban-drop-column
expect_rules neg_drop_column ""
expect_rules pos_drop_table ban-drop-table
expect_rules neg_drop_table ""
expect_rules pos_drop_database ban-drop-database
expect_rules pos_rename_column renaming-column
expect_rules neg_rename_column ""
expect_rules pos_rename_table renaming-table
expect_rules neg_rename_table ""
expect_rules pos_transaction transaction-control
expect_rules pos_transaction_rollback transaction-control
expect_rules neg_transaction ""
expect_rules pos_empty_rollback empty-rollback
expect_rules neg_empty_rollback ""
expect_eq "$(j "(SELECT string_agg(f->>'message', '|' ORDER BY f->>'message') FROM jsonb_array_elements(doc->'findings') f WHERE f->>'file' = '$FX/pos_rollback_leaves.up.sql')")" \
  'the rollback does not drop column "t.e"|the rollback does not drop function "f"|the rollback does not drop view "v"' \
  "rollback-does-not-drop names what the rollback leaves"
expect_rules neg_rollback_leaves ""
# rokso's own lock_timeout is on (5s by default): require-lock-timeout stays quiet.
expect_rules pos_lock_timeout ""
expect_rules neg_lock_timeout ""

# Positions: the line of the statement in the file.
expect_json "(SELECT f->>'line' FROM jsonb_array_elements(doc->'findings') f WHERE f->>'file' = '$FX/pos_transaction.up.sql')" 2 "COMMIT's line"
expect_json "(SELECT f->>'line_in' FROM jsonb_array_elements(doc->'findings') f WHERE f->>'file' = '$FX/pos_transaction.up.sql')" file
expect_json "(SELECT f->>'sql' FROM jsonb_array_elements(doc->'findings') f WHERE f->>'file' = '$FX/pos_transaction_rollback.up.sql')" rollback "found in the rollback"

# With lock_timeout 0 in config.json, a statement locking an existing table needs one.
sed -i '0,/{/s//{"migrations": {"lock_timeout": "0"},/' "$PROJECT/config.json"
run rokso lint --format json "$FX/pos_lock_timeout.up.sql" "$FX/neg_lock_timeout.up.sql" "$FX/neg_index_new.up.sql"
expect_code 1
expect_rules pos_lock_timeout require-lock-timeout
expect_rules neg_lock_timeout ""
expect_rules neg_index_new ""

# Nothing was touched in the database: lint of files reads none.
expect_eq "$(sql "SELECT count(*) FROM pg_tables WHERE schemaname = 'offline' AND tablename <> 'rokso_db_version'")" 0 "no table created"
finish
