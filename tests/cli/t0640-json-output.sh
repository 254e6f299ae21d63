#!/usr/bin/env bash
# --format json on status, rollback, last-success and plugins: one JSON object with
# "rokso_json_version": 1 and the shape README.md documents, parsed here by PostgreSQL
# rather than grepped; errors still go to stderr as one line. And status --exit-code:
# 1 when anything is pending or failed, 0 otherwise.
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

new_database
new_project
cd "$PROJECT"

A=offline/200.tables/a/2021_01_01__00_00_00_a.py
B=offline/200.tables/b/2021_01_01__00_00_00_b.py
C=offline/200.tables/c/2021_01_01__00_00_00_c.py
write_py "migration/$A" "CREATE TABLE offline.a (id int);" "DROP TABLE offline.a; -- it's a's"
write_py "migration/$B" "CREATE TABLE offline.b (id int);" "DROP TABLE offline.b;"

# --- status ---------------------------------------------------------------------------------
run rokso status --format json
expect_code 0 "status --format json"
expect_json "doc ->> 'rokso_json_version'" 1
expect_json "doc ->> 'command'" status
expect_json "doc ->> 'version_table'" offline.rokso_db_version
expect_json "doc ->> 'version_table_exists'" true
expect_json "doc ->> 'last_revision' IS NULL" t "no last revision yet"
expect_json "doc ->> 'up_to_date'" false
expect_json "doc -> 'counts' ->> 'applied'" 0
expect_json "doc -> 'counts' ->> 'pending'" 2
expect_json "jsonb_array_length(doc -> 'recent_applied')" 0
expect_json "doc -> 'pending' -> 0 ->> 'identity'" "$A"
expect_json "doc -> 'pending' -> 1 ->> 'identity'" "$B"
expect_json "doc -> 'pending' -> 0 -> 'error'" null
expect_json "jsonb_typeof(doc -> 'pending' -> 0 -> 'notes')" array
expect_eq "$ERR" "" "status --format json: stderr"

run rokso status
expect_code 0 "plain status with pending files keeps exit 0"
run rokso status --exit-code
expect_code 1 "status --exit-code with pending files"
expect_out "Pending migrations for application:"
run rokso status --exit-code --format json
expect_code 1 "status --exit-code --format json with pending files"
expect_json "doc -> 'counts' ->> 'pending'" 2 "JSON still printed with --exit-code"

run rokso migrate
expect_code 0
R1=$(sed -n 's/.*revision# \([0-9a-f]\{8\}\)$/\1/p' <<<"$OUT")
run rokso status --exit-code
expect_code 0 "status --exit-code when up to date"
expect_out "No new migration to process."
run rokso status --format json --exit-code
expect_code 0
expect_json "doc ->> 'up_to_date'" true
expect_json "doc ->> 'last_revision'" "$R1"
expect_json "doc -> 'counts' ->> 'applied'" 2
expect_json "doc -> 'counts' ->> 'pending'" 0
expect_json "(SELECT string_agg(e ->> 'identity' || ':' || (e ->> 'revision') || ':' || (e ->> 'status'), ',' ORDER BY (e ->> 'id')::int) FROM jsonb_array_elements(doc -> 'recent_applied') e)" \
  "$A:$R1:complete,$B:$R1:complete" "recent_applied"
expect_json "(doc -> 'recent_applied' -> 0 ->> 'executed_at')::timestamp = (SELECT executedat FROM offline.rokso_db_version WHERE filename = '$A')" t \
  "executed_at as stored"

# A failed migration: --exit-code says 1, plain status still 0.
write_py "migration/$C" "SELECT 1/0;" "DROP TABLE offline.c;"
run rokso migrate
expect_code 1
run rokso status
expect_code 0 "plain status with a failed migration keeps exit 0"
run rokso status --exit-code
expect_code 1 "status --exit-code with a failed migration"
run rokso status --format json
expect_code 0
expect_json "doc -> 'counts' ->> 'failed'" 1
expect_json "doc -> 'failed' -> 0 ->> 'identity'" "$C"
expect_json "doc -> 'failed' -> 0 ->> 'status'" error
expect_json "doc ->> 'up_to_date'" false
write_py "migration/$C" "CREATE TABLE offline.c (id int);" "DROP TABLE offline.c;"
run rokso migrate
expect_code 0
R2=$(sed -n 's/.*revision# \([0-9a-f]\{8\}\)$/\1/p' <<<"$OUT")

# A malformed pending file: exit 1, the JSON names it, and stderr says why in one line.
mkdir -p migration/offline/200.tables/z
printf 'apply_sql = "x" %% 1\n' >migration/offline/200.tables/z/2021_01_01__00_00_00_z.py
run rokso status --format json
expect_code 1 "status --format json with a malformed pending file"
expect_json "doc -> 'pending' -> 0 ->> 'error' LIKE '%2021_01_01__00_00_00_z.py:1:%'" t "pending error"
expect_one_line_error "2021_01_01__00_00_00_z.py:1:"
rm -r migration/offline/200.tables/z

run rokso status --format xml
expect_code 2 "unknown format"
expect_one_line_error "unknown output format 'xml'"
run rokso -C "$WORK" status --format json
expect_code 2 "outside a project"
expect_eq "$OUT" "" "stdout of an error"
expect_one_line_error

# --- last-success --------------------------------------------------------------------------
run rokso last-success --format json
expect_code 0
expect_json "doc ->> 'rokso_json_version'" 1
expect_json "doc ->> 'command'" last-success
expect_json "doc ->> 'revision'" "$R2"
expect_json "doc ->> 'identity'" "$C"
run rokso last-success --format yaml
expect_code 2

