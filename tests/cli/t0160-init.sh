#!/usr/bin/env bash
# rokso init: the seed's questions on stdin (and their defaults), the same through
# flags and through MIG_* variables; config.json (mode 0600, roksopsql's keys),
# migration/ and the version table; an existing config.json left alone; and every
# failure (no answer, wrong password, dead port, no database, no schema, bad port)
# leaving nothing behind. Uses the password-authenticated TCP login (pguser).
# shellcheck disable=SC1091
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

SECRET=tutorial-secret
HOST=127.0.0.1
PORT=$ROKSO_TEST_PGPORT

new_database
sql "CREATE SCHEMA \"Wéird \"\"s\"\" schema\""

# The value of a key in config.json, which rokso writes one key per line.
config_value() {  # <file> <key>
  sed -n "s/^[[:space:]]*\"$2\"[[:space:]]*:[[:space:]]*\"\\(.*\\)\"[[:space:]]*,\\{0,1\\}[[:space:]]*\$/\\1/p" "$1"
}

expect_config() {  # <dir> <schema>
  local file=$1/config.json
  if [ -f "$file" ]; then pass; else fail "no $file"; return; fi
  expect_eq "$(stat -c %a "$file")" 600 "mode of config.json"
  expect_eq "$(config_value "$file" database)" "$DB" "config.json database"
  expect_eq "$(config_value "$file" host)" "$HOST" "config.json host"
  # A number, as roksopsql wrote it (its click option was an int).
  expect_eq "$(sed -n 's/^[[:space:]]*"port"[[:space:]]*:[[:space:]]*\([0-9]*\),$/\1/p' "$file")" "$PORT" "config.json port"
  expect_eq "$(config_value "$file" user)" pguser "config.json user"
  expect_eq "$(config_value "$file" password)" "$SECRET" "config.json password"
  expect_eq "$(config_value "$file" dbschema)" "$2" "config.json dbschema"
  # roksopsql's layout: the six keys inside a "database" object.
  if grep -qE '^[[:space:]]*\{' "$file" && grep -qE '^[[:space:]]*"database"[[:space:]]*:[[:space:]]*\{' "$file"; then
    pass
  else
    fail "config.json lacks the \"database\" object"
  fi
  if [ -d "$1/migration" ]; then pass; else fail "no $1/migration directory"; fi
}

# The columns of <schema>.rokso_db_version, in order.
version_columns() {  # <schema>
  sql "SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns
        WHERE table_schema = '$1' AND table_name = 'rokso_db_version'"
}
EXPECTED_COLUMNS="id,filename,version,status,scheduledat,executedat,executed_by,duration_ms,progress,progress_checksum,checksum,checksum_algorithm"

expect_version_table() {  # <schema>
  expect_eq "$(version_columns "$1")" "$EXPECTED_COLUMNS" "columns of $1.rokso_db_version"
}

expect_connected() {
  expect_out "You are connected to -  PostgreSQL 15"
  expect_no_out "$SECRET"
}

# Nothing of a project at <dir>, and no version table in <schema>.
expect_nothing_written() {  # <dir> <schema> <what>
  if [ -e "$1/config.json" ]; then fail "$3: config.json left behind"; else pass; fi
  if [ -e "$1/migration" ]; then fail "$3: migration/ left behind"; else pass; fi
  if [ -e "$1" ] && [ -z "$(ls -A "$1")" ] || [ ! -e "$1" ]; then pass; else fail "$3: files left in $1"; fi
  expect_eq "$(version_columns "$2")" "" "$3: version table in $2"
}

# --- on stdin, in the seed's order ---------------------------------------------------
cd "$WORK" || exit 1
run_with_input "$(printf '%s\n' p1 "$HOST" "$PORT" "$DB" pguser "$SECRET" offline)" rokso init
expect_code 0 "init from answers on stdin"
expect_config "$WORK/p1" offline
expect_version_table offline
expect_connected
expect_out "Config file has been created"
# The seed's questions, in the seed's order.
prompts=$(grep -oE 'Enter (path to setup project|database hostname|database port \[Default:5432\]|database name|database username|database password|a schema name \[Default:public\])' <<<"$OUT" | tr '\n' '|')
expect_eq "$prompts" "Enter path to setup project|Enter database hostname|Enter database port [Default:5432]|Enter database name|Enter database username|Enter database password|Enter a schema name [Default:public]|" \
  "the questions and their order"

