#!/usr/bin/env bash
# kill -9 during `rokso remap` leaves no file without its row and no row without its file.
# remap writes into migration/.rokso-remap-<revision>/ (hidden: no command sees it),
# commits the rows, then moves the files into place. Here it is killed while it waits to
# insert its rows (another session holds the version table in SHARE mode, so every file
# is written by then): no file in the tree, no row; the next remap deletes the leftover
# and does the whole job. A crash after the rows committed but before the files moved is
# replayed by hand: the next remap moves them into place.
# shellcheck disable=SC1091
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

trap '[ -n "${HOLDER_PID:-}" ] && kill "$HOLDER_PID" 2>/dev/null; [ -n "${REMAP_PID:-}" ] && kill -9 "$REMAP_PID" 2>/dev/null; cleanup' EXIT

new_database
for i in $(seq 1 40); do
  sql "CREATE TABLE offline.t$i (id int PRIMARY KEY, note text); CREATE VIEW offline.v$i AS SELECT id FROM offline.t$i"
done
new_project
cd "$PROJECT" || exit 1

tree_files() { find "$PROJECT/migration" -type f -not -path '*/.rokso-remap-*' | wc -l; }
staged_files() { find "$PROJECT/migration" -type f -path '*/.rokso-remap-*' | wc -l; }

# --- killed before its rows commit ---------------------------------------------------------
PGAPPNAME=t1020-holder "$PG_BIN/psql" -XAtq -h "$ROKSO_TEST_PGHOST" -p "$ROKSO_TEST_PGPORT" -U postgres -d "$DB" \
  -c "BEGIN; LOCK TABLE offline.rokso_db_version IN SHARE MODE; SELECT pg_sleep(120)" >/dev/null 2>&1 &
HOLDER_PID=$!
for _ in $(seq 1 100); do
  [ "$(sql "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE a.application_name = 't1020-holder' AND l.mode = 'ShareLock' AND l.granted")" = 1 ] && break
  sleep 0.05
done
(cd "$PROJECT" && exec rokso remap --schemas offline --yes >"$WORK/remap.out" 2>"$WORK/remap.err" </dev/null) &
REMAP_PID=$!
WAITING=""
for _ in $(seq 1 600); do
  WAITING=$(sql "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'rokso remap' AND datname = current_database() AND wait_event_type = 'Lock'")
  [ "$WAITING" = 1 ] && break
  kill -0 "$REMAP_PID" 2>/dev/null || break
  sleep 0.05
done
expect_eq "$WAITING" 1 "remap waits to record its rows"
kill -9 "$REMAP_PID"
wait "$REMAP_PID" 2>/dev/null
REMAP_PID=""
sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 't1020-holder'" >/dev/null
wait "$HOLDER_PID" 2>/dev/null
HOLDER_PID=""

expect_eq "$(sql "SELECT count(*) FROM offline.rokso_db_version")" 0 "rows after kill -9 before the commit"
expect_eq "$(tree_files)" 0 "files in the tree after kill -9 before the commit"
[ "$(staged_files)" -gt 0 ] && pass || fail "the staged files of the killed remap are not where they were written"
run rokso status
expect_code 0 "status after the killed remap"
expect_out "No new migration to process."

# The next remap deletes what the killed one staged, and does the whole job.
run rokso remap --schemas offline --yes
expect_code 0 "remap after a killed remap"
expect_err "removed '$PROJECT/migration/.rokso-remap-"
expect_eq "$(staged_files)" 0 "staged files after the second remap"
expect_eq "$(find "$PROJECT/migration" -maxdepth 1 -name '.rokso-remap-*' | wc -l)" 0 "staging directories left"
FILES=$(tree_files)
expect_eq "$(sql "SELECT count(*) FROM offline.rokso_db_version WHERE status = 'complete'")" "$FILES" "one row per file"
[ "$FILES" -ge 80 ] && pass || fail "only $FILES files remapped"
run rokso status
expect_code 0
expect_no_out "missing"
expect_out "No new migration to process."

# --- rows committed, files not moved yet (a crash during the moves) ------------------------
REV=$(sql "SELECT DISTINCT version FROM offline.rokso_db_version")
mkdir "$PROJECT/migration/.rokso-remap-$REV"
mv "$PROJECT/migration/offline" "$PROJECT/migration/.rokso-remap-$REV/offline"
# One file had been moved already.
ONE=$(cd "$PROJECT/migration/.rokso-remap-$REV" && find offline -type f | head -1)
mkdir -p "$(dirname "$PROJECT/migration/$ONE")"
mv "$PROJECT/migration/.rokso-remap-$REV/$ONE" "$PROJECT/migration/$ONE"
run rokso remap --schemas offline --yes
expect_code 0 "remap finishing an interrupted one"
expect_out "finished the remap of revision $REV that was interrupted: $((FILES - 1)) file(s) moved into place"
expect_eq "$(tree_files)" "$FILES" "files after finishing"
expect_eq "$(staged_files)" 0 "staged files after finishing"
expect_eq "$(sql "SELECT count(*) FROM offline.rokso_db_version WHERE version = '$REV'")" "$FILES" "rows after finishing"
run rokso status
expect_code 0
expect_no_out "missing"

finish
