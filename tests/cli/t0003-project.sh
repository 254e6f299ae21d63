#!/usr/bin/env bash
# Finding the project (like git finds .git) and reading its config.json: outside a
# project, from a subdirectory, broken config.json variants (exit 2, nothing touched),
# a wrong password (exit 1, never printed), and libpq's environment where the file is
# silent.
# shellcheck disable=SC1091
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

COMMANDS=("status" "migrate" "rollback --yes" "last-success")

new_database
new_project "$WORK/project"
GOOD_CONFIG=$(cat "$PROJECT/config.json")
A="offline/200.tables/proj_a/2021_01_01__00_00_00_create_proj_a.py"
B="offline/200.tables/proj_b/2021_01_02__00_00_00_create_proj_b.py"
write_py "$PROJECT/migration/$A" "CREATE TABLE offline.proj_a (id int);" "DROP TABLE offline.proj_a;"

# Everything about the database that rokso could change.
db_state() {
  sql "SELECT coalesce(string_agg(id || '|' || filename || '|' || version || '|' || status || '|' || executedat, ',' ORDER BY id), '')
         FROM offline.rokso_db_version"
  sql "SELECT coalesce(string_agg(relname, ',' ORDER BY relname), '') FROM pg_class
         WHERE relnamespace IN ('offline'::regnamespace, 'online'::regnamespace, 'public'::regnamespace)"
}

# --- outside any project ---------------------------------------------------------------
mkdir -p "$WORK/outside/deeper"
has_parent_config=""
for d in "$WORK" "$(dirname "$WORK")" /; do [ -e "$d/config.json" ] && has_parent_config=$d; done
if [ -n "$has_parent_config" ]; then
  echo "note: skipping the outside-a-project checks: $has_parent_config/config.json exists" >&2
else
  cd "$WORK/outside/deeper" || exit 1
  for cmd in "${COMMANDS[@]}" "create --dbschema offline --type T --tablename x --filename y"; do
    # shellcheck disable=SC2086
    run rokso $cmd
    expect_code 2 "rokso $cmd outside a project"
    expect_one_line_error "rokso init"
    expect_eq "$OUT" "" "stdout of 'rokso $cmd' outside a project"
  done
  expect_eq "$(find "$WORK/outside" -mindepth 1 | sort | tr '\n' ' ')" "$WORK/outside/deeper " \
    "nothing written outside a project"
  run rokso -C "$WORK/outside" status
  expect_code 2 "rokso -C <not a project> status"
  expect_one_line_error "rokso init"
fi

# --- from a subdirectory of the project ---------------------------------------------------
mkdir -p "$PROJECT/docs/notes/deep" "$PROJECT/migration/offline/200.tables"
cd "$PROJECT/docs/notes/deep" || exit 1
run rokso status
expect_code 0 "status from a subdirectory"
expect_out "Pending migrations for application:"
expect_out "$A"
cd "$PROJECT/migration/offline/200.tables" || exit 1
run rokso migrate
expect_code 0 "migrate from inside migration/"
expect_eq "$(sql "SELECT filename || ':' || status FROM offline.rokso_db_version")" "$A:complete" "version table after migrate"
expect_eq "$(sql "SELECT count(*) FROM pg_class WHERE oid = to_regclass('offline.proj_a')")" 1 "proj_a created"
run rokso last-success
expect_code 0 "last-success from a subdirectory"
expect_out "Last successful version: "
# The nearest config.json wins: a nested project is its own project.
mkdir -p "$PROJECT/docs/nested"
printf '%s\n' "$GOOD_CONFIG" >"$PROJECT/docs/nested/config.json"
cd "$PROJECT/docs/nested" || exit 1
run rokso status
expect_code 2 "a nested project without migration/"
expect_one_line_error "$PROJECT/docs/nested/migration"
rm -rf "$PROJECT/docs"

