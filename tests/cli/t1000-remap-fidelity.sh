#!/usr/bin/env bash
# rokso remap, judged by replay fidelity (issue #5). For each fixture in
# tests/fixtures/remap/:
#   load it into database A; a project on A with the version table in its own schema
#   (rokso), out of the user's schemas; `rokso remap --schemas ... --yes`; one migration
#   file per object, one `complete` row per file, all in one revision, nothing pending;
#   A's user schemas unchanged by remap; then a second project holding a copy of the
#   generated tree, on database B where only the schemas exist, `rokso migrate`:
#   `pg_dump --schema-only --no-owner --no-privileges` of A and B (version table schema
#   left out) must be identical; `rokso rollback --yes` on B must leave its user schemas
#   empty and its version table without rows.
# On the features fixture also: an unknown schema (exit 2, named, nothing written), an
# unanswered prompt (exit 2), a second remap on a non-empty version table (exit 1,
# nothing changed), and the directory names of names that need quoting or encoding.
#
# KEEP_WORK=1 keeps the scratch directory (projects, dumps, diffs) for a look.
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

FIXTURES="$ROKSO_SOURCE_DIR/tests/fixtures/remap"
VT_SCHEMA=rokso
VT="$VT_SCHEMA.rokso_db_version"
CONN=(-h "$ROKSO_TEST_PGHOST" -p "$ROKSO_TEST_PGPORT" -U postgres)

step() { echo "--- [$LABEL] $*"; }

# load <db> <file>: the fixture, as the postgres superuser, stopping at the first error.
load() {
  PGOPTIONS="-c client_min_messages=warning" "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 "${CONN[@]}" -d "$1" -f "$2" >/dev/null
}

# dump <db> <file>: the schema as the fidelity bar compares it. pg_dump >= 15.14 writes
# a random \restrict key on two lines: those are dropped.
dump() {
  "$PG_BIN/pg_dump" "${CONN[@]}" --schema-only --no-owner --no-privileges \
    --exclude-schema="$VT_SCHEMA" -d "$1" >"$2.raw" || fail "pg_dump of $1"
  grep -Ev '^\\(un)?restrict ' "$2.raw" >"$2"
}

# same_dump <a> <b> <what>: passes when identical, else fails and shows the diff.
same_dump() {
  if diff -u "$1" "$2" >"$2.diff"; then
    pass
  else
    fail "$3: schema dumps differ ($(grep -c '^[-+][^-+]' "$2.diff") lines; diff in $2.diff, first 150 lines:)"
    head -150 "$2.diff" >&2
  fi
}

# init_project <dir> <db>: rokso init with flags, version table in $VT_SCHEMA.
init_project() {
  run rokso init --projectpath "$1" --dbhost "$ROKSO_TEST_PGHOST" --dbport "$ROKSO_TEST_PGPORT" \
    --dbname "$2" --dbusername postgres --dbpassword "" --dbschema "$VT_SCHEMA"
  expect_code 0 "init $1"
}

# tree <dir>: every file under <dir>/migration, as identities, sorted bytewise.
tree() { (cd "$1/migration" && find . -type f | sed 's|^\./||' | LC_ALL=C sort); }
# tree_sums <dir>: the same with each file's checksum.
tree_sums() { (cd "$1/migration" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0r sha256sum); }

# The user's schemas: every schema but the system ones and the version table's.
user_schemas() {
  sql "SELECT string_agg(quote_literal(nspname), ',' ORDER BY nspname) FROM pg_namespace
       WHERE nspname !~ '^pg_' AND nspname NOT IN ('information_schema', '$VT_SCHEMA')" "$1"
}

# leftovers <db> <quoted schema list>: objects still in those schemas, one per line.
leftovers() {
  sql "SELECT n.nspname || '.' || c.relname || ' (pg_class ' || c.relkind::text || ')' FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname IN ($2)
       UNION ALL SELECT n.nspname || '.' || p.proname || ' (pg_proc)' FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname IN ($2)
       UNION ALL SELECT n.nspname || '.' || t.typname || ' (pg_type)' FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname IN ($2)
       UNION ALL SELECT n.nspname || '.' || k.conname || ' (pg_constraint)' FROM pg_constraint k JOIN pg_namespace n ON n.oid = k.connamespace WHERE n.nspname IN ($2)
       UNION ALL SELECT n.nspname || '.' || o.oprname || ' (pg_operator)' FROM pg_operator o JOIN pg_namespace n ON n.oid = o.oprnamespace WHERE n.nspname IN ($2)
       UNION ALL SELECT n.nspname || '.' || l.collname || ' (pg_collation)' FROM pg_collation l JOIN pg_namespace n ON n.oid = l.collnamespace WHERE n.nspname IN ($2)
       ORDER BY 1" "$1" || echo "<the query for leftovers failed>"
}

