#!/usr/bin/env bash
# `requires` adjusts roksopsql's order (identities sorted as strings): a file waits for
# what it requires, across schemas and kinds, in all three formats (.py `requires = [...]`,
# YAML `requires:`, SQL `-- rokso:requires`). migrate, --dry-run and status show and use
# that order; --to applies exactly the prefix up to a file; --migration refuses a file
# whose requirement is pending; a cycle, an unknown or a self requirement stop migrate
# with exit 1 before anything runs, naming the files.
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

new_database
new_project
cd "$PROJECT"

# write_py_requires <path> <apply_sql> <rollback_sql> <identity>...
write_py_requires() {
  local path=$1 apply=$2 rollback=$3
  shift 3
  write_py "$path" "$apply" "$rollback"
  local list="" id
  for id in "$@"; do list+="\"$id\", "; done
  printf '\nrequires = [%s]\n' "$list" >>"$path"
}
# write_yaml <path> <apply_sql> <rollback_sql> <identity>...
write_yaml() {
  local path=$1 apply=$2 rollback=$3 id
  shift 3
  mkdir -p "$(dirname "$path")"
  { printf 'apply: %s\nrollback: %s\nrequires:\n' "$apply" "$rollback"
    for id in "$@"; do printf '  - %s\n' "$id"; done
    [ $# -gt 0 ] || printf '  []\n'
  } >"$path"
}
# write_sql <stem> <apply_sql> <rollback_sql> <identity>...: <stem>.apply.sql + .rollback.sql
write_sql() {
  local stem=$1 apply=$2 rollback=$3 id
  shift 3
  mkdir -p "$(dirname "$stem")"
  { for id in "$@"; do printf -- '-- rokso:requires %s\n' "$id"; done
    printf '%s\n' "$apply"
  } >"$stem.apply.sql"
  printf '%s\n' "$rollback" >"$stem.rollback.sql"
}
applied_order() { sql "SELECT coalesce(string_agg(filename, ' ' ORDER BY id), '') FROM offline.rokso_db_version"; }
rows() { sql "SELECT count(*) FROM offline.rokso_db_version"; }
# the line number of the first line of $OUT containing $1
line_of() { grep -nF -- "$1" <<<"$OUT" | head -1 | cut -d: -f1; }
# expect_before <a> <b> [what]: $a's line comes before $b's in $OUT
expect_before() {
  local a b
  a=$(line_of "$1")
  b=$(line_of "$2")
  if [ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ]; then pass; else fail "${3:-order}: '$1' (line $a) before '$2' (line $b)"; fi
}

# Base order: offline's files, then online's. offline's orders table references online's
# users table (which uses online's currency domain), so it requires it and waits for it;
# offline's view of orders requires orders. Online's users lists its currency, which the
# base order already puts first: that changes nothing.
MOOD=offline/100.database_types/mood/2021_01_01__00_00_00_create_mood.py
ORDERS=offline/200.tables/orders/2021_01_01__00_00_00_create_orders.py
VIEW=offline/300.views/order_view/2021_01_01__00_00_00_create_order_view.yaml
CURRENCY=online/100.database_types/currency/2021_01_01__00_00_00_create_currency.apply.sql
USERS=online/200.tables/users/2021_01_01__00_00_00_create_users.apply.sql
FUNC=online/500.functions/user_count/2021_01_01__00_00_00_create_user_count.py
write_py "migration/$MOOD" "CREATE TYPE offline.mood AS ENUM ('ok', 'meh');" "DROP TYPE offline.mood;"
write_py_requires "migration/$ORDERS" \
  "CREATE TABLE offline.orders (id int PRIMARY KEY, user_id int NOT NULL REFERENCES online.users (id), mood offline.mood);" \
  "DROP TABLE offline.orders;" "$USERS"
write_yaml "migration/$VIEW" "CREATE VIEW offline.order_view AS SELECT id, user_id FROM offline.orders;" \
  "DROP VIEW offline.order_view;" "$ORDERS"
write_sql "migration/${CURRENCY%.apply.sql}" "CREATE DOMAIN online.currency AS numeric(12, 2);" "DROP DOMAIN online.currency;"
write_sql "migration/${USERS%.apply.sql}" "CREATE TABLE online.users (id int PRIMARY KEY, balance online.currency);" \
  "DROP TABLE online.users;" "$CURRENCY"
write_py "migration/$FUNC" "CREATE FUNCTION online.user_count() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM online.users';" \
  "DROP FUNCTION online.user_count();"

# --- every format's requires is read ------------------------------------------------------
for id in "$ORDERS" "$VIEW" "$USERS"; do
  run rokso show "$id" --format json
  expect_code 0 "show $id"
done
run rokso show "$VIEW" --format json
expect_out "\"$ORDERS\""

# --- dry-run and status show the order migrate uses --------------------------------------
run rokso migrate --dry-run
expect_code 0 "dry run"
expect_out "Dry run: 6 migration(s) would be applied, in this order; nothing is executed or recorded."
expect_before "🌀 $MOOD" "🌀 $CURRENCY" "dry run: mood first (base order)"
expect_before "🌀 $CURRENCY" "🌀 $USERS" "dry run: currency before users"
expect_before "🌀 $USERS" "🌀 $ORDERS" "dry run: users moved before orders"
expect_before "🌀 $ORDERS" "🌀 $VIEW" "dry run: view after orders"
expect_before "🌀 $VIEW" "🌀 $FUNC" "dry run: the function last"
expect_out "   requires: $USERS"
expect_eq "$(rows)" 0 "dry run wrote nothing"

run rokso status
expect_code 0 "status"
expect_before "$MOOD  " "$CURRENCY  " "status: mood first"
expect_before "$USERS  " "$ORDERS  " "status: users before orders"
expect_before "$ORDERS  " "$VIEW  " "status: view after orders"
expect_before "$VIEW  " "$FUNC  " "status: function last"

# --- --migration refuses a file whose requirement is pending ------------------------------
run rokso migrate --migration "$ORDERS"
expect_code 1 "--migration with a pending requirement"
expect_one_line_error "'$ORDERS' requires '$USERS', which is not applied yet; run 'rokso migrate --to $ORDERS'"
expect_eq "$(rows)" 0 "--migration refused: nothing applied"
run rokso migrate --migration "$ORDERS" --to "$USERS"
expect_code 2 "--migration and --to"

# --- --to: exactly the prefix of the final order, named by identity or path ---------------
run rokso migrate --to "migration/$USERS"
expect_code 0 "--to users (by path)"
expect_out "✅ Your database is at revision# "
expect_eq "$(applied_order)" "$MOOD $CURRENCY $USERS" "--to applied exactly the prefix"
expect_eq "$(sql "SELECT to_regclass('offline.orders') IS NULL")" t "orders not applied yet"
run rokso migrate --to "$USERS"
expect_code 0 "--to an applied file"
expect_out "Nothing to migrate ...."
run rokso migrate --to offline/200.tables/nope/2021_01_01__00_00_00_nope.py
expect_code 2 "--to an unknown identity"
expect_one_line_error "unknown migration 'offline/200.tables/nope/2021_01_01__00_00_00_nope.py'"
run rokso migrate --to "$ORDERS" --dry-run
expect_code 0 "--to with --dry-run"
expect_out "Dry run: 1 migration(s) would be applied"
expect_eq "$(rows)" 3 "dry run with --to wrote nothing"

# --- the rest, in order; the database holds what the order made possible ------------------
run rokso migrate
expect_code 0 "migrate the rest"
expect_eq "$(applied_order)" "$MOOD $CURRENCY $USERS $ORDERS $VIEW $FUNC" "applied order (version table ids)"
expect_eq "$(sql "SELECT confrelid::regclass::text FROM pg_constraint WHERE conrelid = 'offline.orders'::regclass AND contype = 'f'")" \
  online.users "orders references online.users"
expect_eq "$(sql "SELECT to_regclass('offline.order_view') IS NOT NULL")" t "the view exists"
expect_eq "$(sql "SELECT count(DISTINCT version) FROM offline.rokso_db_version")" 2 "two revisions (--to, then the rest)"

# --- --migration with its requirement applied: fine; requiring an applied file changes nothing
LATER=offline/200.tables/later/2021_01_01__00_00_00_create_later.yaml
write_yaml "migration/$LATER" "CREATE TABLE offline.later (user_id int REFERENCES online.users (id));" \
  "DROP TABLE offline.later;" "$USERS" "$MOOD"
run rokso migrate --migration "$LATER"
expect_code 0 "--migration with applied requirements"
expect_eq "$(sql "SELECT to_regclass('offline.later') IS NOT NULL")" t "later applied"

# --- a cycle: exit 1, the cycle named, nothing applied -------------------------------------
C1=offline/200.tables/c1/2021_01_01__00_00_00_c1.py
C2=offline/200.tables/c2/2021_01_01__00_00_00_c2.yaml
C3=offline/200.tables/c3/2021_01_01__00_00_00_c3.apply.sql
FREE=offline/200.tables/a_free/2021_01_01__00_00_00_free.py
write_py "migration/$FREE" "CREATE TABLE offline.free (id int);" "DROP TABLE offline.free;"
write_py_requires "migration/$C1" "CREATE TABLE offline.c1 (id int);" "DROP TABLE offline.c1;" "$C2"
write_yaml "migration/$C2" "CREATE TABLE offline.c2 (id int);" "DROP TABLE offline.c2;" "$C3"
write_sql "migration/${C3%.apply.sql}" "CREATE TABLE offline.c3 (id int);" "DROP TABLE offline.c3;" "$C1"
before=$(rows)
run rokso migrate
expect_code 1 "migrate with a cycle"
expect_one_line_error "dependency cycle: $C1 → $C2 → $C3 → $C1"
expect_eq "$(rows)" "$before" "cycle: nothing applied"
expect_eq "$(sql "SELECT to_regclass('offline.free') IS NULL")" t "cycle: not even the free file"
run rokso migrate --dry-run
expect_code 1 "dry run with a cycle"
expect_err "dependency cycle: $C1 → $C2 → $C3 → $C1"
run rokso migrate --check
expect_code 1 "check with a cycle"
run rokso status
expect_code 1 "status with a cycle"
expect_err "dependency cycle: $C1 → $C2 → $C3 → $C1"
expect_out "$FREE  "
run rokso migrate --to "$FREE"
expect_code 1 "--to with a cycle elsewhere: the order cannot be made"
rm -r "migration/offline/200.tables/c1" "migration/offline/200.tables/c2" "migration/offline/200.tables/c3"

# --- unknown and self requirements ----------------------------------------------------------
BAD=offline/200.tables/bad/2021_01_01__00_00_00_bad.apply.sql
write_sql "migration/${BAD%.apply.sql}" "CREATE TABLE offline.bad (id int);" "DROP TABLE offline.bad;" \
  online/200.tables/ghost/2020_01_01__00_00_00_ghost.py
run rokso migrate
expect_code 1 "unknown requirement"
expect_one_line_error "'$BAD' requires 'online/200.tables/ghost/2020_01_01__00_00_00_ghost.py', which is not under migration/ and not applied"
expect_eq "$(rows)" "$before" "unknown requirement: nothing applied"
run rokso migrate --migration "$BAD"
expect_code 1 "--migration with an unknown requirement"
expect_err "which is not under migration/ and not applied"
write_sql "migration/${BAD%.apply.sql}" "CREATE TABLE offline.bad (id int);" "DROP TABLE offline.bad;" "$BAD"
run rokso migrate
expect_code 1 "self requirement"
expect_one_line_error "'$BAD' requires itself"
write_sql "migration/${BAD%.apply.sql}" "CREATE TABLE offline.bad (id int);" "DROP TABLE offline.bad;" "$ORDERS" "$FREE"
run rokso migrate
expect_code 0 "fixed"
expect_eq "$(applied_order)" "$MOOD $CURRENCY $USERS $ORDERS $VIEW $FUNC $LATER $FREE $BAD" "free goes before bad, which requires it"

# --- a failed file: plain migrate retries it alone; --to a pending file is refused ----------
F1=online/200.tables/f1/2021_01_01__00_00_00_f1.py
F2=online/200.tables/f2/2021_01_01__00_00_00_f2.py
write_py "migration/$F1" "SELECT 1/0;" ""
write_py_requires "migration/$F2" "CREATE TABLE online.f2 (id int);" "DROP TABLE online.f2;" "$F1"
run rokso migrate
expect_code 1 "a failing requirement"
expect_eq "$(sql "SELECT status FROM offline.rokso_db_version WHERE filename = '$F1'")" error "f1 failed"
expect_eq "$(sql "SELECT count(*) FROM offline.rokso_db_version WHERE filename = '$F2'")" 0 "f2 waited for f1"
run rokso migrate --to "$F2"
expect_code 2 "--to a pending file while one failed"
expect_err "'$F1' failed earlier and must be retried first"
run rokso migrate --migration "$F2"
expect_code 2 "--migration of another file while one failed"
write_py "migration/$F1" "CREATE TABLE online.f1 (id int);" "DROP TABLE online.f1;"
run rokso migrate --to "$F1"
expect_code 0 "--to the failed file retries it"
expect_eq "$(sql "SELECT status FROM offline.rokso_db_version WHERE filename = '$F1'")" complete "f1 retried"
run rokso migrate
expect_code 0 "the rest"
expect_eq "$(sql "SELECT to_regclass('online.f2') IS NOT NULL")" t "f2 applied"

finish