# Defaults: an empty port answer means 5432, an empty schema answer means public.
# (Nothing listens for this test on 5432, so that answer is seen in the failure.)
printf -v input '%s\n' p2 "$HOST" "" "$DB" pguser "$SECRET" ""   # keeps the last, empty line
run_with_input "$input" rokso init
expect_code 1 "an empty port answer means 5432 (where no server of ours runs)"
expect_err "5432"
expect_nothing_written "$WORK/p2" public "port default"
printf -v input '%s\n' p3 "$HOST" "$PORT" "$DB" pguser "$SECRET" ""
run_with_input "$input" rokso init
expect_code 0 "an empty schema answer means public"
expect_config "$WORK/p3" public
expect_version_table public
# An empty path answer means the current directory.
mkdir -p "$WORK/p4"
cd "$WORK/p4" || exit 1
run_with_input "$(printf '%s\n' "" "$HOST" "$PORT" "$DB" pguser "$SECRET" online)" rokso init
expect_code 0 "an empty path answer means ."
expect_config "$WORK/p4" online
expect_version_table online
cd "$WORK" || exit 1

# --- through flags ----------------------------------------------------------------------
run rokso init --projectpath "$WORK/f1" --dbhost "$HOST" --dbport "$PORT" --dbname "$DB" \
  --dbusername pguser --dbpassword "$SECRET" --dbschema 'Wéird "s" schema'
expect_code 0 "init from flags"
# Non-ASCII escaped, as roksopsql's json.dumps wrote it.
expect_config "$WORK/f1" 'W\u00e9ird \"s\" schema'
expect_version_table 'Wéird "s" schema'
expect_connected
expect_eq "$(sql "SELECT count(*) FROM \"Wéird \"\"s\"\" schema\".rokso_db_version")" 0 "an empty version table"
# The flags answer every question: nothing is asked.
expect_no_out "Enter "
# A project made by init works: status reads the version table in that schema.
run rokso -C "$WORK/f1" status
expect_code 0 "status in the project made by init"
expect_out "No new migration to process."

# --- through MIG_* variables -----------------------------------------------------------------
MIG_PROJECT_PATH="$WORK/e1" MIG_DB_HOST=$HOST MIG_DB_PORT=$PORT MIG_DB_NAME=$DB MIG_DB_USER=pguser \
  MIG_DB_PASSWORD=$SECRET MIG_DB_SCHEMA=offline run rokso init
expect_code 0 "init from MIG_* variables"
expect_config "$WORK/e1" offline
expect_connected
expect_no_out "Enter "
# Flags win over variables; variables answer what the flags leave out; stdin the rest.
MIG_DB_HOST=$HOST MIG_DB_PORT=1 MIG_DB_NAME=$DB MIG_DB_SCHEMA=online \
  run_with_input "$(printf '%s\n' pguser "$SECRET")" rokso init --projectpath "$WORK/e2" --dbport "$PORT"
expect_code 0 "flags, variables and stdin together"
expect_config "$WORK/e2" online
expect_out "Enter database username"
expect_out "Enter database password"
expect_no_out "Enter database port"

# --- an existing config.json: reported, untouched, the version table made sure of ----------
cp -p "$WORK/p1/config.json" "$WORK/p1-config.saved"
sql "INSERT INTO offline.rokso_db_version (filename, version, status) VALUES ('keep/me.py', 'abcdef01', 'complete')"
run rokso init --projectpath "$WORK/p1" --dbhost "$HOST" --dbport 1 --dbname nosuchdb \
  --dbusername pguser --dbpassword other --dbschema public
