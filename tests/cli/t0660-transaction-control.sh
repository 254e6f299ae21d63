#!/usr/bin/env bash
# Transaction control inside a migration (issue 12.1, issue 17): a body wrapped in one
# BEGIN ... COMMIT runs unwrapped, in rokso's transaction with its version row; any other
# COMMIT, ROLLBACK, END, ABORT, COMMIT AND CHAIN or PREPARE TRANSACTION is refused before
# anything runs, in .sql, .py and YAML alike, for migrate, --check and rollback.
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

new_database
new_project
cd "$PROJECT"
M=migration/offline/200.tables

# A wrapped body, golang-migrate/dbmate style: unwrapped, and said so.
mkdir -p "$M/w"
W=$M/w/2021_01_01__00_00_00_w.up.sql
printf -- '-- wrapped\nBEGIN;\nCREATE TABLE offline.w (id int);\nINSERT INTO offline.w VALUES (1);\nCOMMIT;\n' >"$W"
printf 'BEGIN;\nDROP TABLE offline.w;\nEND;\n' >"$M/w/2021_01_01__00_00_00_w.down.sql"
run rokso show "$W"
expect_code 0
expect_out "outer BEGIN/COMMIT unwrapped"
expect_out "rollback: outer BEGIN/COMMIT unwrapped"
run rokso migrate --dry-run
expect_code 0
expect_out "note: outer BEGIN/COMMIT unwrapped"
run rokso migrate
expect_code 0 "a wrapped body migrates"
expect_no_out "transaction in progress"
expect_eq "$(sql "SELECT count(*) FROM offline.w")" 1 "its statements ran"
# Its version row was written in the very transaction that created the table.
expect_eq "$(sql "SELECT (SELECT xmin::text FROM pg_class WHERE oid = 'offline.w'::regclass) = (SELECT xmin::text FROM offline.rokso_db_version WHERE filename LIKE '%w.up.sql')")" t "table and row in one transaction"
run rokso rollback --yes
expect_code 0 "a wrapped rollback runs"
expect_no_out "no transaction in progress"
expect_eq "$(sql "SELECT to_regclass('offline.w') IS NULL")" t "rolled back"
expect_eq "$(sql "SELECT count(*) FROM offline.rokso_db_version")" 0 "row removed"
rm -r "$M/w"

# A wrapped body that fails inside: nothing of it stays, its row says error.
mkdir -p "$M/wf"
printf 'BEGIN;\nCREATE TABLE offline.wf (id int);\nSELECT 1/0;\nCOMMIT;\n' >"$M/wf/2021_01_01__00_00_00_wf.up.sql"
run rokso migrate
expect_code 1
expect_err "division by zero"
expect_eq "$(sql "SELECT to_regclass('offline.wf') IS NULL")" t "nothing of it committed"
expect_eq "$(sql "SELECT status FROM offline.rokso_db_version")" error "recorded as failed"
rm -r "$M/wf"
sql "DELETE FROM offline.rokso_db_version"

# Refused before anything runs: a good file sorted first is not applied either.
write_py "$M/a/2021_01_01__00_00_00_a.py" "CREATE TABLE offline.a (id int);" "DROP TABLE offline.a;"
refused() {  # refused <what> <expected stderr>...
  local what=$1
  shift
  expect_code 1 "$what refused"
  for text in "$@"; do expect_err "$text"; done
  expect_eq "$(sql "SELECT count(*) FROM pg_tables WHERE schemaname = 'offline' AND tablename IN ('a', 'r', 'c1', 'c2')")" 0 "$what: nothing ran"
  expect_eq "$(sql "SELECT count(*) FROM offline.rokso_db_version")" 0 "$what: nothing recorded"
}
write_py "$M/r/2021_01_01__00_00_01_r.py" "CREATE TABLE offline.r (id int);
ROLLBACK;" "DROP TABLE offline.r;"
run rokso migrate
refused "ROLLBACK in a .py" "'offline/200.tables/r/2021_01_01__00_00_01_r.py': transaction control in its apply SQL (line 3: ROLLBACK)"
run rokso migrate --check
refused "ROLLBACK, by --check" "line 3: ROLLBACK"
run rokso migrate --dry-run
refused "ROLLBACK, by --dry-run" "line 3: ROLLBACK"
rm -r "$M/r"

