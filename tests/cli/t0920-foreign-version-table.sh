#!/usr/bin/env bash
# A version table (or lease-lock table) that someone else prepared: a role with CREATE on
# the schema makes offline.rokso_db_version itself, with a trigger that would make it a
# superuser; an admin then runs `rokso migrate`. rokso refuses a table it does not own,
# one with triggers or rules, and one that is not a plain table (exit 1, nothing run),
# and the tables it creates itself can be written by their owner only, whatever the
# schema's default privileges grant.
# shellcheck disable=SC1091
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

ROLE=t0920_mallory
new_database
# Roles outlive databases: an earlier run's role is reused, and made harmless again.
[ -n "$(sql "SELECT 1 FROM pg_roles WHERE rolname = '$ROLE'" postgres)" ] || sql "CREATE ROLE $ROLE LOGIN" postgres
sql "ALTER ROLE $ROLE NOSUPERUSER LOGIN" postgres
sql "GRANT USAGE, CREATE ON SCHEMA offline TO $ROLE"
new_project
cd "$PROJECT" || exit 1
write_py "$PROJECT/migration/offline/200.tables/t/2021_01_01__00_00_00_t.py" "CREATE TABLE offline.t (id int);" "DROP TABLE offline.t;"

as_mallory() {
  PGOPTIONS="-c client_min_messages=warning" "$PG_BIN/psql" -XAtq -v ON_ERROR_STOP=1 -h "$ROKSO_TEST_PGHOST" \
    -p "$ROKSO_TEST_PGPORT" -U "$ROLE" -d "$DB" -c "$1"
}
is_superuser() { sql "SELECT rolsuper FROM pg_roles WHERE rolname = '$ROLE'"; }
PREPARED="CREATE TABLE offline.rokso_db_version (id serial PRIMARY KEY, filename text NOT NULL UNIQUE,
  version varchar(100) NOT NULL, status varchar(20) NOT NULL DEFAULT 'pending',
  scheduledAt timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP, executedAt timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP);
CREATE FUNCTION offline.escalate() RETURNS trigger LANGUAGE plpgsql AS \$\$
BEGIN EXECUTE 'ALTER ROLE $ROLE SUPERUSER'; RETURN NEW; END \$\$;"
TRIGGER="CREATE TRIGGER escalate BEFORE INSERT OR UPDATE OR DELETE ON offline.rokso_db_version
  FOR EACH ROW EXECUTE FUNCTION offline.escalate()"

# --- the attack: mallory's own table with a trigger ---------------------------------------
sql "DROP TABLE offline.rokso_db_version"
as_mallory "$PREPARED $TRIGGER"
for cmd in "migrate" "migrate --dry-run" "status" "last-success" "rollback --yes" "mark --applied offline/200.tables/t/2021_01_01__00_00_00_t.py --yes"; do
  # shellcheck disable=SC2086
  run rokso $cmd
  expect_code 1 "rokso $cmd on mallory's version table"
  expect_one_line_error "refusing to use offline.rokso_db_version: it is owned by role '$ROLE', not by 'postgres'"
  expect_eq "$(is_superuser)" f "mallory after rokso $cmd"
done
expect_eq "$(sql "SELECT count(*) FROM offline.rokso_db_version")" 0 "rows in mallory's table"
expect_eq "$(sql "SELECT to_regclass('offline.t') IS NULL")" t "no migration ran"

# A membership mallory granted itself to the admin (allowed before PostgreSQL 16) does not
# make the table the admin's.
if as_mallory "GRANT $ROLE TO postgres" 2>/dev/null; then
  run rokso migrate
  expect_code 1 "migrate after mallory granted itself to the admin"
  expect_err "it is owned by role '$ROLE'"
  expect_eq "$(is_superuser)" f "mallory after a self-granted membership"
  sql "REVOKE $ROLE FROM postgres"
fi

