#!/usr/bin/env bash
# rokso remap against its floor, pg_dump (not part of the pass/fail tests).
#
#   bash bench/remap.sh                    # 10,000 tables, ROUNDS=3; updates the remap row of bench/results.md
#   TABLES=1000 ROUNDS=3 bash bench/remap.sh   # quick, while developing (results.md untouched)
#   ROKSO=/path/to/bin/rokso bash bench/remap.sh   # an installed rokso instead of building one
#   RESULTS_MD=/tmp/r.md bash bench/remap.sh       # write the row elsewhere
#
# A database with $TABLES tables in schema `bench`, each with a primary key, one more
# index and a few columns, is made once from one generated SQL file (psql, a transaction
# per 500 tables: one for all of them would need more locks than the lock table holds).
# Then, interleaved so the machine's drift cancels:
#   rokso    `rokso remap --schemas bench --yes` into a fresh project (version table in
#            schema rokso, emptied before each round: remap needs an empty one)
#   pg_dump  `pg_dump --schema-only -f /dev/null` of the same database
# and reports the median of the pairwise ratios, the median times and the peak RSS.
# Goal: <= 1.5x pg_dump.
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=$(pwd)
TABLES=${TABLES:-10000}
ROUNDS=${ROUNDS:-3}
PG_BIN=/usr/lib/postgresql/15/bin

# shellcheck disable=SC1091
. bench/lib.sh
release_rokso

WORK=$(mktemp -d /tmp/rokso-bench-remap.XXXXXX)
chmod 755 "$WORK"
PGDIR="$WORK/pg"
trap 'bash "$SRC/tests/lib/pg_cluster.sh" stop "$PGDIR"; rm -rf "$WORK"' EXIT
bash tests/lib/pg_cluster.sh start "$PGDIR" >/dev/null
. "$PGDIR/env"
CONN=(-h "$ROKSO_TEST_PGHOST" -p "$ROKSO_TEST_PGPORT" -U postgres)
export PGOPTIONS="-c client_min_messages=warning"
DB=bench_remap
sql() { "$PG_BIN/psql" -XAtq -v ON_ERROR_STOP=1 "${CONN[@]}" -d "${2:-$DB}" -c "$1"; }

echo "generating $TABLES tables" >&2
sql "DROP DATABASE IF EXISTS $DB" postgres >/dev/null
sql "CREATE DATABASE $DB" postgres >/dev/null
sql "CREATE SCHEMA bench; CREATE SCHEMA rokso" >/dev/null
awk -v n="$TABLES" 'BEGIN {
  print "BEGIN;"
  for (i = 1; i <= n; i++) {
    printf "CREATE TABLE bench.t%06d (id bigint PRIMARY KEY, name text NOT NULL, amount numeric(12,2) NOT NULL DEFAULT 0, created_at timestamptz NOT NULL DEFAULT now(), note varchar(200));\n", i
    printf "CREATE INDEX t%06d_name_idx ON bench.t%06d (name, created_at);\n", i, i
    if (i % 500 == 0 && i < n) print "COMMIT;\nBEGIN;"
  }
  print "COMMIT;"
}' >"$WORK/tables.sql"
gen_start=$EPOCHREALTIME
"$PG_BIN/psql" -Xq -v ON_ERROR_STOP=1 "${CONN[@]}" -d "$DB" -f "$WORK/tables.sql" >/dev/null
sql "VACUUM ANALYZE pg_class, pg_attribute, pg_attrdef, pg_index, pg_constraint, pg_depend, pg_type, pg_description" >/dev/null  # the catalogs both read
echo "  made in $(awk -v a="$gen_start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s" >&2

