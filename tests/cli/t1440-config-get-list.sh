#!/usr/bin/env bash
# rokso config list / get <key>: config.json's settings for scripts, dotted keys, the
# password (and a URL's) masked, rokso's defaults where the file is silent; a missing key
# prints nothing and exits 1; bad usage exits 2; outside a project 2. Nothing is written.
# shellcheck disable=SC1091
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

SECRET=tutorial-secret
new_database
run rokso init --projectpath "$WORK/project" --dbhost 127.0.0.1 --dbport "$ROKSO_TEST_PGPORT" --dbname "$DB" \
  --dbusername pguser --dbpassword "$SECRET" --dbschema offline
expect_code 0 init
cd "$WORK/project" || exit 1
BEFORE=$(sha256sum config.json)

run rokso config list
expect_code 0 "config list"
expect_out "database.host=127.0.0.1"
expect_out "database.port=$ROKSO_TEST_PGPORT"
expect_out "database.database=$DB"
expect_out "database.user=pguser"
expect_out "database.password=***"
expect_out "database.dbschema=offline"
expect_out "version_table_name=rokso_db_version"
if [[ "$OUT$ERR" == *"$SECRET"* ]]; then fail "config list printed the password"; else pass; fi

run rokso config get database.host
expect_code 0 "config get database.host"
expect_eq "$OUT" 127.0.0.1 "database.host"
run rokso config get database.password
expect_eq "$OUT" "***" "database.password masked"
run rokso config get version_table_name
expect_eq "$OUT" rokso_db_version "version_table_name (rokso's default)"
run rokso config get database.sslmode
expect_code 1 "a key that is not there"
expect_eq "$OUT$ERR" "" "nothing printed for a missing key"
run rokso config get
expect_code 2 "get without a key"
expect_one_line_error
run rokso config frobnicate
expect_code 2 "unknown action"
expect_one_line_error "unknown config action"
run rokso config
expect_code 2 "no action"

# A URL in the file, and nested keys.
python3 - <<'PY'
import json
c = json.load(open("config.json"))
c["database"]["url"] = "postgres://pguser:tutorial-secret@127.0.0.1/x?password=tutorial-secret"
c["migrations"] = {"lock_timeout": "3s"}
json.dump(c, open("config.json", "w"), indent=4)
PY
BEFORE=$(sha256sum config.json)
run rokso config get database.url
expect_eq "$OUT" "postgres://pguser:***@127.0.0.1/x?password=***" "database.url masked"
run rokso config get migrations.lock_timeout
expect_eq "$OUT" 3s "nested keys"
run rokso config list
if [[ "$OUT$ERR" == *"$SECRET"* ]]; then fail "config list printed the URL's password"; else pass; fi
expect_eq "$(sha256sum config.json)" "$BEFORE" "config.json unchanged"

mkdir -p "$WORK/nowhere" && cd "$WORK/nowhere" || exit 1
run rokso config list
expect_code 2 "outside a project"
expect_one_line_error "not a rokso project"

finish
