#!/usr/bin/env bash
# rokso verify of a long tree (not part of the pass/fail tests).
#
#   bash bench/verify.sh                      # 500 migrations, ROUNDS=3; updates the verify row of bench/results.md
#   MIGRATIONS=100 bash bench/verify.sh       # quick, while developing (results.md untouched)
#   ROKSO=/path/to/bin/rokso bash bench/verify.sh   # default: the build's test install (build/test-install)
#   RESULTS_MD=/tmp/r.md bash bench/verify.sh        # write the row elsewhere
#
# A project made with `rokso init --dev` (its own dev server, as a user would) holds
# $MIGRATIONS .py migrations: each creates a table with a primary key, an index and a
# few columns, or adds a column and an index to an earlier table, and rolls it back.
# `rokso verify` then applies, snapshots, rolls back, snapshots and applies again each
# one on a throwaway database of the dev server. Reported: the median wall time and
# peak RSS over ROUNDS runs. Goal: 500 migrations < 60 s.
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=$(pwd)
MIGRATIONS=${MIGRATIONS:-500}
ROUNDS=${ROUNDS:-3}
ROKSO=${ROKSO:-$SRC/build/test-install/bin/rokso}
[ -x "$ROKSO" ] || { echo "no rokso at $ROKSO (build and install it, or set ROKSO)" >&2; exit 2; }
command -v /usr/bin/time >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null

WORK=$(mktemp -d /tmp/rokso-bench-verify.XXXXXX)
chmod 755 "$WORK"
P=$WORK/project
trap '"$ROKSO" -C "$P" dev stop >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
"$ROKSO" init --dev --projectpath "$P" >/dev/null

echo "generating $MIGRATIONS migrations" >&2
for i in $(seq 1 "$MIGRATIONS"); do
  n=$(printf '%04d' "$i")
  if [ $((i % 2)) = 1 ]; then
    apply="CREATE TABLE t$n (id bigserial PRIMARY KEY, name text NOT NULL DEFAULT '', created timestamptz DEFAULT now());
CREATE INDEX t${n}_name ON t$n (name);"
    rollback="DROP TABLE t$n;"
  else
    prev=$(printf '%04d' $((i - 1)))
    apply="ALTER TABLE t$prev ADD COLUMN extra int CHECK (extra > 0);
CREATE INDEX t${prev}_extra ON t$prev (extra);"
    rollback="DROP INDEX t${prev}_extra; ALTER TABLE t$prev DROP COLUMN extra;"
  fi
  printf 'apply_sql = """\n%s\n"""\n\nrollback_sql = """%s"""\n\nmigrations = {\n    "apply": apply_sql,\n    "rollback": rollback_sql\n}\n' \
    "$apply" "$rollback" >"$P/migration/${n}_m.py"
done

times=() rss=()
for r in $(seq 1 "$ROUNDS"); do
  start=$(date +%s%N)
  /usr/bin/time -f '%M' -o "$WORK/rss" "$ROKSO" -C "$P" verify >"$WORK/out" 2>&1 || { cat "$WORK/out" >&2; exit 1; }
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  times+=("$ms")
  rss+=("$(tail -1 "$WORK/rss")")
  echo "round $r: ${ms} ms, $(tail -1 "$WORK/rss") KiB" >&2
done
median() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }
MS=$(median "${times[@]}")
KB=$(median "${rss[@]}")
ROW="| verify: $MIGRATIONS migrations (apply, rollback, apply, 3 catalog snapshots each) on the dev server | < 60 s (500) | $(awk "BEGIN{printf \"%.1f s\", $MS/1000}") | - | - | $(awk "BEGIN{printf \"%.1f MiB\", $KB/1024}") | - |"
echo "$ROW"
if [ "$MIGRATIONS" = 500 ] || [ -n "${RESULTS_MD:-}" ]; then
  MD=${RESULTS_MD:-$SRC/bench/results.md}
  grep -v '^| verify: ' "$MD" >"$MD.tmp" || true
  echo "$ROW" >>"$MD.tmp"
  mv "$MD.tmp" "$MD"
fi
