#!/usr/bin/env bash
# rokso lint of a large tree (not part of the pass/fail tests). Goal: 10,000 migration
# files linted in < 2 s.
#
#   bash bench/lint.sh                         # 10,000 files, ROUNDS=5; updates the lint row of bench/results.md
#   FILES=1000 bash bench/lint.sh              # quick, while developing (results.md untouched)
#   ROKSO=/path/to/bin/rokso bash bench/lint.sh    # an installed rokso instead of building one
#
# A project whose migration/ holds $FILES migrations (a third each .sql pairs, .py and
# YAML; each creates a table and an index and alters an existing one, so every rule
# family has work and most files have findings) is linted with `rokso lint --all
# --format json`, which reads every file and no database. Reported: the median time,
# the time of `cat` reading the same files, and the peak RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=$(pwd)
FILES=${FILES:-10000}
ROUNDS=${ROUNDS:-5}

# shellcheck disable=SC1091
. bench/lib.sh
release_rokso

WORK=$(mktemp -d /tmp/rokso-bench-lint.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
P=$WORK/project
# No database is read by lint --all: the connection settings are never used.
mkdir -p "$P/migration"
printf '{"database": {"database": "none", "dbschema": "public", "host": "localhost", "port": "5432", "user": "none", "password": ""}}\n' >"$P/config.json"
chmod 600 "$P/config.json"

echo "generating $FILES migration files" >&2
for ((d = 0; d * 100 < FILES; d++)); do
  dir="$P/migration/public/200.tables/t$d"
  mkdir -p "$dir"
  for ((i = 0; i < 100 && d * 100 + i < FILES; i++)); do
    n=$((d * 100 + i))
    stamp=$(printf '2021_01_01__%06d' "$n")
    apply="CREATE TABLE public.t$n (id bigint PRIMARY KEY, name text NOT NULL, created timestamptz DEFAULT now());
CREATE INDEX t${n}_name ON public.t$n (name);
ALTER TABLE public.base ADD COLUMN c$n int;
-- rokso:ignore require-concurrent-index-creation
CREATE INDEX base_c$n ON public.base (c$n);"
    rollback="DROP TABLE public.t$n;
ALTER TABLE public.base DROP COLUMN c$n;"
    case $((n % 3)) in
      0) printf '%s\n' "$apply" >"$dir/${stamp}_m.up.sql"; printf '%s\n' "$rollback" >"$dir/${stamp}_m.down.sql" ;;
      1) printf 'apply_sql = """\n%s\n"""\n\nrollback_sql = """\n%s\n"""\n\nmigrations = {\n    "apply": apply_sql,\n    "rollback": rollback_sql\n}\n' \
           "$apply" "$rollback" >"$dir/${stamp}_m.py" ;;
      2) { printf 'apply: |\n'; sed 's/^/  /' <<<"$apply"; printf 'rollback: |\n'; sed 's/^/  /' <<<"$rollback"; } >"$dir/${stamp}_m.yaml" ;;
    esac
  done
done

run_once() {  # run_once <what> <command...>: prints "<ms> <peak RSS KiB>"
  local start end
  shift
  start=$(date +%s%N)
  /usr/bin/time -f '%M' -o "$WORK/rss" "$@" >"$WORK/out" 2>"$WORK/err" || true
  end=$(date +%s%N)
  # time(1) puts "Command exited with non-zero status N" before the figure: lint exits 1 on errors.
  echo "$(((end - start) / 1000000)) $(tail -1 "$WORK/rss")"
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

: >"$WORK/lint.times"
: >"$WORK/cat.times"
for ((r = 0; r < ROUNDS; r++)); do
  run_once lint "$ROKSO" -C "$P" lint --all --format json >>"$WORK/lint.times"
  run_once cat bash -c "find '$P/migration' -type f -print0 | xargs -0 cat" >>"$WORK/cat.times"
done
"$ROKSO" -C "$P" lint --all --format json >"$WORK/doc.json" 2>"$WORK/err" || true
if ! grep -q "\"migrations\": $FILES" "$WORK/doc.json"; then
  echo "rokso lint did not lint $FILES migrations:" >&2
  head -c 2000 "$WORK/err" >&2
  exit 1
fi
lint_ms=$(awk '{ print $1 }' "$WORK/lint.times" | median)
lint_rss=$(awk '{ print $2 }' "$WORK/lint.times" | sort -n | tail -1)
cat_ms=$(awk '{ print $1 }' "$WORK/cat.times" | median)
cat_rss=$(awk '{ print $2 }' "$WORK/cat.times" | sort -n | tail -1)
findings=$(grep -c '"rule":' "$WORK/doc.json" || true)
label="lint: $(sed ':a;s/\B[0-9]\{3\}\>/,&/;ta' <<<"$FILES") migration files (.sql/.py/.yaml, $findings findings), lint --all vs cat"
ratio=$(awk -v a="$lint_ms" -v b="$cat_ms" 'BEGIN { printf "%.2fx", (b > 0 ? a / b : 0) }')
row="| $label | < 2 s | $lint_ms ms | $cat_ms ms | $ratio | $(awk -v k="$lint_rss" 'BEGIN { printf "%.1f MiB", k / 1024 }') | $(awk -v k="$cat_rss" 'BEGIN { printf "%.1f MiB", k / 1024 }') |"
echo "$row"

RESULTS_MD=${RESULTS_MD:-bench/results.md}
if [ "$FILES" = 10000 ] && [ -f "$RESULTS_MD" ]; then
  # In place of the old lint row; else after the verify row of the same table; else at the end.
  awk -v row="$row" '/^\| lint: / { if (!done) print row; done = 1; next }
    { print } /^\| verify: / && !done { print row; done = 1 } END { if (!done) print row }' "$RESULTS_MD" >"$WORK/results.new"
  cp "$WORK/results.new" "$RESULTS_MD"
  echo "$RESULTS_MD updated ($(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg))" >&2
fi
