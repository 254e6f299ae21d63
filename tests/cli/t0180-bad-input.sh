#!/usr/bin/env bash
# Bad input to migrate / status / rollback / last-success: an unreachable server, a wrong
# password, a missing database, a missing migration/ directory, unreadable and
# malformed migration files (nothing applied: every pending file is read first),
# unknown identities and revisions (including injection attempts), symlink loops, and
# names with quotes, spaces and unicode in the migration tree.
# shellcheck disable=SC1091
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

new_database
new_project "$WORK/project"
cd "$PROJECT" || exit 1
GOOD_CONFIG=$(cat "$PROJECT/config.json")

A="offline/200.tables/bad_a/2021_01_01__00_00_00_create_bad_a.py"
B="offline/200.tables/bad_b/2021_01_02__00_00_00_create_bad_b.py"
C="online/200.tables/bad_c/2021_01_03__00_00_00_create_bad_c.py"
write_py "$PROJECT/migration/$A" "CREATE TABLE offline.bad_a (id int);" "DROP TABLE offline.bad_a;"
run rokso migrate
expect_code 0 "setup: first migrate"
REV_A=$(sql "SELECT version FROM offline.rokso_db_version")
write_py "$PROJECT/migration/$B" "CREATE TABLE offline.bad_b (id int);" "DROP TABLE offline.bad_b;"
write_py "$PROJECT/migration/$C" "CREATE TABLE online.bad_c (id int);" "DROP TABLE online.bad_c;"

# Everything about the database that rokso could change.
db_state() {
  sql "SELECT coalesce(string_agg(id || '|' || filename || '|' || version || '|' || status || '|' || executedat, ',' ORDER BY id), '')
         FROM offline.rokso_db_version"
  sql "SELECT coalesce(string_agg(n.nspname || '.' || c.relname, ',' ORDER BY n.nspname, c.relname), '')
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname IN ('offline', 'online', 'public')"
}
BEFORE=$(db_state)
# After a check that failed by applying something, put the database back so the later
# checks still test what they say (the failure itself is already counted).
restore_state() {
  if [ "$(db_state)" != "$BEFORE" ]; then
    rokso rollback --version "$REV_A" --yes >/dev/null 2>&1
    sql "DELETE FROM offline.rokso_db_version WHERE version <> '$REV_A'"
  fi
}
COMMANDS=("migrate" "status" "rollback --yes" "last-success")

