#!/usr/bin/env bash
# migrate --format json: one JSON document on stdout (README: "JSON output"), parsed here
# by PostgreSQL: the plan with --dry-run, what was applied (in the order requires make),
# the failure, --check's verdict; human lines stay out of stdout, and errors found before
# any work leave stdout empty with the usual exit code. status --format json lists the
# pending files in the same order, with their requires.
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

new_database
new_project
cd "$PROJECT"

identities() { j "(SELECT coalesce(string_agg(f ->> 'identity', ' ' ORDER BY n), '') FROM jsonb_array_elements(doc -> 'files') WITH ORDINALITY AS x(f, n))"; }
results() { j "(SELECT coalesce(string_agg(f ->> 'result', ' ' ORDER BY n), '') FROM jsonb_array_elements(doc -> 'files') WITH ORDINALITY AS x(f, n))"; }
rows() { sql "SELECT count(*) FROM offline.rokso_db_version"; }

M=migration/offline/200.tables
A=offline/200.tables/a/2021_01_01__00_00_00_a.py
B=offline/200.tables/b/2021_01_01__00_00_00_b.yaml
C=offline/200.tables/c/2021_01_01__00_00_00_c.apply.sql
N=offline/200.tables/n/2021_01_01__00_00_00_n.py
write_py "migration/$A" "CREATE TABLE offline.a (id int);" "DROP TABLE offline.a;"
mkdir -p "$M/b" "$M/c"
cat >"migration/$B" <<YAML
apply: CREATE VIEW offline.b AS SELECT * FROM offline.c;
rollback: DROP VIEW offline.b;
requires: [$C]
YAML
printf 'CREATE TABLE offline.c (id int);\n' >"migration/$C"
printf 'DROP TABLE offline.c;\n' >"$M/c/2021_01_01__00_00_00_c.rollback.sql"
write_py "migration/$N" "CREATE INDEX CONCURRENTLY a_id ON offline.a (id);" "DROP INDEX CONCURRENTLY offline.a_id;"

# --- status: the same order, with requires ------------------------------------------------
run rokso status --format json
expect_code 0 "status --format json"
expect_json "(SELECT string_agg(f ->> 'identity', ' ' ORDER BY n) FROM jsonb_array_elements(doc -> 'pending') WITH ORDINALITY AS x(f, n))" \
  "$A $C $B $N" "status: pending in application order"
expect_json "doc -> 'pending' -> 2 -> 'requires' ->> 0" "$C" "status: requires"
expect_json "jsonb_array_length(doc -> 'pending' -> 0 -> 'requires')" 0
expect_json "doc -> 'pending_order_error'" null

# --- the plan -------------------------------------------------------------------------------
run rokso migrate --dry-run --format json
expect_code 0 "dry run as JSON"
expect_eq "$ERR" "" "dry run: stderr"
expect_json "doc ->> 'rokso_json_version'" 1
expect_json "doc ->> 'command'" migrate
expect_json "doc ->> 'mode'" dry_run
expect_json "doc ->> 'outcome'" would_migrate
expect_json "doc -> 'revision'" null
expect_eq "$(identities)" "$A $C $B $N" "dry run: the order requires make"
expect_eq "$(results)" "planned planned planned planned" "dry run: results"
expect_json "doc -> 'files' -> 2 -> 'requires'" "[\"$C\"]"
expect_json "doc -> 'files' -> 2 ->> 'format'" yaml
expect_json "doc -> 'files' -> 0 ->> 'apply_sql' = E'\\nCREATE TABLE offline.a (id int);\\n'" t "apply_sql as read"
expect_json "doc -> 'files' -> 3 ->> 'transactional'" false
expect_json "doc -> 'files' -> 0 ->> 'transactional'" true
expect_json "doc -> 'files' -> 0 -> 'duration_ms'" null
expect_json "jsonb_typeof(doc -> 'files' -> 3 -> 'notes')" array
expect_json "doc ? 'error'" f "no error key"
expect_eq "$(rows)" 0 "dry run wrote nothing"

run rokso migrate --dry-run --format json --to "$C"
expect_code 0
expect_eq "$(identities)" "$A $C" "dry run --to: the prefix"

