#!/usr/bin/env bash
# rokso plugins: the py format and the five seed kinds are loaded from the install;
# modules that are not rokso plugins of this interface (wrong version, no manifest,
# garbage, empty) are each refused with one clear line naming the file, never a crash,
# and every other command keeps working with such a module on the plugin path.
# shellcheck disable=SC1091
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"
: "${ROKSO_TEST_FIXTURES:?run through ctest (ROKSO_TEST_FIXTURES unset)}"

PLUGIN_DIR="$ROKSO_TEST_PREFIX/lib/rokso/plugins"

# A row of the `rokso plugins` table: name, kind, version, file.
expect_plugin_row() {  # <name> <kind text> <file>
  local row
  row=$(grep -E "^$1 " <<<"$OUT" | head -n 1)
  if [ -z "$row" ]; then fail "plugin '$1' not listed"; return; fi
  if grep -qF -- "$2" <<<"$row"; then pass; else fail "plugin '$1': kind '$2' missing in: $row"; fi
  if grep -qE ' [0-9]+\.[0-9]+(\.[0-9]+)? ' <<<"$row"; then pass; else fail "plugin '$1': no version in: $row"; fi
  if grep -qF -- "$3" <<<"$row"; then pass; else fail "plugin '$1': file '$3' missing in: $row"; fi
  if [ -f "$3" ]; then pass; else fail "plugin '$1': listed file '$3' does not exist"; fi
}

expect_good_plugins() {
  expect_out "name"
  expect_plugin_row py "format" "$PLUGIN_DIR/rokso-format-py.so"
  expect_plugin_row database_type "100.database_types" "$PLUGIN_DIR/rokso-kind-database_type.so"
  expect_plugin_row table "200.tables" "$PLUGIN_DIR/rokso-kind-table.so"
  expect_plugin_row view "300.views" "$PLUGIN_DIR/rokso-kind-view.so"
  expect_plugin_row materialized_view "400.mat_views" "$PLUGIN_DIR/rokso-kind-materialized_view.so"
  expect_plugin_row function "500.functions" "$PLUGIN_DIR/rokso-kind-function.so"
}

# Exactly one stderr line mentions <file>, and it is a warning, not a crash.
expect_refused_once() {  # <file> [text the line must hold]...
  local file=$1 lines line
  shift
  lines=$(grep -cF -- "$file" <<<"$ERR")
  if [ "$lines" = 1 ]; then pass; else fail "expected one line naming '$file', got $lines"; return; fi
  line=$(grep -F -- "$file" <<<"$ERR")
  for text in "$@"; do
    if grep -qF -- "$text" <<<"$line"; then pass; else fail "refusal of '$file' lacks '$text': $line"; fi
  done
  if grep -qiE 'boost::|terminate|abort|segmentation|core dumped' <<<"$line"; then
    fail "refusal of '$file' is not a clear message: $line"
  else
    pass
  fi
}

# --- the install's own plugins ---------------------------------------------------------
run rokso plugins
expect_code 0
expect_good_plugins
expect_eq "$ERR" "" "stderr of rokso plugins"
expect_eq "$(grep -cE '^(py|database_type|table|view|materialized_view|function) ' <<<"$OUT")" 6 "number of plugin rows"

# --- the fixtures: built for interface 999, and not a plugin at all ---------------------
[ -f "$ROKSO_TEST_FIXTURES/wrong_version_plugin.so" ] || { echo "missing fixture wrong_version_plugin.so" >&2; exit 1; }
[ -f "$ROKSO_TEST_FIXTURES/not_a_plugin.so" ] || { echo "missing fixture not_a_plugin.so" >&2; exit 1; }

ROKSO_PLUGIN_PATH=$ROKSO_TEST_FIXTURES run rokso plugins
expect_code 0 "refused plugins are not a failure of 'rokso plugins'"
expect_good_plugins
expect_refused_once "$ROKSO_TEST_FIXTURES/wrong_version_plugin.so" "999" "interface" "2"
# Both interface versions, the plugin's and the host's, outside the file name.
wrong_line=$(grep -F "wrong_version_plugin.so" <<<"$ERR" | sed "s|$ROKSO_TEST_FIXTURES/wrong_version_plugin.so||")
if grep -qE '(^|[^0-9])999([^0-9]|$)' <<<"$wrong_line" && grep -qE '(^|[^0-9])2([^0-9]|$)' <<<"$wrong_line"; then
  pass
else
  fail "the wrong-version refusal does not name both interface versions (999 and 2): $wrong_line"
fi
expect_refused_once "$ROKSO_TEST_FIXTURES/not_a_plugin.so" "not a rokso plugin"
expect_no_out "from-the-future"   # the refused plugin's name never shows as loaded
if grep -qF "fixture-plugins" <<<"$OUT"; then fail "a fixture is listed as loaded"; else pass; fi
expect_eq "$(grep -c . <<<"$ERR")" 2 "stderr lines (one per refused module)"

