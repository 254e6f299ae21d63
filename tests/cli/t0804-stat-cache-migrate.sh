#!/usr/bin/env bash
# The stat cache (core/stat_cache.hpp) beyond status: migrate and accept --all verify
# applied files through it (and write it), and still refuse or accept every edit; a
# tenant's tree ({tenant} replaced by its name, so other checksums from the same files)
# never takes another tenant's checksums; and a tree large enough for the stats to be
# taken by several threads still finds edits in every part of it.
# shellcheck disable=SC1091
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

new_database
new_project
cd "$PROJECT" || exit 1
CACHE="$PROJECT/.rokso/stat-cache"
A=offline/200.tables/a/2021_01_01__00_00_00_a.py
B=offline/200.tables/b/2021_01_02__00_00_00_b.py
C=offline/200.tables/c/2021_01_03__00_00_00_c.py
write_py "migration/$A" "CREATE TABLE offline.a (id int);" "DROP TABLE offline.a;"
run rokso migrate
expect_code 0 "setup: migrate A"
checksum_of() { sql "SELECT checksum FROM offline.rokso_db_version WHERE filename = '$1'"; }
# same_size_edit <file> <old> <new>: the text replaced in place, its mtime restored (the
# ctime still moves): only the stat cache's full comparison sees it.
same_size_edit() {
  local mtime text
  mtime=$(stat -c %y "$1")
  text=$(cat "$1")
  printf '%s\n' "${text/"$2"/"$3"}" >"$1"
  touch -d "$mtime" "$1"
}

# --- migrate writes the cache for the files it verifies ------------------------------------------------
rm -rf "$PROJECT/.rokso"
write_py "migration/$B" "CREATE TABLE offline.b (id int);" "DROP TABLE offline.b;"
run rokso migrate
expect_code 0 "migrate B"
[ -f "$CACHE" ] && pass || fail "migrate wrote no stat cache"
run rokso status -v
expect_code 0
expect_out "checksums: 1 from the stat cache, 1 read"  # A from migrate's cache; B was applied, not verified
run rokso status -v
expect_out "checksums: 2 from the stat cache, 0 read"

# --- a warm cache does not hide an edit from migrate ---------------------------------------------------------
write_py "migration/$C" "CREATE TABLE offline.c (id int);" "DROP TABLE offline.c;"
same_size_edit "migration/$A" "offline.a (id int)" "offline.a (ix int)"
run rokso migrate
expect_code 1 "migrate with A modified (same size, mtime restored)"
expect_err "modified after being applied: $A"
expect_eq "$(sql "SELECT count(*) FROM offline.rokso_db_version WHERE filename = '$C'")" 0 "C not applied"
expect_eq "$(sql "SELECT to_regclass('offline.c') IS NULL")" t "no table c"
run rokso migrate --dry-run
expect_err "migrate would refuse to run"

# --- accept --all through the cache records the new content -------------------------------------------------
OLD_A=$(checksum_of "$A")
OLD_B=$(checksum_of "$B")
run rokso accept --all --yes
expect_code 0 "accept --all"
[ "$(checksum_of "$A")" != "$OLD_A" ] && pass || fail "A's checksum not recorded anew"
expect_eq "$(checksum_of "$B")" "$OLD_B" "B's checksum kept"
run rokso migrate
expect_code 0 "migrate after accept"
expect_eq "$(sql "SELECT status FROM offline.rokso_db_version WHERE filename = '$C'")" complete "C applied"
run rokso status --exit-code
expect_code 0 "nothing modified"

# --- tenants: each tenant's checksums are its own ---------------------------------------------------------
sql 'CREATE SCHEMA tenant_a; CREATE SCHEMA tenant_b'
cat >"$PROJECT/config.json" <<JSON
{
  "database": {"database": "$DB", "dbschema": "offline", "host": "$ROKSO_TEST_PGHOST",
               "port": "$ROKSO_TEST_PGPORT", "user": "postgres"},
  "tenants": {"schemas": "tenant_*"}
}
JSON
U='{tenant}/200.tables/users/2021_01_01__00_00_00_users.py'
write_py "migration/$U" "CREATE TABLE {tenant}.users (id int);" "DROP TABLE {tenant}.users;"
run rokso migrate --tenant tenant_a
expect_code 0 "migrate --tenant tenant_a"
run rokso migrate --tenant tenant_b
expect_code 0 "migrate --tenant tenant_b"
[ "$(sql "SELECT checksum FROM tenant_a.rokso_db_version")" != "$(sql "SELECT checksum FROM tenant_b.rokso_db_version")" ] &&
  pass || fail "the tenants' checksums should differ ({tenant} is in the SQL)"
