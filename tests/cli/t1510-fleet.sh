#!/usr/bin/env bash
# Fleets: migrate|status|verify --targets <glob> / --all-targets run each target in a child
# process, --jobs at a time. One failing target: without --keep-going no new target
# starts after it (those running finish); with it every target runs; --canary K runs K
# targets first and starts no other when one of them fails. A summary table, or one JSON
# object per target; exit 1 when any target failed; each relayed line whole, prefixed
# with its target; SIGINT reaches the children and ends the fleet with 130.
# shellcheck disable=SC1091
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

new_database
for d in 1 2 3 4; do
  sql "DROP DATABASE IF EXISTS ${DB}_$d WITH (FORCE)" postgres
  sql "CREATE DATABASE ${DB}_$d" postgres
  sql "CREATE SCHEMA offline" "${DB}_$d"
done
new_project "$WORK/project"
target() { printf '"%s": {"database": "%s", "host": "%s", "port": "%s", "user": "postgres"}' "$1" "$2" "$ROKSO_TEST_PGHOST" "$ROKSO_TEST_PGPORT"; }
cat >"$PROJECT/config.json" <<JSON
{
  "database": {"database": "$DB", "dbschema": "offline", "host": "$ROKSO_TEST_PGHOST",
               "port": "$ROKSO_TEST_PGPORT", "user": "postgres"},
  "targets": { $(target eu-1 "${DB}_1"), $(target eu-2 "${DB}_2"), $(target eu-3 "${DB}_3"), $(target us-1 "${DB}_4") }
}
JSON
M=migration/offline/200.tables
write_py "$PROJECT/$M/a/2021_01_01__00_00_00_a.py" "CREATE TABLE offline.a (id int);" "DROP TABLE offline.a;"
write_py "$PROJECT/$M/b/2021_01_01__00_00_00_b.py" "CREATE TABLE offline.b (id int);" "DROP TABLE offline.b;"
A=offline/200.tables/a/2021_01_01__00_00_00_a.py
B=offline/200.tables/b/2021_01_01__00_00_00_b.py
cd "$PROJECT" || exit 1
rows() { sql "SELECT coalesce(string_agg(filename || ':' || status, ' ' ORDER BY id), '') FROM offline.rokso_db_version" "${DB}_$1" 2>/dev/null || echo "<none>"; }
reset_all() {
  for d in 1 2 3 4; do sql "DROP SCHEMA offline CASCADE; CREATE SCHEMA offline" "${DB}_$d"; done
}
# eu-1 fails: its table b already exists.
break_eu1() { sql "CREATE TABLE offline.b (x int)" "${DB}_1"; }
# Every line of stderr is whole and belongs to a target: "[name] ..." (or the final error).
lines_prefixed() {
  local bad
  bad=$(printf '%s\n' "$ERR" | grep -v '^\[\(eu-[123]\|us-1\)\] ' | grep -v '^error: [0-9]* of [0-9]* targets failed' | grep -c .)
  expect_eq "$bad" 0 "stderr lines without a target prefix"
}

# --- usage errors: nothing runs ---------------------------------------------------------
run rokso migrate --targets 'xx-*'
expect_code 2 "no target matches"
expect_one_line_error "no target matches 'xx-*' (known: eu-1, eu-2, eu-3, us-1)"
run rokso migrate --jobs 2
expect_code 2 "--jobs without a fleet"
run rokso migrate --targets 'eu-*' --target eu-1
expect_code 2 "--target with --targets"
run rokso migrate --targets 'eu-*' --jobs 0
expect_code 2 "--jobs 0"
for d in 1 2 3 4; do expect_eq "$(rows $d)" "<none>" "nothing ran on $d"; done

# --- a glob, in parallel: all succeed ---------------------------------------------------
run rokso migrate --targets 'eu-*' --jobs 3
expect_code 0 "eu-* migrated"
for d in 1 2 3; do expect_eq "$(rows $d)" "$A:complete $B:complete" "eu target $d migrated"; done
expect_eq "$(rows 4)" "<none>" "us-1 not matched"
expect_out "[eu-2] migrated: 2 applied"
expect_out "target    state        applied    failed    pending  time"
expect_out "eu-2      succeeded          2         0          0"
expect_out "3 targets: 3 succeeded, 0 failed, 0 skipped"
run rokso status --all-targets --format json
expect_code 0
expect_json "doc->>'outcome'" succeeded
expect_json "(SELECT string_agg(t->>'target' || '=' || (t->>'pending'), ',') FROM jsonb_array_elements(doc->'targets') t)" \
  "eu-1=0,eu-2=0,eu-3=0,us-1=2" "status per target"
expect_json "doc->'targets'->3->'result'->'counts'->>'pending'" 2 "each target's own document"

# --- one failing target, no --keep-going, one at a time: the rest are not started ------
reset_all
break_eu1
run rokso migrate --all-targets --jobs 1
expect_code 1 "a target failed"
expect_eq "$(rows 1)" "$A:complete $B:error" "eu-1 recorded its failure"
for d in 2 3 4; do expect_eq "$(rows $d)" "<none>" "target $d not started after the failure"; done
expect_err "[eu-1] error: Your migration '$B' has failed"
expect_err "error: 1 of 4 targets failed; 3 not started"
expect_out "eu-2      skipped"
lines_prefixed