# --- garbage and empty files named *.so -------------------------------------------------
mkdir -p "$WORK/junk"
head -c 8192 /dev/urandom >"$WORK/junk/x.so"
: >"$WORK/junk/y.so"
printf '\177ELF but truncated' >"$WORK/junk/z.so"
printf 'not a plugin, and not named .so\n' >"$WORK/junk/readme.txt"
ROKSO_PLUGIN_PATH="$WORK/junk" run rokso plugins
expect_code 0
expect_good_plugins
expect_refused_once "$WORK/junk/x.so" "cannot be loaded"
expect_refused_once "$WORK/junk/y.so" "cannot be loaded"
expect_refused_once "$WORK/junk/z.so" "cannot be loaded"
expect_no_out "readme.txt"   # only *.so are plugin candidates
expect_eq "$(grep -c . <<<"$ERR")" 3 "stderr lines (one per refused module)"

# Both directories, plus ones that do not exist: still one line per module.
ROKSO_PLUGIN_PATH="$WORK/nonexistent:$ROKSO_TEST_FIXTURES::$WORK/junk" run rokso plugins
expect_code 0
expect_good_plugins
expect_eq "$(grep -c . <<<"$ERR")" 5 "stderr lines with both directories"

# A plugin of the same name earlier on ROKSO_PLUGIN_PATH wins over the install's, once.
mkdir -p "$WORK/override"
cp "$PLUGIN_DIR/rokso-kind-table.so" "$WORK/override/rokso-kind-table.so"
ROKSO_PLUGIN_PATH="$WORK/override" run rokso plugins
expect_code 0
expect_eq "$(grep -cE '^table ' <<<"$OUT")" 1 "table plugin rows with an override"
if grep -E '^table ' <<<"$OUT" | grep -qF "$WORK/override/rokso-kind-table.so"; then pass; else
  fail "the table plugin on ROKSO_PLUGIN_PATH does not win"
fi
expect_eq "$ERR" "" "stderr with an override"

# --- other commands with a refused plugin on the path -------------------------------------
new_database
new_project "$WORK/project"
write_py "$PROJECT/migration/offline/200.tables/plug_t/2021_01_01__00_00_00_create_plug_t.py" \
  "CREATE TABLE offline.plug_t (id int);" "DROP TABLE offline.plug_t;"
cd "$PROJECT" || exit 1

ROKSO_PLUGIN_PATH="$ROKSO_TEST_FIXTURES:$WORK/junk" run rokso status
expect_code 0 "status with refused plugins on the path"
expect_out "offline/200.tables/plug_t/2021_01_01__00_00_00_create_plug_t.py"
expect_err "warning:"
expect_err "wrong_version_plugin.so"
if grep -qv '^warning: ' <<<"$ERR"; then fail "stderr holds more than warnings"; else pass; fi

ROKSO_PLUGIN_PATH="$ROKSO_TEST_FIXTURES:$WORK/junk" run rokso migrate
expect_code 0 "migrate with refused plugins on the path"
expect_out "revision#"
expect_eq "$(sql "SELECT count(*) FROM pg_class WHERE oid = to_regclass('offline.plug_t')")" 1 "plug_t created"
expect_eq "$(sql "SELECT status FROM offline.rokso_db_version")" complete "version row"

ROKSO_PLUGIN_PATH="$ROKSO_TEST_FIXTURES" run rokso create --dbschema offline --type V --tablename plug_v --filename create_plug_v
expect_code 0 "create with refused plugins on the path"
expect_out "has been generated"
expect_eq "$(find "$PROJECT/migration/offline/300.views/plug_v" -name '*_create_plug_v.py' | wc -l)" 1 "view migration written"

# The exit code of a failing command is still its own.
ROKSO_PLUGIN_PATH="$ROKSO_TEST_FIXTURES" run rokso migrate --migration nosuch.py
expect_code 2 "unknown migration, with refused plugins on the path"
expect_err "nosuch.py"

ROKSO_PLUGIN_PATH="$ROKSO_TEST_FIXTURES" run rokso rollback --yes
expect_code 0 "rollback with refused plugins on the path"
expect_eq "$(sql "SELECT count(*) FROM pg_class WHERE oid = to_regclass('offline.plug_t')")" 0 "plug_t dropped"
expect_eq "$(sql "SELECT count(*) FROM offline.rokso_db_version")" 0 "version rows after rollback"

# A plugin path that holds only refused modules does not hide the install's plugins,
# and the front binary's own commands need no plugins at all.
ROKSO_PLUGIN_PATH="$WORK/junk" run rokso --version
expect_code 0
expect_eq "$ERR" "" "rokso --version does not load plugins"

finish
