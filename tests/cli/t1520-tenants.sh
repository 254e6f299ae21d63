#!/usr/bin/env bash
# Tenant schemas: migration/{tenant}/... is a template applied to every schema that
# config.json's "tenants" names (a glob over schema names, or a query), each tenant with
# its own version table in its own schema; {tenant} in the SQL becomes the tenant's
# quoted name and unqualified names land in the tenant (search_path). The plain tree
# never runs the template. status --all-tenants summarises tenants by state.
# shellcheck disable=SC1091
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

new_database
sql 'CREATE SCHEMA tenant_a; CREATE SCHEMA tenant_b; CREATE SCHEMA "tenant_C""x"; CREATE SCHEMA other'
new_project "$WORK/project"
cat >"$PROJECT/config.json" <<JSON
{
  "database": {"database": "$DB", "dbschema": "offline", "host": "$ROKSO_TEST_PGHOST",
               "port": "$ROKSO_TEST_PGPORT", "user": "postgres"},
  "tenants": {"schemas": "tenant_*"}
}
JSON
write_py "$PROJECT/migration/offline/200.tables/shared/2021_01_01__00_00_00_shared.py" \
  "CREATE TABLE offline.shared (id int);" "DROP TABLE offline.shared;"
TPL=migration/{tenant}/200.tables/users
write_py "$PROJECT/$TPL/2021_01_01__00_00_00_users.py" \
  "CREATE TABLE {tenant}.users (id int PRIMARY KEY);" "DROP TABLE {tenant}.users;"
write_py "$PROJECT/$TPL/2021_01_02__00_00_00_orders.py" \
  "CREATE TABLE orders (id int REFERENCES users);" "DROP TABLE {tenant}.orders;"
U='{tenant}/200.tables/users/2021_01_01__00_00_00_users.py'
O='{tenant}/200.tables/users/2021_01_02__00_00_00_orders.py'
S=offline/200.tables/shared/2021_01_01__00_00_00_shared.py
cd "$PROJECT" || exit 1
rows() { sql "SELECT coalesce(string_agg(filename || ':' || status, ' ' ORDER BY id), '') FROM $1.rokso_db_version" 2>/dev/null || echo "<none>"; }

# --- the plain tree leaves the template alone ---------------------------------------------
run rokso migrate
expect_code 0 "plain migrate"
expect_eq "$(rows offline)" "$S:complete" "only the plain tree applied"
expect_no_out "{tenant}"
expect_eq "$(sql "SELECT count(*) FROM pg_class WHERE relname IN ('users', 'orders')")" 0 "no template table anywhere"

# --- one tenant -----------------------------------------------------------------------
run rokso migrate --tenant tenant_a
expect_code 0 "migrate --tenant tenant_a"
expect_eq "$(rows tenant_a)" "$U:complete $O:complete" "tenant_a has its own rows"
expect_eq "$(sql "SELECT to_regclass('tenant_a.users') IS NOT NULL AND to_regclass('tenant_a.orders') IS NOT NULL")" t \
  "{tenant} and the search_path put both tables in tenant_a"
expect_eq "$(rows tenant_b)" "<none>" "tenant_b untouched"
expect_eq "$(rows offline)" "$S:complete" "the plain version table untouched"
run rokso status --tenant tenant_b --format json
expect_json "doc->'counts'->>'pending'" 2 "tenant_b has two pending"
expect_json "doc->'pending'->0->>'identity'" "$U"

# --- all tenants, a failing one, status summary ---------------------------------------
sql 'CREATE TABLE tenant_b.orders (x int)'   # tenant_b's second migration will fail
run rokso status --all-tenants
expect_code 0 "status --all-tenants"
expect_out "1 up to date, 2 pending, 0 failed"
run rokso migrate --all-tenants --jobs 2 --keep-going
expect_code 1 "one tenant failed"
expect_eq "$(rows tenant_b)" "$U:complete $O:error" "tenant_b recorded its failure"
expect_eq "$(rows '"tenant_C""x"')" "$U:complete $O:complete" "a tenant whose name needs quoting"
expect_eq "$(sql "SELECT to_regclass('\"tenant_C\"\"x\".orders') IS NOT NULL")" t "its tables"
expect_eq "$(rows other)" "<none>" "a schema outside the pattern untouched"
expect_err "[tenant_b] error: Your migration '$O' has failed"
run rokso status --all-tenants --format json
expect_json "doc->>'fleet'" tenants
expect_json "(SELECT string_agg(t->>'tenant' || '=' || (t->>'failed'), ',') FROM jsonb_array_elements(doc->'tenants') t)" \
  'tenant_C"x=0,tenant_a=0,tenant_b=1' "per-tenant failed counts"
run rokso status --all-tenants
expect_out "2 up to date, 0 pending, 1 failed"
run rokso migrate --tenants 'tenant_[ab]'
expect_code 1 "the glob picks tenant_a and tenant_b"
expect_out "[tenant_a] nothing to migrate"

# --- rollback of one tenant -------------------------------------------------------------
run rokso rollback --tenant tenant_a --yes
expect_code 0 "rollback --tenant"
expect_eq "$(rows tenant_a)" "" "tenant_a rolled back"
expect_eq "$(sql "SELECT to_regclass('tenant_a.users') IS NULL")" t "its users table dropped"
expect_eq "$(rows '"tenant_C""x"')" "$U:complete $O:complete" "other tenants untouched"

# --- a query names the tenants ----------------------------------------------------------
sed -i 's/"tenants": {"schemas": "tenant_\*"}/"tenants": {"query": "SELECT '"'"'tenant_a'"'"' UNION ALL SELECT '"'"'other'"'"'"}/' "$PROJECT/config.json"
run rokso migrate --all-tenants
expect_code 0 "tenants from a query"
expect_eq "$(rows tenant_a)" "$U:complete $O:complete" "tenant_a from the query"
expect_eq "$(rows other)" "$U:complete $O:complete" "other from the query"

# --- bad input: exit 2, nothing touched -------------------------------------------------
run rokso migrate --tenant pg_catalog
expect_code 2 "a system schema"
run rokso migrate --tenant tenant_a --all-tenants
expect_code 2 "--tenant with --all-tenants"
sed -i 's/"tenants": {[^}]*}/"tenants": {"schemas": "a", "query": "b"}/' "$PROJECT/config.json"
run rokso status
expect_code 2 "tenants with both keys"
expect_one_line_error "\"tenants\" must hold either"

finish
