#!/usr/bin/env bash
# How output looks: -q (errors only) and --color=auto|always|never / NO_COLOR, before or
# after the command; colour only on a terminal by default (a pty from script(1));
# roksopsql's emoji unless the locale cannot show them, then the same words with ASCII
# markers; progress on stderr only on a terminal; status --short / --porcelain; JSON
# timestamps in ISO 8601 with their UTC offset.
# shellcheck disable=SC1091
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

new_database
new_project
cd "$PROJECT" || exit 1
M=migration/offline/200.tables
A=offline/200.tables/a/2021_01_01__00_00_00_a.py
B=offline/200.tables/b/2021_01_01__00_00_00_b.py
C=offline/200.tables/c/2021_01_01__00_00_00_c.py
write_py "migration/$A" "CREATE TABLE offline.a (id int);" "DROP TABLE offline.a;"
write_py "migration/$B" "CREATE TABLE offline.b (id int);" "DROP TABLE offline.b;"
ESC=$(printf '\033')
history() { sql "SELECT coalesce(string_agg(filename || ':' || status, ' ' ORDER BY id), '') FROM offline.rokso_db_version"; }
# on_tty <command...>: runs it on a pseudo-terminal; OUT holds what the terminal showed.
on_tty() {
  script -qec "export TERM=xterm; $*" /dev/null </dev/null >"$WORK/.tty" 2>&1
  CODE=$?
  OUT=$(tr -d '\r' <"$WORK/.tty")
  ERR=""
}

# --- status --short / --porcelain -----------------------------------------------------------
run rokso status --porcelain
expect_code 0
expect_eq "$OUT" "P $A
P $B" "porcelain: pending files"
run rokso status --short --format json
expect_code 2 "--short with --format json"
expect_one_line_error "exclude"

# --- -q: errors only, in either position; the work is done ----------------------------------
run rokso -q migrate
expect_code 0 "rokso -q migrate"
expect_eq "$OUT$ERR" "" "-q prints nothing on success"
expect_eq "$(history)" "$A:complete $B:complete" "-q migrate applied both"
run rokso status --porcelain
expect_eq "$OUT" "" "porcelain: nothing to say when up to date"
run rokso rollback --yes --quiet
expect_code 0 "rollback --quiet"
expect_eq "$OUT$ERR" "" "--quiet after the command"
expect_eq "$(history)" "" "rolled back"
write_py "migration/$C" "CREATE TABLE offline.c (id int); SELEC broken;" "DROP TABLE offline.c;"
run rokso -q migrate
expect_code 1 "a failure under -q"
expect_no_out "Applying migration file"
expect_err "error: Your migration '$C' has failed"
expect_eq "$(history)" "$A:complete $B:complete $C:error" "the failure is recorded"

# --- status --short after a failure, a modification, a deletion and an unknown file ---------
write_py "migration/$B" "CREATE TABLE offline.b (id int, changed int);" "DROP TABLE offline.b;"
mkdir -p migration/offline/200.tables/z && echo x >migration/offline/200.tables/z/notes.txt
D=offline/200.tables/d/2021_01_01__00_00_00_d.py
write_py "migration/$D" "CREATE TABLE offline.d (id int);" "DROP TABLE offline.d;"
run rokso status --porcelain
expect_code 0
expect_eq "$OUT" "F $C
M $B
P $D
? offline/200.tables/z/notes.txt" "porcelain after failure, change, new and unknown files"
run rokso status --short --exit-code --color=always
expect_code 1 "--short --exit-code"
expect_out "${ESC}[1;31mF${ESC}[m $C"
run rokso --color=always status --porcelain
expect_no_out "$ESC"
git_clean() { rm -rf migration/offline/200.tables/z; write_py "migration/$B" "CREATE TABLE offline.b (id int);" "DROP TABLE offline.b;"; }
git_clean
sql "DELETE FROM offline.rokso_db_version WHERE status = 'error'"
write_py "migration/$C" "CREATE TABLE offline.c (id int);" "DROP TABLE offline.c;"

