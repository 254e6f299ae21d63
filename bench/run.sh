#!/usr/bin/env bash
# rokso's benchmarks against the psql floor (not part of the pass/fail tests).
#
#   bash bench/run.sh            # ROUNDS=5 by default; writes bench/results.md and prints it
#   ROUNDS=9 bash bench/run.sh
#
# Every workload runs rokso and its psql counterpart interleaved (rokso, psql, rokso,
# psql, ...) so the machine's drift cancels, and reports the median of the pairwise
# ratios, the median wall times and the peak RSS. The workloads:
#   startup     100 x `rokso --version` / `rokso help -a`  vs  100 x `psql --version`
#   apply       1,000 CREATE TABLE migrations from an empty database, each in its own
#               transaction with its version row  vs  psql -f of the same
#               BEGIN / CREATE / INSERT / COMMIT blocks
#   status-N    `rokso status` with nothing pending at N applied migrations (rows
#               inserted directly, with the sha256-v1 checksums migrate would record, so
#               status reads and verifies every applied file, its default)  vs  psql
#               reading the same version table and cat of the same files; and
#               `rokso status --no-checksums` (no file read)  vs  psql reading the table
#   read-10k    `rokso status` reading 10,000 pending .py files  vs  cat of the same bytes
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=$(pwd)
ROUNDS=${ROUNDS:-5}
BUILD=${BENCH_BUILD_DIR:-build-bench}
case "$BUILD" in /*) PREFIX="$BUILD/prefix" ;; *) PREFIX="$SRC/$BUILD/prefix" ;; esac
PG_BIN=/usr/lib/postgresql/15/bin

LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)  # others' work on the machine shows in the times
bash share/scripts/install-deps.sh
command -v /usr/bin/time >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DROKSO_BUILD_TESTS=OFF >/dev/null
cmake --build "$BUILD" >/dev/null
cmake --install "$BUILD" --prefix "$PREFIX" >/dev/null
ROKSO="$PREFIX/bin/rokso"

WORK=$(mktemp -d /tmp/rokso-bench.XXXXXX)
chmod 755 "$WORK"
PGDIR="$WORK/pg"
trap 'bash "$SRC/tests/lib/pg_cluster.sh" stop "$PGDIR"; rm -rf "$WORK"' EXIT
bash tests/lib/pg_cluster.sh start "$PGDIR" >/dev/null
. "$PGDIR/env"
psql_cmd=("$PG_BIN/psql" -XAtq -v ON_ERROR_STOP=1 -h "$ROKSO_TEST_PGHOST" -p "$ROKSO_TEST_PGPORT" -U postgres)
export PGOPTIONS="-c client_min_messages=warning"
sql() { "${psql_cmd[@]}" -d "${2:-postgres}" -c "$1" >/dev/null; }

VERSION_TABLE_DDL="CREATE TABLE IF NOT EXISTS public.rokso_db_version (
    id serial PRIMARY KEY, filename text NOT NULL, version varchar(100) NOT NULL,
    status VARCHAR(20) DEFAULT 'pending' NOT NULL,
    scheduledAt timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
    executedAt timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
    executed_by text, duration_ms bigint,
    CONSTRAINT filename_UNQ UNIQUE (filename))"

# project <dir> <database>: a rokso project on that database (schema public).
project() {
  mkdir -p "$1/migration"
  cat >"$1/config.json" <<JSON
{"database": {"database": "$2", "dbschema": "public", "host": "$ROKSO_TEST_PGHOST", "port": "$ROKSO_TEST_PGPORT", "user": "postgres", "password": ""}}
JSON
}

# write_migrations <dir> <count>: <count> .py files creating tables t000001...
write_migrations() {
  mkdir -p "$1"
  awk -v dir="$1" -v n="$2" 'BEGIN {
    for (i = 1; i <= n; i++) {
      f = sprintf("%s/2021_01_01__00_00_00_%06d.py", dir, i)
      printf "apply_sql = \"CREATE TABLE t%06d (id int);\"\nrollback_sql = \"DROP TABLE t%06d;\"\n\nmigrations = {\n    \"apply\": apply_sql,\n    \"rollback\": rollback_sql\n}\n", i, i > f
      close(f)
    }
  }'
}

now() { echo "$EPOCHREALTIME"; }
# timed <command...>: runs it (output discarded), sets SECONDS_TAKEN and PEAK_KB.
timed() {
  local start end
  start=$(now)
  /usr/bin/time -f "%M" -o "$WORK/rss" "$@" >/dev/null 2>"$WORK/stderr" || { cat "$WORK/stderr" >&2; return 1; }
  end=$(now)
  SECONDS_TAKEN=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.6f", b - a }')
  PEAK_KB=$(tail -1 "$WORK/rss")
}
repeat100() { for _ in $(seq 1 100); do "$@" >/dev/null; done; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.6f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

RESULTS="$WORK/results.tsv"
: >"$RESULTS"
# record <workload> <goal> <rokso secs list> <psql secs list> <ratio list> <rokso kb> <psql kb>
record() {
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" \
    "$(tr ' ' '\n' <<<"$3" | grep . | median)" "$(tr ' ' '\n' <<<"$4" | grep . | median)" \
    "$(tr ' ' '\n' <<<"$5" | grep . | median)" "$6" "$7" >>"$RESULTS"
  echo "  $1 done" >&2
}

# interleave <workload> <goal> <setup-rokso> <run-rokso> <setup-psql> <run-psql>
interleave() {
  local name=$1 goal=$2 r_setup=$3 r_run=$4 p_setup=$5 p_run=$6
  local r_list="" p_list="" ratios="" r_kb=0 p_kb=0 r p
  for _ in $(seq 1 "$ROUNDS"); do
    $r_setup
    timed bash -c "$r_run"
    r=$SECONDS_TAKEN
    [ "$PEAK_KB" -gt "$r_kb" ] && r_kb=$PEAK_KB
    $p_setup
    timed bash -c "$p_run"
    p=$SECONDS_TAKEN
    [ "$PEAK_KB" -gt "$p_kb" ] && p_kb=$PEAK_KB
    r_list="$r_list $r"
    p_list="$p_list $p"
    ratios="$ratios $(awk -v a="$r" -v b="$p" 'BEGIN { printf "%.4f", a / b }')"
  done
  record "$name" "$goal" "$r_list" "$p_list" "$ratios" "$r_kb" "$p_kb"
}
noop() { :; }
export ROKSO PG_BIN

echo "startup" >&2
interleave "startup: rokso --version (x100)" "<= 1.0x psql" noop \
  "for i in \$(seq 100); do \"$ROKSO\" --version; done" noop \
  "for i in \$(seq 100); do \"$PG_BIN/psql\" --version; done"
interleave "startup: rokso help -a (x100)" "<= 1.0x psql" noop \
  "for i in \$(seq 100); do \"$ROKSO\" help -a; done" noop \
  "for i in \$(seq 100); do \"$PG_BIN/psql\" --version; done"

echo "apply" >&2
project "$WORK/apply" bench_apply_rokso
write_migrations "$WORK/apply/migration/public/200.tables/t" 1000
awk 'BEGIN { for (i = 1; i <= 1000; i++) printf "BEGIN;\nCREATE TABLE t%06d (id int);\nINSERT INTO public.rokso_db_version (filename, version, status, executed_by, duration_ms) VALUES (%c%06d%c, %cabcdef12%c, %ccomplete%c, current_user, 0);\nCOMMIT;\n", i, 39, i, 39, 39, 39, 39, 39 }' >"$WORK/apply.sql"
fresh_rokso_db() { sql "DROP DATABASE IF EXISTS bench_apply_rokso"; sql "CREATE DATABASE bench_apply_rokso"; sql "$VERSION_TABLE_DDL" bench_apply_rokso; }
fresh_psql_db() { sql "DROP DATABASE IF EXISTS bench_apply_psql"; sql "CREATE DATABASE bench_apply_psql"; sql "$VERSION_TABLE_DDL" bench_apply_psql; }
interleave "apply: 1,000 migrations" "<= 1.10x psql" fresh_rokso_db \
  "cd '$WORK/apply' && \"$ROKSO\" migrate" fresh_psql_db \
  "$(printf '%q ' "${psql_cmd[@]}") -d bench_apply_psql -f '$WORK/apply.sql'"

for n in 1000 10000 100000; do
  echo "status-$n" >&2
  db="bench_status_$n"
  sql "DROP DATABASE IF EXISTS $db"
  sql "CREATE DATABASE $db"
  sql "$VERSION_TABLE_DDL" "$db"
  sql "ALTER TABLE public.rokso_db_version ADD COLUMN progress integer, ADD COLUMN progress_checksum text,
       ADD COLUMN checksum text, ADD COLUMN checksum_algorithm text" "$db"
  # Each row with the checksum migrate records for its file (sha256-v1, core/checksum.cpp:
  # SHA-256 of the framed apply and rollback SQL), so status finds every file unchanged.
  sql "INSERT INTO public.rokso_db_version (filename, version, status, checksum, checksum_algorithm)
       SELECT format('public/200.tables/t/2021_01_01__00_00_00_%s.py', n), 'abcdef12', 'complete',
              encode(sha256(convert_to('rokso-migration-checksum-v1' || E'\\n' || 'apply ' || length(a) || E'\\n' || a ||
                E'\\n' || 'rollback ' || length(r) || E'\\n' || r || E'\\n', 'UTF8')), 'hex'), 'sha256-v1'
       FROM (SELECT n, format('CREATE TABLE t%s (id int);', n) AS a, format('DROP TABLE t%s;', n) AS r
             FROM (SELECT lpad(g::text, 6, '0') AS n FROM generate_series(1, $n) g) AS g) AS m" "$db"
  sql "VACUUM ANALYZE public.rokso_db_version" "$db"
  project "$WORK/status$n" "$db"
  write_migrations "$WORK/status$n/migration/public/200.tables/t" "$n"
  goal="-"
  [ "$n" = 10000 ] && goal="<= 50 ms"
  [ "$n" = 100000 ] && goal="<= 0.5 s, <= 30 MiB"
  read_table="$(printf '%q ' "${psql_cmd[@]}") -d $db -c 'SELECT id, filename, version, status, scheduledat, executedat FROM public.rokso_db_version ORDER BY id'"
  interleave "status: $n applied, none pending (checksums verified: every file read)" "$goal" noop \
    "cd '$WORK/status$n' && \"$ROKSO\" status" noop \
    "$read_table && cd '$WORK/status$n' && find migration -type f -exec cat {} +"
  interleave "status --no-checksums: $n applied, none pending" "$goal" noop \
    "cd '$WORK/status$n' && \"$ROKSO\" status --no-checksums" noop "$read_table"
done

echo "read-10k" >&2
sql "DROP DATABASE IF EXISTS bench_read"
sql "CREATE DATABASE bench_read"
project "$WORK/read" bench_read
write_migrations "$WORK/read/migration/public/200.tables/t" 10000
interleave "read: 10,000 pending .py files (rokso status) vs cat" "<= 2x cat" noop \
  "cd '$WORK/read' && \"$ROKSO\" status" noop \
  "cd '$WORK/read' && find migration -type f -exec cat {} + "

cp bench/results.md "$WORK/previous-results.md" 2>/dev/null || true  # for bench/remap.sh's row
machine="$(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(. /etc/os-release && echo "$PRETTY_NAME"), $(uname -r), PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}')"
{
  echo "# rokso benchmarks"
  echo
  echo "Run: $(date -u '+%Y-%m-%d %H:%M UTC'), $ROUNDS interleaved rounds, on: $machine;"
  echo "load average $LOAD_AT_START at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end."
  echo "Ratio = median of the pairwise rokso/psql (or cat) time ratios; times are medians."
  echo
  echo "| workload | goal | rokso | psql / cat | ratio | rokso peak RSS | psql peak RSS |"
  echo "|---|---|---|---|---|---|---|"
  awk -F'\t' '{ printf "| %s | %s | %.1f ms | %.1f ms | %.2fx | %.1f MiB | %.1f MiB |\n", $1, $2, $3 * 1000, $4 * 1000, $5, $6 / 1024, $7 / 1024 }' "$RESULTS"
  grep '^| remap: ' "$WORK/previous-results.md" 2>/dev/null || true  # bench/remap.sh's row, kept
} >bench/results.md
cat bench/results.md
