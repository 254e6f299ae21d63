#!/usr/bin/env bash
# A replicated cluster that fails over in the middle of `migrate` (README: "Scaling out"):
# a pg_auto_failover monitor, primary and secondary (tests/lib/pg_auto_failover.sh), rokso
# connected with the multi-host URL (target_session_attrs=read-write) and "failover_wait"
# set. Three failovers during one run of 40 migrations: each time rokso reconnects to the
# new primary, takes its lock again and goes on, and in the end every migration is
# applied exactly once there (rows and tables). Then no primary comes back within the
# wait: exit 1 with a clear message, nothing recorded.
#
# Before that, with the cluster healthy: `migrate --wait-replicas` returns once the
# secondary has replayed the run (read there right after), and times out naming it
# while its replay is paused; `status -v` shows the replica's lag, in text and JSON.
#
# Where migrate is is never guessed: migrations 010, 020 and 030 wait in a loop for a row
# in public.gate that the test inserts (it replicates, so the gate survives a failover),
# and the test polls pg_stat_activity for rokso's backend waiting there.
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"
. "$ROKSO_SOURCE_DIR/tests/lib/pg_auto_failover.sh"

paf_available || skip_all "pg_auto_failover is not installed (share/scripts/install-deps.sh installs it)"

# Bad waits are refused before anything connects (the cluster is not even up yet).
PROJECT=$WORK/project
mkdir -p "$PROJECT/migration/public"
cd "$PROJECT"
write_py "migration/public/2020_01_01__00_00_00_bad.py" "CREATE TABLE public.bad (id int);"
printf '{ "failover_wait": "soon", "database": { "url": "postgresql://127.0.0.1:1/x", "dbschema": "public" } }\n' >config.json
run rokso migrate
expect_code 2 "a failover_wait that is not a number"
expect_one_line_error '"failover_wait" must be a number of seconds from 0 to 86400'
printf '{ "database": { "url": "postgresql://127.0.0.1:1/x", "dbschema": "public" } }\n' >config.json
run rokso migrate --failover-wait -5
expect_code 2 "a negative --failover-wait"
expect_one_line_error "--failover-wait must be a number of seconds from 0 to 86400"
rm "migration/public/2020_01_01__00_00_00_bad.py"

started=$(date +%s)
paf_start || { fail "pg_auto_failover did not start"; finish; }
echo "t1530: pg_auto_failover up in $(( $(date +%s) - started )) s"
cat >"$PROJECT/config.json" <<JSON
{ "failover_wait": 60,
  "database": { "url": "$PAF_URL", "dbschema": "public" } }
JSON
cd "$PROJECT"
primary=$(paf_primary_port)
paf_sql "$primary" "CREATE TABLE public.gate (n int)"
new_database  # only for j/expect_json, which parse JSON with the harness's server

standby_port() { [ "$(paf_primary_port)" = "$PAF_PORT1" ] && echo "$PAF_PORT2" || echo "$PAF_PORT1"; }
write_py migration/public/2020_01_01__00_00_01_replica.py \
  "CREATE TABLE public.r1 (id int); INSERT INTO public.r1 SELECT generate_series(1, 1000);" "DROP TABLE public.r1;"
run rokso migrate --wait-replicas=30
expect_code 0 "migrate --wait-replicas"
expect_eq "$(paf_sql "$(standby_port)" "SELECT count(*) FROM public.r1")" 1000 "the new table, read on the secondary at once"
run rokso status -v
expect_code 0
expect_out "replica pgautofailover_standby_"
expect_out ": streaming, replay "
run rokso status -v --format json
expect_code 0
OUT=$(sed -n '/^{/,$p' <<<"$OUT")  # -v's "checksums: ..." line comes before the document
expect_json "jsonb_array_length(doc->'replicas')" 1 "replicas in status -v --format json"
expect_json "doc->'replicas'->0->>'state'" streaming
run rokso status --format json
expect_json "doc ? 'replicas'" f "no replicas without -v"

paf_sql "$(standby_port)" "SELECT pg_wal_replay_pause()"
write_py migration/public/2020_01_01__00_00_02_replica.py "CREATE TABLE public.r2 (id int);" "DROP TABLE public.r2;"
run rokso migrate --wait-replicas=2
expect_code 1 "a replica that does not replay"
expect_err "error: replica(s) did not replay the migrations within 2 s (--wait-replicas): pgautofailover_standby_"
expect_eq "$(paf_sql "$primary" "SELECT count(*) FROM public.rokso_db_version WHERE filename LIKE '%_replica.py'")" 2 \
  "committed on the primary all the same"
