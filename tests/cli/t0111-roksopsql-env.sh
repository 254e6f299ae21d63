#!/usr/bin/env bash
# roksopsql's own variables and flags: init answered by PG_MIG_* alone writes the very
# config.json roksopsql wrote (python3's json.dumps is the oracle, as roksopsql's
# ConfigManager called it), its migration/ and version table; the precedence of flags,
# MIG_* and PG_MIG_*; create --objecttype as --type.
# shellcheck disable=SC1091
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

SECRET=tutorial-secret   # pguser's, in the harness
HOST=127.0.0.1
PORT=$ROKSO_TEST_PGPORT

new_database
sql "CREATE SCHEMA pgmig"
cd "$WORK" || exit 1

# What roksopsql 0.2.2 wrote: json.dumps({"database": {...}}, indent=4, sort_keys=True)
# plus a newline, the port an int (click's type for its default=5432).
roksopsql_config() {  # <schema> > file
  python3 -c 'import json, sys
print(json.dumps({"database": {"host": sys.argv[1], "database": sys.argv[2], "user": "pguser",
                               "password": sys.argv[3], "dbschema": sys.argv[4], "port": int(sys.argv[5])}},
                 indent=4, sort_keys=True))' "$HOST" "$DB" "$SECRET" "$1" "$PORT"
}

# --- PG_MIG_* only, nothing on stdin ---------------------------------------------------
PG_MIG_DB_PROJECT_PATH="$WORK/p1" PG_MIG_DB_HOST=$HOST PG_MIG_DB_PORT_NUMBER=$PORT PG_MIG_DB_NAME=$DB \
  PG_MIG_DB_USER=pguser PG_MIG_DB_PASSWORD=$SECRET PG_MIG_DB_SCHEMA_NAME=pgmig run rokso init
expect_code 0 "init from roksopsql's PG_MIG_* variables"
expect_no_out "Enter "
expect_out "Config file has been created"
roksopsql_config pgmig >"$WORK/expected-pgmig.json"
if cmp -s "$WORK/p1/config.json" "$WORK/expected-pgmig.json"; then
  pass
else
  fail "config.json differs from roksopsql's: $(diff "$WORK/expected-pgmig.json" "$WORK/p1/config.json")"
fi
expect_eq "$(stat -c %a "$WORK/p1/config.json")" 600 "mode of config.json"
if [ -d "$WORK/p1/migration" ]; then pass; else fail "no migration/"; fi
expect_eq "$(sql "SELECT count(*) FROM pgmig.rokso_db_version")" 0 "an empty version table in pgmig"
expect_no_out "$SECRET"
# The project works: a migration applied and recorded in pgmig.
mkdir -p "$WORK/p1/migration/pgmig/200.tables/t"
write_py "$WORK/p1/migration/pgmig/200.tables/t/2021_01_01__00_00_00_t.py" "CREATE TABLE pgmig.t (id int);" "DROP TABLE pgmig.t;"
run rokso -C "$WORK/p1" migrate
expect_code 0 "migrate in the project PG_MIG_* made"
expect_eq "$(sql "SELECT filename || ':' || status FROM pgmig.rokso_db_version")" \
  "pgmig/200.tables/t/2021_01_01__00_00_00_t.py:complete" "version row in pgmig"
expect_eq "$(sql "SELECT to_regclass('pgmig.t') IS NOT NULL")" t "pgmig.t created"

# Variables answer what they set; only the rest is asked, as click did.
PG_MIG_DB_PROJECT_PATH="$WORK/p2" PG_MIG_DB_HOST=$HOST PG_MIG_DB_NAME=$DB PG_MIG_DB_USER=pguser \
  PG_MIG_DB_PASSWORD=$SECRET run_with_input "$(printf '%s\n' "$PORT" online)" rokso init
expect_code 0 "PG_MIG_* for some answers, stdin for the rest"
expect_out "Enter database port"
expect_out "Enter a schema name"
expect_no_out "Enter database hostname"
roksopsql_config online >"$WORK/expected-online.json"
if cmp -s "$WORK/p2/config.json" "$WORK/expected-online.json"; then pass; else fail "p2 config.json differs from roksopsql's"; fi

# --- precedence: flag, then MIG_*, then PG_MIG_* --------------------------------------------
MIG_DB_SCHEMA=online PG_MIG_DB_SCHEMA_NAME=nosuchschema PG_MIG_DB_PROJECT_PATH="$WORK/p3" PG_MIG_DB_HOST=$HOST \
  PG_MIG_DB_PORT_NUMBER=1 MIG_DB_PORT=$PORT PG_MIG_DB_NAME=nosuchdb PG_MIG_DB_USER=pguser PG_MIG_DB_PASSWORD=$SECRET \
  run rokso init --dbname "$DB"
expect_code 0 "MIG_* over PG_MIG_*, flags over both"
if cmp -s "$WORK/p3/config.json" "$WORK/expected-online.json"; then pass; else fail "p3 config.json: $(cat "$WORK/p3/config.json")"; fi

# A PG_MIG_* variable with a bad value is an error naming it, and writes nothing.
PG_MIG_DB_PROJECT_PATH="$WORK/p4" PG_MIG_DB_HOST=$HOST PG_MIG_DB_PORT_NUMBER=54x PG_MIG_DB_NAME=$DB \
  PG_MIG_DB_USER=pguser PG_MIG_DB_PASSWORD=$SECRET PG_MIG_DB_SCHEMA_NAME=pgmig run rokso init
expect_code 2 "a bad PG_MIG_DB_PORT_NUMBER"
expect_err "invalid port '54x'"
if [ -e "$WORK/p4/config.json" ]; then fail "config.json written for a bad port"; else pass; fi

# --- create --objecttype (roksopsql's flag) as --type ---------------------------------------
cd "$WORK/p1" || exit 1
for spec in "V:300.views:v1" "m:400.mat_views:mv1" "F:500.functions:f1" "d:100.database_types:ty1" "T:200.tables:t2"; do
  IFS=: read -r letter dir object <<<"$spec"
  run rokso create --dbschema pgmig --objecttype "$letter" --tablename "$object" --filename "make_$object"
  expect_code 0 "create --objecttype $letter"
  expect_no_out "Do you want to create"
  found=$(find "migration/pgmig/$dir/$object" -name "*_make_$object.py" | wc -l)
  expect_eq "$found" 1 "--objecttype $letter wrote into $dir"
done
# The same letter twice is fine; two different kinds are an error that writes nothing.
run rokso create --dbschema pgmig --objecttype V --type V --tablename v2 --filename make_v2
expect_code 0 "--objecttype and --type agreeing"
run rokso create --dbschema pgmig --objecttype V --type T --tablename v3 --filename make_v3
expect_code 2 "--objecttype and --type disagreeing"
expect_one_line_error "different kinds"
if [ -e migration/pgmig/300.views/v3 ] || [ -e migration/pgmig/200.tables/v3 ]; then fail "a file for v3"; else pass; fi
run rokso create --dbschema pgmig --objecttype X --tablename x --filename make_x
expect_code 2 "an unknown --objecttype"
if [ -e migration/pgmig/x ] || find migration -path '*/x/*' | grep -q .; then fail "a file for x"; else pass; fi
# What create wrote migrates, the view on the table included.
run rokso migrate --migration "$(find migration/pgmig/200.tables/t2 -name '*.py')"
expect_code 0 "the created table migrates"
expect_eq "$(sql "SELECT to_regclass('pgmig.t2') IS NOT NULL")" t "pgmig.t2 created from create's template"

finish
