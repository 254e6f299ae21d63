#!/usr/bin/env bash
# The bad-input matrix, beyond t0003 / t0160 / t0170 / t0180 (issue #7): config.json keys
# of the wrong type or value, every format's malformed files (.py, .sql pairs, YAML),
# odd and escaping names in --migration and show, symlink loops and special files in
# migration/, unreadable files and directories (as a non-root user even when the tests
# run as root), a dead server / wrong password / missing database for the commands
# t0180 leaves out, a missing schema, missing privileges, and the version table dropped
# by a migration or by another session mid-run.
#
# Each case asserts the exit code, a phrase of the message, that nothing crashed, and —
# unless the contract says a failure is recorded — that neither the database nor a file
# of the project changed. The number of cases is printed at the end.
# shellcheck disable=SC1091
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

new_database
new_project "$WORK/project"
cd "$PROJECT" || exit 1
GOOD_CONFIG=$(cat "$PROJECT/config.json")
ROKSO="$ROKSO_TEST_PREFIX/bin/rokso"

A="offline/200.tables/mx_a/2021_01_01__00_00_00_create_mx_a.py"
B="offline/200.tables/mx_b/2021_01_02__00_00_00_create_mx_b.py"
write_py "migration/$A" "CREATE TABLE offline.mx_a (id int);" "DROP TABLE offline.mx_a;"
run rokso migrate
expect_code 0 "setup: first migrate"
# A good pending file that sorts before every bad one: a runner that read lazily would
# apply it before stumbling.
write_py "migration/$B" "CREATE TABLE offline.mx_b (id int);" "DROP TABLE offline.mx_b;"

# Everything about the database that rokso could change, in one round trip: relations,
# schemas, and the version table's rows when it exists.
db_state() {
  sql "SELECT (SELECT coalesce(string_agg(n.nspname || '.' || c.relname || ':' || c.relkind::text, ',' ORDER BY n.nspname, c.relname), '')
                 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast'))
         || E'\\n' || (SELECT string_agg(nspname, ',' ORDER BY nspname) FROM pg_namespace)
         || E'\\n' || CASE WHEN to_regclass('offline.rokso_db_version') IS NULL THEN 'no version table'
                          ELSE query_to_xml('SELECT id, filename, version, status, executedat FROM offline.rokso_db_version ORDER BY id',
                                            false, false, '')::text END"
}
# Every name, type, mode, link target and regular file's content under the project, as
# one archive (two processes: this runs twice per case). .rokso/ is left out: status's
# stat cache is not the project's state (core/stat_cache.hpp), as git's index is not.
project_sum() {
  tar -C "$PROJECT" --exclude=./.rokso --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf - . 2>/dev/null |
    sha256sum
}

CASES=0
# check_case <what> <codes a|b> <phrase> <command...>
# One bad input: the command (bounded by a timeout) exits with one of <codes>, says
# <phrase> on stderr, crashes not, and changes neither the database nor the project.
check_case() {
  local what=$1 codes=$2 phrase=$3 db_before files_before
  shift 3
  db_before=$(db_state)
  files_before=$(project_sum)
  run timeout 60 "$@"
  if [[ "|$codes|" == *"|$CODE|"* ]]; then pass; else fail "$what: expected exit $codes, got $CODE"; fi
  [ -z "$phrase" ] || expect_err "$phrase"
  no_crash "$what"
  expect_eq "$(db_state)" "$db_before" "database after: $what"
  expect_eq "$(project_sum)" "$files_before" "project files after: $what"
}
no_crash() {
  if grep -qE 'terminate called|what\(\):|Segmentation fault|Aborted|AddressSanitizer|runtime error:|Traceback' <<<"$OUT$ERR"; then
    fail "$1: crash text in the output"
  else
    pass
  fi
}
# A new input: counted once, whatever number of commands it is tried with.
new_case() { CASES=$((CASES + 1)); }