# A pending migration that no failed command may apply.
write_py "$PROJECT/migration/$B" "CREATE TABLE offline.proj_b (id int);" "DROP TABLE offline.proj_b;"
cd "$PROJECT" || exit 1
BEFORE=$(db_state)

# --- broken config.json variants: one line naming config.json, exit 2, nothing changed ----
HOSTPORT="\"host\": \"$ROKSO_TEST_PGHOST\", \"port\": \"$ROKSO_TEST_PGPORT\""
REST="\"database\": \"$DB\", \"user\": \"postgres\", \"dbschema\": \"offline\""
VARIANTS=(
  "syntax error|{\"database\": {$HOSTPORT, $REST,}"
  "unterminated|{\"database\": {$HOSTPORT, $REST}"
  "trailing garbage|{\"database\": {$HOSTPORT, $REST}} x"
  "empty file|"
  "only whitespace|   "
  "an array|[{\"database\": {$HOSTPORT, $REST}}]"
  "a string|\"config\""
  "null|null"
  "missing database|{\"db\": {$HOSTPORT, $REST}}"
  "empty object|{}"
  "database is a string|{\"database\": \"$DB\"}"
  "database is an array|{\"database\": [\"$DB\"]}"
  "host is a boolean|{\"database\": {\"host\": true, \"port\": \"$ROKSO_TEST_PGPORT\", $REST}}"
  "port is an array|{\"database\": {\"host\": \"$ROKSO_TEST_PGHOST\", \"port\": [$ROKSO_TEST_PGPORT], $REST}}"
  "user is an object|{\"database\": {$HOSTPORT, \"database\": \"$DB\", \"user\": {}, \"dbschema\": \"offline\"}}"
  "password is a boolean|{\"database\": {$HOSTPORT, $REST, \"password\": false}}"
  "dbschema is an array|{\"database\": {$HOSTPORT, \"database\": \"$DB\", \"user\": \"postgres\", \"dbschema\": [\"offline\"]}}"
  "dbschema is empty|{\"database\": {$HOSTPORT, \"database\": \"$DB\", \"user\": \"postgres\", \"dbschema\": \"\"}}"
  "port is text|{\"database\": {\"host\": \"$ROKSO_TEST_PGHOST\", \"port\": \"five\", $REST}}"
  "port has a letter|{\"database\": {\"host\": \"$ROKSO_TEST_PGHOST\", \"port\": \"${ROKSO_TEST_PGPORT}x\", $REST}}"
  "port is negative|{\"database\": {\"host\": \"$ROKSO_TEST_PGHOST\", \"port\": \"-$ROKSO_TEST_PGPORT\", $REST}}"
  "port is a fraction|{\"database\": {\"host\": \"$ROKSO_TEST_PGHOST\", \"port\": $ROKSO_TEST_PGPORT.5, $REST}}"
  "port is out of range|{\"database\": {\"host\": \"$ROKSO_TEST_PGHOST\", \"port\": \"99999\", $REST}}"
  "port is zero|{\"database\": {\"host\": \"$ROKSO_TEST_PGHOST\", \"port\": \"0\", $REST}}"
  "version_table_name is empty|{\"database\": {$HOSTPORT, $REST}, \"version_table_name\": \"\"}"
)
for variant in "${VARIANTS[@]}"; do
  what=${variant%%|*}
  printf '%s' "${variant#*|}" >"$PROJECT/config.json"
  for cmd in "${COMMANDS[@]}"; do
    # shellcheck disable=SC2086
    run rokso $cmd
    expect_code 2 "config.json: $what; rokso $cmd"
    expect_one_line_error "config.json"
  done
  expect_eq "$(db_state)" "$BEFORE" "database after commands with a broken config.json ($what)"
  expect_eq "$(cat "$PROJECT/config.json")" "${variant#*|}" "config.json untouched ($what)"
done

