#!/usr/bin/env bash
# Output that survives a signal: stdout and stderr are line-buffered whatever they are
# written to, so a log file holds every line printed before SIGTERM or SIGINT; SIGTERM
# exits 143, SIGINT 130, and the database keeps only whole migrations.
# shellcheck disable=SC1091
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

new_database
new_project
cd "$PROJECT" || exit 1
M=migration/offline/200.tables
# Slow enough that the run is still going when a row exists.
for i in 1 2 3 4 5 6; do
  write_py "$M/s$i/2021_01_01__00_00_0${i}_s$i.py" "CREATE TABLE offline.s$i (id int);
SELECT pg_sleep(0.4);" "DROP TABLE offline.s$i;"
done
rows() { sql "SELECT count(*) FROM offline.rokso_db_version"; }

# whole_migrations: each migration's table exists exactly when its row does.
whole_migrations() {
  sql "SELECT count(*) FROM generate_series(1, 6) g
       WHERE (to_regclass('offline.s' || g) IS NOT NULL)
          <> EXISTS (SELECT 1 FROM offline.rokso_db_version WHERE filename LIKE '%/s' || g || '/%' AND status = 'complete')"
}

# --- SIGTERM, output to a file ------------------------------------------------------------
rokso migrate >"$WORK/log.out" 2>"$WORK/log.err" &
pid=$!
wait_until "SELECT count(*) >= 2 FROM offline.rokso_db_version" 60 "two migrations recorded"
kill -TERM "$pid"
wait "$pid"
CODE=$?
OUT=$(cat "$WORK/log.out"); ERR=$(cat "$WORK/log.err")
expect_code 143 "SIGTERM"
expect_err "terminated"
expect_eq "$(whole_migrations)" 0 "only whole migrations after SIGTERM"
recorded=$(rows)
[ "$recorded" -lt 6 ] && pass || fail "SIGTERM came after the run was over"
# The log holds the line of every committed migration (and of the one that was running).
for f in $(sql "SELECT filename FROM offline.rokso_db_version"); do
  grep -qF "Applying migration file:  $f" "$WORK/log.out" && pass || fail "log lacks the line of $f"
done
lines=$(grep -c "Applying migration file:" "$WORK/log.out")
[ "$lines" -ge "$recorded" ] && pass || fail "log holds $lines lines for $recorded migrations"

# --- SIGINT through a pipe: 130, the lines are in the pipe's reader ------------------------
# rokso execs rokso-migrate: the pid the shell had is the command's.
bash -c 'echo $$ >"$1"; exec rokso migrate 2>"$2"' _ "$WORK/int.pid" "$WORK/int.err" | cat >"$WORK/int.out" &
wait_until "SELECT count(*) > $recorded FROM offline.rokso_db_version" 60 "one more migration recorded"
kill -INT "$(cat "$WORK/int.pid")"
wait
ERR=$(cat "$WORK/int.err"); OUT=$(cat "$WORK/int.out")
expect_err "interrupted"
expect_eq "$(whole_migrations)" 0 "only whole migrations after SIGINT"
for f in $(sql "SELECT filename FROM offline.rokso_db_version WHERE id > $recorded"); do
  grep -qF "Applying migration file:  $f" "$WORK/int.out" && pass || fail "piped output lacks the line of $f"
done

# A re-run finishes the job.
run rokso migrate
expect_code 0 "re-run"
expect_eq "$(rows)" 6 "all recorded"
expect_eq "$(whole_migrations)" 0 "all whole"

finish