# --- config.json: rokso's own keys with wrong types or values (exit 2) ---------------------------
DBOBJ=$(sed -n '/"database": {/,/}/p' "$PROJECT/config.json" | tr -d '\n')
CONFIGS=(
  "migrations is an array|{$DBOBJ, \"migrations\": [\"lock_timeout\"]}"
  "migrations.lock_timeout is not a duration|{$DBOBJ, \"migrations\": {\"lock_timeout\": \"soon\"}}"
  "migrations.lock_timeout has an unknown unit|{$DBOBJ, \"migrations\": {\"lock_timeout\": \"5 weeks\"}}"
  "migrations.lock_retries is a fraction|{$DBOBJ, \"migrations\": {\"lock_retries\": 1.5}}"
  "migrations.lock_retries is negative|{$DBOBJ, \"migrations\": {\"lock_retries\": -1}}"
  "migrations.statement_timeout is not a duration|{$DBOBJ, \"migrations\": {\"statement_timeout\": \"forever\"}}"
  "lock_wait_timeout is a string|{$DBOBJ, \"lock_wait_timeout\": \"300\"}"
  "lock_wait_timeout is negative|{$DBOBJ, \"lock_wait_timeout\": -1}"
  "version_table_name is an object|{$DBOBJ, \"version_table_name\": {\"name\": \"x\"}}"
  "default_format is empty|{$DBOBJ, \"default_format\": \"\"}"
  "a key nested in the wrong place (database.migrations a string)|{$DBOBJ, \"migrations\": \"5s\"}"
)
for entry in "${CONFIGS[@]}"; do
  what=${entry%%|*}
  printf '%s\n' "${entry#*|}" >"$PROJECT/config.json"
  new_case
  check_case "config.json: $what; migrate" 2 "config.json" rokso migrate
  expect_one_line_error
  check_case "config.json: $what; status" 2 "config.json" rokso status
done
printf '%s\n' "$GOOD_CONFIG" >"$PROJECT/config.json"
# A default_format no plugin provides: create refuses it, nothing written.
printf '%s\n' "{$DBOBJ, \"default_format\": \"xml\"}" >"$PROJECT/config.json"
new_case
check_case "config.json: default_format names no plugin; create" 2 "xml" \
  rokso create --dbschema offline --type T --tablename mx_x --filename x
printf '%s\n' "$GOOD_CONFIG" >"$PROJECT/config.json"
# A flag that contradicts the file's rules is refused the same way.
new_case
check_case "--lock-timeout not a duration" 2 "lock timeout" rokso migrate --lock-timeout soon
new_case
check_case "--lock-wait negative" 2 "lock-wait" rokso migrate --lock-wait -3

