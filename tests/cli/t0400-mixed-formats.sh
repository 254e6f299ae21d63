#!/usr/bin/env bash
# A tree mixing .py, .sql pairs and YAML migrates, rolls back and shows identically:
# every format yields the same migration and the same behaviour in every command.
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

new_database
new_project
cd "$PROJECT"
M=migration/offline/200.tables
write_py "$M/a_py/2021_01_01__00_00_00_a.py" "CREATE TABLE offline.a_py (id int);" "DROP TABLE offline.a_py;"
mkdir -p "$M/b_sql" "$M/c_updown" "$M/d_yaml" "$M/e_norollback"
printf 'CREATE TABLE offline.b_sql (id int);\n' >"$M/b_sql/2021_01_01__00_00_00_b.apply.sql"
printf 'DROP TABLE offline.b_sql;\n' >"$M/b_sql/2021_01_01__00_00_00_b.rollback.sql"
printf 'CREATE TABLE offline.c_updown (id int);\n' >"$M/c_updown/2021_01_01__00_00_00_c.up.sql"
printf 'DROP TABLE offline.c_updown;\n' >"$M/c_updown/2021_01_01__00_00_00_c.down.sql"
cat >"$M/d_yaml/2021_01_01__00_00_00_d.yaml" <<'YAML'
description: a table, from YAML
apply: |
  CREATE TABLE offline.d_yaml (id int);
  COMMENT ON TABLE offline.d_yaml IS 'from: yaml # not a comment';
rollback: DROP TABLE offline.d_yaml;
YAML
printf 'CREATE TABLE offline.e_norollback (id int);\n' >"$M/e_norollback/2021_01_01__00_00_00_e.apply.sql"

run rokso status
expect_code 0 "status of a mixed tree"
for id in a_py/2021_01_01__00_00_00_a.py b_sql/2021_01_01__00_00_00_b.apply.sql c_updown/2021_01_01__00_00_00_c.up.sql \
          d_yaml/2021_01_01__00_00_00_d.yaml e_norollback/2021_01_01__00_00_00_e.apply.sql; do
  expect_out "offline/200.tables/$id  "
done
expect_no_out ".rollback.sql  "
expect_no_out ".down.sql  "
expect_out "note: offline/200.tables/e_norollback/2021_01_01__00_00_00_e.apply.sql: no rollback file"

# show: the same fields whatever the format
for id in a_py/2021_01_01__00_00_00_a.py b_sql/2021_01_01__00_00_00_b.apply.sql d_yaml/2021_01_01__00_00_00_d.yaml; do
  run rokso show "offline/200.tables/$id" --format json
  expect_code 0 "show $id"
  json=$(printf '%s' "$OUT" | sed "s/'/''/g")
  expect_eq "$(sql "SELECT ('$json'::jsonb ?& array['identity','format','transactional','requires','apply_sql','rollback_sql','notes'])::text")" true "json keys for $id"
done
expect_eq "$(sql "SELECT '$json'::jsonb ->> 'format'")" yaml "yaml format"
expect_eq "$(sql "SELECT '$json'::jsonb ->> 'description'")" "a table, from YAML" "yaml description"
expect_eq "$(sql "SELECT ('$json'::jsonb ->> 'apply_sql') = 'CREATE TABLE offline.d_yaml (id int);' || chr(10) || 'COMMENT ON TABLE offline.d_yaml IS ''from: yaml # not a comment'';' || chr(10)")" t "yaml block scalar kept byte for byte, final newline included"

run rokso migrate
expect_code 0 "migrate a mixed tree"
expect_eq "$(sql "SELECT count(*) FROM pg_tables WHERE schemaname = 'offline' AND tablename IN ('a_py','b_sql','c_updown','d_yaml','e_norollback')")" 5 "all applied"
expect_eq "$(sql "SELECT string_agg(split_part(filename, '/', 3), ' ' ORDER BY id) FROM offline.rokso_db_version")" \
  "a_py b_sql c_updown d_yaml e_norollback" "applied in identity order"
expect_eq "$(sql "SELECT obj_description('offline.d_yaml'::regclass)")" "from: yaml # not a comment" "yaml SQL intact"

run rokso rollback --yes
expect_code 0 "roll back a mixed revision"
expect_eq "$(sql "SELECT count(*) FROM pg_tables WHERE schemaname = 'offline' AND tablename IN ('a_py','b_sql','c_updown','d_yaml')")" 0 "all rolled back"
expect_eq "$(sql "SELECT to_regclass('offline.e_norollback') IS NOT NULL")" t "no rollback file: the table stays"
expect_eq "$(sql "SELECT count(*) FROM offline.rokso_db_version")" 0 "rows removed"

# create in every format, and the project default
for fmt in sql yaml py; do
  run rokso create --dbschema offline --type T --tablename "made_$fmt" --filename "create_$fmt" --format "$fmt"
  expect_code 0 "create --format $fmt"
done
[ -n "$(ls "$M"/made_sql/*_create_sql.apply.sql 2>/dev/null)" ] && [ -n "$(ls "$M"/made_sql/*_create_sql.rollback.sql 2>/dev/null)" ] && pass || fail "sql pair written"
[ -n "$(ls "$M"/made_yaml/*_create_yaml.yaml 2>/dev/null)" ] && pass || fail "yaml written"
sed -i 's/^{/{"default_format": "yaml",/' config.json
run rokso create --dbschema offline --type V --tablename made_default --filename create_default
expect_code 0
[ -n "$(ls migration/offline/300.views/made_default/*_create_default.yaml 2>/dev/null)" ] && pass || fail "default_format used"
rm -rf "$M/e_norollback"
run rokso migrate
expect_code 0 "templates of every format migrate"
expect_eq "$(sql "SELECT count(*) FROM pg_class WHERE relnamespace = 'offline'::regnamespace AND relname IN ('made_sql','made_yaml','made_py','made_default')")" 4 "created from every format"

# A rollback file without its apply file is an error, before anything runs.
printf 'DROP TABLE x;\n' >"$M/a_py/2021_02_02__00_00_00_orphan.rollback.sql"
run rokso status
expect_code 1 "orphaned rollback file"
expect_one_line_error "has no migration file beside it"

finish
