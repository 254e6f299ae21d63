#!/usr/bin/env bash
# A plugin that throws something other than a std::exception (here an int) ends the
# command with one line and exit 1 — never std::terminate's abort and core dump — and
# nothing is applied or recorded.
# shellcheck disable=SC1091
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"
: "${ROKSO_TEST_FIXTURES:?run through ctest (ROKSO_TEST_FIXTURES unset)}"
THROWING="${ROKSO_TEST_FIXTURES}-throwing"
[ -f "$THROWING/throwing_format_plugin.so" ] || { echo "missing fixture throwing_format_plugin.so" >&2; exit 1; }

new_database
new_project
cd "$PROJECT"
write_py migration/offline/200.tables/a/2021_01_01__00_00_00_a.py "CREATE TABLE offline.a (id int);" "DROP TABLE offline.a;"
mkdir -p migration/offline/200.tables/b
echo "CREATE TABLE offline.b (id int);" >migration/offline/200.tables/b/2021_01_01__00_00_00_b.throws

ROKSO_PLUGIN_PATH=$THROWING run rokso plugins
expect_code 0 "the throwing plugin loads"
expect_out "throws"

ROKSO_PLUGIN_PATH=$THROWING run rokso migrate
expect_code 1 "migrate with a plugin that throws an int"
expect_one_line_error "exception that is not a std::exception"
expect_err "2021_01_01__00_00_00_b.throws"
expect_eq "$(sql "SELECT to_regclass('offline.a') IS NULL AND to_regclass('offline.b') IS NULL")" t "nothing applied"
expect_eq "$(sql "SELECT count(*) FROM offline.rokso_db_version")" 0 "nothing recorded"

ROKSO_PLUGIN_PATH=$THROWING run rokso create --dbschema offline --type T --tablename c --filename c --format throws
expect_code 1 "create through a plugin whose render throws"
expect_one_line_error "exception that is not a std::exception"
if ls migration/offline/200.tables/c/* >/dev/null 2>&1; then fail "create left a file behind"; else pass; fi

finish
