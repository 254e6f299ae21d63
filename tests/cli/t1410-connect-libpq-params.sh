#!/usr/bin/env bash
# Every libpq connection parameter in config.json's "database" object reaches libpq:
# application_name (seen in pg_stat_activity), options (a GUC the session sees),
# connect_timeout, sslmode=require (refused by the non-SSL test server, with libpq's clear
# reason). Without one, application_name is "rokso <command>", and PGAPPNAME wins over
# that default but not over the file. An unknown key is a warning naming the closest
# known key; the command still runs.
# shellcheck disable=SC1091
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

new_database
new_project "$WORK/project"
cd "$PROJECT" || exit 1
cp config.json config.json.orig

# set_keys <json object of keys to add to "database">
set_keys() {
  python3 - "$1" <<'PY'
import json, sys
c = json.load(open("config.json.orig"))
c["database"].update(json.loads(sys.argv[1]))
json.dump(c, open("config.json", "w"), indent=4)
PY
  chmod 600 config.json
}

# The migration logs the session's application_name and work_mem; `again` forgets it ran.
write_py migration/offline/200.tables/a/2021_01_01__00_00_00_a.py \
  "CREATE TABLE IF NOT EXISTS offline.app_log (app text, wm text);
INSERT INTO offline.app_log VALUES (current_setting('application_name'), current_setting('work_mem'));" ""
again() { sql "DELETE FROM offline.rokso_db_version; DELETE FROM offline.app_log" >/dev/null; }
logged() { sql "SELECT app || ' ' || wm FROM offline.app_log"; }

# --- application_name: "rokso <command>" by default, seen in pg_stat_activity ---------------
hold_lock 30
( rokso migrate --lock-wait 25 >"$WORK/bg.out" 2>&1 </dev/null ) &
WAITER=$!
if wait_until "SELECT count(*) > 0 FROM pg_stat_activity WHERE datname = current_database()
                 AND application_name = 'rokso migrate'" 30 "a connection named 'rokso migrate'"; then pass; fi
release_lock
wait "$WAITER"
expect_eq "$(logged)" "rokso migrate 4MB" "default application_name in the migration's session"

# --- PGAPPNAME wins over the default, config.json over PGAPPNAME ---------------------------------
again
PGAPPNAME=from-env run rokso migrate
expect_code 0 "PGAPPNAME"
expect_eq "$(logged)" "from-env 4MB" "PGAPPNAME wins over the default"
again
set_keys '{"application_name": "from-config", "options": "-c work_mem=7MB", "connect_timeout": "5",
           "target_session_attrs": "read-write", "keepalives_idle": 3}'
PGAPPNAME=from-env run rokso migrate
expect_code 0 "application_name, options, connect_timeout, target_session_attrs"
expect_eq "$(logged)" "from-config 7MB" "config.json's application_name and options reach the session"

# --- sslmode=require against a server without SSL: libpq's reason, exit 1 ------------------------
set_keys '{"host": "127.0.0.1", "sslmode": "require"}'
PGPASSWORD=tutorial-secret run rokso status
expect_code 1 "sslmode=require on a non-SSL server"
expect_one_line_error "cannot connect to the database"
expect_err "SSL"
set_keys '{"sslmode": "bogus"}'
run rokso status
expect_code 1 "a value libpq refuses"
expect_err "sslmode"

# --- a bad wait bound is a configuration error ---------------------------------------------
set_keys '{"connect_timeout": "soon"}'
run rokso status
expect_code 2 "connect_timeout that is no number"
expect_err '"connect_timeout" must be a whole number'

# --- unknown keys: a warning with the closest known key, and the command runs --------------
set_keys '{"sslmod": "disable", "hots": "x", "zzzzzzzzzzzzzz": 1}'
run rokso status
expect_code 0 "unknown keys are warnings"
expect_err 'unknown key "sslmod" in "database" is ignored; did you mean "sslmode"?'
expect_err 'unknown key "hots" in "database" is ignored; did you mean "host"?'
expect_err 'unknown key "zzzzzzzzzzzzzz" in "database" is ignored'
if grep -q 'zzzzzzzzzzzzzz.*did you mean' <<<"$ERR"; then fail "a far key got a suggestion"; else pass; fi
# roksopsql's own keys are not unknown.
cp config.json.orig config.json
run rokso status
expect_code 0 "roksopsql's config.json"
if [[ "$ERR" == *unknown* ]]; then fail "roksopsql's keys reported unknown: $ERR"; else pass; fi
set_keys '{"dbname": "x"}'
run rokso status
expect_code 2 "database and dbname both"
expect_err '"database" and "dbname" both name the database'
cp config.json.orig config.json

finish