for tenant in tenant_a tenant_b tenant_a tenant_b; do
  run rokso status --tenant "$tenant" --exit-code
  expect_code 0 "status --tenant $tenant: nothing modified"
  expect_no_out "modified:"
done
run rokso status -v --tenant tenant_b
expect_out "checksums: 1 from the stat cache, 0 read"
run rokso status -v
expect_out "checksums: 0 from the stat cache, 3 read"  # the plain tree's cache was the tenants'

# --- a tree stat'ed by several threads ----------------------------------------------------------------------
# 3,000 applied files in two directories (rows inserted with the checksums migrate would
# record, sha256-v1: core/checksum.cpp), more than one thread's share of stats.
mkdir -p migration/offline/300.big/x migration/offline/300.big/y
for d in x y; do
  awk -v dir="migration/offline/300.big/$d" -v d="$d" 'BEGIN {
    for (i = 1; i <= 1500; i++) {
      f = sprintf("%s/2022_01_01__00_00_00_%s%04d.py", dir, d, i)
      printf "apply_sql = \"CREATE TABLE %s%04d (id int);\"\nrollback_sql = \"DROP TABLE %s%04d;\"\n\nmigrations = {\n    \"apply\": apply_sql,\n    \"rollback\": rollback_sql\n}\n", d, i, d, i > f
      close(f)
    }
  }'
done
sql "INSERT INTO offline.rokso_db_version (filename, version, status, checksum, checksum_algorithm)
     SELECT format('offline/300.big/%s/2022_01_01__00_00_00_%s.py', d, n), 'abcdef12', 'complete',
            encode(sha256(convert_to('rokso-migration-checksum-v1' || E'\\n' || 'apply ' || length(a) || E'\\n' || a ||
              E'\\n' || 'rollback ' || length(r) || E'\\n' || r || E'\\n', 'UTF8')), 'hex'), 'sha256-v1'
     FROM (SELECT d, n, format('CREATE TABLE %s (id int);', n) AS a, format('DROP TABLE %s;', n) AS r
           FROM (SELECT d, d || lpad(g::text, 4, '0') AS n FROM unnest(ARRAY['x', 'y']) d, generate_series(1, 1500) g) AS g) AS m"
run rokso status -v
expect_code 0 "status of 3,003 applied"
expect_out "checksums: 3 from the stat cache, 3000 read"  # A, B, C from the last plain status
expect_no_out "modified:"
run rokso status -v
expect_out "checksums: 3003 from the stat cache, 0 read"
# Edits at the start, the middle and the end of the tree: each in another thread's share.
for f in x/2022_01_01__00_00_00_x0001.py x/2022_01_01__00_00_00_x1500.py y/2022_01_01__00_00_00_y0750.py \
         y/2022_01_01__00_00_00_y1500.py; do
  same_size_edit "migration/offline/300.big/$f" "(id int)" "(ix int)"
done
run rokso status --porcelain
expect_code 0 "status --porcelain"
expect_eq "$(printf '%s\n' "$OUT" | grep '^M ' | sort | tr '\n' ' ')" \
  "M offline/300.big/x/2022_01_01__00_00_00_x0001.py M offline/300.big/x/2022_01_01__00_00_00_x1500.py M offline/300.big/y/2022_01_01__00_00_00_y0750.py M offline/300.big/y/2022_01_01__00_00_00_y1500.py " \
  "the four edited files, and only them, modified"
# The cache keeps what the edited files hold now; they stay modified against their rows.
run rokso status -v --exit-code
expect_code 1 "status --exit-code with four modified"
expect_out "checksums: 3003 from the stat cache, 0 read"
expect_eq "$(printf '%s\n' "$OUT" | grep -c 'modified:  offline/300.big/')" 4 "four modified, from the cache"
rm "migration/offline/300.big/y/2022_01_01__00_00_00_y0002.py"
run rokso status --porcelain
expect_out "D offline/300.big/y/2022_01_01__00_00_00_y0002.py"

finish
