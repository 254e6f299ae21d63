#!/usr/bin/env bash
# Connection URLs and their precedence: --url (before or after the command) >
# ROKSO_DATABASE_URL > DATABASE_URL > config.json > libpq's environment. Each source
# names a database of its own, so the database that `migrate` wrote to says which one
# won. config.json uses the trusted unix socket as postgres; the URLs use TCP with
# pguser's password. The password never shows (postgres://pguser:***@...), not in
# errors either; a malformed URL is a usage error (2) that leaves every database as it was.
# shellcheck disable=SC1091
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

SECRET=tutorial-secret
TCP=127.0.0.1:$ROKSO_TEST_PGPORT
new_database
for suffix in env rokso cli pg; do
  sql "DROP DATABASE IF EXISTS ${DB}_$suffix WITH (FORCE)" postgres
  sql "CREATE DATABASE ${DB}_$suffix" postgres
  sql "CREATE SCHEMA offline" "${DB}_$suffix"
done
new_project "$WORK/project"
write_py "$PROJECT/migration/offline/200.tables/u/2021_01_01__00_00_00_u.py" \
  "CREATE TABLE offline.u_t (id int);" "DROP TABLE offline.u_t;"
cd "$PROJECT" || exit 1
url() { echo "postgres://pguser:$SECRET@$TCP/${DB}_$1"; }

# Which databases hold an applied migration: "<db>,<db>".
applied_in() {
  local d found=""
  for d in "$DB" "${DB}_env" "${DB}_rokso" "${DB}_cli" "${DB}_pg"; do
    [ "$(sql "SELECT to_regclass('offline.u_t') IS NOT NULL" "$d")" = t ] && found="$found${found:+,}$d"
  done
  echo "$found"
}
reset_all() {
  local d
  for d in "$DB" "${DB}_env" "${DB}_rokso" "${DB}_cli" "${DB}_pg"; do
    sql "DROP TABLE IF EXISTS offline.u_t, offline.rokso_db_version, offline.rokso_db_version_lock" "$d"
  done
}
no_secret() {
  if [[ "$OUT$ERR" == *"$SECRET"* ]]; then fail "$1: the password was printed"; else pass; fi
}

# --- each source wins over the next --------------------------------------------------------
reset_all
run rokso migrate
expect_code 0 "config.json alone"
expect_eq "$(applied_in)" "$DB" "config.json alone connects to its database"

reset_all
DATABASE_URL=$(url env) run rokso migrate
expect_code 0 "DATABASE_URL"
expect_eq "$(applied_in)" "${DB}_env" "DATABASE_URL wins over config.json"
no_secret "DATABASE_URL migrate"

reset_all
DATABASE_URL=$(url env) ROKSO_DATABASE_URL=$(url rokso) run rokso migrate
expect_code 0 "ROKSO_DATABASE_URL"
expect_eq "$(applied_in)" "${DB}_rokso" "ROKSO_DATABASE_URL wins over DATABASE_URL"

reset_all
DATABASE_URL=$(url env) ROKSO_DATABASE_URL=$(url rokso) run rokso migrate --url "$(url cli)"
expect_code 0 "--url after the command"
expect_eq "$(applied_in)" "${DB}_cli" "--url wins over ROKSO_DATABASE_URL"
no_secret "--url migrate"

reset_all
ROKSO_DATABASE_URL=$(url rokso) run rokso --url="$(url cli)" migrate
expect_code 0 "--url= before the command"
expect_eq "$(applied_in)" "${DB}_cli" "--url before the command"

reset_all
ROKSO_DATABASE_URL='' DATABASE_URL=$(url env) run rokso migrate
expect_code 0 "empty ROKSO_DATABASE_URL"
expect_eq "$(applied_in)" "${DB}_env" "an empty ROKSO_DATABASE_URL is unset"

# config.json over libpq's environment; libpq's environment where config.json is silent.
reset_all
PGDATABASE=${DB}_pg run rokso migrate
expect_code 0 "PGDATABASE beside config.json's database"
expect_eq "$(applied_in)" "$DB" "config.json wins over PGDATABASE"
cp config.json config.json.orig
sed -i '/"database": "/d' config.json
reset_all
PGDATABASE=${DB}_pg run rokso migrate
expect_code 0 "PGDATABASE where config.json has no database"
expect_eq "$(applied_in)" "${DB}_pg" "PGDATABASE applies where config.json is silent"
cp config.json.orig config.json

