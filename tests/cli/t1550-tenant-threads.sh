#!/usr/bin/env bash
# A fleet of tenants runs as threads of one rokso process: each worker keeps its
# connection from one tenant to the next (the tenants see at most --jobs server
# processes), and drops it after a failure; a failing tenant stops the fleet unless
# --keep-going, with its error lines prefixed; SIGINT lets the tenants in flight finish
# and starts no other, every tenant's version table left consistent.
# shellcheck disable=SC1091
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

new_database
TENANTS="t1 t2 t3 t4 t5 t6"
for t in $TENANTS; do sql "CREATE SCHEMA tenant_$t"; done
sql 'CREATE TABLE public.seen (tenant text, pid int); CREATE TABLE public.gate (id int)'
new_project "$WORK/project"
cat >"$PROJECT/config.json" <<JSON
{"database": {"database": "$DB", "dbschema": "offline", "host": "$ROKSO_TEST_PGHOST",
              "port": "$ROKSO_TEST_PGPORT", "user": "postgres"},
 "tenants": {"schemas": "tenant_*"}}
JSON
TPL="$PROJECT/migration/{tenant}/200.tables"
mkdir -p "$TPL/a" "$TPL/b" "$TPL/c"
# a records which server process ran it; b waits at the gate (a lock the test may hold).
echo "CREATE TABLE {tenant}.a (id int); INSERT INTO public.seen VALUES ('{tenant}', pg_backend_pid());" \
  >"$TPL/a/2021_01_01__00_00_01_a.apply.sql"
echo "DROP TABLE {tenant}.a;" >"$TPL/a/2021_01_01__00_00_01_a.rollback.sql"
echo "LOCK TABLE public.gate IN SHARE MODE; CREATE TABLE {tenant}.b (id int);" >"$TPL/b/2021_01_01__00_00_02_b.apply.sql"
echo "DROP TABLE {tenant}.b;" >"$TPL/b/2021_01_01__00_00_02_b.rollback.sql"
echo "CREATE TABLE {tenant}.c (id int);" >"$TPL/c/2021_01_01__00_00_03_c.apply.sql"
echo "DROP TABLE {tenant}.c;" >"$TPL/c/2021_01_01__00_00_03_c.rollback.sql"
A='{tenant}/200.tables/a/2021_01_01__00_00_01_a.apply.sql'
B='{tenant}/200.tables/b/2021_01_01__00_00_02_b.apply.sql'
C='{tenant}/200.tables/c/2021_01_01__00_00_03_c.apply.sql'
cd "$PROJECT" || exit 1
rows() { sql "SELECT coalesce(string_agg(status, ' ' ORDER BY filename), '') FROM tenant_$1.rokso_db_version" 2>/dev/null || echo "<none>"; }
tables() { sql "SELECT coalesce(string_agg(relname, ' ' ORDER BY relname), '') FROM pg_class WHERE relnamespace = 'tenant_$1'::regnamespace AND relname IN ('a', 'b', 'c')"; }
reset_tenants() {
  for t in $TENANTS; do sql "DROP SCHEMA tenant_$t CASCADE; CREATE SCHEMA tenant_$t"; done
  sql 'TRUNCATE public.seen'
}

# --- every tenant migrated, on at most --jobs server processes -----------------------------
run rokso migrate --all-tenants --jobs 2
expect_code 0 "fleet of 6 tenants"
for t in $TENANTS; do
  expect_eq "$(rows "$t")" "complete complete complete" "tenant_$t's own version rows"
  expect_eq "$(tables "$t")" "a b c" "tenant_$t's tables"
done
expect_eq "$(sql "SELECT count(*) FROM public.seen")" 6 "each tenant's first migration ran once"
expect_eq "$(sql "SELECT count(DISTINCT pid) <= 2 FROM public.seen")" t "two workers' connections served six tenants"
expect_out "[tenant_t6] migrated: 3 applied"
expect_out "6 tenants: 6 succeeded, 0 failed, 0 skipped"
run rokso migrate --all-tenants --format json
expect_code 0 "again, as JSON"
expect_json "doc->>'fleet'" tenants
expect_json "doc->'counts'->>'succeeded'" 6
expect_json "doc->'tenants'->0->'result'->>'outcome'" nothing_to_migrate "each tenant's own document"