# --- malformed migration files: <path>[:line:col]: message, exit 1, nothing applied --------------
Z="$PROJECT/migration/zzz/200.tables/mx_bad"
STEM="$Z/2021_01_09__00_00_00_bad"
bad_file() {  # <what> <phrase> ; the files are already written under $Z
  new_case
  check_case "$1; migrate" 1 "$2" rokso migrate
  expect_no_out "Applying migration file"
  check_case "$1; status" 1 "$2" rokso status
  rm -rf "$Z"
  mkdir -p "$Z"
}
mkdir -p "$Z"
# .sql pairs
printf 'SELECT 1;\n' >"$STEM.down.sql"
bad_file ".sql: a .down.sql without its .up.sql" "has no migration file beside it"
printf 'SELECT 1;\n-- rokso:requires\n' >"$STEM.apply.sql"; : >"$STEM.rollback.sql"
bad_file ".sql: rokso:requires without an identity" "$STEM.apply.sql:2:"
printf 'SELECT 1;\n-- rokso:bogus\n' >"$STEM.apply.sql"; : >"$STEM.rollback.sql"
bad_file ".sql: an unknown directive" "unknown directive 'rokso:bogus'"
printf 'SELECT 1;\n-- rokso:no-transaction please\n' >"$STEM.apply.sql"; : >"$STEM.rollback.sql"
bad_file ".sql: text after rokso:no-transaction" "$STEM.apply.sql:2:"
printf 'SELECT 1;\0\n' >"$STEM.apply.sql"; : >"$STEM.rollback.sql"
bad_file ".sql: a NUL byte" "null byte"
printf 'SELECT \xff;\n' >"$STEM.apply.sql"; : >"$STEM.rollback.sql"
bad_file ".sql: invalid UTF-8 in the apply file" "invalid utf-8"
printf 'SELECT 1;\n' >"$STEM.apply.sql"; printf 'DROP \xfe;\n' >"$STEM.rollback.sql"
bad_file ".sql: invalid UTF-8 in the rollback file" "rollback file"
printf 'SELECT 1;\n' >"$STEM.apply.sql"; mkdir "$STEM.rollback.sql"
bad_file ".sql: the rollback file is a directory" "$STEM.rollback.sql"
# YAML
Y="$STEM.yaml"
printf 'apply: 5\nrollback: x\n' >"$Y"
bad_file ".yaml: apply is a number" "$Y:1:8: 'apply' must be a string"
printf 'apply: [a, b]\nrollback: x\n' >"$Y"
bad_file ".yaml: apply is a sequence" "'apply' must be a string, not a sequence"
printf 'apply: SELECT 1\nrollback: {a: 1}\n' >"$Y"
bad_file ".yaml: rollback is a mapping" "'rollback' must be a string"
printf 'apply: SELECT 1\nrollback: x\ntransaction: maybe\n' >"$Y"
bad_file ".yaml: transaction is not a boolean" "'transaction' must be true or false"
printf 'apply: SELECT 1\nrollback: x\nrequires: offline/x.py\n' >"$Y"
bad_file ".yaml: requires is a string" "'requires' must be a sequence"
printf 'rollback: x\n' >"$Y"
bad_file ".yaml: no apply key" "missing key 'apply'"
printf 'apply: SELECT 1\nrollback: x\napply: SELECT 2\n' >"$Y"
bad_file ".yaml: a duplicate key" "duplicate key 'apply'"
printf 'apply: "SELECT 1\nrollback: x\n' >"$Y"
bad_file ".yaml: a quoted string never closed" "$Y:1:8:"
printf 'apply: SELECT 1\n  bad: indent\n rollback: [\n' >"$Y"
bad_file ".yaml: broken indentation" "invalid YAML"
printf 'apply: SELECT 1\nrollbak: x\n' >"$Y"
bad_file ".yaml: a misspelt key" "unknown key 'rollbak'"
: >"$Y"
bad_file ".yaml: an empty file" "no YAML document"
printf -- '- apply: SELECT 1\n' >"$Y"
bad_file ".yaml: a sequence at the top" "expected a mapping"
printf 'apply: &a SELECT 1\nrollback: *a\n' >"$Y"
bad_file ".yaml: an alias" "anchors and aliases"
# .py
PY="$STEM.py"
printf 'apply_sql = "SELECT 1"\nrollback_sql = ""\n' >"$PY"
bad_file ".py: variables without the migrations dict" "no 'migrations' found"
printf 'apply_sql = "SELECT 1"\nmigrations = {"rollback": apply_sql}\n' >"$PY"
bad_file ".py: the dict lacks apply" "'migrations' has no \"apply\" key"
: >"$PY"
bad_file ".py: an empty file" "no 'migrations' found"
printf 'migrations = {"apply": 5, "rollback": ""}\n' >"$PY"
bad_file ".py: apply is a number" "$PY:1:24:"
printf 'import os\nos.system("touch %s/pwned")\nmigrations = {"apply": "", "rollback": ""}\n' "$WORK" >"$PY"
bad_file ".py: code to run (never run)" "rokso reads .py files without running them"
if [ -e "$WORK/pwned" ]; then fail ".py code was executed"; else pass; fi
printf 'apply_sql = "SELECT \xff"\nrollback_sql = ""\nmigrations = {"apply": apply_sql, "rollback": rollback_sql}\n' >"$PY"
bad_file ".py: invalid UTF-8" "$PY:1:"
rmdir "$Z" "$(dirname "$Z")" "$(dirname "$(dirname "$Z")")"

