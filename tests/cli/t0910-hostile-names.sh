#!/usr/bin/env bash
# Names printed raw: a migration file name holding a terminal escape sequence (ESC, a C1
# CSI), a carriage return or a line break would clear the screen or forge lines in what
# status, migrate, rollback and show print. Every name is shown escaped (\x1b, \r, \n,
# \u009b); a name that is not UTF-8 is refused, its bytes escaped in the error. The rows
# keep the names exactly as they are on disk.
# shellcheck disable=SC1091
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

new_database
new_project
cd "$PROJECT" || exit 1
D="$PROJECT/migration/offline/200.tables/evil"
ESC_NAME=$'2021_01_01__00_00_01_clear\e[2J\e]0;owned\a.py'
NL_NAME=$'2021_01_01__00_00_02_a\nfake: everything is fine.py'
CR_NAME=$'2021_01_01__00_00_03_b\rhidden.py'
CSI_NAME=$'2021_01_01__00_00_04_c\xc2\x9b2J.py'
write_py "$D/$ESC_NAME" "CREATE TABLE offline.evil1 (id int);" "DROP TABLE offline.evil1;"
write_py "$D/$NL_NAME" "CREATE TABLE offline.evil2 (id int);" "DROP TABLE offline.evil2;"
write_py "$D/$CR_NAME" "CREATE TABLE offline.evil3 (id int);" "DROP TABLE offline.evil3;"
write_py "$D/$CSI_NAME" "CREATE TABLE offline.evil4 (id int);" "DROP TABLE offline.evil4;"

# No raw control character (but line breaks and tabs) and no C1 control in $OUT$ERR.
expect_clean() {
  if printf '%s%s' "$OUT" "$ERR" | LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]\|\xc2[\x80-\x9f]'; then
    fail "${1:-output} holds a raw control character"
  else
    pass
  fi
  if printf '%s\n%s\n' "$OUT" "$ERR" | grep -q '^fake: everything'; then fail "${1:-output}: a forged line"; else pass; fi
}

run rokso status
expect_code 0 "status with hostile names"
expect_clean "status"
expect_out 'clear\x1b[2J\x1b]0;owned\x07.py'
expect_out 'a\nfake: everything is fine.py'
expect_out 'b\rhidden.py'
expect_out 'c\u009b2J.py'

run rokso migrate --dry-run
expect_code 0 "migrate --dry-run with hostile names"
expect_clean "migrate --dry-run"
expect_out 'a\nfake: everything is fine.py'

run rokso show "offline/200.tables/evil/$NL_NAME"
expect_code 0 "show with a line break in the name"
expect_clean "show"
expect_out 'identity:     offline/200.tables/evil/2021_01_01__00_00_02_a\nfake: everything is fine.py'

run rokso migrate
expect_code 0 "migrate with hostile names"
expect_clean "migrate"
expect_out '🌀Applying migration file:  offline/200.tables/evil/2021_01_01__00_00_01_clear\x1b[2J'
# The rows hold the names exactly as on disk.
expect_eq "$(sql "SELECT count(*) FROM offline.rokso_db_version WHERE filename IN (E'offline/200.tables/evil/2021_01_01__00_00_01_clear\\x1b[2J\\x1b]0;owned\\x07.py', E'offline/200.tables/evil/2021_01_01__00_00_02_a\\nfake: everything is fine.py', E'offline/200.tables/evil/2021_01_01__00_00_03_b\\rhidden.py', 'offline/200.tables/evil/2021_01_01__00_00_04_c'||chr(155)||'2J.py') AND status = 'complete'")" 4 "rows with the exact names"
expect_eq "$(sql "SELECT count(*) FROM pg_tables WHERE schemaname = 'offline' AND tablename LIKE 'evil_'")" 4 "tables made"

run rokso status
expect_code 0
expect_clean "status after migrate"
expect_out 'a\nfake: everything is fine.py'

# A failing migration with a hostile name: the error names it escaped.
write_py "$D/2021_01_01__00_00_05_fail"$'\e[31m'".py" "SELECT 1/0;"
run rokso migrate
expect_code 1 "a failing migration with an escape sequence in its name"
expect_clean "a failed migrate"
expect_err "2021_01_01__00_00_05_fail\\x1b[31m.py"
expect_eq "$(sql "SELECT status FROM offline.rokso_db_version WHERE filename LIKE '%fail%'")" "error" "the failure is recorded"
rm -f "$D/2021_01_01__00_00_05_fail"$'\e[31m'".py"
sql "DELETE FROM offline.rokso_db_version WHERE status = 'error'"

# A name that is not UTF-8 is refused; its bytes are shown escaped.
write_py "$D/2021_01_01__00_00_06_"$'\xff\x1b'"x.py" "SELECT 1;"
run rokso migrate
expect_code 1 "a name that is not UTF-8"
expect_clean "an invalid UTF-8 name"
expect_err '\xff\x1bx.py'
rm -f "$D/2021_01_01__00_00_06_"$'\xff\x1b'"x.py"

run rokso rollback --yes
expect_code 0 "rollback with hostile names"
expect_clean "rollback"
expect_out 'Rolling back file::  offline/200.tables/evil/2021_01_01__00_00_02_a\nfake: everything is fine.py'
expect_eq "$(sql "SELECT count(*) FROM offline.rokso_db_version")" 0 "rows after rollback"
expect_eq "$(sql "SELECT count(*) FROM pg_tables WHERE schemaname = 'offline' AND tablename LIKE 'evil_'")" 0 "tables after rollback"

finish
