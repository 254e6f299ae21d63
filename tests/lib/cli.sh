# Black-box CLI tests (after git's t/test-lib.sh): source this from tests/cli/tNNNN-*.sh.
# It runs the *installed* rokso the way a user types it, against the throwaway
# PostgreSQL started by tests/lib/pg_cluster.sh, and checks database state with psql.
#
# Each script gets its own database (t_<script>) and scratch directory, and ends with
# `finish`, which prints "N passed, M failed" and exits non-zero on any failure.
set -u
: "${ROKSO_TEST_PREFIX:?run through ctest (ROKSO_TEST_PREFIX unset)}"
: "${ROKSO_TEST_PGDIR:?run through ctest (ROKSO_TEST_PGDIR unset)}"
# shellcheck disable=SC1091
. "$ROKSO_TEST_PGDIR/env"

export PATH="$ROKSO_TEST_PREFIX/bin:$PATH"
unset ROKSO_EXEC_PATH ROKSO_PLUGIN_PATH ROKSO_LOCK_WAIT ROKSO_TARGET PGHOST PGPORT PGUSER PGPASSWORD PGDATABASE PGSERVICE
unset MIG_PROJECT_PATH MIG_DB_HOST MIG_DB_PORT MIG_DB_NAME MIG_DB_USER MIG_DB_PASSWORD MIG_DB_SCHEMA
unset PG_MIG_DB_PROJECT_PATH PG_MIG_DB_HOST PG_MIG_DB_PORT_NUMBER PG_MIG_DB_NAME PG_MIG_DB_USER PG_MIG_DB_PASSWORD \
  PG_MIG_DB_SCHEMA_NAME ROKSO_VERBOSE
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
TEST_NAME=$(basename "$0" .sh)
DB="t_$(echo "$TEST_NAME" | tr -c 'a-zA-Z0-9_\n' '_')"
WORK=$(mktemp -d "/tmp/rokso-$TEST_NAME.XXXXXX")
chmod 755 "$WORK"
PASSED=0
FAILED=0
OUT=""
ERR=""
CODE=0

cleanup() { [ "${KEEP_WORK:-}" = 1 ] || rm -rf "$WORK"; }
trap cleanup EXIT

# psql against the test database (or $2), tuples only, stops on error.
sql() {
  PGOPTIONS="-c client_min_messages=warning" "$PG_BIN/psql" -XAtq -v ON_ERROR_STOP=1 -h "$ROKSO_TEST_PGHOST" -p "$ROKSO_TEST_PGPORT" -U postgres \
    -d "${2:-$DB}" -c "$1"
}

# A fresh, empty database for this script, with the tutorial's schemas.
new_database() {
  sql "DROP DATABASE IF EXISTS $DB WITH (FORCE)" postgres
  sql "CREATE DATABASE $DB" postgres
  sql "CREATE SCHEMA offline; CREATE SCHEMA online;"
}

# A project in $1 (default $WORK/project) on the test database, version table in schema $2.
new_project() {
  local dir=${1:-$WORK/project} schema=${2:-offline}
  run rokso init --projectpath "$dir" --dbhost "$ROKSO_TEST_PGHOST" --dbport "$ROKSO_TEST_PGPORT" \
    --dbname "$DB" --dbusername postgres --dbpassword "" --dbschema "$schema"
  [ "$CODE" = 0 ] || { echo "new_project failed: $OUT $ERR" >&2; exit 1; }
  PROJECT=$dir
}

# run <command...>: runs it with stdin from /dev/null; sets OUT, ERR and CODE.
# ($(<file) is $(cat file) without a process: a suite runs thousands of commands.)
run() {
  "$@" >"$WORK/.out" 2>"$WORK/.err" </dev/null
  CODE=$?
  OUT=$(<"$WORK/.out")
  ERR=$(<"$WORK/.err")
}

# run_with_input <text> <command...>: the same with <text> on stdin (printf %b: "y\n" works).
run_with_input() {
  local input=$1
  shift
  printf '%b' "$input" | "$@" >"$WORK/.out" 2>"$WORK/.err"
  CODE=$?
  OUT=$(<"$WORK/.out")
  ERR=$(<"$WORK/.err")
}

pass() { PASSED=$((PASSED + 1)); }
fail() {
  FAILED=$((FAILED + 1))
  # The script's line: the caller of expect_*, or of fail itself when called directly.
  local line=${BASH_LINENO[0]}
  [[ "${FUNCNAME[1]:-}" == expect_* ]] && line=${BASH_LINENO[1]}
  echo "FAIL [$TEST_NAME:$line] $*" >&2
  echo "  last command: exit $CODE" >&2
  echo "  stdout: $(printf '%s' "$OUT" | head -c 2000)" >&2
  echo "  stderr: $(printf '%s' "$ERR" | head -c 2000)" >&2
}