# --- applying -------------------------------------------------------------------------------
run rokso migrate --format json -v
expect_code 0 "migrate --format json (-v ignored)"
expect_eq "$ERR" "" "migrate: stderr"
expect_no_out "Applying migration file"
expect_json "doc ->> 'mode'" apply
expect_json "doc ->> 'outcome'" migrated
R1=$(sql "SELECT DISTINCT version FROM offline.rokso_db_version")
expect_json "doc ->> 'revision'" "$R1" "revision as recorded"
expect_eq "$(identities)" "$A $C $B $N" "applied in order"
expect_eq "$(results)" "applied applied applied applied"
expect_eq "$(sql "SELECT string_agg(filename, ' ' ORDER BY id) FROM offline.rokso_db_version")" "$A $C $B $N" "version table ids"
expect_json "(SELECT bool_and(jsonb_typeof(f -> 'duration_ms') = 'number' AND (f ->> 'duration_ms')::int >= 0) FROM jsonb_array_elements(doc -> 'files') f)" t \
  "every duration_ms a number"
expect_json "doc -> 'files' -> 0 -> 'apply_sql'" null "apply_sql only in a dry run"
expect_json "doc -> 'files' -> 0 ->> 'retry'" false

run rokso migrate --format json
expect_code 0 "nothing to do"
expect_json "doc ->> 'outcome'" nothing_to_migrate
expect_json "jsonb_array_length(doc -> 'files')" 0
expect_json "doc -> 'revision'" null
expect_no_out "Nothing to migrate"

# --- a failure ------------------------------------------------------------------------------
D=offline/200.tables/d/2021_01_01__00_00_00_d.py
E=offline/200.tables/e/2021_01_01__00_00_00_e.py
F=offline/200.tables/f/2021_01_01__00_00_00_f.py
write_py "migration/$D" "CREATE TABLE offline.d (id int);" "DROP TABLE offline.d;"
write_py "migration/$E" "SELECT 1/0;" ""
write_py "migration/$F" "CREATE TABLE offline.f (id int);" "DROP TABLE offline.f;"
run rokso migrate --format json
expect_code 1 "a failing migration"
expect_json "doc ->> 'outcome'" failed
expect_eq "$(results)" "applied failed not_run" "results of a failed run"
expect_json "doc ->> 'error' LIKE '%division by zero%'" t "error holds the server's message"
expect_json "doc ->> 'revision'" "$(sql "SELECT version FROM offline.rokso_db_version WHERE filename = '$E'")" "revision of the failed run"
expect_json "doc -> 'files' -> 1 -> 'duration_ms' IS NOT NULL" t
expect_one_line_error "Your migration '$E' has failed. Please fix it and retry: "

# --check as JSON (retries only the failed file, as migrate would)
run rokso migrate --check --format json
expect_code 1 "check of the failing file"
expect_json "doc ->> 'mode'" check
expect_json "doc ->> 'outcome'" check_failed
expect_eq "$(results)" "failed"
expect_json "doc -> 'files' -> 0 ->> 'retry'" true
expect_json "doc ->> 'error' LIKE '%division by zero%'" t
write_py "migration/$E" "CREATE TABLE offline.e (id int);" "DROP TABLE offline.e;"
run rokso migrate --check --format json
expect_code 0 "check passes"
expect_json "doc ->> 'outcome'" check_passed
expect_eq "$(results)" "checked"
expect_eq "$(sql "SELECT to_regclass('offline.e') IS NULL")" t "check rolled back"

run rokso migrate --format json
expect_code 0 "the retry"
expect_eq "$(identities)" "$E" "retry alone"
expect_json "doc -> 'files' -> 0 ->> 'retry'" true
run rokso migrate --format json
expect_code 0
expect_eq "$(identities)" "$F" "then the rest"

# --- errors before any work: stdout empty -------------------------------------------------
run rokso migrate --format xml
expect_code 2 "unknown format"
expect_eq "$OUT" "" "unknown format: stdout"
expect_one_line_error "unknown output format 'xml' (text or json)"
run rokso migrate --format json --to offline/200.tables/nope/x.py
expect_code 2 "--to unknown"
expect_eq "$OUT" "" "--to unknown: stdout"
X=offline/200.tables/x/2021_01_01__00_00_00_x.py
Y=offline/200.tables/y/2021_01_01__00_00_00_y.py
write_py "migration/$X" "SELECT 1;" ""
printf '\nrequires = ["%s"]\n' "$Y" >>"migration/$X"
write_py "migration/$Y" "SELECT 1;" ""
printf '\nrequires = ["%s"]\n' "$X" >>"migration/$Y"
run rokso migrate --format json
expect_code 1 "a cycle"
expect_eq "$OUT" "" "a cycle: stdout"
expect_one_line_error "dependency cycle: $X → $Y → $X"
run rokso status --format json
expect_code 1 "status with a cycle"
expect_json "doc ->> 'pending_order_error' LIKE 'dependency cycle: %'" t
run rokso migrate --dry-run --format json
expect_code 1 "dry run with a cycle"
expect_eq "$OUT" "" "dry run with a cycle: stdout"

finish