# --- colour: never off a terminal unless asked; NO_COLOR; --color=never --------------------
run rokso status --exit-code
expect_no_out "$ESC"
run rokso --color=always migrate --migration "$C"
expect_code 0
expect_out "${ESC}[32m✅ Your database is at revision# "
run rokso --color=sometimes status
expect_code 2 "bad --color before the command"
expect_err "--color must be auto, always or never"
run rokso status --color=sometimes
expect_code 2 "bad --color after the command"
expect_one_line_error "--color must be auto, always or never, not 'sometimes'"
run rokso migrate --migration nope --color=always
expect_code 2
expect_err "${ESC}[1;31merror:${ESC}[m unknown migration"

on_tty "LC_ALL=C.UTF-8 rokso status --short"
expect_out "${ESC}[32mP${ESC}[m $D"
on_tty "NO_COLOR=1 LC_ALL=C.UTF-8 rokso status --short"
expect_no_out "$ESC"
expect_out "P $D"
on_tty "LC_ALL=C.UTF-8 rokso --color=never status --short"
expect_no_out "$ESC"

# --- emoji: kept in a UTF-8 locale (and with none, off a terminal); ASCII otherwise ---------
run rokso rollback --yes
expect_out "🔄 Rolling back file::  $C"
expect_out "✅ Rollback complete."
run env LC_ALL=C rokso migrate
expect_code 0 "migrate in the C locale"
expect_out "[*] Applying migration file:  $C"
expect_out "[ok] Your database is at revision# "
expect_no_out "✅"
expect_eq "$(history)" "$A:complete $B:complete $C:complete $D:complete" "applied in the C locale"
run env LC_ALL=C rokso rollback --yes
expect_out "[<-] Rolling back file::  $D"
expect_out "[ok] Rollback complete."
run env -u LC_ALL -u LC_CTYPE -u LANG rokso migrate
expect_out "🌀Applying migration file:  $C"
expect_out "✅ Your database is at revision# "
run rokso rollback --yes
on_tty "env -u LC_ALL -u LC_CTYPE -u LANG rokso migrate"
expect_out "[ok] Your database is at revision# "
run rokso rollback --yes
expect_eq "$(history)" "$A:complete $B:complete" "C and D rolled back"

# --- progress: on a terminal, on stderr; never in a log ------------------------------------
on_tty "stty cols 200; LC_ALL=C.UTF-8 rokso migrate"
expect_code 0 "migrate on a terminal"
expect_out "[1/2] $C"
expect_out "[2/2] $D"
expect_out "elapsed, about "
expect_out "✅ Your database is at revision# "
run rokso rollback --yes
expect_no_out "[1/2]"
expect_eq "$(history)" "$A:complete $B:complete" "rolled back after the terminal run"
run rokso migrate
expect_no_out "[1/"
expect_no_out "elapsed"

# --- JSON timestamps: ISO 8601 with the UTC offset -----------------------------------------
iso='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?[+-][0-9]{2}:[0-9]{2}$'
run rokso status --format json
expect_json "(doc -> 'recent_applied' -> 0 ->> 'executed_at') ~ '$iso'" t "status executed_at is ISO 8601"
expect_json "(doc -> 'recent_applied' -> 0 ->> 'scheduled_at') ~ '$iso'" t "status scheduled_at is ISO 8601"
expect_json "(doc -> 'recent_applied' -> 0 ->> 'executed_at')::timestamptz = (SELECT executedat::timestamptz FROM offline.rokso_db_version WHERE filename = '$A')" t \
  "executed_at names the stored instant"
run env PGTZ=Asia/Kolkata rokso last-success --format json
expect_json "(doc ->> 'executed_at') ~ '\+05:30$'" t "the offset is the session's (PGTZ)"
run rokso rollback --yes --dry-run --format json
expect_json "(doc -> 'files' -> 0 ->> 'executed_at') ~ '$iso'" t "rollback executed_at is ISO 8601"
run rokso -q status --format json
expect_json "doc ->> 'command'" status "-q keeps the JSON document that was asked for"

finish