# --- a failing tenant stops the fleet, unless --keep-going ---------------------------------
reset_tenants
sql 'CREATE TABLE tenant_t2.b (x int)'   # tenant_t2's b will fail
run rokso migrate --all-tenants --jobs 1
expect_code 1 "tenant_t2 failed"
expect_eq "$(rows t1)" "complete complete complete" "tenant_t1 before it migrated"
expect_eq "$(rows t2)" "complete error" "tenant_t2 recorded its failure"
for t in t3 t4 t5 t6; do expect_eq "$(rows "$t")" "<none>" "tenant_$t not started"; done
expect_err "[tenant_t2] error: Your migration '$B' has failed"
expect_err "error: 1 of 6 tenants failed; 4 not started"
run rokso migrate --all-tenants --jobs 2 --keep-going
expect_code 1 "tenant_t2 fails again"
for t in t1 t3 t4 t5 t6; do expect_eq "$(rows "$t")" "complete complete complete" "tenant_$t with --keep-going"; done
expect_eq "$(rows t2)" "complete error" "tenant_t2 still failed"
expect_out "6 tenants: 5 succeeded, 1 failed, 0 skipped"

# --- a tenant that loses its connection: the worker's next tenant connects afresh ----------
reset_tenants
echo "SELECT pg_terminate_backend(pg_backend_pid()) WHERE current_schema() = 'tenant_t1';
CREATE TABLE {tenant}.c (id int);" >"$TPL/c/2021_01_01__00_00_03_c.apply.sql"
run rokso migrate --all-tenants --jobs 1 --keep-going
expect_code 1 "tenant_t1 lost its connection"
expect_err "[tenant_t1] error: lost the database connection"
expect_eq "$(rows t1)" "complete complete" "tenant_t1: its third migration rolled back with the connection"
expect_eq "$(tables t1)" "a b" "and its table with it"
for t in t2 t3 t4 t5 t6; do expect_eq "$(rows "$t")" "complete complete complete" "tenant_$t after it, on a new connection"; done
echo "CREATE TABLE {tenant}.c (id int);" >"$TPL/c/2021_01_01__00_00_03_c.apply.sql"

# A fleet of two workers whose first tenants wait at public.gate, sent one SIGINT once
# both wait; returns when the fleet said it was interrupted. $FLEET is its pid.
interrupt_fleet_at_gate() {
  reset_tenants
  hold_table_lock public.gate
  rokso migrate --all-tenants --jobs 2 --lock-timeout 60s >"$WORK/int.out" 2>"$WORK/int.err" </dev/null &
  FLEET=$!
  wait_until "SELECT count(*) = 2 FROM pg_locks WHERE relation = 'public.gate'::regclass AND NOT granted" 60 \
    "two tenants waiting at the gate"
  kill -INT "$FLEET"
  for _ in $(seq 1 600); do grep -q "^interrupted: " "$WORK/int.err" && break; sleep 0.05; done
}

# --- SIGINT: the tenants in flight finish, no other starts ---------------------------------
interrupt_fleet_at_gate
expect_eq "$(grep -c "^interrupted: the tenants running finish" "$WORK/int.err")" 1 "the fleet says what it does"
expect_eq "$(sql "SELECT count(*) FROM pg_locks WHERE relation = 'public.gate'::regclass AND NOT granted")" 2 \
  "both tenants still at the gate: SIGINT did not end them"
release_table_lock public.gate
wait "$FLEET"
CODE=$?
expect_code 130 "interrupted fleet"
for t in t1 t2; do
  expect_eq "$(rows "$t")" "complete complete complete" "tenant_$t, in flight, finished"
  expect_eq "$(tables "$t")" "a b c" "tenant_$t's tables"
done
for t in t3 t4 t5 t6; do expect_eq "$(rows "$t")" "<none>" "tenant_$t not started after SIGINT"; done
expect_eq "$(grep -c 'skipped' "$WORK/int.out")" 5 "four skipped rows and the count"
# pg_stat_activity is the whole server's: only this test's database counts (another test's
# migrate may be running), and a backend leaves it just after its client: waited for.
wait_until "SELECT count(*) = 0 FROM pg_stat_activity WHERE application_name = 'rokso migrate' AND datname = current_database()" 30 \
  "no session left"

# --- a second SIGINT stops at once: the migrations in flight roll back ---------------------
interrupt_fleet_at_gate
kill -INT "$FLEET"
wait "$FLEET"
CODE=$?
expect_code 130 "stopped at once"
wait_until "SELECT count(*) = 0 FROM pg_stat_activity WHERE application_name = 'rokso migrate' AND datname = current_database()" 30 \
  "the server to notice the closed connections"
release_table_lock public.gate
for t in t1 t2; do
  expect_eq "$(rows "$t")" "complete" "tenant_$t: b rolled back, a stays applied"
  expect_eq "$(tables "$t")" "a" "tenant_$t's tables"
done
for t in t3 t4 t5 t6; do expect_eq "$(rows "$t")" "<none>" "tenant_$t not started"; done

finish
