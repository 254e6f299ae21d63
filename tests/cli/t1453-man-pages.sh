#!/usr/bin/env bash
# Man pages: generated at build time from each command's --help, the front binary's
# command list and README.md's plugin sections; installed under share/man; each renders
# with `man -l` without a groff warning and says what --help says. `rokso help <cmd>` on
# a terminal opens the page; off a terminal it prints --help (t0001 checks that text).
# shellcheck disable=SC1091
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

MAN=$ROKSO_TEST_PREFIX/share/man
# Every built-in command, as the front binary lists them (core/commands.def).
BUILTINS=$(sed -n 's/^ROKSO_COMMAND("\([a-z0-9-]*\)".*/\1/p' "$ROKSO_SOURCE_DIR/core/commands.def" | tr '\n' ' ')
# Wide enough that no line wraps or hyphenates: the checks below read whole lines.
export MANWIDTH=400 MAN_KEEP_FORMATTING= LC_ALL=C.UTF-8

# render <page>: OUT is the page as man shows it, ERR groff's warnings.
render() {
  man --warnings=w -l "$1" >"$WORK/.out" 2>"$WORK/.err"
  CODE=$?
  OUT=$(col -b <"$WORK/.out")
  ERR=$(cat "$WORK/.err")
}

for cmd in $BUILTINS; do
  page=$MAN/man1/rokso-$cmd.1
  [ -f "$page" ] || { fail "no page $page"; continue; }
  render "$page"
  expect_code 0 "man -l rokso-$cmd.1"
  expect_eq "$ERR" "" "groff warnings for rokso-$cmd(1)"
  expect_out "ROKSO-$(tr '[:lower:]' '[:upper:]' <<<"$cmd")(1)"
  # The summary and every flag of the command's --help, in the page.
  help=$(rokso "$cmd" --help)
  expect_out "rokso-$cmd - $(sed -n 3p <<<"$help")"
  for flag in $(sed -n '/^Options:/,$p' <<<"$help" | grep '^  -' | sed 's/   .*//' | grep -oE -- '--[a-z][a-z-]*'); do
    expect_out "$flag"
  done
  expect_out "EXIT STATUS"
  expect_out "143"
done

render "$MAN/man1/rokso.1"
expect_code 0 "man -l rokso.1"
expect_eq "$ERR" "" "groff warnings for rokso(1)"
for cmd in $BUILTINS; do expect_out "rokso-$cmd(1)"; done
expect_out "--quiet"
expect_out "NO_COLOR"

render "$MAN/man7/rokso-plugins.7"
expect_code 0 "man -l rokso-plugins.7"
expect_eq "$ERR" "" "groff warnings for rokso-plugins(7)"
expect_out "ROKSO-PLUGINS(7)"
expect_out "ROKSO_DECLARE_PLUGIN"
expect_out "find_package(rokso REQUIRED)"
expect_no_out '```'

# Every page the build wrote is installed, and nothing else is under share/man.
expect_eq "$(cd "$MAN" && find . -type f | LC_ALL=C sort | tr '\n' ' ')" \
  "$(for c in $BUILTINS; do echo "./man1/rokso-$c.1"; done | cat - <(echo ./man1/rokso.1; echo ./man7/rokso-plugins.7) | LC_ALL=C sort | tr '\n' ' ')" \
  "the installed pages"

# rokso help <cmd> on a terminal: the page, through the pager.
script -qec "MANPAGER=cat PAGER=cat rokso help migrate" /dev/null </dev/null >"$WORK/tty" 2>&1
OUT=$(tr -d '\r' <"$WORK/tty" | col -b)
expect_out "ROKSO-MIGRATE(1)"
expect_out "rokso-migrate - "
# Without man on PATH: the help.
mkdir -p "$WORK/bin"
ln -s "$(command -v rokso)" "$WORK/bin/rokso"
script -qec "PATH=$WORK/bin rokso help migrate" /dev/null </dev/null >"$WORK/tty" 2>&1
OUT=$(tr -d '\r' <"$WORK/tty")
expect_out "usage: rokso migrate"
expect_no_out "ROKSO-MIGRATE(1)"

finish