expect_code 0 "init on an existing project"
expect_out "already exists"
expect_connected
if cmp -s "$WORK/p1/config.json" "$WORK/p1-config.saved"; then pass; else fail "config.json changed"; fi
expect_eq "$(stat -c %a "$WORK/p1/config.json")" 600 "mode of the existing config.json"
expect_eq "$(sql "SELECT filename FROM offline.rokso_db_version")" "keep/me.py" "existing version rows kept"
# ...asked on stdin: only the path is asked.
cd "$WORK/p1" || exit 1
run_with_input "$(printf '%s\n' .)" rokso init
expect_code 0 "init (stdin) on an existing project"
expect_out "already exists"
if cmp -s "$WORK/p1/config.json" "$WORK/p1-config.saved"; then pass; else fail "config.json changed"; fi
cd "$WORK" || exit 1
# The version table dropped, and migration/ removed: init brings both back.
sql "DROP TABLE offline.rokso_db_version"
rmdir "$WORK/p1/migration"
run rokso init --projectpath "$WORK/p1"
expect_code 0 "init recreates a dropped version table"
expect_version_table offline
expect_eq "$(sql "SELECT count(*) FROM offline.rokso_db_version")" 0 "recreated version table is empty"
if [ -d "$WORK/p1/migration" ]; then pass; else fail "init did not recreate migration/"; fi
if cmp -s "$WORK/p1/config.json" "$WORK/p1-config.saved"; then pass; else fail "config.json changed"; fi
# A roksopsql table (without rokso's columns) is upgraded in place.
sql "DROP TABLE offline.rokso_db_version"
sql "CREATE TABLE offline.rokso_db_version (id serial PRIMARY KEY, filename text NOT NULL, version varchar(100) NOT NULL,
       status VARCHAR(20) DEFAULT 'pending' NOT NULL, scheduledAt timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
       executedAt timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP, CONSTRAINT filename_UNQ UNIQUE (filename))"
sql "INSERT INTO offline.rokso_db_version (filename, version, status) VALUES ('old/one.py', '0123abcd', 'complete')"
run rokso init --projectpath "$WORK/p1"
expect_code 0 "init on a roksopsql version table"
expect_version_table offline
expect_eq "$(sql "SELECT filename || ':' || version FROM offline.rokso_db_version")" "old/one.py:0123abcd" "roksopsql rows kept"

# --- failures leave nothing behind -----------------------------------------------------------
cd "$WORK" || exit 1
# End of input before every question is answered.
for answered in 0 1 2 3 4 5 6; do
  input=$(printf '%s\n' "$WORK/x$answered" "$HOST" "$PORT" "$DB" pguser "$SECRET" offline2 | head -n "$answered")
  [ "$answered" = 0 ] || input="$input"$'\n'
  run_with_input "$input" rokso init
  expect_code 2 "end of input after $answered answers"
  expect_one_line_error "end of input"
  expect_nothing_written "$WORK/x$answered" offline2 "end of input after $answered answers"
done
sql "CREATE SCHEMA offline2"

fail_init() {  # <expected code> <what> <error text> <port> <dbname> <password> <schema>
  run rokso init --projectpath "$WORK/bad" --dbhost "$HOST" --dbport "$4" --dbname "$5" \
    --dbusername pguser --dbpassword "$6" --dbschema "$7"
  expect_code "$1" "$2"
  expect_one_line_error "$3"
  expect_no_out "$SECRET"
  expect_no_out "$6"
  expect_nothing_written "$WORK/bad" offline2 "$2"
}
fail_init 1 "wrong password" "password authentication failed" "$PORT" "$DB" "Wr0ng-Secret-99" offline2
# A port nobody listens on.
DEAD_PORT=1
for p in 1 2 3 4 5 6 7 9; do (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { DEAD_PORT=$p; break; }; done
fail_init 1 "dead port" "cannot connect" "$DEAD_PORT" "$DB" "$SECRET" offline2
fail_init 1 "missing database" "does not exist" "$PORT" "nosuchdb_$$" "$SECRET" offline2
fail_init 1 "missing schema" "nosuchschema" "$PORT" "$DB" "$SECRET" nosuchschema
expect_eq "$(sql "SELECT count(*) FROM pg_namespace WHERE nspname = 'nosuchschema'")" 0 "init does not create the schema"
for bad_port in abc 54x 0 65536 99999 -1 "" " "; do
  fail_init 2 "invalid port '$bad_port'" "port" "$bad_port" "$DB" "$SECRET" offline2
done
# The same failures through the prompts.
run_with_input "$(printf '%s\n' "$WORK/bad" "$HOST" "$PORT" "$DB" pguser "Wr0ng-Secret-99" offline2)" rokso init
expect_code 1 "wrong password on stdin"
expect_one_line_error "password authentication failed"
expect_no_out "Wr0ng-Secret-99"
expect_nothing_written "$WORK/bad" offline2 "wrong password on stdin"
run_with_input "$(printf '%s\n' "$WORK/bad" "$HOST" "fifty" "$DB" pguser "$SECRET" offline2)" rokso init
expect_code 2 "invalid port on stdin"
expect_one_line_error "port"
expect_nothing_written "$WORK/bad" offline2 "invalid port on stdin"

finish