now() { echo "$EPOCHREALTIME"; }
# timed <command...>: runs it (output discarded), sets SECONDS_TAKEN and PEAK_KB.
timed() {
  local start end
  start=$(now)
  /usr/bin/time -f "%M" -o "$WORK/rss" "$@" >"$WORK/stdout" 2>"$WORK/stderr" || {
    echo "failed: $*" >&2; cat "$WORK/stderr" >&2; return 1; }
  end=$(now)
  SECONDS_TAKEN=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.6f", b - a }')
  PEAK_KB=$(tail -1 "$WORK/rss")
}
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.6f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# fresh_project: an empty project on $DB, version table rokso.rokso_db_version emptied.
fresh_project() {
  rm -rf "$PROJECT"
  sync  # the previous round's 20,000 removed inodes are not this round's cost
  "$ROKSO" init --projectpath "$PROJECT" --dbhost "$ROKSO_TEST_PGHOST" --dbport "$ROKSO_TEST_PGPORT" \
    --dbname "$DB" --dbusername postgres --dbpassword "" --dbschema rokso >/dev/null </dev/null
  sql "TRUNCATE rokso.rokso_db_version" >/dev/null
}

# measure <where> <label suffix>: the rounds with the project under <where>; prints the row.
# remap's own work is about a tenth of pg_dump's; the rest is the file system making
# 10,000 directories and files (the layout has one directory per object), which on a
# virtual disk costs from about 1 s to several, more after earlier rounds deleted
# theirs. So the same run is measured on disk and on tmpfs.
measure() {
  local base=$1 suffix=$2
  local r_list="" p_list="" ratios="" r_kb=0 p_kb=0 r p files
  for round in $(seq 1 "$ROUNDS"); do
    PROJECT="$base/project"
    fresh_project
    timed bash -c "cd '$PROJECT' && '$ROKSO' remap --schemas bench --yes"
    r=$SECONDS_TAKEN
    [ "$PEAK_KB" -gt "$r_kb" ] && r_kb=$PEAK_KB
    files=$(find "$PROJECT/migration" -type f | wc -l)
    timed "$PG_BIN/pg_dump" "${CONN[@]}" --schema-only -f /dev/null -d "$DB"
    p=$SECONDS_TAKEN
    [ "$PEAK_KB" -gt "$p_kb" ] && p_kb=$PEAK_KB
    r_list="$r_list $r"
    p_list="$p_list $p"
    ratios="$ratios $(awk -v a="$r" -v b="$p" 'BEGIN { printf "%.4f", a / b }')"
    echo "  round $round ($suffix): remap $r s ($files files), pg_dump $p s" >&2
  done
  rm -rf "$PROJECT"
  local label
  label="remap: $(sed ':a;s/\B[0-9]\{3\}\>/,&/;ta' <<<"$TABLES") tables (pk + index) vs pg_dump --schema-only, $suffix"
  awk -v l="$label" -v r="$(med "$r_list")" -v p="$(med "$p_list")" -v x="$(med "$ratios")" -v rk="$r_kb" -v pk="$p_kb" \
    'BEGIN { printf "| %s | <= 1.5x pg_dump | %.1f ms | %.1f ms | %.2fx | %.1f MiB | %.1f MiB |\n", l, r * 1000, p * 1000, x, rk / 1024, pk / 1024 }'
}
med() { tr ' ' '\n' <<<"$1" | grep . | median; }

SHM=$(mktemp -d /dev/shm/rokso-bench-remap.XXXXXX)
trap 'bash "$SRC/tests/lib/pg_cluster.sh" stop "$PGDIR"; rm -rf "$WORK" "$SHM"' EXIT
chmod 755 "$SHM"
row=$(measure "$WORK" "project on disk"; measure "$SHM" "project on tmpfs")
echo "$row"

# The full-scale row goes into bench/results.md's first table (replacing an older remap row;
# bench/status.sh's section below it is left alone): bench/run.sh keeps it when it
# rewrites the file.
RESULTS_MD=${RESULTS_MD:-bench/results.md}
if [ "$TABLES" = 10000 ] && [ -f "$RESULTS_MD" ]; then
  grep -v '^| remap: ' "$RESULTS_MD" |
    awk -v row="$row" '{ line[NR] = $0 } /^## / { section = 1 } /^\|/ && !section { last = NR }
      END { for (i = 1; i <= NR; i++) { print line[i]; if (i == last) print row } if (!last) print row }' >"$WORK/results.md"
  cp "$WORK/results.md" "$RESULTS_MD"
  echo "$RESULTS_MD updated" >&2
fi
