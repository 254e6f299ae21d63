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
# shellcheck disable=SC1091
. bench/lib.sh

LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)  # others' work on the machine shows in the times
bash share/scripts/install-deps.sh
command -v /usr/bin/time >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DROKSO_BUILD_TESTS=OFF >/dev/null
cmake --build "$BUILD" >/dev/null
cmake --install "$BUILD" --prefix "$PREFIX" >/dev/null
ROKSO="$PREFIX/bin/rokso"

WORK=$(mktemp -d /tmp/rokso-bench.XXXXXX)
chmod 755 "$WORK"
start_server "$WORK"
RESULTS="$WORK/results.tsv"
: >"$RESULTS"
repeat100() { for _ in $(seq 1 100); do "$@" >/dev/null; done; }
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
  applied_project "$WORK/status$n" "$n"
  goal="-"
  [ "$n" = 10000 ] && goal="<= 50 ms"
  [ "$n" = 100000 ] && goal="<= 0.5 s, <= 30 MiB"
  read_table="$(printf '%q ' "${psql_cmd[@]}") -d bench_status_$n -c 'SELECT id, filename, version, status, scheduledat, executedat FROM public.rokso_db_version ORDER BY id'"
  # No stat cache (removed before each run): every applied file read, as before it existed.
  interleave "status: $n applied, none pending (checksums verified: every file read)" "$goal" \
    "rm -rf $WORK/status$n/.rokso" "cd '$WORK/status$n' && \"$ROKSO\" status" noop \
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
{
  echo "# rokso benchmarks"
  echo
  echo "Run: $(date -u '+%Y-%m-%d %H:%M UTC'), $ROUNDS interleaved rounds, on: $(machine);"
  echo "load average $LOAD_AT_START at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end."
  echo "Ratio = median of the pairwise rokso/psql (or cat) time ratios; times are medians."
  echo
  table "$RESULTS" "psql / cat" | sed '1s/| psql \/ cat peak RSS |/| psql peak RSS |/'
  grep '^| remap: ' "$WORK/previous-results.md" 2>/dev/null || true  # bench/remap.sh's row, kept
  echo
  sed -n '/^## status and the stat cache/,$p' "$WORK/previous-results.md" 2>/dev/null || true  # bench/status.sh's section, kept
} >bench/results.md
cat bench/results.md