# --- --keep-going: every target runs, exit 1 still ---------------------------------------
reset_all
break_eu1
run rokso migrate --all-targets --jobs 2 --keep-going --format json
expect_code 1 "--keep-going, one failed"
expect_eq "$(rows 1)" "$A:complete $B:error" "eu-1 failed"
for d in 2 3 4; do expect_eq "$(rows $d)" "$A:complete $B:complete" "target $d migrated despite eu-1"; done
expect_json "doc->>'outcome'" failed
expect_json "(SELECT string_agg(t->>'target' || '=' || (t->>'state') || '/' || (t->>'applied') || '/' || (t->>'failed'), ',') FROM jsonb_array_elements(doc->'targets') t)" \
  "eu-1=failed/1/1,eu-2=succeeded/2/0,eu-3=succeeded/2/0,us-1=succeeded/2/0" "JSON per target"
expect_json "doc->'targets'->0->>'exit_code'" 1
expect_json "doc->'targets'->0->'errors'->>0 LIKE 'error: Your migration%'" t "the failure's lines in the document"
lines_prefixed

# --- --canary: the canary fails, nobody else starts, even with --keep-going and 4 jobs ---
reset_all
break_eu1
run rokso migrate --all-targets --canary 1 --jobs 4 --keep-going
expect_code 1 "canary failed"
for d in 2 3 4; do expect_eq "$(rows $d)" "<none>" "target $d not started after the canary failed"; done
# ... and when the canaries pass, the rest follow.
reset_all
run rokso migrate --all-targets --canary 2 --jobs 4
expect_code 0 "canaries passed"
for d in 1 2 3 4; do expect_eq "$(rows $d)" "$A:complete $B:complete" "target $d migrated after the canaries"; done

# --- SIGINT reaches the running children: 130, their work rolled back -----------------
reset_all
write_py "$PROJECT/$M/c/2021_01_01__00_00_00_c.py" "CREATE TABLE offline.c (id int); SELECT pg_sleep(60);" "DROP TABLE offline.c;"
rokso migrate --targets 'eu-[12]' --jobs 2 >"$WORK/int.out" 2>"$WORK/int.err" </dev/null &
FLEET=$!
wait_until "SELECT count(*) = 2 FROM pg_stat_activity WHERE query LIKE '%pg_sleep(60)%' AND pid <> pg_backend_pid() AND datname IN ('${DB}_1', '${DB}_2')" 60 "both targets in their sleeping migration"
kill -INT "$FLEET"
wait "$FLEET"
CODE=$?
expect_code 130 "interrupted fleet"
wait_until "SELECT count(*) = 0 FROM pg_stat_activity WHERE query LIKE '%pg_sleep(60)%' AND pid <> pg_backend_pid()" 30 "the children's sessions to end"
for d in 1 2; do
  expect_eq "$(sql "SELECT to_regclass('offline.c') IS NULL" "${DB}_$d")" t "c rolled back on $d"
  expect_eq "$(rows $d)" "$A:complete $B:complete" "a and b stay applied on $d"
done
expect_eq "$(pgrep -f "rokso-migrate --target eu-" | grep -c .)" 0 "no child left running"

# --- verify --targets: the tree proven on a throwaway database of each target's server --
rm "$PROJECT/$M/c/2021_01_01__00_00_00_c.py"
cat >"$PROJECT/config.json" <<JSON
{
  "database": {"database": "$DB", "dbschema": "offline", "host": "$ROKSO_TEST_PGHOST",
               "port": "$ROKSO_TEST_PGPORT", "user": "postgres"},
  "targets": { $(target eu-1 "${DB}_1"), $(target eu-2 "${DB}_2"), $(target gone "${DB}_gone") }
}
JSON
throwaways() { sql "SELECT count(*) FROM pg_database WHERE datname LIKE 'rokso_verify_%'" postgres; }
run rokso verify --targets 'eu-*' --format json
expect_code 0 "verify on eu-*"
expect_json "doc->>'outcome'" succeeded
expect_json "doc->'targets'->0->>'verified'" 2 "eu-1: both migrations verified"
expect_json "doc->'targets'->1->'result'->>'outcome'" passed "eu-2's own verify document"
expect_eq "$(throwaways)" 0 "the throwaway databases dropped"
[ -e "$PROJECT/.rokso/dev" ] && fail "verify --targets made a dev server" || pass
# The target's own connection settings are used: one naming a missing database fails.
run rokso verify --all-targets --keep-going
expect_code 1 "verify with a broken target"
expect_out "verified"
expect_err '[gone] error: '
expect_err "${DB}_gone"
expect_err "error: 1 of 3 targets failed"
expect_eq "$(throwaways)" 0 "no throwaway database left"
run rokso verify --target eu-1
expect_code 0 "verify --target"
expect_out "Verified 2 migration(s)"
run rokso verify --target eu-1 --dev-url "postgres://nobody@127.0.0.1:1/x"
expect_code 2 "--target with --dev-url"
expect_one_line_error "--dev-url and --target exclude each other"
run rokso verify --all-tenants
expect_code 2 "verify over tenants"
expect_one_line_error "verify runs over --targets, not --tenants"

finish
