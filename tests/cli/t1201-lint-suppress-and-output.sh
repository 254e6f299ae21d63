#!/usr/bin/env bash
# rokso lint (issue 15): the pending migrations by default, in migrate's order, or --all;
# `-- rokso:ignore <rule>` in .sql, .py and YAML alike; config.json's "lint" object; the
# text and JSON output; exit codes (1 on an error, 0 with warnings only, 2 on a usage
# mistake); an unreadable file and SQL that does not parse.
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

new_database
new_project
cd "$PROJECT"
sql "CREATE TABLE offline.t (a int)"
M=migration/offline/200.tables

# Applied already: not linted by default, linted with --all.
mkdir -p "$M/old"
printf 'DROP TABLE offline.gone;\n' >"$M/old/2020_01_01__00_00_00_old.up.sql"
sql "CREATE TABLE offline.gone (a int)"
run rokso migrate --lint=off
expect_code 0
expect_eq "$(sql "SELECT count(*) FROM offline.rokso_db_version WHERE status = 'complete'")" 1 "old applied"

# Pending: one finding per format, one suppressed per format.
mkdir -p "$M/t"
printf -- '-- an index\n\nCREATE INDEX t_a ON offline.t (a);\n' >"$M/t/2021_01_01__00_00_00_idx.up.sql"
printf 'DROP INDEX offline.t_a;\n' >"$M/t/2021_01_01__00_00_00_idx.down.sql"
printf -- '-- rokso:ignore require-concurrent-index-creation\nCREATE INDEX t_b ON offline.t (a);\nCREATE INDEX t_c ON offline.t (a); -- rokso:ignore require-concurrent-index-creation, ban-drop-column\n' \
  >"$M/t/2021_01_01__00_00_01_idx2.up.sql"
printf 'DROP INDEX offline.t_b;\nDROP INDEX offline.t_c;\n' >"$M/t/2021_01_01__00_00_01_idx2.down.sql"
write_py "$M/t/2021_01_01__00_00_02_py.py" "ALTER TABLE offline.t ALTER COLUMN a TYPE bigint;
-- rokso:ignore changing-column-type
ALTER TABLE offline.t ALTER COLUMN a TYPE numeric;" "ALTER TABLE offline.t ALTER COLUMN a TYPE int;"
cat >"$M/t/2021_01_01__00_00_03_yaml.yaml" <<'YAML'
apply: |
  ALTER TABLE offline.t RENAME COLUMN a TO b;
  -- rokso:ignore renaming-column
  ALTER TABLE offline.t RENAME COLUMN b TO a;
rollback: SELECT 1;
YAML

run rokso lint
expect_code 1 "errors: exit 1"
expect_out "migration/offline/200.tables/t/2021_01_01__00_00_00_idx.up.sql:3: error: require-concurrent-index-creation: builds an index on the existing table \"t\" without CONCURRENTLY"
expect_out "    CREATE INDEX t_a ON offline.t (a)"
expect_out "    fix: CREATE INDEX CONCURRENTLY"
expect_out "2021_01_01__00_00_02_py.py:2: error: changing-column-type"
# A YAML block scalar loses its indentation: the line is the one inside the apply SQL.
expect_out "2021_01_01__00_00_03_yaml.yaml: apply SQL line 1: error: renaming-column"
expect_out "lint: 4 migration(s), 3 error(s), 0 warning(s)"
expect_no_out "idx2"
expect_no_out "old.up.sql"

run rokso lint --format json
expect_code 1
expect_json "doc->>'rokso_lint_version'" 1
expect_json "doc->>'migrations'" 4
expect_json "doc->>'errors'" 3
expect_json "doc->>'warnings'" 0
expect_json "(SELECT string_agg(f->>'rule', ',') FROM jsonb_array_elements(doc->'findings') f)" \
  "require-concurrent-index-creation,changing-column-type,renaming-column" "findings in migrate's order"
expect_json "(SELECT string_agg(k, ',' ORDER BY k) FROM jsonb_object_keys(doc->'findings'->0) k)" \
  "file,fix,line,line_in,message,rule,severity,sql,statement" "a finding's keys"