# fidelity <label> <fixture> <--schemas value> [extra checks function]
fidelity() {
  LABEL=$1
  local fixture=$2 schemas=$3 extra=${4:-}
  local A="${DB}_${LABEL}_a" B="${DB}_${LABEL}_b"
  local PA="$WORK/$LABEL-a" PB="$WORK/$LABEL-b"
  local before="$WORK/$LABEL-a.before.sql" after="$WORK/$LABEL-a.after.sql" replayed="$WORK/$LABEL-b.sql"

  step "load $(basename "$fixture") into database A ($A)"
  sql "DROP DATABASE IF EXISTS $A WITH (FORCE)" postgres
  sql "CREATE DATABASE $A" postgres
  if load "$A" "$fixture"; then pass; else fail "fixture $fixture does not load"; return; fi
  sql "CREATE SCHEMA $VT_SCHEMA" "$A"
  dump "$A" "$before"

  step "project A on $A, version table $VT"
  init_project "$PA" "$A"
  cd "$PA" || return
  expect_eq "$(sql "SELECT count(*) FROM $VT" "$A")" 0 "empty version table"

  if [ -n "$extra" ]; then "${extra}_before_remap" "$A" "$PA"; fi

  step "rokso remap --schemas $schemas --yes"
  run rokso remap --schemas "$schemas" --yes
  expect_code 0 "remap --schemas $schemas"
  REMAP_OUT=$OUT
  if [ "$CODE" != 0 ]; then
    step "remap failed: the replay steps for this fixture are skipped"
    return
  fi
  local files rows
  files=$(tree "$PA")
  local nfiles
  nfiles=$(grep -c . <<<"$files")
  step "remap wrote $nfiles files"
  [ "$nfiles" -gt 0 ] && pass || fail "remap wrote no file"
  expect_eq "$(grep -cvE '^[^/]+/[0-9]{3}\.[^/]+/[^/]+/[0-9]{4}_[0-9]{2}_[0-9]{2}__[0-9]{2}_[0-9]{2}_[0-9]{2}_[^/]+\.py$' <<<"$files")" 0 \
    "files not of the shape <schema>/<NNN.kind>/<object>/<timestamp>_<name>.py"
  expect_eq "$(grep -c "^$VT_SCHEMA/" <<<"$files")" 0 "files for the version table's schema"

  step "version table: one complete row per file, one revision"
  rows=$(sql "SELECT filename FROM $VT ORDER BY filename COLLATE \"C\"" "$A")
  if [ "$rows" = "$files" ]; then pass; else
    fail "version table rows differ from the files written"
    diff <(echo "$files") <(echo "$rows") | head -40 >&2
  fi
  expect_eq "$(sql "SELECT count(*) = $nfiles AND count(DISTINCT version) = 1 AND bool_and(status = 'complete') FROM $VT" "$A")" \
    t "$nfiles rows, one revision, all complete"

  step "rokso status: nothing pending"
  run rokso status --exit-code
  expect_code 0 "status --exit-code after remap"
  expect_out "No new migration to process."

  step "remap changed nothing in the user's schemas"
  dump "$A" "$after"
  same_dump "$before" "$after" "A before and after remap"

  if [ -n "$extra" ]; then "${extra}_after_remap" "$A" "$PA"; fi

  step "database B ($B): only the schemas"
  sql "DROP DATABASE IF EXISTS $B WITH (FORCE)" postgres
  sql "CREATE DATABASE $B" postgres
  local create_schemas schema_list
  create_schemas=$(sql "SELECT string_agg(format('CREATE SCHEMA IF NOT EXISTS %I;', nspname), ' ') FROM pg_namespace
                        WHERE nspname !~ '^pg_' AND nspname <> 'information_schema'" "$A")
  sql "$create_schemas" "$B"
  schema_list=$(user_schemas "$A")
  expect_eq "$(leftovers "$B" "$schema_list")" "" "B starts empty"

  step "project B: a copy of the generated tree, rokso migrate"
  init_project "$PB" "$B"
  cp -a "$PA/migration/." "$PB/migration/"
  cd "$PB" || return
  run rokso status --exit-code
  expect_code 1 "B: everything pending"
  run rokso migrate
  expect_code 0 "migrate the remapped tree into B"
  expect_out "Your database is at revision# "
  expect_eq "$(sql "SELECT count(*) = $nfiles AND count(DISTINCT version) = 1 AND bool_and(status = 'complete') FROM $VT" "$B")" \
    t "B: $nfiles rows, one revision, all complete"

  step "pg_dump of A and B identical"
  dump "$B" "$replayed"
  same_dump "$after" "$replayed" "A and its replay B"

  step "rokso rollback --yes on B drops everything"
  run rokso rollback --yes
  expect_code 0 "rollback of the replayed revision"
  expect_out "✅ Rollback complete."
  local left
  left=$(leftovers "$B" "$schema_list")
  expect_eq "$left" "" "objects left in B's user schemas after rollback"
  expect_eq "$(sql "SELECT count(*) FROM $VT" "$B")" 0 "B's version table after rollback"
  cd "$WORK" || return
}

# --- features.sql: the extra checks ---------------------------------------------------------
features_before_remap() {
  local A=$1 PA=$2
  step "unknown schema: exit 2, named, nothing written"
  run rokso remap --schemas "core,no_such_schema" --yes
  expect_code 2 "remap of an unknown schema"
  expect_err "no_such_schema"
  expect_eq "$(tree "$PA")" "" "files written by a refused remap"
  expect_eq "$(sql "SELECT count(*) FROM $VT" "$A")" 0 "rows written by a refused remap"

  step "unanswered prompt: exit 2, nothing written"
  run rokso remap
  expect_code 2 "remap with its question unanswered"
  expect_eq "$(tree "$PA")" "" "files written by an unanswered remap"
  expect_eq "$(sql "SELECT count(*) FROM $VT" "$A")" 0 "rows written by an unanswered remap"
}

features_after_remap() {
  local A=$1 PA=$2
  OUT=$REMAP_OUT ERR="" CODE=0  # what a failure below shows as the last command: the remap
  step "remap's summary and tree name every schema"
  local s
  for s in core "Sales Dept" café; do
    grep -qF -- "$s" <<<"$REMAP_OUT" && pass || fail "remap's summary does not name schema $s: $REMAP_OUT"
    [ -d "$PA/migration/$s" ] && pass || fail "no directory migration/$s"
  done

  step "directory names: quoted, unicode and percent-encoded names"
  local d
  for d in "Sales Dept/100.database_types/Deal Stage" "core/100.database_types/address" \
           "core/100.database_types/email" "core/100.database_types/float_range" \
           "café/100.database_types/humeur du jour" \
           "core/200.tables/customer" "core/200.tables/payment" "core/200.tables/truck" \
           "Sales Dept/200.tables/Customer Accounts" 'Sales Dept/200.tables/Quote"Table' \
           "café/200.tables/menü" "café/200.tables/a%2Fb" "café/200.tables/50%25 off" \
           "café/200.tables/%2Ehidden" \
           "core/300.views/active_customer" "core/300.views/active_customer_won" \
           "café/300.views/Menü Übersicht" \
           "Sales Dept/400.mat_views/Monthly Totals" "core/400.mat_views/customer_city"; do
    [ -d "$PA/migration/$d" ] && pass || fail "no directory migration/$d"
  done
  expect_eq "$(cd "$PA/migration" && find . -type f -path './core/500.functions/fmt_money*' | grep -c .)" 2 \
    "files for the two overloads of core.fmt_money"
  for d in is_valid_sku next_ref customers_in customer_count concat_step touch_updated_at write_audit; do
    [ -n "$(cd "$PA/migration" && find . -type f -path "./core/500.functions/$d*")" ] && pass ||
      fail "no migration for function core.$d under core/500.functions"
  done
  [ -n "$(cd "$PA/migration" && find . -type f -path "./café/500.functions/prix_ttc*")" ] && pass ||
    fail "no migration for function café.prix_ttc under café/500.functions"

  step "a table's migration: CREATE, and a DROP ... IF EXISTS rollback"
  local f
  f=$(cd "$PA/migration" && find core/200.tables/customer -type f 2>/dev/null | head -1)
  if [ -n "$f" ]; then
    run rokso show --format json "$f"
    expect_code 0 "show $f"
    expect_out "CREATE TABLE"
    expect_out "DROP TABLE IF EXISTS"
  else
    fail "no migration file under core/200.tables/customer"
  fi

  step "second remap on a non-empty version table: exit 1, nothing changed"
  local sums rows
  sums=$(tree_sums "$PA")
  rows=$(sql "SELECT string_agg(id || ' ' || filename || ' ' || version || ' ' || status, E'\n' ORDER BY id) FROM $VT" "$A")
  run rokso remap --schemas all --yes
  expect_code 1 "remap on a non-empty version table"
  expect_eq "$(tree_sums "$PA")" "$sums" "tree after a refused remap"
  expect_eq "$(sql "SELECT string_agg(id || ' ' || filename || ' ' || version || ' ' || status, E'\n' ORDER BY id) FROM $VT" "$A")" \
    "$rows" "version table after a refused remap"
}

fidelity features "$FIXTURES/features.sql" all features
fidelity rental "$FIXTURES/rental-schema.sql" public
# Pagila (PostgreSQL licence) is run when a copy is put beside the other fixtures.
if [ -f "$FIXTURES/pagila-schema.sql" ]; then
  fidelity pagila "$FIXTURES/pagila-schema.sql" public
else
  echo "--- [pagila] skipped: $FIXTURES/pagila-schema.sql is not in the tree"
fi

finish
