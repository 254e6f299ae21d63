#!/usr/bin/env bash
# The front binary `rokso`: version, help and the command list, "did you mean", custom
# rokso-<cmd> commands on PATH, $ROKSO_EXEC_PATH, the roksopsql alias, -C, and an
# installed tree that keeps working when copied or moved elsewhere.
# shellcheck disable=SC1091
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

BUILTINS="init create status migrate rollback last-success remap plugins"

# A line of the command list: "   <name>   <summary>".
listed_with_summary() {  # <name> <summary>
  if grep -E "^ +$1 +" <<<"$OUT" | grep -qF -- "$2"; then
    pass
  else
    fail "command list lacks '$1' with summary '$2'"
  fi
}

# --- --version -----------------------------------------------------------------------
run rokso --version
expect_code 0
expect_out "rokso version "
if grep -qE '^rokso version [0-9]+\.[0-9]+\.[0-9]+' <<<"$OUT"; then pass; else fail "--version prints no version number"; fi
VERSION_LINE=$OUT

run roksopsql --version
expect_code 0 "roksopsql is installed as another name for rokso"
expect_eq "$OUT" "$VERSION_LINE" "roksopsql --version"
if [ -L "$ROKSO_TEST_PREFIX/bin/roksopsql" ] || [ -x "$ROKSO_TEST_PREFIX/bin/roksopsql" ]; then pass; else fail "no bin/roksopsql in the install"; fi

# --- the command list, with every built-in and its summary ---------------------------
# Each built-in's summary, as its own --help states it (third line of its usage).
declare -A SUMMARY
for cmd in $BUILTINS; do
  run rokso "$cmd" --help
  expect_code 0 "rokso $cmd --help"
  expect_out "usage: rokso $cmd"
  SUMMARY[$cmd]=$(sed -n 3p <<<"$OUT")
  if [ -n "${SUMMARY[$cmd]}" ]; then pass; else fail "rokso $cmd --help has no one-line summary"; fi
done

for form in "" "--help" "help" "help -a" "help --all" "-h"; do
  # shellcheck disable=SC2086
  run rokso $form
  expect_code 0 "rokso $form"
  expect_out "usage: rokso"
  for cmd in $BUILTINS; do listed_with_summary "$cmd" "${SUMMARY[$cmd]}"; done
  expect_eq "$ERR" "" "stderr of 'rokso $form'"
done

# --- help for one command: the subcommand's own usage --------------------------------
run rokso help status
expect_code 0
expect_out "usage: rokso status"
expect_out "${SUMMARY[status]}"
expect_out "--directory"
HELP_STATUS=$OUT
run rokso status --help
expect_code 0
expect_eq "$OUT" "$HELP_STATUS" "'rokso status --help' vs 'rokso help status'"

run rokso migrate --help
expect_code 0
expect_out "usage: rokso migrate"
expect_out "--migration"
expect_no_out "These are the rokso commands"   # the subcommand's help, not the front's

run rokso help nosuchcommand
expect_code 2 "help for an unknown command"

# --- unknown commands and options ----------------------------------------------------
run rokso statsu
expect_code 2
expect_err "'statsu' is not a rokso command"
if grep -qE '^[[:space:]]+status$' <<<"$ERR"; then pass; else fail "no suggestion naming 'status'"; fi
expect_err "most similar command"
expect_eq "$OUT" "" "stdout of an unknown command"

run rokso migrat
expect_code 2
if grep -qE '^[[:space:]]+migrate$' <<<"$ERR"; then pass; else fail "no suggestion naming 'migrate'"; fi

run rokso zzzzzzzzzzzz
expect_code 2
expect_no_out "most similar"   # nothing is close: no suggestion

run rokso --no-such-option
expect_code 2
expect_err "--no-such-option"