# --- a table the admin owns, but with a trigger or a rule --------------------------------
sql "ALTER TABLE offline.rokso_db_version OWNER TO postgres"
run rokso migrate
expect_code 1 "migrate on an own table with a trigger"
expect_one_line_error "refusing to use offline.rokso_db_version: it has triggers (escalate)"
expect_eq "$(is_superuser)" f "mallory after the trigger case"
sql "DROP TRIGGER escalate ON offline.rokso_db_version"
sql "CREATE RULE audit AS ON INSERT TO offline.rokso_db_version DO ALSO NOTIFY rokso_audit"
run rokso status
expect_code 1 "status on a table with a rule"
expect_one_line_error "refusing to use offline.rokso_db_version: it has rules (audit)"
sql "DROP TABLE offline.rokso_db_version"
sql "CREATE VIEW offline.rokso_db_version AS SELECT 1 AS id, ''::text AS filename"
run rokso migrate
expect_code 1 "migrate on a view named like the version table"
expect_one_line_error "it is not a plain table"
sql "DROP VIEW offline.rokso_db_version"
expect_eq "$(sql "SELECT to_regclass('offline.t') IS NULL")" t "still no migration ran"

# --- rokso's own table: its owner alone may write it, default privileges or not ---------
sql "ALTER DEFAULT PRIVILEGES IN SCHEMA offline GRANT ALL ON TABLES TO PUBLIC"
sql "ALTER DEFAULT PRIVILEGES IN SCHEMA offline GRANT ALL ON SEQUENCES TO $ROLE"
run rokso migrate
expect_code 0 "migrate creating its own version table"
expect_eq "$(sql "SELECT count(*) FROM offline.rokso_db_version WHERE status = 'complete'")" 1 "the migration is recorded"
expect_eq "$(sql "SELECT has_table_privilege('$ROLE', 'offline.rokso_db_version', 'INSERT, UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES')")" f \
  "mallory's rights on the version table rokso created"
expect_eq "$(sql "SELECT has_sequence_privilege('$ROLE', 'offline.rokso_db_version_id_seq', 'USAGE, UPDATE')")" f \
  "mallory's rights on its id sequence"
if as_mallory "CREATE TRIGGER x BEFORE INSERT ON offline.rokso_db_version FOR EACH ROW EXECUTE FUNCTION offline.escalate()" 2>/dev/null; then
  fail "mallory could add a trigger to rokso's table"
else
  pass
fi

# --- the lease-lock table ----------------------------------------------------------------
sql "DROP TABLE offline.rokso_db_version; DROP TABLE offline.t"
as_mallory "CREATE TABLE offline.rokso_db_version_lock (singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  holder text NOT NULL, held_by text NOT NULL, acquired_at timestamptz NOT NULL, expires_at timestamptz NOT NULL);
  CREATE TRIGGER escalate BEFORE INSERT OR UPDATE OR DELETE ON offline.rokso_db_version_lock
  FOR EACH ROW EXECUTE FUNCTION offline.escalate()"
ROKSO_LOCK_MODE=lease run rokso migrate
expect_code 1 "migrate in lease mode on mallory's lease table"
expect_one_line_error "refusing to use \"offline\".\"rokso_db_version_lock\": it is owned by role '$ROLE'"
expect_eq "$(is_superuser)" f "mallory after the lease case"
expect_eq "$(sql "SELECT count(*) FROM offline.rokso_db_version_lock")" 0 "rows in mallory's lease table"
sql "DROP TABLE offline.rokso_db_version_lock"
ROKSO_LOCK_MODE=lease run rokso migrate
expect_code 0 "migrate in lease mode creating its own lease table"
expect_eq "$(sql "SELECT has_table_privilege('$ROLE', 'offline.rokso_db_version_lock', 'INSERT, UPDATE, DELETE')")" f \
  "mallory's rights on the lease table rokso created"

sql "ALTER DEFAULT PRIVILEGES IN SCHEMA offline REVOKE ALL ON TABLES FROM PUBLIC"
sql "ALTER DEFAULT PRIVILEGES IN SCHEMA offline REVOKE ALL ON SEQUENCES FROM $ROLE"
sql "DROP DATABASE IF EXISTS $DB WITH (FORCE)" postgres
finish
