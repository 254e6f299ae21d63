#!/usr/bin/env bash
# kill -9 of `rokso migrate` at random moments: afterwards every migration is applied
# and recorded, or neither, and a re-run finishes the job. Then several `rokso migrate`
# started at once on a fresh database apply each migration exactly once.
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

N=${CRASH_MIGRATIONS:-150}
new_database
new_project
cd "$PROJECT"
sql "CREATE TABLE offline.applied_log (n int NOT NULL)"
for i in $(seq -w 1 "$N"); do
  write_py "migration/offline/200.tables/t$i/2021_01_01__00_00_00_create.py" \
    "CREATE TABLE offline.t$i (id int);
INSERT INTO offline.applied_log VALUES ($((10#$i)));
SELECT pg_sleep(0.01);" "DROP TABLE offline.t$i; DELETE FROM offline.applied_log WHERE n = $((10#$i));"
done

# Every migration: table, log row and version row all present, or all absent.
check_invariant() {
  local broken
  broken=$(sql "WITH m AS (SELECT g AS n, lpad(g::text, ${#N}, '0') AS k FROM generate_series(1, $N) g)
    SELECT count(*) FROM m
    WHERE (to_regclass('offline.t' || k) IS NOT NULL)::int
        + (EXISTS (SELECT 1 FROM offline.applied_log l WHERE l.n = m.n))::int
        + (EXISTS (SELECT 1 FROM offline.rokso_db_version v WHERE v.filename = 'offline/200.tables/t' || k || '/2021_01_01__00_00_00_create.py' AND v.status = 'complete'))::int
      NOT IN (0, 3)")
  expect_eq "$broken" 0 "migrations half-applied after kill ($1)"
}

kills=0
for round in $(seq 1 12); do
  rokso migrate >/dev/null 2>&1 &
  pid=$!
  sleep "0.$((RANDOM % 4))$((RANDOM % 10))"
  if kill -0 "$pid" 2>/dev/null; then
    kill -9 "$pid" 2>/dev/null && kills=$((kills + 1))
  fi
  wait "$pid" 2>/dev/null
  check_invariant "round $round"
done
[ "$kills" -gt 0 ] && pass || fail "no migrate was ever killed mid-run"

# A re-run completes the job, waiting out any backend of a killed client.
run rokso migrate --lock-wait 60
expect_code 0 "re-run after kills"
check_invariant final
expect_eq "$(sql "SELECT count(*) || ' ' || count(DISTINCT n) FROM offline.applied_log")" "$N $N" "each applied exactly once"
expect_eq "$(sql "SELECT count(*) FROM offline.rokso_db_version WHERE status = 'complete'")" "$N" "all recorded"

# Ctrl-C: exit 130, nothing half-applied.
sql "DELETE FROM offline.rokso_db_version; DELETE FROM offline.applied_log"
for i in $(seq -w 1 "$N"); do sql "DROP TABLE offline.t$i"; done
rokso migrate >/dev/null 2>&1 &
pid=$!
# Interrupt mid-run: once the first migrations are recorded, with most still to go.
wait_until "SELECT count(*) > 0 FROM offline.rokso_db_version" 60 "migrate to record its first migration"
kill -INT "$pid"
wait "$pid"
CODE=$?
expect_code 130 "interrupted"
check_invariant "after SIGINT"
[ "$(sql "SELECT count(*) FROM offline.rokso_db_version")" -lt "$N" ] && pass || fail "SIGINT landed after the run was over"

# Race: 6 processes at once on a fresh database with no version table yet.
new_database
sql "CREATE TABLE offline.applied_log (n int NOT NULL)"
pids=()
for p in 1 2 3 4 5 6; do
  rokso migrate --lock-wait 120 >"$WORK/race.$p.out" 2>&1 &
  pids+=($!)
done
codes=""
for pid in "${pids[@]}"; do
  wait "$pid"
  codes="$codes$?"
done
CODE=0; OUT=$(cat "$WORK"/race.*.out); ERR=""
expect_eq "$codes" "000000" "every racing migrate exits 0"
check_invariant race
expect_eq "$(sql "SELECT count(*) || ' ' || count(DISTINCT n) FROM offline.applied_log")" "$N $N" "each applied exactly once in the race"
expect_eq "$(sql "SELECT count(DISTINCT version) FROM offline.rokso_db_version")" 1 "one run applied everything"
expect_eq "$(grep -c 'Nothing to migrate' <<<"$OUT")" 5 "the other five found nothing to do"

finish