# --- rollback ------------------------------------------------------------------------------
rows() { sql "SELECT string_agg(id || '|' || filename || '|' || version, ',' ORDER BY id) FROM offline.rokso_db_version"; }
before=$(rows)
run rokso rollback --format json
expect_code 2 "rollback --format json without --yes or --dry-run"
expect_eq "$OUT" "" "no question, no JSON"
expect_one_line_error "--yes"

run rokso rollback --format json --dry-run --version "$R1"
expect_code 0 "rollback --format json --dry-run"
expect_json "doc ->> 'rokso_json_version'" 1
expect_json "doc ->> 'command'" rollback
expect_json "doc ->> 'dry_run'" true
expect_json "doc ->> 'outcome'" would_roll_back
expect_json "jsonb_array_length(doc -> 'files')" 1
expect_json "doc -> 'files' -> 0 ->> 'identity'" "$C"
expect_json "doc -> 'files' -> 0 ->> 'revision'" "$R2"
expect_json "doc -> 'files' -> 0 ->> 'rollback_sql'" "DROP TABLE offline.c;"
expect_json "doc -> 'files' -> 0 ->> 'rolled_back'" false
expect_eq "$(rows)" "$before" "JSON dry run changed nothing"

run rokso rollback --format json --dry-run --steps 3
expect_json "(SELECT string_agg(e ->> 'identity', ',' ORDER BY o) FROM jsonb_array_elements(doc -> 'files') WITH ORDINALITY AS x(e, o))" \
  "$C,$B,$A" "files newest first"
expect_json "doc -> 'files' -> 2 ->> 'rollback_sql'" "DROP TABLE offline.a; -- it's a's" "rollback_sql with a quote"

# -v prints statements, but stdout stays one JSON document.
run rokso rollback --format json --yes -v
expect_code 0 "rollback --format json --yes"
expect_json "doc ->> 'dry_run'" false
expect_json "doc ->> 'outcome'" rolled_back
expect_json "doc -> 'files' -> 0 ->> 'identity'" "$C"
expect_json "doc -> 'files' -> 0 ->> 'rolled_back'" true
expect_eq "$(sql "SELECT to_regclass('offline.c') IS NULL AND (SELECT count(*) FROM offline.rokso_db_version WHERE filename = '$C') = 0")" t \
  "c rolled back"

# A rollback that fails half-way: JSON says which were done, stderr has one line, exit 1.
write_py "migration/$A" "CREATE TABLE offline.a (id int);" "DROP TABLE offline.no_such_table;"
run rokso rollback --format json --yes
expect_code 1 "rollback fails"
expect_json "doc ->> 'outcome'" failed
expect_json "doc -> 'files' -> 0 ->> 'identity'" "$B"
expect_json "doc -> 'files' -> 0 ->> 'rolled_back'" true
expect_json "doc -> 'files' -> 1 ->> 'identity'" "$A"
expect_json "doc -> 'files' -> 1 ->> 'rolled_back'" false
expect_json "doc ->> 'error' LIKE '%no_such_table%'" t "the server's error in the JSON"
# A's file was edited to fail: a warning that its rollback changed, then the one error.
expect_err "'$A' was modified since it was applied"
expect_eq "$(printf '%s\n' "$ERR" | grep -c '^error: ')" 1 "one error line"
expect_err "rolling back '$A' failed"
expect_eq "$(sql "SELECT string_agg(filename, ',') FROM offline.rokso_db_version")" "$A" "a still applied, b rolled back"

write_py "migration/$A" "CREATE TABLE offline.a (id int);" "DROP TABLE offline.a;"
run rokso rollback --format json --yes
expect_code 0
expect_json "doc ->> 'outcome'" rolled_back
run rokso rollback --format json --yes
expect_code 0 "nothing to roll back"
expect_json "doc ->> 'outcome'" nothing_to_roll_back
expect_json "jsonb_array_length(doc -> 'files')" 0
run rokso last-success --format json
expect_json "doc -> 'revision'" null "no last revision"

# --- plugins -------------------------------------------------------------------------------
run rokso plugins --format json
expect_code 0 "plugins --format json"
expect_json "doc ->> 'rokso_json_version'" 1
expect_json "doc ->> 'command'" plugins
expect_json "(SELECT e ->> 'kind' FROM jsonb_array_elements(doc -> 'plugins') e WHERE e ->> 'name' = 'py')" format
expect_json "(SELECT e ->> 'file' FROM jsonb_array_elements(doc -> 'plugins') e WHERE e ->> 'name' = 'py')" \
  "$ROKSO_TEST_PREFIX/lib/rokso/plugins/rokso-format-py.so"
expect_json "(SELECT (e ->> 'kind') || ' ' || (e ->> 'directory') FROM jsonb_array_elements(doc -> 'plugins') e WHERE e ->> 'name' = 'table')" \
  "object-kind 200.tables"
expect_json "(SELECT count(*) FROM jsonb_array_elements(doc -> 'plugins') e WHERE e ->> 'version' ~ '^[0-9]+\.[0-9]+')" \
  "$(j "jsonb_array_length(doc -> 'plugins')")" "every plugin has a version"
expect_json "jsonb_array_length(doc -> 'refused')" 0
ROKSO_PLUGIN_PATH="$ROKSO_TEST_FIXTURES" run rokso plugins --format json
expect_code 0
expect_json "(SELECT count(*) FROM jsonb_array_elements(doc -> 'refused') e WHERE e ->> 'file' LIKE '%wrong_version_plugin.so' AND e ->> 'reason' <> '')" 1 \
  "a refused plugin is listed with its reason"
expect_err "wrong_version_plugin.so"

finish