# A URL without a password: the file's password is not offered to the URL's server (the
# file has none here; PGPASSWORD from libpq's environment still applies).
reset_all
PGPASSWORD=$SECRET DATABASE_URL="postgres://pguser@$TCP/${DB}_env" run rokso migrate
expect_code 0 "URL without a password, PGPASSWORD"
expect_eq "$(applied_in)" "${DB}_env" "libpq's PGPASSWORD under a URL"

# "url" in config.json, with a key beside it overriding its part (libpq's rule).
reset_all
python3 - "$(url rokso)" "${DB}_cli" <<'PY'
import json, sys
c = json.load(open("config.json"))
c["database"] = {"url": sys.argv[1], "database": sys.argv[2], "dbschema": "offline"}
json.dump(c, open("config.json", "w"), indent=4)
PY
chmod 600 config.json
run rokso migrate
expect_code 0 "config.json url"
expect_eq "$(applied_in)" "${DB}_cli" "config.json's url, its database overridden by the key beside it"
reset_all
DATABASE_URL=$(url env) run rokso migrate
expect_eq "$(applied_in)" "${DB}_env" "DATABASE_URL wins over config.json's url"
run rokso config get database.url
expect_code 0 "config get database.url"
expect_eq "$OUT" "postgres://pguser:***@$TCP/${DB}_rokso" "config.json's url shown masked"
cp config.json.orig config.json

# --- the password never shows, errors included ---------------------------------------------
reset_all
run rokso status --url "postgres://pguser:wrong-9Qz@$TCP/${DB}_cli"
expect_code 1 "wrong password in the URL"
expect_one_line_error "password authentication failed"
expect_err "--url postgres://pguser:***@$TCP/${DB}_cli"
if [[ "$ERR" == *"9Qz"* ]]; then fail "the wrong password was printed"; else pass; fi
run rokso status --url "postgres://pguser:$SECRET@$TCP/no_such_db_t1400"
expect_code 1 "no such database"
expect_err "postgres://pguser:***@"
no_secret "no such database"
DATABASE_URL="postgres://pguser:$SECRET@127.0.0.1:1/x" run rokso migrate
expect_code 1 "a dead port"
expect_err "(from DATABASE_URL postgres://pguser:***@127.0.0.1:1/x)"
no_secret "dead port"

# --- malformed URLs: usage errors, nothing written -------------------------------------------
for bad in "mysql://u@h/db" "host=localhost dbname=x" "postgres://h/db?nosuchparam=1" \
    "postgres://pguser:s3%zzcret@h/db" "postgres://h:99999/db"; do
  run rokso migrate --url "$bad"
  expect_code 2 "--url $bad"
  expect_one_line_error
  if [[ "$ERR" == *"s3%zz"* || "$ERR" == *"zzcret"* ]]; then fail "a malformed URL's password was printed"; else pass; fi
done
run rokso migrate --url ""
expect_code 2 "--url with an empty value"
run rokso --url
expect_code 2 "--url without a value"
expect_eq "$(applied_in)" "" "malformed URLs wrote nothing"

# --- no config.json: a URL alone is not a project (config.json marks the root) -----------------
mkdir -p "$WORK/bare" && cd "$WORK/bare" || exit 1
DATABASE_URL=$(url env) run rokso status
expect_code 2 "a URL without config.json"
expect_err "a connection URL is not a project"
echo '{"database": {"dbschema": "offline"}}' >config.json
write_py "$WORK/bare/migration/offline/200.tables/u/2021_01_01__00_00_00_u.py" \
  "CREATE TABLE offline.u_t (id int);" "DROP TABLE offline.u_t;"
reset_all
DATABASE_URL=$(url env) run rokso migrate
expect_code 0 "a config.json holding only the schema, with DATABASE_URL"
expect_eq "$(applied_in)" "${DB}_env" "migrate on the URL's database"

finish
