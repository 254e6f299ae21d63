#!/usr/bin/env bash
# No file is skipped in silence: a file under migration/ that no loaded format claims (a
# plain x.sql, an in-house .mig) is listed by status as unknown with the loaded formats;
# migrate, migrate --check and status --exit-code fail on it naming it (nothing applied);
# dot-files, __pycache__, README*, *.md are ignored, and config.json's "ignore" adds
# patterns. "plugins" in config.json names the plugins a project needs: without one,
# every command says which and where rokso looked (exit 2). Unreadable pending files: status
# lists them under their own heading, migrate names every one of them at once.
# shellcheck disable=SC1091
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

new_database
new_project
cd "$PROJECT" || exit 1
M=migration/offline/200.tables
write_py "$M/a/2021_01_01__00_00_00_a.py" "CREATE TABLE offline.a_t (id int);" "DROP TABLE offline.a_t;"
A=offline/200.tables/a/2021_01_01__00_00_00_a.py
run rokso migrate
expect_code 0

history() { sql "SELECT coalesce(string_agg(filename || ':' || status, ' ' ORDER BY id), '') FROM offline.rokso_db_version"; }
# config.json with <key> set to <json value> (python3 only edits the test's file).
set_config() {  # <key> <json>, or <key> alone to remove it
  python3 - "$PROJECT/config.json" "$@" <<'PY'
import json, sys
path, key = sys.argv[1], sys.argv[2]
doc = json.load(open(path))
if len(sys.argv) > 3:
    doc[key] = json.loads(sys.argv[3])
else:
    doc.pop(key, None)
open(path, "w").write(json.dumps(doc, indent=4))
PY
}

# A pending migration, and files that are not migrations of any loaded format.
write_py "$M/b/2021_01_01__00_00_00_b.py" "CREATE TABLE offline.b_t (id int);" "DROP TABLE offline.b_t;"
mkdir -p "$M/x" migration/offline/inhouse
echo "CREATE TABLE offline.x_t (id int);" >"$M/x/2021_01_01__00_00_00_x.sql"
echo "in-house format" >migration/offline/inhouse/2021_01_01__00_00_00_y.mig
X=offline/200.tables/x/2021_01_01__00_00_00_x.sql
Y=offline/inhouse/2021_01_01__00_00_00_y.mig
# Obviously not migrations: never listed, never a reason to refuse.
mkdir -p migration/offline/__pycache__ migration/.git
echo docs >migration/README
echo docs >migration/README.txt
echo docs >"$M/NOTES.md"
: >migration/.gitkeep
: >"$M/a/.hidden.sql"
echo x >migration/offline/__pycache__/a.cpython-311.pyc
echo x >migration/.git/HEAD
history_before=$(history)

run rokso status
expect_code 0 "status lists unknown files without failing"
expect_out "unknown:   $X"
expect_out "unknown:   $Y"
expect_out "formats: py, sql, yaml"
expect_out "offline/200.tables/b/2021_01_01__00_00_00_b.py  NA"
for ignored in README NOTES.md .gitkeep .hidden.sql __pycache__ .git; do
  if grep -qF "$ignored" <<<"$OUT"; then fail "'$ignored' listed by status"; else pass; fi
done

run rokso status --exit-code
expect_code 1 "status --exit-code fails on unknown files"

run rokso status --format json
expect_code 0
expect_json "doc->'unknown'" "[{\"identity\": \"$X\"}, {\"identity\": \"$Y\"}]"
expect_json "doc->'counts'->>'unknown'" 2
expect_json "doc->>'up_to_date'" false
expect_json "doc->'formats' ? 'py'" t

run rokso migrate
expect_code 1 "migrate refuses to run with unknown files"
expect_one_line_error "2 files under migration/ that no loaded format reads"
expect_err "$X"
expect_err "$Y"
expect_err "formats loaded: py, sql, yaml"
expect_eq "$(history)" "$history_before" "nothing recorded"
expect_eq "$(sql "SELECT to_regclass('offline.b_t') IS NULL AND to_regclass('offline.x_t') IS NULL")" t "nothing applied"

run rokso migrate --migration "offline/200.tables/b/2021_01_01__00_00_00_b.py"
expect_code 1 "migrate --migration refuses too"
expect_eq "$(sql "SELECT to_regclass('offline.b_t') IS NULL")" t "b not applied"

run rokso migrate --check
expect_code 1 "migrate --check fails on unknown files"
expect_err "check failed"
expect_err "$Y"

run rokso migrate --dry-run
expect_code 0 "a dry run warns"
expect_err "warning: migrate would refuse to run"
expect_eq "$(history)" "$history_before" "nothing recorded by the checks"