expect_json "doc->'findings'->0->>'file'" "migration/offline/200.tables/t/2021_01_01__00_00_00_idx.up.sql"
expect_json "doc->'findings'->0->>'line'" 3
expect_json "doc->'findings'->0->>'severity'" error
expect_json "doc->'findings'->2->>'line_in'" apply_sql

# --all adds the applied file.
run rokso lint --all --format json
expect_json "doc->>'migrations'" 5
expect_json "(SELECT count(*) FROM jsonb_array_elements(doc->'findings') f WHERE f->>'rule' = 'ban-drop-table')" 1 "--all lints applied files"

# config.json: "ignore" turns rules off, "severity" changes them; warnings only: exit 0.
sed -i '0,/{/s//{"lint": {"ignore": ["changing-column-type"], "severity": {"require-concurrent-index-creation": "warning", "renaming-column": "off"}},/' config.json
run rokso lint --format json
expect_code 0 "warnings only: exit 0"
expect_json "doc->>'errors'" 0
expect_json "doc->>'warnings'" 1
expect_json "doc->'findings'->0->>'severity'" warning
run rokso lint
expect_code 0
expect_out "warning: require-concurrent-index-creation"
expect_out "lint: 4 migration(s), 0 error(s), 1 warning(s)"

# A mistake in "lint" is a usage error.
cp config.json config.good
sed -i 's/"changing-column-type"/"no-such-rule"/' config.json
run rokso lint
expect_code 2 "unknown rule in config"
expect_one_line_error "unknown rule 'no-such-rule'"
cp config.good config.json
sed -i 's/"renaming-column": "off"/"renaming-column": "loud"/' config.json
run rokso lint
expect_code 2 "bad severity"
expect_one_line_error "must be \"error\", \"warning\" or \"off\""
cp config.good config.json

# Usage mistakes: exit 2.
run rokso lint --format xml
expect_code 2
run rokso lint --all "$M/t/2021_01_01__00_00_00_idx.up.sql"
expect_code 2
expect_one_line_error "exclude each other"
run rokso lint "$WORK/missing.up.sql"
expect_code 2
expect_one_line_error "no file"
printf 'x\n' >"$WORK/notes.txt"
run rokso lint "$WORK/notes.txt"
expect_code 2
expect_one_line_error "not a migration file"

# An unknown rule in a rokso:ignore comment is a warning, not silence.
printf -- '-- rokso:ignore no-such-rule\nSELECT 1;\n' >"$WORK/typo.up.sql"
run rokso lint --format json "$WORK/typo.up.sql"
expect_code 0
expect_json "doc->'findings'->0->>'rule'" unknown-rule-in-ignore

# A file a format cannot read, and SQL the parser rejects: errors with where.
printf 'apply_sql = """\nCREATE TABLE x (\n' >"$WORK/broken.py"
printf 'CREATE TABLE offline.ok (a int);\n\nCREATE TABEL offline.bad (a int);\n' >"$WORK/syntax.up.sql"
printf 'DROP TABLE offline.ok;\n' >"$WORK/syntax.down.sql"
run rokso lint "$WORK/broken.py" "$WORK/syntax.up.sql"
expect_code 1 "malformed: exit 1"
expect_out "$WORK/broken.py: error: unreadable-migration"
expect_out "$WORK/syntax.up.sql:3: error: syntax-error: apply SQL does not parse: syntax error at or near \"TABEL\""

# Clean files: exit 0, nothing but the summary.
printf 'CREATE TABLE offline.fresh (a int);\nCREATE INDEX fresh_a ON offline.fresh (a);\n' >"$WORK/clean.up.sql"
printf 'DROP TABLE offline.fresh;\n' >"$WORK/clean.down.sql"
run rokso lint "$WORK/clean.up.sql"
expect_code 0
expect_eq "$OUT" "lint: 1 migration(s), 0 error(s), 0 warning(s)" "clean output"

# lint changed nothing: the pending files are still pending, the table untouched.
expect_eq "$(sql "SELECT count(*) FROM offline.rokso_db_version")" 1 "nothing recorded"
expect_eq "$(sql "SELECT count(*) FROM pg_indexes WHERE tablename = 't'")" 0 "nothing created"

run rokso lint --rules
expect_code 0
expect_out "require-lock-timeout (error)"
expect_out "rollback-does-not-drop (warning)"
finish