# A command is a name, never a path: "rokso x/../evil" must not run $WORK/bin/evil
# through a directory called rokso-x on PATH.
mkdir -p "$WORK/bin/rokso-x"
printf '#!/bin/sh\necho EVIL-RAN\nexit 0\n' >"$WORK/bin/evil"
chmod +x "$WORK/bin/evil"
PATH="$WORK/bin:$PATH" run rokso 'x/../evil'
expect_code 2 "a command name holding '/'"
expect_no_out "EVIL-RAN"

# --- a custom rokso-<cmd> on PATH ----------------------------------------------------
mkdir -p "$WORK/custom"
cat >"$WORK/custom/rokso-hello" <<'EOF'
#!/bin/sh
# rokso-summary: says hello
printf 'argc=%s\n' "$#"
for a in "$@"; do printf 'arg=<%s>\n' "$a"; done
printf 'hello-stderr\n' >&2
exit 7
EOF
chmod +x "$WORK/custom/rokso-hello"

PATH="$WORK/custom:$PATH" run rokso hello a 'b c'
expect_code 7 "the custom command's exit status passes through"
expect_eq "$OUT" "$(printf 'argc=2\narg=<a>\narg=<b c>')" "arguments received by rokso-hello"
expect_eq "$ERR" "hello-stderr" "stderr of rokso-hello"

# Arguments after the command belong to it, even ones the front would understand.
PATH="$WORK/custom:$PATH" run rokso hello --help -C /nonexistent --version ''
expect_code 7
expect_eq "$OUT" "$(printf 'argc=5\narg=<--help>\narg=<-C>\narg=</nonexistent>\narg=<--version>\narg=<>')" \
  "arguments passed through untouched"

PATH="$WORK/custom:$PATH" run rokso help -a
expect_code 0
# Listed with its summary, under the PATH group (after its header), not among rokso's own.
path_group=$(sed -n '/found elsewhere on your PATH/,$p' <<<"$OUT")
own_group=$(sed -n '/These are the rokso commands/,/found elsewhere on your PATH/p' <<<"$OUT")
if grep -qE '^ +hello +says hello$' <<<"$path_group"; then pass; else fail "rokso-hello not listed with its summary in the PATH group"; fi
if grep -qE '^ +hello ' <<<"$own_group"; then fail "rokso-hello listed among rokso's own commands"; else pass; fi
for cmd in $BUILTINS; do listed_with_summary "$cmd" "${SUMMARY[$cmd]}"; done

# Without it on PATH, it is gone.
run rokso help -a
if grep -qE '^ +hello ' <<<"$OUT"; then fail "rokso-hello listed without being on PATH"; else pass; fi
run rokso hello
expect_code 2

# A custom command does not shadow a built-in: the install's libexec comes before PATH.
mkdir -p "$WORK/shadow"
printf '#!/bin/sh\necho SHADOW-STATUS\nexit 9\n' >"$WORK/shadow/rokso-status"
chmod +x "$WORK/shadow/rokso-status"
mkdir -p "$WORK/noproject"
cd "$WORK/noproject" || exit 1
PATH="$WORK/shadow:$PATH" run rokso status
cd "$WORK" || exit 1
expect_no_out "SHADOW-STATUS"
expect_code 2 "the built-in status, outside a project"

# ...but $ROKSO_EXEC_PATH comes before the install's own libexec.
ROKSO_EXEC_PATH="$WORK/shadow" run rokso status
expect_code 9 "rokso-status from \$ROKSO_EXEC_PATH"
expect_out "SHADOW-STATUS"
ROKSO_EXEC_PATH="$WORK/nonexistent:$WORK/shadow" run rokso status
expect_code 9 "every \$ROKSO_EXEC_PATH entry is searched"
# The list describes what would run: the replacement's own summary, not the built-in's.
printf '#!/bin/sh\n# rokso-summary: a replacement status\necho SHADOW-STATUS\nexit 9\n' >"$WORK/shadow/rokso-status"
ROKSO_EXEC_PATH="$WORK/shadow" run rokso help -a
expect_code 0
if grep -qE '^ +status +a replacement status$' <<<"$OUT"; then pass; else fail "the replacement status is not listed with its own summary"; fi
# A summary on the last line, without a newline, counts too.
printf '#!/bin/sh\nexit 0\n# rokso-summary: last line' >"$WORK/custom/rokso-lastline"
chmod +x "$WORK/custom/rokso-lastline"
PATH="$WORK/custom:$PATH" run rokso help -a
if grep -qE '^ +lastline +last line$' <<<"$OUT"; then pass; else fail "a summary on the last line is lost"; fi

