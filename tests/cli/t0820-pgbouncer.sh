#!/usr/bin/env bash
# Behind PgBouncer in transaction pooling mode (README: "Behind a connection pooler"):
# the default session lock refuses clearly; lock_mode "lease" migrates, keeps four
# concurrent migrates (and a mix of modes) to one writer, survives a migration longer
# than the lease, stops when its lease is taken over, and a kill -9'd holder's lease
# expires. The migration settings reach each migration's transaction (SET LOCAL) and
# leak into nobody's server connection.
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"
. "$ROKSO_SOURCE_DIR/tests/lib/pgbouncer.sh"

pgbouncer_available || skip_all "pgbouncer is not installed (share/scripts/install-deps.sh installs it)"

new_database
new_project
pgbouncer_start transaction || { fail "pgbouncer did not start"; finish; }
cd "$PROJECT"
VT='offline.rokso_db_version'
LT='offline.rokso_db_version_lock'

# config.json pointing at PgBouncer; $1: extra top-level keys, e.g. '"lock_mode": "lease",'
pooled_config() {
  cat >config.json <<JSON
{ $1
  "database": { "database": "$DB", "dbschema": "offline", "host": "127.0.0.1",
                "password": "tutorial-secret", "port": "$PGB_PORT", "user": "pguser" } }
JSON
}
rokso_locks() {
  sql "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = 1919904627 AND objsubid = 2
       AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
}

# (a) The default session lock behind a transaction pooler: refused, nothing taken or set.
write_py migration/offline/200.tables/a/2021_01_01__00_00_00_a.py "CREATE TABLE offline.a (id int);" "DROP TABLE offline.a;"
pooled_config ""
run rokso migrate
expect_code 1 "session lock behind a transaction pooler"
expect_one_line_error "connected through a connection pooler"
expect_err '"lock_mode": "lease"'
expect_err "ROKSO_LOCK_MODE=lease"
expect_eq "$(sql "SELECT to_regclass('offline.a') IS NULL")" t "nothing applied"
expect_eq "$(rokso_locks)" 0 "no advisory lock left on a pooled server connection"
expect_eq "$(pgb_sql "SHOW lock_timeout")" 0 "no session setting leaked into the pool"
run rokso rollback --yes
expect_code 1 "rollback refuses too"
expect_err "connection pooler"
run rokso status
expect_code 0 "status needs no lock"
expect_out "pending"

# The environment picks the mode for one run.
ROKSO_LOCK_MODE=lease run rokso migrate
expect_code 0 "ROKSO_LOCK_MODE=lease through PgBouncer"
expect_out "Your database is at revision#"
expect_eq "$(sql "SELECT count(*) FROM $VT WHERE status = 'complete'")" 1 "recorded"
expect_eq "$(sql "SELECT count(*) FROM $LT")" 0 "lease released at the end"
ROKSO_LOCK_MODE=bogus run rokso migrate
expect_code 2 "bad ROKSO_LOCK_MODE"
expect_one_line_error "ROKSO_LOCK_MODE"

# config.json's keys are checked.
pooled_config '"lock_mode": "exclusive",'
run rokso migrate
expect_code 2 "bad lock_mode"
expect_one_line_error 'lock mode must be "session" or "lease"'
pooled_config '"lock_lease_expiry": 0,'
run rokso migrate
expect_code 2 "bad lock_lease_expiry"
expect_one_line_error '"lock_lease_expiry" must be a number of seconds'

# init through the pooler: refused in session mode before anything is written; fine in lease mode.
init_via_pool() {
  run rokso init --projectpath "$WORK/viapool" --dbhost 127.0.0.1 --dbport "$PGB_PORT" --dbname "$DB" \
    --dbusername pguser --dbpassword tutorial-secret --dbschema online
}
init_via_pool
expect_code 1 "init in session mode through the pooler"
expect_err "connection pooler"
[ ! -e "$WORK/viapool/config.json" ] && pass || fail "init wrote config.json after refusing"
ROKSO_LOCK_MODE=lease init_via_pool
expect_code 0 "init in lease mode through the pooler"
expect_eq "$(sql "SELECT to_regclass('online.rokso_db_version') IS NOT NULL")" t "init made the version table"

# (b) lease mode in config.json.
pooled_config '"lock_mode": "lease",'
write_py migration/offline/200.tables/b/2021_01_01__00_00_00_b.py "CREATE TABLE offline.b (id int);" "DROP TABLE offline.b;"
run rokso migrate
expect_code 0 "lease mode through PgBouncer"
expect_eq "$(sql "SELECT to_regclass('offline.b') IS NOT NULL")" t "applied"
echo y | rokso rollback >/dev/null 2>&1
expect_eq "$(sql "SELECT to_regclass('offline.b') IS NULL")" t "rollback works through PgBouncer"
expect_eq "$(sql "SELECT count(*) FROM $LT")" 0 "lease released after rollback"
run rokso migrate
expect_code 0 "migrate again"