# --- names in --migration and show: unknown, escaping, odd (exit 2) --------------------------------
for named in "../../etc/passwd" "/etc/passwd" "migration/../config.json" "offline/../offline/200.tables/mx_a/2021_01_01__00_00_00_create_mx_a.py" \
             "offline/200.tables/ü ñ/2021_01_01__00_00_00_ü.py" 'offline/200.tables/"q" x/2021_01_01__00_00_00_it'"'"'s.py' \
             "offline/200.tables/mx_b/" "offline/200.tables/mx_b/2021_01_02__00_00_00_create_mx_b"; do
  new_case
  check_case "migrate --migration '$named'" 2 "unknown migration" rokso migrate --migration "$named"
  expect_one_line_error
  check_case "show '$named'" 2 "unknown migration" rokso show "$named"
done
# A line break in a name: still a one-line error, the break shown escaped.
new_case
check_case "migrate --migration with a line break" 2 'new\nline.py' rokso migrate --migration $'offline/new\nline.py'
expect_one_line_error "unknown migration"
check_case "mark --applied with a line break" 2 'new\nline.py' rokso mark --applied $'offline/new\nline.py' --yes
expect_one_line_error "unknown migration"

# --- symlinks and special files in migration/ ---------------------------------------------------
L="$PROJECT/migration/offline/200.tables/mx_l"
mkdir -p "$L"
ln -s 2021_01_03__00_00_00_y.py "$L/2021_01_03__00_00_00_x.py"
ln -s 2021_01_03__00_00_00_x.py "$L/2021_01_03__00_00_00_y.py"
new_case
check_case "two symlinks pointing at each other" 1 "2021_01_03__00_00_00_" rokso migrate
expect_one_line_error
rm -rf "$L"
mv "$PROJECT/migration" "$PROJECT/migration.real"
ln -s migration "$PROJECT/migration"
new_case
check_case "migration/ is a symlink to itself" 2 "migration" rokso migrate
expect_one_line_error
check_case "migration/ is a symlink to itself; status" 2 "migration" rokso status
rm -f "$PROJECT/migration"
mv "$PROJECT/migration.real" "$PROJECT/migration"
# A FIFO and a device named like migrations: no hang, never read, and an error naming them.
mkdir -p "$L"
mkfifo "$L/2021_01_04__00_00_00_fifo.py"
new_case
check_case "a FIFO named like a migration" 1 "not a regular file" rokso migrate --dry-run
expect_one_line_error "2021_01_04__00_00_00_fifo.py"
check_case "a FIFO named like a migration; status" 1 "not a regular file" rokso status
rm -f "$L/2021_01_04__00_00_00_fifo.py"
ln -s /dev/zero "$L/2021_01_04__00_00_00_zero.py"
new_case
check_case "a symlink to /dev/zero named like a migration" 1 "not a regular file" rokso migrate --dry-run
rm -rf "$L"

# --- unreadable files and directories: as a non-root user (root reads through chmod 000) ---------
AS_USER=()
if [ "$(id -u)" != 0 ]; then
  AS_USER=(env)
elif id nobody >/dev/null 2>&1 && runuser -u nobody -- "$ROKSO" --version >/dev/null 2>&1; then
  AS_USER=(runuser -u nobody --)
  chown -R nobody "$PROJECT"
