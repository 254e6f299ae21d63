#!/usr/bin/env bash
# rokso show: a migration exactly as rokso reads it, as text and as versioned JSON.
# It reads files only, so it works with the database down.
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

new_database
new_project
cd "$PROJECT"
mkdir -p migration/offline/200.tables/ünï
cat >migration/offline/200.tables/ünï/2021_01_01__00_00_00_x.py <<'PY'
description = "the ünï table"
requires = ["offline/100.database_types/t/2021_01_01__00_00_00_t.py"]
transaction = False

apply_sql = ("CREATE TABLE offline.\"ünï\" (id int);\n"
             'CREATE INDEX CONCURRENTLY ünï_id ON offline."ünï" (id);')
rollback_sql = ""
migrations = {"apply": apply_sql, "rollback": rollback_sql}
PY
ID='offline/200.tables/ünï/2021_01_01__00_00_00_x.py'

# The database is not needed: point the project at a dead port.
sed -i "s/\"port\": \"$ROKSO_TEST_PGPORT\"/\"port\": \"1\"/" config.json

run rokso show "$ID"
expect_code 0 "show"
expect_out "identity:     $ID"
expect_out "format:       py"
expect_out "transaction:  no (runs statement by statement outside a transaction)"
expect_out "requires:     offline/100.database_types/t/2021_01_01__00_00_00_t.py"
expect_out "description:  the ünï table"
expect_out 'CREATE TABLE offline."ünï" (id int);'
expect_out 'CREATE INDEX CONCURRENTLY ünï_id ON offline."ünï" (id);'
expect_out "(empty: rolling back only removes its row)"

# A path to the file works too, from anywhere inside the project.
cd migration/offline
run rokso show "200.tables/ünï/2021_01_01__00_00_00_x.py"
expect_code 0 "show by relative path"
expect_out "identity:     $ID"
cd "$PROJECT"

run rokso show "$ID" --format json
expect_code 0 "show --format json"
# Parse it with PostgreSQL's JSON parser rather than grep.
json=$(printf '%s' "$OUT" | sed "s/'/''/g")
expect_eq "$(sql "SELECT '$json'::jsonb ->> 'rokso_show_version'")" 1 "json version"
expect_eq "$(sql "SELECT '$json'::jsonb ->> 'identity'")" "$ID" "json identity"
expect_eq "$(sql "SELECT '$json'::jsonb ->> 'format'")" "py" "json format"
expect_eq "$(sql "SELECT '$json'::jsonb ->> 'transactional'")" "false" "json transactional"
expect_eq "$(sql "SELECT '$json'::jsonb ->> 'apply_sql'")" $'CREATE TABLE offline."ünï" (id int);\nCREATE INDEX CONCURRENTLY ünï_id ON offline."ünï" (id);' "json apply_sql"
expect_eq "$(sql "SELECT '$json'::jsonb ->> 'rollback_sql'")" "" "json rollback_sql"
expect_eq "$(sql "SELECT jsonb_array_length('$json'::jsonb -> 'requires')")" 1 "json requires"

run rokso show nosuch.py
expect_code 2 "unknown identity"
expect_one_line_error "unknown migration 'nosuch.py'"
run rokso show
expect_code 2 "no identity"
run rokso show "$ID" --format xml
expect_code 2 "bad output format"

printf 'apply_sql = "x" %% 1\n' >migration/offline/200.tables/ünï/2021_01_02__00_00_00_bad.py
run rokso show 'offline/200.tables/ünï/2021_01_02__00_00_00_bad.py'
expect_code 1 "malformed file"
expect_err "2021_01_02__00_00_00_bad.py:1:"

finish
