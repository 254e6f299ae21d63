#!/usr/bin/env bash
# Shell completion, as bash-completion runs it: the installed script is sourced, COMP_WORDS
# and COMP_CWORD set as bash would, _rokso called, COMPREPLY checked. Commands (with a
# rokso-<cmd> found on PATH), flags from each command's --help, identities from
# migration/ (with -C), revisions from the version table, kinds and formats from the
# loaded plugins. And the zsh script is installed where zsh looks.
# shellcheck disable=SC1091
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

SCRIPT=$ROKSO_TEST_PREFIX/share/bash-completion/completions/rokso
[ -r "$SCRIPT" ] && pass || fail "no bash completion at $SCRIPT"
[ -r "$ROKSO_TEST_PREFIX/share/zsh/vendor-completions/_rokso" ] && pass || fail "no zsh completion"
. "$SCRIPT"
complete -p rokso >/dev/null 2>&1 && pass || fail "the script registers no completion for rokso"
complete -p roksopsql >/dev/null 2>&1 && pass || fail "the script registers no completion for roksopsql"

# complete_line "<words>": completes the last word (may be empty: end the line with a space).
complete_line() {
  read -r -a COMP_WORDS <<<"$1"
  [[ $1 == *" " ]] && COMP_WORDS+=("")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMPREPLY=()
  _rokso rokso "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
  OUT=$(printf '%s\n' "${COMPREPLY[@]}" | LC_ALL=C sort)
}
expect_reply() {  # expect_reply <word> [what]: COMPREPLY holds <word>
  if grep -qxF -- "$1" <<<"$OUT"; then pass; else fail "completion lacks '$1'${2:+ ($2)}: $(tr '\n' ' ' <<<"$OUT")"; fi
}
expect_no_reply() {
  if grep -qxF -- "$1" <<<"$OUT"; then fail "completion offers '$1'${2:+ ($2)}"; else pass; fi
}

# --- commands, a custom one on PATH included; global options -----------------------------
mkdir -p "$WORK/custom"
printf '#!/bin/sh\necho hello\n' >"$WORK/custom/rokso-hello"
chmod +x "$WORK/custom/rokso-hello"
PATH="$WORK/custom:$PATH" complete_line "rokso "
for cmd in init create status migrate rollback mark accept last-success show remap import plugins help hello; do
  expect_reply "$cmd" "commands"
done
complete_line "rokso mi"
expect_eq "$OUT" "migrate" "rokso mi<TAB>"
complete_line "rokso --co"
expect_eq "$OUT" "--color" "rokso --co<TAB>"
complete_line "rokso --color="
expect_eq "$(tr '\n' ' ' <<<"$OUT")" "always auto never " "--color=<TAB>"
complete_line "rokso help st"
expect_eq "$OUT" "status" "rokso help st<TAB>"

# --- flags, from the command's own --help --------------------------------------------------
complete_line "rokso status --"
for flag in --short --porcelain --format --exit-code --no-checksums --quiet --color --directory --help; do
  expect_reply "$flag" "status flags"
done
complete_line "rokso -v migrate --dry"
expect_eq "$OUT" "--dry-run" "migrate --dry<TAB> after a global option"
# As bash splits it: "--color" "=" "al".
COMP_WORDS=(rokso status --color = al); COMP_CWORD=4; COMPREPLY=()
_rokso rokso al =
expect_eq "${COMPREPLY[*]}" "always" "--color=al<TAB> split at the ="
complete_line "rokso status --format "
expect_eq "$(tr '\n' ' ' <<<"$OUT")" "json text " "--format <TAB>"

# --- identities from migration/, from the project or with -C ------------------------------
new_database
new_project
A=offline/200.tables/a/2021_01_01__00_00_00_a.py
B=offline/300.views/b/2021_01_01__00_00_00_b.apply.sql
write_py "$PROJECT/migration/$A" "CREATE TABLE offline.a (id int);" "DROP TABLE offline.a;"
mkdir -p "$PROJECT/migration/offline/300.views/b"
echo "CREATE VIEW offline.b AS SELECT 1;" >"$PROJECT/migration/$B"
echo "DROP VIEW offline.b;" >"$PROJECT/migration/offline/300.views/b/2021_01_01__00_00_00_b.rollback.sql"
echo "notes" >"$PROJECT/migration/offline/README.md"
mkdir -p "$WORK/elsewhere"
cd "$PROJECT/migration/offline" || exit 1
complete_line "rokso migrate --migration off"
expect_eq "$(tr '\n' ' ' <<<"$OUT")" "$A $B " "identities from a directory inside the project"
complete_line "rokso show offline/3"
expect_eq "$OUT" "$B" "show <TAB>: the rollback half and README are not identities"
cd "$WORK/elsewhere" || exit 1
complete_line "rokso -C $PROJECT mark --pending "
expect_eq "$(tr '\n' ' ' <<<"$OUT")" "$A $B " "identities of the project -C names"
complete_line "rokso show "
expect_eq "$OUT" "" "no project here: no identities"

# --- revisions from the version table; kinds and formats from the plugins -----------------
cd "$PROJECT" || exit 1
run rokso migrate
expect_code 0
R=$(sql "SELECT DISTINCT version FROM offline.rokso_db_version")
complete_line "rokso rollback --version "
expect_eq "$OUT" "$R" "rollback --version <TAB>"
complete_line "rokso create --type "
for kind in T V M F D; do expect_reply "$kind" "kinds"; done
complete_line "rokso create --format "
for format in py sql yaml; do expect_reply "$format" "formats"; done
expect_eq "$(sql "SELECT count(*) FROM offline.rokso_db_version")" 2 "completion changed nothing"

finish
