#!/usr/bin/env bash
# One writer at a time: a second migrate/rollback waits with a message, then proceeds
# or times out (exit 1); the lock dies with a killed holder.
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

new_database
new_project
cd "$PROJECT"
write_py migration/offline/200.tables/a/2021_01_01__00_00_00_a.py "CREATE TABLE offline.a (id int);" "DROP TABLE offline.a;"

hold_lock 30
run rokso migrate --lock-wait 1
expect_code 1 "lock timeout"
expect_err "waiting for another rokso migrate/rollback"
expect_err "timed out after 1 s"
expect_eq "$(sql "SELECT to_regclass('offline.a') IS NULL")" t "nothing applied without the lock"
ROKSO_LOCK_WAIT=0.5 run rokso rollback --yes
expect_code 1 "rollback also waits for the lock"
expect_err "timed out"

# The waiter proceeds once the holder goes away — here killed with -9, as a crashed rokso.
rokso migrate --lock-wait 30 >"$WORK/waiter.out" 2>"$WORK/waiter.err" &
waiter=$!
sleep 1
pkill -9 -P "$HOLDER" 2>/dev/null; kill -9 "$HOLDER" 2>/dev/null; wait "$HOLDER" 2>/dev/null
sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'SELECT pg_sleep(30)%' AND pid <> pg_backend_pid()" >/dev/null
wait "$waiter"
CODE=$?; OUT=$(cat "$WORK/waiter.out"); ERR=$(cat "$WORK/waiter.err")
expect_code 0 "waiter proceeds after the holder died"
expect_err "waiting for another rokso migrate/rollback (server process"
expect_eq "$(sql "SELECT to_regclass('offline.a') IS NOT NULL")" t "applied by the waiter"

# A rokso killed while it holds the lock (mid-migration) does not leave it stuck.
write_py migration/offline/200.tables/b/2021_01_01__00_00_00_b.py "SELECT pg_sleep(20); CREATE TABLE offline.b (id int);" "DROP TABLE offline.b;"
rokso migrate >/dev/null 2>&1 &
slow=$!
for _ in $(seq 1 50); do
  [ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '%SELECT pg_sleep(20)%' AND pid <> pg_backend_pid()")" = 1 ] && break
  sleep 0.1
done
kill -9 "$slow"
wait "$slow" 2>/dev/null
start=$(date +%s)
run rokso status
expect_out "pending"
# The server notices the dead client within about a second (client_connection_check_interval),
# aborts its transaction and frees the lock: the next migrate gets it well before pg_sleep(20) ends.
write_py migration/offline/200.tables/b/2021_01_01__00_00_00_b.py "CREATE TABLE offline.b (id int);" "DROP TABLE offline.b;"
run rokso migrate --lock-wait 15
expect_code 0 "lock freed after kill -9"
elapsed=$(( $(date +%s) - start ))
[ "$elapsed" -lt 10 ] && pass || fail "waited ${elapsed}s for a dead holder's lock"
expect_eq "$(sql "SELECT count(*) FROM offline.rokso_db_version")" 2 "both recorded once"

finish
