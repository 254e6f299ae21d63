#!/usr/bin/env bash
# Bad values: a number no double holds (1e400) anywhere in config.json is a configuration
# error (exit 2) naming the file and the key, not a raw library message; --lock-wait and
# $ROKSO_LOCK_WAIT refuse nan, inf, negative and huge values; names PostgreSQL would cut
# to 63 bytes (version_table_name, dbschema) are refused before anything is created.
# shellcheck disable=SC1091
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

new_database
new_project
cd "$PROJECT" || exit 1
write_py "$PROJECT/migration/offline/200.tables/a/2021_01_01__00_00_00_a.py" "CREATE TABLE offline.a (id int);"
cp config.json "$WORK/config.good"

# with_config <python statements on doc>: config.json is the good one, changed.
with_config() {
  python3 - "$PROJECT/config.json" "$WORK/config.good" "$1" <<'PY'
import json, sys
doc = json.load(open(sys.argv[2]))
exec(sys.argv[3])
open(sys.argv[1], "w").write(json.dumps(doc, indent=4).replace('"__HUGE__"', "1e400"))
PY
}

for key in lock_wait_timeout lock_lease_expiry read_timeout; do
  with_config "doc['$key'] = '__HUGE__'"
  run rokso status
  expect_code 2 "1e400 as $key"
  expect_one_line_error "$PROJECT/config.json: the number for \"$key\" is out of range"
done
with_config "doc['database']['port'] = '__HUGE__'"
run rokso migrate
expect_code 2 "1e400 as the port"
expect_one_line_error "$PROJECT/config.json: the number for \"port\" is out of range"
with_config "doc['migrations'] = {'lock_retries': '__HUGE__'}"
run rokso migrate
expect_code 2 "1e400 as lock_retries"
expect_one_line_error "the number for \"lock_retries\" is out of range"
with_config "doc['extra'] = ['__HUGE__']"
run rokso status
expect_code 2 "1e400 in a list"
expect_one_line_error "$PROJECT/config.json: the number for \"extra\" is out of range"
with_config "doc['lock_wait_timeout'] = 1e300"
run rokso migrate
expect_code 2 "lock_wait_timeout 1e300"
expect_one_line_error "\"lock_wait_timeout\" must be a number of seconds from 0 to 86400"
with_config "doc['migrations'] = {'lock_retries': 4294967297}"
run rokso migrate
expect_code 2 "lock_retries past int"
expect_one_line_error "lock retries must be from 0 to 100"
cp "$WORK/config.good" config.json

# --- numeric flags and the environment ------------------------------------------------------
for value in nan inf -inf -1 1e400 1e300 NaN; do
  run rokso migrate --lock-wait="$value"
  expect_code 2 "--lock-wait $value"
  expect_err "lock-wait"
  ROKSO_LOCK_WAIT=$value run rokso migrate
  expect_code 2 "ROKSO_LOCK_WAIT=$value"
  expect_one_line_error "ROKSO_LOCK_WAIT must be a number of seconds"
done
run rokso rollback --lock-wait=nan --yes
expect_code 2 "rollback --lock-wait nan"
run rokso remap --lock-wait=inf --yes
expect_code 2 "remap --lock-wait inf"
run rokso migrate --lock-retries 99999999999
expect_code 2 "--lock-retries past int"
run rokso rollback --steps 99999999999 --yes
expect_code 2 "--steps past int"
run rokso status
expect_code 0 "status with the good config.json"
expect_eq "$(sql "SELECT count(*) FROM offline.rokso_db_version")" 0 "nothing applied by any bad value"
expect_eq "$(sql "SELECT to_regclass('offline.a') IS NULL")" t "no migration ran"

# --- names PostgreSQL would cut to 63 bytes -------------------------------------------------
N63=$(printf 'v%.0s' $(seq 1 63))
N64="${N63}w"
with_config "doc['version_table_name'] = '$N64'"
run rokso migrate
expect_code 2 "a 64-byte version_table_name"
expect_one_line_error "\"version_table_name\" is 64 bytes long; PostgreSQL would cut it to 63"
expect_eq "$(sql "SELECT count(*) FROM pg_class WHERE relname LIKE 'vvvvvvvvvv%'")" 0 "tables made for a 64-byte name"
# Multibyte: 32 two-byte letters are 64 bytes.
with_config "doc['version_table_name'] = 'é' * 32"
run rokso status
expect_code 2 "a version_table_name of 64 bytes in 32 letters"
expect_one_line_error "is 64 bytes long"
with_config "doc['database']['dbschema'] = '$N64'"
run rokso status
expect_code 2 "a 64-byte dbschema"
expect_one_line_error "\"dbschema\" is 64 bytes long"
run rokso init --projectpath "$WORK/p2" --dbhost "$ROKSO_TEST_PGHOST" --dbport "$ROKSO_TEST_PGPORT" \
  --dbname "$DB" --dbusername postgres --dbpassword "" --dbschema "$N64"
expect_code 2 "init --dbschema of 64 bytes"
expect_one_line_error "longer than PostgreSQL's 63-byte identifier limit"
[ -e "$WORK/p2/config.json" ] && fail "init wrote config.json" || pass
# 63 bytes is fine, and is the table's exact name.
with_config "doc['version_table_name'] = '$N63'"
run rokso migrate
expect_code 0 "a 63-byte version_table_name"
expect_eq "$(sql "SELECT count(*) FROM offline.$N63")" 1 "rows in the 63-byte version table"

finish
