#!/usr/bin/env bash
# Secrets at rest: a core dump of rokso would hold the database password, so every command
# runs with core dumps off (RLIMIT_CORE 0, not dumpable) whatever `ulimit -c` says; and a
# config.json that holds a password and is readable by group or others gets a warning
# that says chmod 600.
# shellcheck disable=SC1091
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

trap '[ -n "${MIGRATE_PID:-}" ] && kill -9 "$MIGRATE_PID" 2>/dev/null; release_lock 2>/dev/null; cleanup' EXIT

new_database
new_project
cd "$PROJECT" || exit 1
write_py "$PROJECT/migration/offline/200.tables/a/2021_01_01__00_00_00_a.py" "CREATE TABLE offline.a (id int);"
python3 - "$PROJECT/config.json" <<'PY'
import json, sys
path = sys.argv[1]
doc = json.load(open(path))
doc["database"]["password"] = "t0950-at-rest"   # trust auth: never checked, only held
json.dump(doc, open(path, "w"), indent=4)
PY

# --- core dumps: a migrate waiting for the lock, its limits read from /proc ----------------
ulimit -c unlimited 2>/dev/null || ulimit -S -c "$(ulimit -H -c)"
hold_lock 60
rokso migrate >"$WORK/migrate.out" 2>"$WORK/migrate.err" </dev/null &
MIGRATE_PID=$!
for _ in $(seq 1 200); do
  grep -q "waiting for another rokso" "$WORK/migrate.err" && break
  sleep 0.05
done
expect_eq "$(grep -c "waiting for another rokso" "$WORK/migrate.err")" 1 "migrate waits for the lock"
expect_eq "$(awk '/^Max core file size/ {print $5, $6}' "/proc/$MIGRATE_PID/limits")" "0 0" "core file size limit of a running rokso"
release_lock
wait "$MIGRATE_PID"
CODE=$?
MIGRATE_PID=""
expect_code 0 "migrate after the lock is released"
expect_eq "$(sql "SELECT count(*) FROM offline.rokso_db_version WHERE status = 'complete'")" 1 "the migration is applied"

# --- a readable config.json holding a password ----------------------------------------------
chmod 644 config.json
run rokso status
expect_code 0 "status with a world-readable config.json"
expect_err "warning: $PROJECT/config.json holds the database password and can be read by other users; run: chmod 600 '$PROJECT/config.json'"
expect_no_out "t0950-at-rest"
chmod 640 config.json
run rokso last-success
expect_code 0
expect_err "can be read by other users; run: chmod 600"
chmod 600 config.json
run rokso status
expect_code 0 "status with config.json 0600"
expect_eq "$ERR" "" "stderr with config.json 0600"
# No password in the file: nothing to protect, no warning.
python3 - "$PROJECT/config.json" <<'PY'
import json, sys
path = sys.argv[1]
doc = json.load(open(path))
doc["database"]["password"] = ""
json.dump(doc, open(path, "w"), indent=4)
PY
chmod 644 config.json
run rokso status
expect_code 0
expect_eq "$ERR" "" "stderr with a readable config.json without a password"
expect_eq "$(sql "SELECT count(*) FROM offline.rokso_db_version")" 1 "version table rows"

finish
