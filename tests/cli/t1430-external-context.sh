#!/usr/bin/env bash
# A custom rokso-<cmd> gets the project's context (ROKSO_PROJECT_ROOT, ROKSO_CONFIG,
# ROKSO_MIGRATION_DIR, ROKSO_VERSION_TABLE, ROKSO_SCHEMA, ROKSO_EXEC_PATH, ROKSO_VERSION)
# and the connection as libpq variables, the password in a 0600 PGPASSFILE that is gone
# after the command, never in its argv or environment; psql inside it just works (over
# TCP, where the server wants the password). Its exit status and its signal pass
# through; kill -TERM on rokso reaches it. Outside a project: ROKSO_EXEC_PATH and
# ROKSO_VERSION only. The shipped rokso-psql puts the schema on the search_path.
# shellcheck disable=SC1091
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

SECRET=tutorial-secret
HOST=127.0.0.1
PORT=$ROKSO_TEST_PGPORT
new_database
sql "DROP DATABASE IF EXISTS ${DB}_url WITH (FORCE)" postgres
sql "CREATE DATABASE ${DB}_url" postgres
run rokso init --projectpath "$WORK/project" --dbhost "$HOST" --dbport "$PORT" --dbname "$DB" \
  --dbusername pguser --dbpassword "$SECRET" --dbschema offline
expect_code 0 "init over TCP with a password"
PROJECT=$WORK/project

# The custom command: prints its context (never the password), notes where its password
# file was, and does what its first argument says.
mkdir -p "$WORK/bin"
cat >"$WORK/bin/rokso-ctx" <<'SH'
#!/usr/bin/env bash
# rokso-summary: print the context rokso gives a custom command
for v in ROKSO_PROJECT_ROOT ROKSO_CONFIG ROKSO_MIGRATION_DIR ROKSO_VERSION_TABLE ROKSO_SCHEMA ROKSO_EXEC_PATH \
         ROKSO_VERSION PGHOST PGPORT PGDATABASE PGUSER PGSSLMODE PGPASSWORD PGPASSFILE; do
  echo "$v=${!v-<unset>}"
done
echo "argv=$*"
if [ -n "${PGPASSFILE:-}" ]; then
  echo "$PGPASSFILE" >"$CTX_NOTE"
  echo "passfile_mode=$(stat -c %a "$PGPASSFILE")"
fi
case "${1:-}" in
  exit) exit "$2" ;;
  selfkill) kill -TERM $$ ;;
  psql) shift; exec psql -XAtq -v ON_ERROR_STOP=1 "$@" ;;
  sleep) exec psql -XAtq -c "SELECT pg_sleep(60)" ;;
esac
SH
chmod +x "$WORK/bin/rokso-ctx"
export PATH="$WORK/bin:$PATH"
export CTX_NOTE="$WORK/passfile-path"
value() { sed -n "s/^$1=//p" <<<"$OUT"; }
no_secret() { if [[ "$OUT$ERR" == *"$SECRET"* ]]; then fail "$1: the password was printed"; else pass; fi; }
passfile_gone() {
  local file
  file=$(cat "$CTX_NOTE" 2>/dev/null)
  if [ -n "$file" ] && [ ! -e "$file" ]; then pass; else fail "$1: the password file '$file' is still there"; fi
  rm -f "$CTX_NOTE"
}