mkdir -p "$M/c"
printf 'CREATE TABLE offline.c1 (id int);\nCOMMIT;\nCREATE TABLE offline.c2 (id int);\nSELECT 1/0;\n' >"$M/c/2021_01_01__00_00_01_c.apply.sql"
run rokso migrate
refused "COMMIT in the middle" "2021_01_01__00_00_01_c.apply.sql': transaction control in its apply SQL (line 2: COMMIT)"
run rokso migrate --check
refused "COMMIT in the middle, by --check" "line 2: COMMIT"
expect_no_out "rolled back"
rm -r "$M/c"

mkdir -p "$M/y"
cat >"$M/y/2021_01_01__00_00_01_y.yaml" <<'YAML'
apply: |
  CREATE TABLE offline.c1 (id int);
  END;
  CREATE TABLE offline.c2 (id int);
  ABORT;
  COMMIT AND CHAIN;
  PREPARE TRANSACTION 'x';
rollback: DROP TABLE offline.c1;
YAML
run rokso migrate
refused "END, ABORT, COMMIT AND CHAIN in YAML" "line 2: END; line 4: ABORT; line 5: COMMIT AND CHAIN; line 6: PREPARE TRANSACTION 'x'"
rm -r "$M/y"

# Transaction control in the rollback SQL is refused as well, by migrate...
write_py "$M/rb/2021_01_01__00_00_01_rb.py" "CREATE TABLE offline.r (id int);" "DROP TABLE offline.r;
COMMIT;"
run rokso migrate
refused "COMMIT in the rollback SQL" "transaction control in its rollback SQL (line 2: COMMIT)"
# ... and by rollback, for a migration applied before its rollback SQL changed.
write_py "$M/rb/2021_01_01__00_00_01_rb.py" "CREATE TABLE offline.r (id int);" "DROP TABLE offline.r;"
run rokso migrate
expect_code 0
write_py "$M/rb/2021_01_01__00_00_01_rb.py" "CREATE TABLE offline.r (id int);" "DROP TABLE offline.r; ROLLBACK; CREATE TABLE offline.r2 ();"
run rokso rollback --yes --steps 1
expect_code 1 "rollback refuses"
expect_err "transaction control in its rollback SQL (line 1: ROLLBACK)"
expect_eq "$(sql "SELECT to_regclass('offline.r') IS NOT NULL AND to_regclass('offline.r2') IS NULL")" t "rollback ran nothing"
expect_eq "$(sql "SELECT count(*) FROM offline.rokso_db_version WHERE filename LIKE '%rb.py'")" 1 "still applied"
write_py "$M/rb/2021_01_01__00_00_01_rb.py" "CREATE TABLE offline.r (id int);" "DROP TABLE offline.r;"
run rokso rollback --yes
expect_code 0
rm -r "$M/rb" "$M/a"

# Savepoints stay inside the transaction: allowed.
write_py "$M/s/2021_01_01__00_00_00_s.py" "CREATE TABLE offline.s (id int);
SAVEPOINT before_two;
INSERT INTO offline.s VALUES (2);
ROLLBACK TO SAVEPOINT before_two;
INSERT INTO offline.s VALUES (1);
RELEASE SAVEPOINT before_two;" "DROP TABLE offline.s;"
run rokso migrate
expect_code 0 "savepoints are fine"
expect_eq "$(sql "SELECT string_agg(id::text, ',') FROM offline.s")" 1 "savepoint rolled back to"
rm -r "$M/s"

# A migration that runs statement by statement refuses BEGIN ... COMMIT: each of its
# statements commits on its own, and its progress is recorded statement by statement.
mkdir -p "$M/n"
cat >"$M/n/2021_01_01__00_00_01_n.py" <<'PY'
transaction = False
apply_sql = """BEGIN;
CREATE TABLE offline.c1 (id int);
COMMIT;
"""
rollback_sql = "DROP TABLE offline.c1;"
migrations = {"apply": apply_sql, "rollback": rollback_sql}
PY
run rokso migrate
expect_code 1 "no-transaction migration with BEGIN/COMMIT"
expect_err "it runs outside a transaction, statement by statement"
expect_err "line 1: BEGIN; line 3: COMMIT"
expect_eq "$(sql "SELECT to_regclass('offline.c1') IS NULL")" t "nothing ran"
rm -r "$M/n"

finish
