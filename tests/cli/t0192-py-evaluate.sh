#!/usr/bin/env bash
# --py-evaluate / ROKSO_PY_EVALUATE: a .py file rokso cannot fold is run by python3 in a
# child process only when the user asks for it — never because of a project file.
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

new_database
new_project
cd "$PROJECT"
mkdir -p migration/offline/200.tables/loop
LOOP=offline/200.tables/loop/2021_01_01__00_00_00_loop.py
cat >"migration/$LOOP" <<'PY'
import os
statements = []
for name in ("ev_a", "ev_b"):
    statements.append(f"CREATE TABLE offline.{name} (id int);")
open("evaluated-here", "w").close()  # shows the working directory, and that it ran
print("printed by the module")
migrations = {"apply": "\n".join(statements), "rollback": "DROP TABLE offline.ev_a, offline.ev_b;"}
PY
tables() { sql "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'offline' AND tablename LIKE 'ev_%'"; }

# Refused by default: the error names the file, the construct and the way out.
run rokso migrate
expect_code 1 "a loop without --py-evaluate"
expect_err "$LOOP:3:1: 'for' statement not supported"
expect_err "--py-evaluate"
expect_eq "$(tables)" "" "nothing applied"
expect_eq "$(sql "SELECT count(*) FROM offline.rokso_db_version")" 0 "nothing recorded"
[ ! -e evaluated-here ] && pass || fail "the module ran without --py-evaluate"

# A project file cannot turn evaluation on.
cp config.json config.json.orig
sed -i 's/^{/{ "py_evaluate": "python3", "py-evaluate": true, "ROKSO_PY_EVALUATE": "python3",/' config.json
run rokso status
run rokso migrate
expect_code 1 "config.json keys do not enable evaluation"
expect_err "'for' statement not supported"
expect_eq "$(tables)" "" "still nothing applied"
[ ! -e evaluated-here ] && pass || fail "a config.json key ran the module"
cp config.json.orig config.json

# show says the file was evaluated, and why.
run rokso show "$LOOP" --py-evaluate
expect_code 0 "show --py-evaluate"
expect_out "note:         evaluated by python3 (--py-evaluate): rokso's reader refused it: line 3:1: 'for' statement not supported"
expect_out "CREATE TABLE offline.ev_b (id int);"
[ -e evaluated-here ] && pass || fail "the module did not run in the project directory"
rm -f evaluated-here

run rokso migrate --py-evaluate=python3
expect_code 0 "migrate --py-evaluate=python3"
expect_eq "$(tables)" "ev_a,ev_b" "applied from the evaluated SQL"
expect_eq "$(sql "SELECT status FROM offline.rokso_db_version WHERE filename = '$LOOP'")" complete "recorded"
# The checksum is that of the evaluated SQL: status verifies it the same way.
run env ROKSO_PY_EVALUATE=python3 rokso status --exit-code
expect_code 0 "status with ROKSO_PY_EVALUATE: the evaluated file is unchanged"
# A global option: before the command as well as after it.
run rokso --py-evaluate status --exit-code
expect_code 0 "rokso --py-evaluate status: the option before the command"
run rokso --py-evaluate= status
expect_code 2 "--py-evaluate= names no interpreter"
run rokso status --exit-code
expect_code 1 "without it the applied file cannot be read"

# The environment variable alone works too, for a second file.
LOOP2=offline/200.tables/loop/2021_01_02__00_00_00_loop.py
cat >"migration/$LOOP2" <<'PY'
sql = ""
while not sql:
    sql = "CREATE TABLE offline.ev_c (id int);"
migrations = {"apply": sql, "rollback": "DROP TABLE offline.ev_c;"}
PY
run env ROKSO_PY_EVALUATE=python3 rokso migrate
expect_code 0 "migrate with ROKSO_PY_EVALUATE"
expect_eq "$(tables)" "ev_a,ev_b,ev_c" "second file applied"

# A module that raises is one clear error, and nothing is applied.
BAD=offline/200.tables/loop/2021_01_03__00_00_00_bad.py
printf 'for x in []:\n    pass\nraise RuntimeError("no schema configured")\n' >"migration/$BAD"
run rokso migrate --py-evaluate
expect_code 1 "a module that raises"
expect_err "running it with python3 (--py-evaluate): line 3: RuntimeError: no schema configured"
expect_eq "$(sql "SELECT count(*) FROM offline.rokso_db_version")" 2 "nothing more recorded"
rm "migration/$BAD"

# Rollback reads the evaluated rollback SQL too.
run rokso rollback --yes --py-evaluate
expect_code 0 "rollback --py-evaluate"
expect_eq "$(tables)" "ev_a,ev_b" "the last revision rolled back"

finish