# --- the context, inside the project (from a subdirectory) -----------------------------------
mkdir -p "$PROJECT/migration/offline"
cd "$PROJECT/migration/offline" || exit 1
PGPASSWORD=wrong-one run rokso ctx psql -c "CREATE TABLE offline.made_by_ctx (id int)"
expect_code 0 "psql inside a custom command"
expect_eq "$(sql "SELECT to_regclass('offline.made_by_ctx') IS NOT NULL")" t "psql reached the project's database"
expect_eq "$(value ROKSO_PROJECT_ROOT)" "$PROJECT" ROKSO_PROJECT_ROOT
expect_eq "$(value ROKSO_CONFIG)" "$PROJECT/config.json" ROKSO_CONFIG
expect_eq "$(value ROKSO_MIGRATION_DIR)" "$PROJECT/migration" ROKSO_MIGRATION_DIR
expect_eq "$(value ROKSO_VERSION_TABLE)" rokso_db_version ROKSO_VERSION_TABLE
expect_eq "$(value ROKSO_SCHEMA)" offline ROKSO_SCHEMA
expect_eq "$(value ROKSO_EXEC_PATH)" "$ROKSO_TEST_PREFIX/libexec/rokso" ROKSO_EXEC_PATH
expect_eq "$(value ROKSO_VERSION)" "$(rokso --version | sed 's/^rokso version //')" ROKSO_VERSION
expect_eq "$(value PGHOST) $(value PGPORT) $(value PGDATABASE) $(value PGUSER)" "$HOST $PORT $DB pguser" "libpq variables"
expect_eq "$(value PGPASSWORD)" "<unset>" "PGPASSWORD removed (the password file wins)"
expect_eq "$(value passfile_mode)" 600 "the password file is private"
expect_eq "$(value argv)" "psql -c CREATE TABLE offline.made_by_ctx (id int)" "arguments passed untouched"
no_secret "custom command"
passfile_gone "after the command"

# --- exit status and signals pass through; the file is removed every time --------------------------
run rokso ctx exit 7
expect_code 7 "the command's exit status"
passfile_gone "after exit 7"
run rokso ctx selfkill
expect_code 143 "the command's own SIGTERM"
passfile_gone "after a signal"
rokso ctx sleep >/dev/null 2>&1 </dev/null &
FRONT=$!
wait_until "SELECT count(*) = 1 FROM pg_stat_activity WHERE datname = current_database()
              AND query = 'SELECT pg_sleep(60)'" 30 "the custom command's psql"
kill -TERM "$FRONT"
wait "$FRONT"
expect_eq "$?" 143 "kill -TERM on rokso ends it and its command with 143"
sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query = 'SELECT pg_sleep(60)'" >/dev/null
passfile_gone "after kill -TERM"

# --- --url before the command: the URL's connection, not in argv ---------------------------------
run rokso --url "postgres://pguser:$SECRET@$HOST:$PORT/${DB}_url?sslmode=disable" ctx psql -c "SELECT current_database()"
expect_code 0 "--url before a custom command"
expect_out "${DB}_url"
expect_eq "$(value PGSSLMODE)" disable "a URL's parameters as libpq variables"
expect_eq "$(value argv)" "psql -c SELECT current_database()" "--url stays out of the command's argv"
no_secret "--url custom command"
passfile_gone "after --url"

# --- rokso-psql, shipped: the schema first on the search_path --------------------------------------
run rokso psql -XAtc "SELECT current_schema() || ' ' || current_database()"
expect_code 0 "rokso psql"
expect_eq "$OUT" "offline $DB" "rokso psql connects with the schema on the search_path"
run rokso help -a
expect_out "psql"
if [ -x "$ROKSO_TEST_PREFIX/libexec/rokso/rokso-psql" ]; then pass; else fail "rokso-psql not installed in libexec"; fi

# --- no password: no password file ---------------------------------------------------------------
new_project "$WORK/trusted"
cd "$WORK/trusted" || exit 1
run rokso ctx psql -c "SELECT 1"
expect_code 0 "socket project"
expect_eq "$(value PGPASSFILE)" "<unset>" "no password, no password file"
expect_eq "$(value PGHOST)" "$ROKSO_TEST_PGHOST" "socket directory as PGHOST"

# --- outside a project: only the install's context ---------------------------------------------
mkdir -p "$WORK/nowhere" && cd "$WORK/nowhere" || exit 1
run rokso ctx
expect_code 0 "outside a project"
expect_eq "$(value ROKSO_PROJECT_ROOT)|$(value PGHOST)|$(value PGPASSFILE)" "<unset>|<unset>|<unset>" "no project context"
expect_eq "$(value ROKSO_EXEC_PATH)" "$ROKSO_TEST_PREFIX/libexec/rokso" "ROKSO_EXEC_PATH outside a project"
run rokso psql -c "SELECT 1"
expect_code 2 "rokso psql outside a project"
expect_one_line_error "not a rokso project"

# --- a broken config.json: the custom command does not run ------------------------------------------
mkdir -p "$WORK/broken" && cd "$WORK/broken" && echo '{"database": ' >config.json
run rokso ctx exit 0
expect_code 2 "broken config.json"
expect_one_line_error "config.json"

finish