# --- "ignore" patterns, relative to migration/ ----------------------------------------------
# A name pattern at any depth, and a directory by its path.
set_config ignore '["*.mig", "offline/200.tables/x/"]'
run rokso status --exit-code
expect_code 1 "b is still pending"
expect_no_out "unknown:"
run rokso status --format json
expect_json "doc->'counts'->>'unknown'" 0
# A directory-only pattern does not match a file of that name.
set_config ignore '["*.mig", "2021_01_01__00_00_00_x.sql/"]'
run rokso status
expect_out "unknown:   $X"
# A path pattern: '*' does not cross '/'.
set_config ignore '["offline/*.mig", "offline/*/x/*.sql"]'
run rokso status
expect_out "unknown:   $Y"
expect_no_out "unknown:   $X"
set_config ignore '["*.mig", "offline/200.tables/x/*"]'
run rokso migrate
expect_code 0 "migrate runs once the files are ignored"
expect_eq "$(history)" "$A:complete offline/200.tables/b/2021_01_01__00_00_00_b.py:complete" "b applied"
expect_eq "$(sql "SELECT to_regclass('offline.x_t') IS NULL")" t "the ignored .sql was never run"
run rokso status --exit-code
expect_code 0 "up to date with the files ignored"
# "ignore" may also hide a migration on purpose.
write_py "$M/draft/2021_01_01__00_00_00_draft.py" "CREATE TABLE offline.draft_t (id int);"
set_config ignore '["*.mig", "offline/200.tables/x/*", "draft/"]'
run rokso migrate
expect_code 0
expect_out "Nothing to migrate"
expect_eq "$(sql "SELECT to_regclass('offline.draft_t') IS NULL")" t "an ignored migration is not applied"
for bad in '"*.mig"' '[1]' '[""]'; do
  set_config ignore "$bad"
  run rokso status
  expect_code 2 "\"ignore\": $bad"
  expect_one_line_error "\"ignore\" must be a list"
done
set_config ignore '["*.mig", "offline/200.tables/x/*", "draft/"]'

# --- "plugins": what the project needs ---------------------------------------------------
set_config plugins '["py", "sql"]'
run rokso status
expect_code 0 "the declared plugins are loaded"
set_config plugins '["py", "mig"]'
history_before=$(history)
for cmd in status migrate "migrate --dry-run" "rollback --yes" last-success "show $A" \
  "create --dbschema offline --type T --tablename z --filename z" "mark --pending $A --yes" "accept --all --yes"; do
  # shellcheck disable=SC2086
  run rokso $cmd
  expect_code 2 "rokso $cmd without the plugin 'mig'"
  expect_err "needs the plugin 'mig'"
  expect_err "$ROKSO_TEST_PREFIX/lib/rokso/plugins"
  expect_err "ROKSO_PLUGIN_PATH"
done
expect_eq "$(history)" "$history_before" "nothing done without the plugin"
expect_eq "$(sql "SELECT to_regclass('offline.b_t') IS NOT NULL")" t "nothing rolled back"
if [ -e "$M/z" ]; then fail "create wrote a file"; else pass; fi
# Any loaded plugin may be declared, formats and object kinds alike.
set_config plugins '["yaml", "table"]'
run rokso status
expect_code 0 "declared plugins that are loaded"
set_config plugins '"mig"'
run rokso status
expect_code 2 "\"plugins\" not a list"
set_config plugins

# --- unreadable pending files: their own heading, every one named at once -------------------
write_py "$M/c/2021_01_01__00_00_00_c.py" "CREATE TABLE offline.c_t (id int);" "DROP TABLE offline.c_t;"
mkdir -p "$M/d" "$M/e"
printf 'apply_sql = """never closed\n' >"$M/d/2021_01_01__00_00_00_d.py"
printf 'migrations = {"apply": 1 +}\n' >"$M/e/2021_01_01__00_00_00_e.py"
D=offline/200.tables/d/2021_01_01__00_00_00_d.py
E=offline/200.tables/e/2021_01_01__00_00_00_e.py
history_before=$(history)
run rokso status
expect_code 1 "status with unreadable pending files"
expect_out "Pending, but cannot be read"
expect_out "unreadable: $D"
expect_out "unreadable: $E"
expect_out "offline/200.tables/c/2021_01_01__00_00_00_c.py  NA"   # the rest is still shown
expect_no_out "$D  NA"
expect_err "$D"
expect_err "$E"
run rokso migrate
expect_code 1 "migrate with two unreadable files"
expect_err "2 migration files cannot be read"
expect_err "$M/d/2021_01_01__00_00_00_d.py"
expect_err "$M/e/2021_01_01__00_00_00_e.py"
expect_eq "$(history)" "$history_before" "nothing recorded"
expect_eq "$(sql "SELECT to_regclass('offline.c_t') IS NULL")" t "c not applied"

finish