# rokso's lock_timeout reaches each migration through the pooler (SET LOCAL), and no
# session-level setting is left on the pooled server connections.
pooled_config '"lock_mode": "lease", "migrations": {"lock_timeout": "1s", "lock_retries": 0},'
sql "CREATE TABLE offline.busy (id int)"
PGOPTIONS="-c client_min_messages=warning" "$PG_BIN/psql" -XAtq -h "$ROKSO_TEST_PGHOST" -p "$ROKSO_TEST_PGPORT" -U postgres -d "$DB" \
  -c "BEGIN; LOCK TABLE offline.busy; SELECT pg_sleep(30); COMMIT;" >/dev/null 2>&1 &
locker=$!
for _ in $(seq 1 50); do
  [ "$(sql "SELECT count(*) FROM pg_locks WHERE relation = to_regclass('offline.busy') AND mode = 'AccessExclusiveLock' AND granted")" = 1 ] && break
  sleep 0.1
done
write_py migration/offline/200.tables/busy/2021_01_01__00_00_00_busy.py "ALTER TABLE offline.busy ADD COLUMN x int;" "ALTER TABLE offline.busy DROP COLUMN x;"
start=$(date +%s)
run rokso migrate
elapsed=$(( $(date +%s) - start ))
expect_code 1 "blocked migration gives up"
expect_err "55P03"
[ "$elapsed" -lt 10 ] && pass || fail "lock_timeout not applied behind the pooler: took ${elapsed}s"
kill "$locker" 2>/dev/null; wait "$locker" 2>/dev/null
sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '%pg_sleep(30)%' AND pid <> pg_backend_pid()" >/dev/null
run rokso migrate
expect_code 0 "the failed migration passes once the table is free"
expect_eq "$(pgb_sql "SHOW lock_timeout")" 0 "no session setting leaked into the pool"
pooled_config '"lock_mode": "lease",'

# Four concurrent migrates through PgBouncer with no version or lease table yet: each
# migration exactly once. (The schema is remade rather than the database, which would
# cut PgBouncer's pooled server connections.)
N=40
sql "DROP SCHEMA offline CASCADE; CREATE SCHEMA offline"
sql "CREATE TABLE offline.applied_log (n int NOT NULL)"
rm -rf migration/offline
for i in $(seq -w 1 $N); do
  write_py "migration/offline/200.tables/t$i/2021_01_01__00_00_00_create.py" \
    "CREATE TABLE offline.t$i (id int);