expect_code() {
  if [ "$CODE" = "$1" ]; then pass; else fail "expected exit $1, got $CODE${2:+ ($2)}"; fi
}
expect_eq() {
  if [ "$1" = "$2" ]; then pass; else fail "${3:-value}: expected '$2', got '$1'"; fi
}
# holds <text> <string>: whether a line of <text> holds <string>, as grep -qF says (for a
# string of several lines: any of them), without starting grep for the usual one-line string.
holds() {
  if [[ $2 == *$'\n'* ]]; then grep -qF -- "$2" <<<"$1"; else [[ $1 == *"$2"* ]]; fi
}
expect_out() {
  if holds "$OUT" "$1"; then pass; else fail "stdout lacks '$1'"; fi
}
expect_err() {
  if holds "$ERR" "$1"; then pass; else fail "stderr lacks '$1'"; fi
}
expect_no_out() {
  if holds "$OUT$ERR" "$1"; then fail "output contains '$1'"; else pass; fi
}
# The error is one line: stderr has exactly one line, starting with "error: ".
expect_one_line_error() {
  local lines
  lines=$(printf '%s\n' "$ERR" | grep -c .)
  if [ "$lines" = 1 ] && [[ "$ERR" == error:* ]]; then pass; else fail "expected a one-line error"; fi
  if [ -n "${1:-}" ]; then expect_err "$1"; fi
}

# Writes a roksopsql .py migration: write_py <path> <apply_sql> [rollback_sql]
write_py() {
  mkdir -p "$(dirname "$1")"
  printf 'apply_sql = """\n%s\n"""\n\nrollback_sql = """%s"""\n\nmigrations = {\n    "apply": apply_sql,\n    "rollback": rollback_sql\n}\n' \
    "$2" "${3:-}" >"$1"
}

# j <jsonb expression on "doc">: evaluates it on the last command's stdout, parsed by
# PostgreSQL; expect_json <expression> <expected> [what] checks it.
j() {
  local json
  json=$(printf '%s' "$OUT" | sed "s/'/''/g")
  sql "SELECT $1 FROM (SELECT '$json'::jsonb AS doc) AS d"
}
expect_json() {
  local got
  got=$(j "$1" 2>&1) || got="<not JSON: $got>"
  expect_eq "$got" "$2" "${3:-$1}"
}

# Another session holds rokso's lock for offline.rokso_db_version, as a running rokso
# would: hold_lock [seconds, default 30] ... release_lock. HOLDER is its psql's pid.
# wait_until <query> [<seconds>] [<what>]: polls the query (via sql) until it prints "t",
# for at most <seconds> (default 30); a timeout is a failure naming <what>. Tests wait
# for a state this way, never for a guessed time.
wait_until() {
  local deadline=$(( $(date +%s) + ${2:-30} ))
  while [ "$(sql "$1" 2>/dev/null)" != t ]; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      fail "timed out waiting for ${3:-$1}"
      return 1
    fi
    sleep 0.05
  done
}

# hold_table_lock <table>: another session holds ACCESS EXCLUSIVE on <table> (for up to
# 60 s) from when this returns until release_table_lock <table>.
hold_table_lock() {
  PGOPTIONS="-c client_min_messages=warning" "$PG_BIN/psql" -XAtq -h "$ROKSO_TEST_PGHOST" -p "$ROKSO_TEST_PGPORT" \
    -U postgres -d "$DB" -c "BEGIN; LOCK TABLE $1 IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(60); COMMIT;" \
    >/dev/null 2>&1 &
  TABLE_LOCK_HOLDER=$!
  wait_until "SELECT count(*) = 1 FROM pg_locks WHERE relation = '$1'::regclass AND granted" 30 "the lock on $1"
}
release_table_lock() {
  kill "$TABLE_LOCK_HOLDER" 2>/dev/null; wait "$TABLE_LOCK_HOLDER" 2>/dev/null
  sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'BEGIN; LOCK TABLE $1 %' AND pid <> pg_backend_pid()" >/dev/null
}

hold_lock() {
  PGOPTIONS="-c client_min_messages=warning" "$PG_BIN/psql" -XAtq -h "$ROKSO_TEST_PGHOST" -p "$ROKSO_TEST_PGPORT" \
    -U postgres -d "$DB" -c "SELECT pg_advisory_lock(1919904627, hashtext('\"offline\".\"rokso_db_version\"'))" \
    -c "SELECT pg_sleep(${1:-30})" >/dev/null 2>&1 &
  HOLDER=$!
  for _ in $(seq 1 50); do
    [ "$(sql "SELECT count(*) FROM pg_locks WHERE database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND locktype = 'advisory' AND classid = 1919904627 AND granted")" = 1 ] && return
    sleep 0.1
  done
  fail "could not take the lock for the test"
}
release_lock() {
  kill "$HOLDER" 2>/dev/null
  wait "$HOLDER" 2>/dev/null
  sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'SELECT pg_sleep(%' AND pid <> pg_backend_pid()" >/dev/null
}

finish() {
  echo "$TEST_NAME: $PASSED passed, $FAILED failed"
  [ "$FAILED" = 0 ]
  exit $?
}
