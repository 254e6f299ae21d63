#!/usr/bin/env bash
# Named targets (config.json's "targets"): a "database"-shaped object or a connection URL,
# ${VAR} taken from the environment ($${ is a literal ${), chosen with --target NAME
# (before or after the command) or $ROKSO_TARGET; the top-level "database" stays the
# default. An unknown target or an unset variable is a one-line usage error (exit 2)
# that touches nothing; a target's password is never printed.
# shellcheck disable=SC1091
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

new_database
for d in a b; do
  sql "DROP DATABASE IF EXISTS ${DB}_$d WITH (FORCE)" postgres
  sql "CREATE DATABASE ${DB}_$d" postgres
  sql "CREATE SCHEMA offline" "${DB}_$d"
done
new_project "$WORK/project"
cat >"$PROJECT/config.json" <<JSON
{
  "database": {"database": "$DB", "dbschema": "offline", "host": "$ROKSO_TEST_PGHOST",
               "port": "$ROKSO_TEST_PGPORT", "user": "postgres"},
  "targets": {
    "staging": {"database": "\${STAGING_DB}", "host": "$ROKSO_TEST_PGHOST", "port": "$ROKSO_TEST_PGPORT",
                "user": "postgres"},
    "eu-1": "postgresql://pguser:\${EU_PASSWORD}@127.0.0.1:$ROKSO_TEST_PGPORT/${DB}_b?sslmode=disable&application_name=x",
    "literal": {"database": "$DB", "host": "$ROKSO_TEST_PGHOST", "port": "$ROKSO_TEST_PGPORT",
                "user": "postgres", "password": "a\$\${b}"}
  }
}
JSON
chmod 600 "$PROJECT/config.json"
write_py "$PROJECT/migration/offline/200.tables/t/2021_01_01__00_00_00_t.py" \
  "CREATE TABLE offline.t (id int);" "DROP TABLE offline.t;"
T=offline/200.tables/t/2021_01_01__00_00_00_t.py
cd "$PROJECT" || exit 1
rows() { sql "SELECT coalesce(string_agg(filename || ':' || status, ' ' ORDER BY id), '') FROM offline.rokso_db_version" "$1" 2>/dev/null || echo "<no table>"; }

# --- the default stays the top-level "database" ------------------------------------------
export STAGING_DB="${DB}_a" EU_PASSWORD=tutorial-secret
run rokso migrate
expect_code 0 "default migrate"
expect_eq "$(rows "$DB")" "$T:complete" "default database migrated"
expect_eq "$(rows "${DB}_a")" "<no table>" "staging untouched by the default"

# --- --target with an object and ${VAR} ---------------------------------------------------
run rokso migrate --target staging
expect_code 0 "migrate --target staging"
expect_eq "$(rows "${DB}_a")" "$T:complete" "staging migrated"
expect_eq "$(sql "SELECT to_regclass('offline.t') IS NOT NULL" "${DB}_a")" t "staging has the table"
expect_eq "$(rows "${DB}_b")" "<no table>" "eu-1 untouched"

# --- a URL target with a password from the environment, the option before the command ----
run rokso --target eu-1 status
expect_code 0 "rokso --target eu-1 status"
expect_out "$T"
expect_no_out "tutorial-secret"
run rokso --target=eu-1 migrate -v
expect_code 0 "rokso --target=eu-1 migrate"
expect_no_out "tutorial-secret"
expect_eq "$(rows "${DB}_b")" "$T:complete" "eu-1 migrated over TCP with the URL's password"

# --- $ROKSO_TARGET, and --target winning over it ------------------------------------------
run rokso rollback --yes --target staging
expect_code 0
expect_eq "$(rows "${DB}_a")" "" "staging rolled back"
ROKSO_TARGET=staging run rokso status --format json
expect_code 0
expect_json "doc->'counts'->>'pending'" 1 "ROKSO_TARGET=staging sees its pending file"
ROKSO_TARGET=staging run rokso status --format json --target eu-1
expect_json "doc->'counts'->>'pending'" 0 "--target beats ROKSO_TARGET"
expect_eq "$(rows "$DB")" "$T:complete" "default still applied"

# --- errors: unknown target, unset variable, malformed variable, bad URL: exit 2, nothing touched
run rokso migrate --target nope
expect_code 2 "unknown target"
expect_one_line_error "unknown target 'nope' (known: eu-1, literal, staging)"
unset STAGING_DB
run rokso migrate --target staging
expect_code 2 "unset variable"
expect_one_line_error "target 'staging': environment variable 'STAGING_DB' is not set"
expect_eq "$(rows "${DB}_a")" "" "nothing applied on staging"
# A target not used needs no variables: the default and eu-1 still work.
run rokso status --target eu-1
expect_code 0 "another target's unset variable does not matter"
run rokso --target '' status
expect_code 2 "empty --target"
# $${ is a literal ${: the password 'a${b}' (wrong, over a trusting socket: still connects)
run rokso status --target literal
expect_code 0 "\$\${ is no variable"

cp "$PROJECT/config.json" "$WORK/good.json"
sed -i 's/"eu-1": "postgresql:/"eu-1": "mysql:/' "$PROJECT/config.json"
run rokso status --target eu-1
expect_code 2 "not a postgres URL"
expect_one_line_error "not a postgres:// or postgresql:// URL"
cp "$WORK/good.json" "$PROJECT/config.json"
sed -i 's/\${STAGING_DB}/${STAGING DB}/' "$PROJECT/config.json"
STAGING_DB=x run rokso status --target staging
expect_code 2 "malformed \${...}"
expect_one_line_error "must start a \${VARIABLE_NAME}"
cp "$WORK/good.json" "$PROJECT/config.json"
sed -i 's/"eu-1":/"-bad":/' "$PROJECT/config.json"
run rokso status
expect_code 2 "bad target name"
expect_one_line_error "target name '-bad'"
cp "$WORK/good.json" "$PROJECT/config.json"
sed -i 's/"eu-1": "postgresql:[^"]*"/"eu-1": 5/' "$PROJECT/config.json"
run rokso status
expect_code 2 "target neither URL nor object"
cp "$WORK/good.json" "$PROJECT/config.json"

finish