INSERT INTO offline.applied_log VALUES ($((10#$i)));
SELECT pg_sleep(0.02);" "DROP TABLE offline.t$i;"
done
race() {
  local pids=() p codes="" n=0
  for p in "$@"; do
    n=$((n + 1))
    if [ "$p" = direct ]; then
      # The same project straight to PostgreSQL in session mode.
      (cd "$WORK/direct" && rokso migrate --lock-wait 120) >"$WORK/race.$n.out" 2>&1 &
    else
      rokso migrate --lock-wait 120 >"$WORK/race.$n.out" 2>&1 &
    fi
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p"; codes="$codes$?"; done
  CODE=0; OUT=$(cat "$WORK"/race.*.out); ERR=""
  rm -f "$WORK"/race.*.out
  RACE_CODES=$codes
}
check_all_once() {
  expect_eq "$(sql "SELECT count(*) || ' ' || count(DISTINCT n) FROM offline.applied_log")" "$N $N" "each applied exactly once ($1)"
  expect_eq "$(sql "SELECT count(*) FROM $VT WHERE status = 'complete'")" "$N" "all recorded ($1)"
  expect_eq "$(sql "SELECT count(*) FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace WHERE s.nspname = 'offline' AND c.relname ~ '^t[0-9]+$'")" "$N" "every table created ($1)"
  expect_eq "$(sql "SELECT count(DISTINCT version) FROM $VT")" 1 "one run applied everything ($1)"
}
race pooled pooled pooled pooled
expect_eq "$RACE_CODES" "0000" "every racing migrate exits 0"
check_all_once "4 through PgBouncer"
expect_eq "$(grep -c 'Nothing to migrate' <<<"$OUT")" 3 "the other three found nothing to do"
expect_eq "$(sql "SELECT count(*) FROM $LT")" 0 "no lease left"

# A mix: two through PgBouncer in lease mode, two straight to PostgreSQL in session mode.
mkdir -p "$WORK/direct"
ln -s "$PROJECT/migration" "$WORK/direct/migration"
cat >"$WORK/direct/config.json" <<JSON
{ "database": { "database": "$DB", "dbschema": "offline", "host": "$ROKSO_TEST_PGHOST",
                "password": "", "port": "$ROKSO_TEST_PGPORT", "user": "postgres" } }
JSON
sql "DELETE FROM $VT; DELETE FROM offline.applied_log"
for i in $(seq -w 1 $N); do sql "DROP TABLE offline.t$i"; done
race pooled direct pooled direct
expect_eq "$RACE_CODES" "0000" "every racing migrate exits 0 (mixed modes)"
check_all_once "lease and session mixed"

# A migration longer than the lease: the lease is renewed while it runs, so a second
# migrate waits instead of taking over.
pooled_config '"lock_mode": "lease", "lock_lease_expiry": 3,'
write_py migration/offline/200.tables/slow/2021_01_01__00_00_00_slow.py \
  "SELECT pg_sleep(6); CREATE TABLE offline.slow (id int); INSERT INTO offline.applied_log VALUES (1000);" "DROP TABLE offline.slow;"
rokso migrate >"$WORK/slow.out" 2>&1 &
slow=$!
# Start the second migrate once the first lease would have expired had it not been renewed.
wait_until "SELECT EXISTS (SELECT 1 FROM $LT WHERE now() > acquired_at + interval '3.5 s' AND expires_at > now())
  AND EXISTS (SELECT 1 FROM pg_stat_activity WHERE query LIKE '%pg_sleep(6)%' AND pid <> pg_backend_pid())" 60 \
  "the slow migration to outlive its first lease"
run rokso migrate --lock-wait 30
expect_code 0 "the second migrate waits for the renewed lease"
expect_err "waiting for another rokso migrate/rollback (lease held by rokso pid $slow"
expect_out "Nothing to migrate"
wait "$slow"
expect_eq "$?" 0 "the slow migrate kept its lease and finished"
expect_eq "$(sql "SELECT count(*) FROM offline.applied_log WHERE n = 1000")" 1 "the slow migration ran once"

# A holder whose lease is taken over stops at once; its migration is rolled back.
write_py migration/offline/200.tables/stolen/2021_01_01__00_00_00_stolen.py \
  "CREATE TABLE offline.stolen (id int); SELECT pg_sleep(20);" "DROP TABLE offline.stolen;"
rokso migrate >"$WORK/stolen.out" 2>"$WORK/stolen.err" &
victim=$!
for _ in $(seq 1 50); do
  [ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '%pg_sleep(20)%' AND pid <> pg_backend_pid()")" = 1 ] && break
  sleep 0.1
done
sql "UPDATE $LT SET holder = 'someone else'"
start=$(date +%s)
wait "$victim"
CODE=$?; OUT=$(cat "$WORK/stolen.out"); ERR=$(cat "$WORK/stolen.err")
expect_code 1 "a holder that lost its lease stops"
expect_err "lost the migration lease"
[ $(( $(date +%s) - start )) -lt 5 ] && pass || fail "took too long to notice the lost lease"
sql "DELETE FROM $LT"
for _ in $(seq 1 50); do
  [ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '%pg_sleep(20)%' AND pid <> pg_backend_pid()")" = 0 ] && break
  sleep 0.1
done
expect_eq "$(sql "SELECT to_regclass('offline.stolen') IS NULL")" t "its migration was rolled back"
expect_eq "$(sql "SELECT count(*) FROM $VT WHERE filename LIKE '%stolen%'")" 0 "and not recorded"

# (c) kill -9 of a holder: its lease blocks others only until it expires (3 s here).
rokso migrate >/dev/null 2>&1 &
holder=$!
for _ in $(seq 1 50); do
  [ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '%pg_sleep(20)%' AND pid <> pg_backend_pid()")" = 1 ] && break
  sleep 0.1
done
expect_eq "$(sql "SELECT held_by FROM $LT")" "rokso pid $holder on host $(cat /proc/sys/kernel/hostname)" "the lease names its holder"
kill -9 "$holder"
wait "$holder" 2>/dev/null
killed_at=$(date +%s%N)
write_py migration/offline/200.tables/stolen/2021_01_01__00_00_00_stolen.py "CREATE TABLE offline.stolen (id int);" "DROP TABLE offline.stolen;"
run rokso migrate --lock-wait 30
waited_ms=$(( ($(date +%s%N) - killed_at) / 1000000 ))
expect_code 0 "the next migrate proceeds after the dead holder's lease expired"
expect_err "lease held by rokso pid $holder"
[ "$waited_ms" -ge 1000 ] && [ "$waited_ms" -lt 6000 ] && pass || fail "waited ${waited_ms} ms for a 3 s lease"
expect_eq "$(sql "SELECT count(*) FROM $VT WHERE filename LIKE '%stolen%' AND status = 'complete'")" 1 "applied once"
expect_eq "$(sql "SELECT count(*) FROM $LT")" 0 "no lease left"

# lease mode straight to PostgreSQL works too (no pooler needed).
(cd "$WORK/direct" && ROKSO_LOCK_MODE=lease rokso migrate) >/dev/null 2>&1
expect_eq "$?" 0 "lease mode without a pooler"

finish
