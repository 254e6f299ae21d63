#!/usr/bin/env bash
# rokso's tenant fleet against a shell loop of single-tenant runs (not part of the tests).
#
#   bash bench/fleet.sh                          # 1,000 tenants x 20 migrations, --jobs 8
#   TENANTS=100 MIGRATIONS=5 bash bench/fleet.sh # quick, while developing
#   ROKSO=/path/to/bin/rokso bash bench/fleet.sh # an installed rokso instead of building one
#
# One database on a throwaway server with $TENANTS empty schemas tenant_NNNNN and a
# project whose migration/{tenant}/ template holds $MIGRATIONS CREATE TABLE migrations.
# Measured, each from the same empty state (the schemas dropped and made again):
#   fleet   `rokso migrate --all-tenants --jobs $JOBS`
#   loop    `for t in ...; do rokso migrate --tenant $t; done` (what a team scripts today)
# and reports both times, their ratio, rokso's own CPU time (user + system, children
# included: the server's is not) and the peak RSS (the largest single process).
# Goal (issue 16): >= 4x faster than the loop; on 2 cores the server is the limit.
# The server is tests/lib/pg_cluster.sh's: fsync, synchronous_commit and
# full_page_writes off, so commits cost no disk flush in either run (the line printed
# first says so); on a server that flushes, each of the 20,000 commits waits for it in
# the loop, and up to --jobs of them wait together in the fleet.
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=$(pwd)
TENANTS=${TENANTS:-1000}
MIGRATIONS=${MIGRATIONS:-20}
JOBS=${JOBS:-8}
PG_BIN=/usr/lib/postgresql/15/bin

# shellcheck disable=SC1091
. bench/lib.sh
release_rokso

WORK=$(mktemp -d /tmp/rokso-bench-fleet.XXXXXX)
chmod 755 "$WORK"
PGDIR="$WORK/pg"
trap 'bash "$SRC/tests/lib/pg_cluster.sh" stop "$PGDIR"; rm -rf "$WORK"' EXIT
bash tests/lib/pg_cluster.sh start "$PGDIR" >/dev/null
. "$PGDIR/env"
CONN=(-h "$ROKSO_TEST_PGHOST" -p "$ROKSO_TEST_PGPORT" -U postgres)
export PGOPTIONS="-c client_min_messages=warning"
DB=bench_fleet
sql() { "$PG_BIN/psql" -XAtq -v ON_ERROR_STOP=1 "${CONN[@]}" -d "${2:-$DB}" -c "$1"; }
sql "CREATE DATABASE $DB" postgres >/dev/null
sql "CREATE SCHEMA rokso" >/dev/null

PROJECT="$WORK/project"
"$ROKSO" init --projectpath "$PROJECT" --dbhost "$ROKSO_TEST_PGHOST" --dbport "$ROKSO_TEST_PGPORT" \
  --dbname "$DB" --dbusername postgres --dbpassword "" --dbschema rokso >/dev/null </dev/null
cat >"$PROJECT/config.json" <<JSON
{"database": {"database": "$DB", "dbschema": "rokso", "host": "$ROKSO_TEST_PGHOST",
              "port": "$ROKSO_TEST_PGPORT", "user": "postgres"},
 "tenants": {"schemas": "tenant_*"}}
JSON
for m in $(seq -w 1 "$MIGRATIONS"); do
  d="$PROJECT/migration/{tenant}/200.tables/t$m"
  mkdir -p "$d"
  printf 'CREATE TABLE {tenant}.t%s (id bigint PRIMARY KEY, name text NOT NULL);\n' "$m" >"$d/2021_01_01__00_00_$m.apply.sql"
  printf 'DROP TABLE {tenant}.t%s;\n' "$m" >"$d/2021_01_01__00_00_$m.rollback.sql"
done

# One transaction per schema: dropping 1,000 tenants' tables at once runs out of lock slots.
fresh_schemas() {
  sql "SELECT format('DROP SCHEMA IF EXISTS tenant_%1\$s CASCADE; CREATE SCHEMA tenant_%1\$s;', lpad(i::text, 5, '0'))
       FROM generate_series(1, $TENANTS) i" |
    "$PG_BIN/psql" -XAtq -v ON_ERROR_STOP=1 "${CONN[@]}" -d "$DB" >/dev/null
  sync
}
now() { echo "$EPOCHREALTIME"; }
timed() {
  local start end
  start=$(now)
  /usr/bin/time -f "%U %S %M" -o "$WORK/rss" "$@" >"$WORK/stdout" 2>"$WORK/stderr" || {
    echo "failed: $*" >&2; tail -5 "$WORK/stderr" >&2; return 1; }
  end=$(now)
  SECONDS_TAKEN=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')
  CPU_SECONDS=$(tail -1 "$WORK/rss" | awk '{ printf "%.2f", $1 + $2 }')
  PEAK_KB=$(tail -1 "$WORK/rss" | awk '{ print $3 }')
}
applied() { sql "SELECT sum((xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I.rokso_db_version WHERE status = ''complete''', nspname), false, true, '')))[1]::text::int) FROM pg_namespace WHERE nspname LIKE 'tenant\\_%'"; }

echo "fleet: $TENANTS tenants x $MIGRATIONS migrations, --jobs $JOBS; server: $(sql "SELECT string_agg(name || '=' || setting, ' ' ORDER BY name) FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes')")" >&2
fresh_schemas
timed bash -c "cd '$PROJECT' && '$ROKSO' migrate --all-tenants --jobs $JOBS"
fleet_s=$SECONDS_TAKEN fleet_kb=$PEAK_KB fleet_cpu=$CPU_SECONDS
[ "$(applied)" = $((TENANTS * MIGRATIONS)) ] || { echo "fleet applied $(applied), not $((TENANTS * MIGRATIONS))" >&2; exit 1; }
echo "  fleet: $fleet_s s (rokso CPU $fleet_cpu s)" >&2

fresh_schemas
sql "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'tenant\\_%' ORDER BY 1" >"$WORK/tenants"
timed bash -c "cd '$PROJECT' && while read -r t; do '$ROKSO' migrate --tenant \"\$t\" || exit 1; done <'$WORK/tenants'"
loop_s=$SECONDS_TAKEN loop_kb=$PEAK_KB loop_cpu=$CPU_SECONDS
[ "$(applied)" = $((TENANTS * MIGRATIONS)) ] || { echo "loop applied $(applied)" >&2; exit 1; }
echo "  loop: $loop_s s (rokso CPU $loop_cpu s)" >&2

awk -v n="$TENANTS" -v m="$MIGRATIONS" -v j="$JOBS" -v f="$fleet_s" -v l="$loop_s" -v fk="$fleet_kb" -v lk="$loop_kb" \
  -v fc="$fleet_cpu" -v lc="$loop_cpu" -v cores="$(nproc)" -v load="$(cut -d' ' -f1-3 /proc/loadavg)" 'BEGIN {
  printf "| tenants: %d x %d migrations, migrate --all-tenants --jobs %d vs a shell loop of --tenant runs (%d cores, load %s) | >= 4x faster | %.1f s | %.1f s | %.2fx faster | %.1f s | %.1f s | %.1f MiB | %.1f MiB |\n",
    n, m, j, cores, load, f, l, l / f, fc, lc, fk / 1024, lk / 1024 }'