# --- the database cannot be reached --------------------------------------------------------
DEAD_PORT=""
for p in 1 2 3 4 5 6 7 9 11 13; do
  (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { DEAD_PORT=$p; break; }
done
tcp_config() {  # <port> <database> <password>
  printf '{"database": {"database": "%s", "dbschema": "offline", "host": "127.0.0.1", "password": "%s", "port": "%s", "user": "pguser"}}\n' \
    "$2" "$3" "$1" >"$PROJECT/config.json"
}
for case in "dead server|$DEAD_PORT|$DB|tutorial-secret|cannot connect" \
            "dead socket|SOCKET|$DB||cannot connect" \
            "wrong password|$ROKSO_TEST_PGPORT|$DB|Wr0ng-Passw0rd-1234|password authentication failed" \
            "missing database|$ROKSO_TEST_PGPORT|nosuchdb_x|tutorial-secret|does not exist"; do
  IFS='|' read -r what port dbname password message <<<"$case"
  if [ "$port" = SOCKET ]; then
    # The right socket directory, a port with no server: no socket file there.
    printf '{"database": {"database": "%s", "dbschema": "offline", "host": "%s", "port": "%s", "user": "postgres"}}\n' \
      "$DB" "$ROKSO_TEST_PGHOST" "${DEAD_PORT:-1}" >"$PROJECT/config.json"
  else
    tcp_config "$port" "$dbname" "$password"
  fi
  for cmd in "${COMMANDS[@]}"; do
    # shellcheck disable=SC2086
    run timeout 60 rokso $cmd
    expect_code 1 "$what: rokso $cmd"
    expect_one_line_error "$message"
    expect_no_out "Wr0ng-Passw0rd-1234"
    expect_no_out "tutorial-secret"
  done
  expect_eq "$(db_state)" "$BEFORE" "database after: $what"
done
printf '%s\n' "$GOOD_CONFIG" >"$PROJECT/config.json"

# --- no migration/ directory -------------------------------------------------------------------
mv "$PROJECT/migration" "$PROJECT/migration.away"
for cmd in "migrate" "status" "rollback --yes" "migrate --migration $B"; do
  # shellcheck disable=SC2086
  run rokso $cmd
  expect_code 2 "no migration/: rokso $cmd"
  expect_one_line_error "$PROJECT/migration"
done
# status connects while it reads the tree (core/command.hpp, connect_while_scanning),
# and still says a tree it cannot read before a server it cannot reach.
if [ -n "$DEAD_PORT" ]; then
  tcp_config "$DEAD_PORT" "$DB" tutorial-secret
  run timeout 60 rokso status
  expect_code 2 "no migration/ and a dead server: rokso status"
  expect_one_line_error "$PROJECT/migration"
  printf '%s\n' "$GOOD_CONFIG" >"$PROJECT/config.json"
fi
expect_eq "$(db_state)" "$BEFORE" "database after commands without migration/"
# last-success reads only the version table: it needs no migration/.
run rokso last-success
expect_code 0 "no migration/: last-success"
expect_out "Last successful version: $REV_A"
# migration/ as a file, not a directory.
printf 'not a directory\n' >"$PROJECT/migration"
run rokso status
expect_code 2 "migration/ is a file"
expect_one_line_error "migration"
rm -f "$PROJECT/migration"
mv "$PROJECT/migration.away" "$PROJECT/migration"
expect_eq "$(db_state)" "$BEFORE" "database after the migration/ checks"

# --- a migration file that cannot be read ---------------------------------------------------------
UNREADABLE="offline/200.tables/bad_u/2021_01_04__00_00_00_unreadable.py"
write_py "$PROJECT/migration/$UNREADABLE" "CREATE TABLE offline.bad_u (id int);"
chmod 000 "$PROJECT/migration/$UNREADABLE"
if [ "$(id -u)" = 0 ]; then
  echo "note: running as root, where chmod 000 does not stop reads: skipping the unreadable-file check" >&2
else
  run rokso migrate
  expect_code 1 "an unreadable migration file"
  expect_one_line_error "$PROJECT/migration/$UNREADABLE"
  expect_eq "$(db_state)" "$BEFORE" "database after an unreadable file (nothing applied, not even $B)"
  restore_state
fi
rm -f "$PROJECT/migration/$UNREADABLE"

# A migration that is a dangling symlink, or a symlink to itself, cannot be read either:
# that is an error naming it, not a migration silently left out (and nothing applied).
mkdir -p "$PROJECT/migration/offline/200.tables/bad_l"
for link in "dangling|$WORK/nonexistent/target.py" "self-loop|2021_01_05__00_00_00_link.py"; do
  IFS='|' read -r what target <<<"$link"
  LINK="offline/200.tables/bad_l/2021_01_05__00_00_00_link.py"
  ln -sfn "$target" "$PROJECT/migration/$LINK"
  run timeout 60 rokso migrate
  expect_code 1 "a $what symlink as a migration file"
  expect_one_line_error "$LINK"
  expect_eq "$(db_state)" "$BEFORE" "database after a $what symlink (nothing applied, not even $B)"
  rm -f "$PROJECT/migration/$LINK"
  restore_state
done
rmdir "$PROJECT/migration/offline/200.tables/bad_l"

# --- malformed .py files: <path>:<line>:<col>: ..., exit 1, nothing applied -------------------------
# The bad file sorts after B and C, so a runner that read lazily would apply them first.
BAD="zzz/200.tables/bad_py/2021_01_06__00_00_00_malformed.py"
BAD_PATH="$PROJECT/migration/$BAD"
mkdir -p "$(dirname "$BAD_PATH")"
malformed() {  # <line of the error> <file content>
  printf '%s' "$2" >"$BAD_PATH"
  run rokso migrate
  expect_code 1 "malformed .py (error on line $1)"
  expect_one_line_error
  if grep -qE "^error: $(printf '%s' "$BAD_PATH" | sed 's/[.[\*^$/]/\\&/g'):$1:[0-9]+: " <<<"$ERR"; then pass; else
    fail "the error is not '<path>:$1:<col>: ...'"
  fi
  expect_eq "$(db_state)" "$BEFORE" "database after a malformed file (nothing applied, not even $B and $C)"
  expect_no_out "Applying migration file"
  restore_state
}
malformed 3 $'# a comment\n\napply_sql = "x" + y\nrollback_sql = ""\nmigrations = {"apply": apply_sql, "rollback": rollback_sql}\n'
malformed 1 $'apply_sql = """never closed\nrollback_sql = ""\n'
malformed 2 $'rollback_sql = ""\napply_sql = compute()\nmigrations = {"apply": apply_sql, "rollback": rollback_sql}\n'
malformed 1 $'apply_sql = f"CREATE TABLE {name}"\nrollback_sql = ""\nmigrations = {"apply": apply_sql, "rollback": rollback_sql}\n'
# status reads the pending files: it lists the malformed one and says what migrate will stumble on.
run rokso status
expect_code 1 "status with a malformed pending file"
expect_out "$BAD"
expect_err "$BAD_PATH:"
# The file named by --migration is the only one read.
run rokso migrate --migration "$B"
expect_code 0 "migrate --migration <a good file> beside a malformed one"
expect_eq "$(sql "SELECT count(*) FROM pg_class WHERE oid = to_regclass('offline.bad_b')")" 1 "bad_b created"
run rokso migrate --migration "$BAD"
expect_code 1 "migrate --migration <the malformed file>"
expect_err "$BAD_PATH:"
run_with_input "y"$'\n' rokso rollback
expect_code 0 "rollback of $B"
expect_eq "$(db_state)" "$BEFORE" "database after rolling back $B"
rm -rf "$PROJECT/migration/zzz"

# --- unknown identities and revisions ------------------------------------------------------------------
for named in "nosuch.py" "offline/200.tables/bad_a/nosuch.py" "../config.json" "$PROJECT/config.json" \
             "x' OR 1=1 --" "" "offline"; do
  run rokso migrate --migration "$named"
  expect_code 2 "migrate --migration '$named'"
  expect_one_line_error
  expect_eq "$(db_state)" "$BEFORE" "database after migrate --migration '$named'"
done
# An identity of an applied file: nothing to do.
run rokso migrate --migration "$A"
expect_code 0 "migrate --migration <an applied file>"
expect_out "Nothing to migrate"

for revision in deadbeef "x' OR 1=1" "x' OR '1'='1" "'; DROP TABLE offline.rokso_db_version; --" "" "DEADBEEF" \
                "${REV_A}0" "${REV_A:0:7}" "$A"; do
  run_with_input "y"$'\n' rokso rollback --version "$revision"
  expect_code 2 "rollback --version '$revision'"
  expect_one_line_error
  expect_no_out "Rolling back"
  expect_eq "$(db_state)" "$BEFORE" "database after rollback --version '$revision'"
done
# The known revision of the last run: nothing after it.
run rokso rollback --version "$REV_A" --yes
expect_code 0 "rollback --version <the latest revision>"
expect_eq "$(db_state)" "$BEFORE" "database after rolling back to the latest revision"

# --- symlink loops inside migration/ ----------------------------------------------------------------
ln -s .. "$PROJECT/migration/offline/loop_up"
ln -s "$PROJECT/migration" "$PROJECT/migration/online/loop_root"
mkdir -p "$PROJECT/migration/online/200.tables"
ln -s . "$PROJECT/migration/online/200.tables/loop_self"
run timeout 60 rokso status
expect_code 0 "status with symlink loops in migration/"
expect_out "$B"
expect_out "$C"
expect_no_out "loop_"
run timeout 60 rokso migrate
expect_code 0 "migrate with symlink loops in migration/"
expect_eq "$(sql "SELECT string_agg(filename, ',' ORDER BY id) FROM offline.rokso_db_version")" "$A,$B,$C" \
  "exactly the real files were applied, once each"
run_with_input "y"$'\n' timeout 60 rokso rollback
expect_code 0 "rollback with symlink loops in migration/"
expect_eq "$(db_state)" "$BEFORE" "database after rolling back B and C"
rm -f "$PROJECT/migration/offline/loop_up" "$PROJECT/migration/online/loop_root" "$PROJECT/migration/online/200.tables/loop_self"

# --- quotes, spaces and unicode in the migration tree ---------------------------------------------------
ODD="Sch \"q\" 'é'/200.tables/tab le ü/2021_01_07__00_00_00_it's \"quoted\" ü.py"
ODD_SQL=${ODD//\'/\'\'}
write_py "$PROJECT/migration/$ODD" 'CREATE TABLE offline."tab le ü" (id int);' 'DROP TABLE offline."tab le ü";'
run rokso status
expect_code 0 "status with odd names"
if grep -F -- "$ODD" <<<"$OUT" | grep -qE ' NA +pending$'; then pass; else fail "status does not show '$ODD' as pending"; fi
run rokso migrate --migration "$ODD"
expect_code 0 "migrate --migration <an odd identity>"
expect_out "$ODD"
expect_eq "$(sql "SELECT status FROM offline.rokso_db_version WHERE filename = '$ODD_SQL'")" complete "the odd identity stored exactly"
expect_eq "$(sql "SELECT count(*) FROM pg_class WHERE oid = to_regclass('offline.\"tab le ü\"')")" 1 "the odd table created"
# The same file named by its path on disk, as shell completion gives it, is already applied.
run rokso migrate --migration "migration/$ODD"
expect_code 0 "migrate --migration migration/<odd path>"
expect_out "Nothing to migrate"
run rokso status
expect_code 0
if grep -F -- "$ODD" <<<"$OUT" | grep -qE '^ *[0-9]+ .* complete '; then pass; else fail "status does not show '$ODD' as complete"; fi
REV_ODD=$(sql "SELECT version FROM offline.rokso_db_version WHERE filename = '$ODD_SQL'")
run rokso last-success
expect_code 0
expect_out "Last successful version: $REV_ODD"
run_with_input "no"$'\n' rokso rollback
expect_code 0 "rollback answered no"
expect_out "$ODD"
expect_out "No operation performed."
expect_eq "$(sql "SELECT count(*) FROM offline.rokso_db_version WHERE filename = '$ODD_SQL'")" 1 "odd row kept after 'no'"
run_with_input "yes"$'\n' rokso rollback
expect_code 0 "rollback of the odd file"
expect_out "Rolling back file::  $ODD"
expect_eq "$(sql "SELECT count(*) FROM offline.rokso_db_version WHERE filename = '$ODD_SQL'")" 0 "odd row removed"
expect_eq "$(sql "SELECT count(*) FROM pg_class WHERE oid = to_regclass('offline.\"tab le ü\"')")" 0 "the odd table dropped"
expect_eq "$(db_state)" "$BEFORE" "database at the end"

finish