# The same broken file, found from a subdirectory, is still named by its full path.
printf '{"database": ' >"$PROJECT/config.json"
mkdir -p "$PROJECT/sub"
cd "$PROJECT/sub" || exit 1
run rokso status
expect_code 2
expect_one_line_error "$PROJECT/config.json"
cd "$PROJECT" || exit 1
rmdir "$PROJECT/sub"

# A config.json that cannot be read at all (a directory).
rm -f "$PROJECT/config.json"
mkdir "$PROJECT/config.json"
run rokso status
expect_code 2 "config.json is a directory"
expect_one_line_error "config.json"
rmdir "$PROJECT/config.json"

# Sanity: the good file works again, and nothing above touched the database.
printf '%s\n' "$GOOD_CONFIG" >"$PROJECT/config.json"
chmod 600 "$PROJECT/config.json"  # rokso warns about a password others can read
run rokso status
expect_code 0 "status with the good config.json"
expect_out "$B"
expect_eq "$(db_state)" "$BEFORE" "database after all the broken variants"

# --- a wrong password: exit 1, one line, the password never shown ---------------------------
write_tcp_config() {  # <password json value>
  printf '{"database": {"database": "%s", "dbschema": "offline", "host": "127.0.0.1", "password": %s, "port": "%s", "user": "pguser"}}\n' \
    "$DB" "$1" "$ROKSO_TEST_PGPORT" >"$PROJECT/config.json"
}
write_tcp_config '"Wr0ng-Passw0rd-4711"'
for cmd in "${COMMANDS[@]}" "status -v" "migrate -v"; do
  # shellcheck disable=SC2086
  run rokso $cmd
  expect_code 1 "wrong password; rokso $cmd"
  expect_one_line_error "password authentication failed"
  expect_no_out "Wr0ng-Passw0rd-4711"
  expect_no_out "tutorial-secret"
done
expect_eq "$(db_state)" "$BEFORE" "database after wrong-password commands"

# A password with quotes, a backslash and spaces is passed to libpq intact (not a
# connection-string syntax error), and still never shown.
write_tcp_config '"it'"'"'s a \\\\ \"Wr0ng\" one"'
run rokso status
expect_code 1 "wrong password with quotes and a backslash"
expect_one_line_error "password authentication failed"
expect_no_out "Wr0ng"

# The right password over TCP works, and is not shown either, even with -v.
write_tcp_config '"tutorial-secret"'
run rokso status -v
expect_code 0 "status with the right password"
expect_out "$B"
expect_no_out "tutorial-secret"
run rokso migrate -v
expect_code 0 "migrate with the right password"
expect_no_out "tutorial-secret"
expect_eq "$(sql "SELECT count(*) FROM pg_class WHERE oid = to_regclass('offline.proj_b')")" 1 "proj_b created over TCP"
expect_eq "$(sql "SELECT executed_by FROM offline.rokso_db_version WHERE filename = '$B'")" pguser "executed_by"

# --- libpq's environment where the file is silent -------------------------------------------
write_tcp_config '""'
run rokso status
expect_code 1 "no password anywhere"
expect_one_line_error
PGPASSWORD=tutorial-secret run rokso status
expect_code 0 "PGPASSWORD fills in an empty password"
expect_no_out "tutorial-secret"
printf '127.0.0.1:%s:%s:pguser:tutorial-secret\n' "$ROKSO_TEST_PGPORT" "$DB" >"$WORK/pgpass"
chmod 600 "$WORK/pgpass"
PGPASSFILE="$WORK/pgpass" run rokso last-success
expect_code 0 "a password file fills in an empty password"
expect_out "Last successful version: "
printf '{"database": {"dbschema": "offline"}}\n' >"$PROJECT/config.json"
PGHOST=$ROKSO_TEST_PGHOST PGPORT=$ROKSO_TEST_PGPORT PGUSER=postgres PGDATABASE=$DB run rokso status
expect_code 0 "host, port, user and database from the PG* environment"
expect_out "No new migration to process."

finish