# --- a project: rokso status, -C ---------------------------------------------------------
new_database
new_project "$WORK/project"
write_py "$PROJECT/migration/offline/200.tables/front_t/2021_01_01__00_00_00_create_front_t.py" \
  "CREATE TABLE offline.front_t (id int);" "DROP TABLE offline.front_t;"

cd "$WORK/noproject" || exit 1
run rokso -C "$PROJECT" status
expect_code 0 "rokso -C <project> status"
expect_out "Pending migrations for application:"
expect_out "offline/200.tables/front_t/2021_01_01__00_00_00_create_front_t.py"

run rokso -C "$PROJECT/migration" status
expect_code 0 "rokso -C <subdirectory of a project> status"
expect_out "offline/200.tables/front_t/2021_01_01__00_00_00_create_front_t.py"

run rokso -C "$WORK/nonexistent" status
expect_code 2 "rokso -C <missing dir>"
expect_err "$WORK/nonexistent"

run rokso -C
expect_code 2 "-C without a directory"

run rokso -C "$PROJECT" migrate
expect_code 0 "rokso -C <project> migrate"
expect_eq "$(sql "SELECT count(*) FROM pg_class WHERE oid = to_regclass('offline.front_t')")" 1 "front_t created through -C"
expect_eq "$(sql "SELECT filename || ':' || status FROM offline.rokso_db_version")" \
  "offline/200.tables/front_t/2021_01_01__00_00_00_create_front_t.py:complete" "version table after -C migrate"

# roksopsql runs the same commands.
run roksopsql -C "$PROJECT" status
expect_code 0 "roksopsql -C <project> status"
expect_out "No new migration to process."

# --- the installed tree, copied and moved elsewhere -----------------------------------------
cp -a "$ROKSO_TEST_PREFIX" "$WORK/copied"
mv "$WORK/copied" "$WORK/moved"
run "$WORK/moved/bin/rokso" plugins
expect_code 0 "rokso plugins from a moved install"
expect_out "$WORK/moved/lib/rokso/plugins/rokso-format-py.so"
expect_out "$WORK/moved/lib/rokso/plugins/rokso-kind-table.so"
if grep -qF -- "$ROKSO_TEST_PREFIX/" <<<"$OUT"; then fail "the moved install lists plugins of the original"; else pass; fi

run "$WORK/moved/bin/roksopsql" --version
expect_code 0 "roksopsql of a moved install"
expect_eq "$OUT" "$VERSION_LINE" "moved roksopsql --version"

run "$WORK/moved/bin/rokso" -C "$PROJECT" status
expect_code 0 "rokso status from a moved install"
expect_out "offline/200.tables/front_t/2021_01_01__00_00_00_create_front_t.py"

run "$WORK/moved/bin/rokso" help -a
expect_code 0
for cmd in $BUILTINS; do listed_with_summary "$cmd" "${SUMMARY[$cmd]}"; done

# Proof it uses its own libexec and plugins, not the original's: without its format
# plugins, the moved status fails and names the moved plugin directory.
rm -f "$WORK/moved/lib/rokso/plugins/"rokso-format-*.so
run "$WORK/moved/bin/rokso" -C "$PROJECT" status
expect_code 1 "moved install without its format plugin"
expect_err "$WORK/moved/lib/rokso/plugins"
run rokso -C "$PROJECT" status
expect_code 0 "the original install is unaffected"

finish
