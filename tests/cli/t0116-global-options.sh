#!/usr/bin/env bash
# Global options before the subcommand, as git and roksopsql users type them: -C <dir>
# (also -C<dir>, --directory <dir>, --directory=<dir>, several relative to each other),
# -v/--verbose and --help work in either position; anything else before the command is
# refused with a hint; --version, --help and help keep working; a custom command gets
# -v as ROKSO_VERBOSE=1, its arguments untouched.
# shellcheck disable=SC1091
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

new_database
new_project "$WORK/project"
M=migration/offline/200.tables
write_py "$PROJECT/$M/g/2021_01_01__00_00_00_g.py" "CREATE TABLE offline.g_t (id int);
INSERT INTO offline.g_t VALUES (1);" "DROP TABLE offline.g_t;"
G=offline/200.tables/g/2021_01_01__00_00_00_g.py
mkdir -p "$WORK/elsewhere"
cd "$WORK/elsewhere" || exit 1

history() { sql "SELECT coalesce(string_agg(filename || ':' || status, ' ' ORDER BY id), '') FROM offline.rokso_db_version"; }

# --- -C in every spelling --------------------------------------------------------------------
for spelling in "-C $PROJECT" "-C$PROJECT" "--directory $PROJECT" "--directory=$PROJECT" "-C $WORK -C project" \
  "-C $PROJECT/migration/offline"; do
  # shellcheck disable=SC2086
  run rokso $spelling status
  expect_code 0 "rokso $spelling status"
  expect_out "$G"
done
run rokso -C"$WORK/nonexistent" status
expect_code 2 "-C<missing dir>"
expect_err "$WORK/nonexistent"
run rokso --directory
expect_code 2 "--directory without a directory"
run rokso --directory= status
expect_code 2 "--directory= (empty)"

# --- -v before the command: the statements and their times, as after it -------------------
run rokso -v -C "$PROJECT" migrate
expect_code 0 "rokso -v -C <dir> migrate"
expect_out "Executing>>"
expect_out "INSERT INTO offline.g_t VALUES (1)"
expect_out ">> Time taken: "
expect_eq "$(history)" "$G:complete" "applied through global options"
expect_eq "$(sql "SELECT count(*) FROM offline.g_t")" 1 "g_t holds its row"

run rokso --verbose -C "$PROJECT" rollback --yes
expect_code 0 "rokso --verbose -C <dir> rollback"
expect_out "DROP TABLE offline.g_t"
expect_eq "$(history)" "" "rolled back"
expect_eq "$(sql "SELECT to_regclass('offline.g_t') IS NULL")" t "g_t dropped"

# The same options after the command still work.
run rokso migrate -C "$PROJECT" -v
expect_code 0 "options after the command"
expect_out "Executing>>"
expect_eq "$(history)" "$G:complete" "applied again"
# And before and after together.
run rokso -C "$PROJECT" status -v
expect_code 0
expect_out "No new migration to process."

# --- --help before the command is the command's help ------------------------------------------
run rokso migrate --help
HELP_MIGRATE=$OUT
run rokso --help migrate
expect_code 0 "rokso --help migrate"
expect_eq "$OUT" "$HELP_MIGRATE" "'rokso --help migrate' vs 'rokso migrate --help'"
run rokso -C "$PROJECT" -h status
expect_code 0
expect_out "usage: rokso status"
run rokso --help nosuchcommand
expect_code 2 "--help for an unknown command"
for form in "--help" "help" "-v --help" "--help help"; do
  # shellcheck disable=SC2086
  run rokso $form
  expect_code 0 "rokso $form"
  expect_out "These are the rokso commands"
done
run rokso --version
expect_code 0
expect_out "rokso version "

# --- a command's own options do not go before it ----------------------------------------------
run rokso --lock-wait=5 -C "$PROJECT" migrate
expect_code 2 "a command's option before the command"
expect_err "unknown option '--lock-wait=5'"
expect_err "rokso migrate --lock-wait=5"
expect_eq "$(history)" "$G:complete" "nothing run"
run rokso -x status
expect_code 2
expect_err "unknown option '-x'"

# --- a custom command: -v as ROKSO_VERBOSE, its arguments untouched ------------------------------
mkdir -p "$WORK/custom"
cat >"$WORK/custom/rokso-hello" <<'EOF'
#!/bin/sh
printf 'argc=%s verbose=%s pwd=%s\n' "$#" "${ROKSO_VERBOSE:-unset}" "$(pwd)"
for a in "$@"; do printf 'arg=<%s>\n' "$a"; done
EOF
chmod +x "$WORK/custom/rokso-hello"
PATH="$WORK/custom:$PATH" run rokso -v -C "$PROJECT" hello a -v
expect_code 0
expect_eq "$OUT" "$(printf 'argc=2 verbose=1 pwd=%s\narg=<a>\narg=<-v>' "$PROJECT")" "rokso-hello's arguments and environment"
PATH="$WORK/custom:$PATH" run rokso hello
expect_out "argc=0 verbose=unset"

# roksopsql is the same front.
run roksopsql -v -C "$PROJECT" status
expect_code 0 "roksopsql -v -C <dir> status"
expect_out "No new migration to process."

finish