fi
if [ ${#AS_USER[@]} = 0 ]; then
  echo "SKIP: unreadable-file cases: running as root and user 'nobody' cannot run $ROKSO" >&2
else
  U="$PROJECT/migration/offline/200.tables/mx_u"
  write_py "$U/2021_01_05__00_00_00_u.py" "CREATE TABLE offline.mx_u (id int);" "DROP TABLE offline.mx_u;"
  [ "$(id -u)" != 0 ] || chown -R nobody "$U"
  chmod 000 "$U/2021_01_05__00_00_00_u.py"
  new_case
  check_case "an unreadable migration file" 1 "$U/2021_01_05__00_00_00_u.py" "${AS_USER[@]}" "$ROKSO" -C "$PROJECT" migrate
  expect_one_line_error
  chmod 644 "$U/2021_01_05__00_00_00_u.py"
  chmod 000 "$U"
  new_case
  check_case "an unreadable object directory" 1 "$U" "${AS_USER[@]}" "$ROKSO" -C "$PROJECT" migrate
  expect_one_line_error
  check_case "an unreadable object directory; status" 1 "$U" "${AS_USER[@]}" "$ROKSO" -C "$PROJECT" status
  chmod 755 "$U"
  rm -rf "$U"
  chmod 000 "$PROJECT/migration"
  new_case
  check_case "an unreadable migration/" "1|2" "$PROJECT/migration" "${AS_USER[@]}" "$ROKSO" -C "$PROJECT" migrate
  expect_one_line_error
  chmod 755 "$PROJECT/migration"
  chmod 000 "$PROJECT/config.json"
  new_case
  check_case "an unreadable config.json" 2 "$PROJECT/config.json" "${AS_USER[@]}" "$ROKSO" -C "$PROJECT" status
  expect_one_line_error
  chmod 600 "$PROJECT/config.json"
  [ "$(id -u)" != 0 ] || chown -R root "$PROJECT"
fi

# --- the server: commands t0180 leaves out ----------------------------------------------------------
DEAD_PORT=""
for p in 1 2 3 4 5 6 7 9 11 13; do
  (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { DEAD_PORT=$p; break; }
done
tcp_config() {  # <port> <database> <password>
  printf '{"database": {"database": "%s", "dbschema": "offline", "host": "127.0.0.1", "password": "%s", "port": "%s", "user": "pguser"}}\n' \
    "$2" "$3" "$1" >"$PROJECT/config.json"
}
for entry in "dead server|${DEAD_PORT:-1}|$DB|tutorial-secret|cannot connect" \
             "wrong password|$ROKSO_TEST_PGPORT|$DB|Wr0ng-Passw0rd-5678|password authentication failed" \
             "missing database|$ROKSO_TEST_PGPORT|nosuchdb_mx|tutorial-secret|does not exist"; do
  IFS='|' read -r what port dbname password message <<<"$entry"
  tcp_config "$port" "$dbname" "$password"
  new_case
  for args in "migrate --dry-run" "migrate --check" "mark --applied $B --yes" "mark --pending $A --yes" \
              "status --format json" "rollback --dry-run --format json" "last-success --format json"; do
    # shellcheck disable=SC2086
    check_case "$what: rokso $args" 1 "$message" rokso $args
    expect_one_line_error
    expect_no_out "Wr0ng-Passw0rd-5678"
    expect_no_out "tutorial-secret"
  done
done
printf '%s\n' "$GOOD_CONFIG" >"$PROJECT/config.json"

# --- a missing schema: migrate and mark say so (exit 1) and create nothing ------------------------
sed 's/"dbschema": "offline"/"dbschema": "mx_nosuchschema"/' <<<"$GOOD_CONFIG" >"$PROJECT/config.json"
new_case
check_case "missing schema: migrate" 1 "schema 'mx_nosuchschema' does not exist in this database; create it first" rokso migrate
expect_one_line_error
check_case "missing schema: mark" 1 "schema 'mx_nosuchschema' does not exist" rokso mark --applied "$B" --yes
expect_one_line_error
# Reading commands report an empty history: no version table yet (a fresh database).
check_case "missing schema: status" 0 "" rokso status
expect_out "$B"
check_case "missing schema: status --format json" 0 "" rokso status --format json
expect_out '"version_table_exists": false'
check_case "missing schema: last-success" 0 "" rokso last-success
expect_out "No last revision detected"
check_case "missing schema: rollback" 0 "" rokso rollback --yes
check_case "missing schema: migrate --dry-run" 0 "" rokso migrate --dry-run
# migrate --check fails as migrate does: it could not record anything.
mkdir -p "$WORK/ms/migration/offline/200.tables/mx_ok"
cp "$PROJECT/config.json" "$WORK/ms/config.json"
write_py "$WORK/ms/migration/offline/200.tables/mx_ok/2021_01_01__00_00_00_ok.py" "SELECT 1;" ""
run rokso -C "$WORK/ms" migrate --check
expect_code 1 "missing schema: migrate --check"
expect_one_line_error "does not exist"
printf '%s\n' "$GOOD_CONFIG" >"$PROJECT/config.json"

# --- no privileges ---------------------------------------------------------------------------------
NOPRIV=t0181_nopriv
[ -n "$(sql "SELECT 1 FROM pg_roles WHERE rolname = '$NOPRIV'" postgres)" ] || sql "CREATE ROLE $NOPRIV LOGIN" postgres
sql "CREATE SCHEMA mx_fresh; GRANT USAGE ON SCHEMA offline, mx_fresh TO $NOPRIV"
as_nopriv_config() {  # <schema>
  sed -e "s/\"user\": \"postgres\"/\"user\": \"$NOPRIV\"/" -e "s/\"dbschema\": \"offline\"/\"dbschema\": \"$1\"/" \
    <<<"$GOOD_CONFIG" >"$PROJECT/config.json"
}
as_nopriv_config offline
new_case
for args in "migrate" "status" "rollback --yes" "last-success" "mark --applied $B --yes" "migrate --check"; do
  # shellcheck disable=SC2086
  check_case "no privilege on the version table: $args" 1 "permission denied for table rokso_db_version" rokso $args
  expect_one_line_error
done
as_nopriv_config mx_fresh
new_case
check_case "no CREATE on the schema for the version table" 1 "permission denied for schema mx_fresh" rokso migrate
expect_one_line_error "cannot create the version table mx_fresh.rokso_db_version"
# Rights on the version table but not CREATE on the schema the migration writes to: the
# migration fails, is recorded as 'error' (the contract), and creates nothing.
as_nopriv_config offline
sql "GRANT SELECT, INSERT, UPDATE, DELETE ON offline.rokso_db_version TO $NOPRIV;
     GRANT USAGE ON SEQUENCE offline.rokso_db_version_id_seq TO $NOPRIV"
new_case
BEFORE_REL=$(sql "SELECT count(*) FROM pg_class WHERE relnamespace = 'offline'::regnamespace")
run timeout 60 rokso migrate
expect_code 1 "no CREATE on the migration's schema"
expect_err "Your migration '$B' has failed. Please fix it and retry."
expect_err "permission denied for schema offline"
no_crash "no CREATE on the migration's schema"
expect_eq "$(sql "SELECT string_agg(filename || ':' || status, ',' ORDER BY id) FROM offline.rokso_db_version")" \
  "$A:complete,$B:error" "only the failure is recorded"
expect_eq "$(sql "SELECT count(*) FROM pg_class WHERE relnamespace = 'offline'::regnamespace")" "$BEFORE_REL" "nothing created"
sql "DELETE FROM offline.rokso_db_version WHERE filename = '$B'"
sql "REVOKE ALL ON offline.rokso_db_version FROM $NOPRIV; REVOKE ALL ON SEQUENCE offline.rokso_db_version_id_seq FROM $NOPRIV;
     REVOKE ALL ON SCHEMA offline, mx_fresh FROM $NOPRIV; DROP SCHEMA mx_fresh"
printf '%s\n' "$GOOD_CONFIG" >"$PROJECT/config.json"

# --- the version table dropped mid-run ---------------------------------------------------------------
# By the migration itself, in its transaction: its row cannot be written, so the whole
# migration rolls back (the drop too) and the failure is recorded.
D="offline/200.tables/mx_d/2021_01_06__00_00_00_drop_history.py"
write_py "migration/$D" "CREATE TABLE offline.mx_d (id int); DROP TABLE offline.rokso_db_version;" "DROP TABLE offline.mx_d;"
new_case
run timeout 60 rokso migrate
expect_code 1 "a migration that drops the version table"
expect_err "Your migration '$D' has failed"
expect_err "rokso_db_version"
no_crash "a migration that drops the version table"
expect_eq "$(sql "SELECT string_agg(filename || ':' || status, ',' ORDER BY id) FROM offline.rokso_db_version")" \
  "$A:complete,$B:complete,$D:error" "the version table kept, the failure recorded"
expect_eq "$(sql "SELECT to_regclass('offline.mx_d') IS NULL")" t "nothing of the failed migration left"
rm -rf "$PROJECT/migration/offline/200.tables/mx_d"
sql "DELETE FROM offline.rokso_db_version WHERE filename = '$D'"

# By a migration that runs outside a transaction: the drop commits, so nothing can be
# recorded — rokso must say exactly that, and not claim success.
N="offline/200.tables/mx_n/2021_01_07__00_00_00_drop_history"
mkdir -p "$PROJECT/migration/$(dirname "$N")"
printf -- '-- rokso:no-transaction\nCREATE TABLE offline.mx_n (id int);\nDROP TABLE offline.rokso_db_version;\n' >"$PROJECT/migration/$N.apply.sql"
printf 'DROP TABLE offline.mx_n;\n' >"$PROJECT/migration/$N.rollback.sql"
new_case
run timeout 60 rokso migrate --lint=off  # its DROP TABLE is the point; lint would say so first
expect_code 1 "a non-transactional migration that drops the version table"
expect_one_line_error "cannot record the failure of '$N.apply.sql'"
expect_err "rokso_db_version"
no_crash "a non-transactional migration that drops the version table"
expect_no_out "Your database is at revision"
rm -rf "$PROJECT/migration/offline/200.tables/mx_n"

# By another session between two migrations: the first is whole, the second not applied.
new_database
for i in 1 2 3; do
  write_py "migration/offline/200.tables/mx_s$i/2021_02_0${i}__00_00_00_s.py" \
    "CREATE TABLE offline.mx_s$i (id int); SELECT pg_sleep(0.6);" "DROP TABLE offline.mx_s$i;"
done
rokso migrate >"$WORK/s.out" 2>"$WORK/s.err" &
pid=$!
for _ in $(seq 1 100); do
  [ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '%pg_sleep(0.6)%' AND pid <> pg_backend_pid()")" -gt 0 ] && break
  sleep 0.05
done
sql "DROP TABLE offline.rokso_db_version"
wait "$pid"
CODE=$?; OUT=$(cat "$WORK/s.out"); ERR=$(cat "$WORK/s.err")
new_case
expect_code 1 "the version table dropped by another session mid-run"
expect_err "rokso_db_version"
no_crash "the version table dropped by another session mid-run"
expect_no_out "Your database is at revision"
made=$(sql "SELECT count(*) FROM pg_class WHERE relnamespace = 'offline'::regnamespace AND relname ~ '^mx_s[0-9]$'")
if [ "$made" -lt 3 ]; then pass; else fail "expected the run to stop, yet all 3 applied"; fi

echo "bad-input cases in this script: $CASES"
expect_eq "$([ "$CASES" -ge 40 ] && echo ok)" ok "at least 40 cases here"
finish