paf_sql "$(standby_port)" "SELECT pg_wal_replay_resume()"
run rokso migrate --wait-replicas=-1
expect_code 2 "a negative --wait-replicas"

gate_sql() {
  printf 'DO $$ BEGIN WHILE NOT EXISTS (SELECT FROM public.gate WHERE n = %d) LOOP PERFORM pg_sleep(0.05); END LOOP; END $$;' "$1"
}
for i in $(seq 1 40); do
  n=$(printf '%03d' "$i")
  body="CREATE TABLE public.t_$n (id int);"
  case $i in 10 | 20 | 30) body="$(gate_sql "$i") $body" ;; esac
  write_py "migration/public/2021_01_01__00_00_$n.py" "$body" "DROP TABLE public.t_$n;"
done

# wait_at_gate <port> <n>: rokso's backend on that node is waiting at gate n.
at_gate() {
  [ "$(paf_sql "$1" "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%public.gate WHERE n = $2)%' AND pid <> pg_backend_pid()" 2>/dev/null)" = 1 ]
}
wait_at_gate() {
  local deadline=$(( $(date +%s) + 90 ))
  until at_gate "$1" "$2"; do
    [ "$(date +%s)" -ge "$deadline" ] && { fail "rokso never reached gate $2 on port $1"; return 1; }
    sleep 0.1
  done
  pass
}

rokso migrate >"$WORK/migrate.out" 2>"$WORK/migrate.err" </dev/null &
ROKSO=$!
for gate in 10 20 30; do
  primary=$(paf_primary_port)
  wait_at_gate "$primary" "$gate" || break
  expect_eq "$(paf_sql "$primary" "SELECT count(*) FROM public.rokso_db_version WHERE status = 'complete' AND filename LIKE '%2021_%'")" $((gate - 1)) \
    "rows committed before failover at gate $gate"
  started=$(date +%s)
  paf_failover || { fail "failover at gate $gate did not complete"; break; }
  echo "t1530: failover at gate $gate took $(( $(date +%s) - started )) s"
  new_primary=$(paf_primary_port)
  if [ "$new_primary" = "$primary" ]; then fail "the primary did not change at gate $gate"; fi
  # rokso found the new primary by itself and is back at the same migration.
  wait_at_gate "$new_primary" "$gate" || break
  paf_sql "$new_primary" "INSERT INTO public.gate VALUES ($gate)"
done
wait "$ROKSO"
CODE=$?
OUT=$(cat "$WORK/migrate.out")
ERR=$(cat "$WORK/migrate.err")
expect_code 0 "migrate across three failovers"
expect_eq "$(grep -c 'reconnected to the primary' <<<"$ERR")" 3 "reconnections"
expect_err "waiting up to 60 s for a primary"
expect_out "Your database is at revision#"

primary=$(paf_primary_port)
expect_eq "$(paf_sql "$primary" "SELECT count(*), count(DISTINCT filename), count(DISTINCT version), bool_and(status = 'complete') FROM public.rokso_db_version WHERE filename LIKE '%2021_%'")" \
  "40|40|1|t" "version rows on the new primary: each migration once, one revision"
expect_eq "$(paf_sql "$primary" "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 't\_%'")" 40 \
  "tables on the new primary"
run rokso status
expect_code 0
expect_no_out "pending"

# No primary within the wait: the monitor is stopped (no failover will come), then the
# primary; the standby left refuses writes, so rokso gives up after --failover-wait.
write_py "migration/public/2021_01_01__00_00_041.py" "$(gate_sql 41) CREATE TABLE public.t_041 (id int);" "DROP TABLE public.t_041;"
rokso migrate --failover-wait 3 >"$WORK/migrate.out" 2>"$WORK/migrate.err" </dev/null &
ROKSO=$!
wait_at_gate "$primary" 41
standby=$PAF_PORT1
[ "$standby" = "$primary" ] && standby=$PAF_PORT2
_paf "$PAF_BIN" stop --pgdata "$PAF_DIR/monitor" >/dev/null 2>&1
paf_stop_node "$primary"
wait "$ROKSO"
CODE=$?
OUT=$(cat "$WORK/migrate.out")
ERR=$(cat "$WORK/migrate.err")
expect_code 1 "no primary came back"
expect_err "error: lost the database connection and no primary accepted a connection within failover_wait (3 s)"
expect_eq "$(paf_sql "$standby" "SELECT count(*) FROM public.rokso_db_version WHERE filename LIKE '%041%'")" 0 \
  "nothing recorded for the migration in flight (on the standby, which had every commit)"
expect_eq "$(paf_sql "$standby" "SELECT to_regclass('public.t_041') IS NULL")" t "its table is not there"

finish
