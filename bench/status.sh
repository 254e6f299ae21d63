#!/usr/bin/env bash
# `rokso status` with checksums verified, through the stat cache (.rokso/stat-cache,
# core/stat_cache.hpp), at 10,000 and 100,000 applied migrations, against `git status`
# on the same tree: warm (rokso's cache and git's index already written), cold (no
# cache; git's index without stat data, so it hashes every file too), and rokso
# --no-checksums (no file read at all) against a warm git status; and a warm status
# against psql connecting and reading the same rows of the version table.
#
#   bash bench/status.sh        # ROUNDS=5; replaces the "status and the stat cache"
#                               # section of bench/results.md and prints it
#   ROKSO_BENCH_PREFIX=build/test-install bash bench/status.sh   # an install already built
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=$(pwd)
ROUNDS=${ROUNDS:-5}
BUILD=${BENCH_BUILD_DIR:-build-bench}
case "$BUILD" in /*) PREFIX="$BUILD/prefix" ;; *) PREFIX="$SRC/$BUILD/prefix" ;; esac
# shellcheck disable=SC1091
. bench/lib.sh

LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)
bash share/scripts/install-deps.sh
command -v /usr/bin/time >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null
command -v git >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq git >/dev/null
if [ -n "${ROKSO_BENCH_PREFIX:-}" ]; then
  PREFIX=$(realpath "$ROKSO_BENCH_PREFIX")  # an optimised install already there (e.g. a RelWithDebInfo build's test-install)
else
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DROKSO_BUILD_TESTS=OFF >/dev/null
  cmake --build "$BUILD" >/dev/null
  cmake --install "$BUILD" --prefix "$PREFIX" >/dev/null
fi
ROKSO="$PREFIX/bin/rokso"

WORK=$(mktemp -d /tmp/rokso-bench.XXXXXX)
chmod 755 "$WORK"
start_server "$WORK"
RESULTS="$WORK/results.tsv"
: >"$RESULTS"
GIT=(git -c user.name=bench -c user.email=bench@localhost -c gc.auto=0)

cold_cache() { rm -rf "$DIR/.rokso"; }
cold_index() { (cd "$DIR" && "${GIT[@]}" read-tree HEAD); }  # an index with no stat data
for n in 10000 100000; do
  echo "status-$n" >&2
  DIR="$WORK/status$n"
  applied_project "$DIR" "$n"
  (cd "$DIR" && "${GIT[@]}" init -q && "${GIT[@]}" add -A && "${GIT[@]}" commit -qm tree)
  goal="-"
  [ "$n" = 10000 ] && goal="<= 50 ms"
  [ "$n" = 100000 ] && goal="<= 0.5 s"
  rokso_status="cd '$DIR' && \"$ROKSO\" status"
  git_status="cd '$DIR' && git status --porcelain"
  interleave "status: $n applied, cold (no stat cache; git: index without stat data)" "-" \
    cold_cache "$rokso_status" cold_index "$git_status"
  bash -c "$rokso_status" >/dev/null  # the cache, written
  bash -c "$git_status" >/dev/null    # the index, refreshed
  interleave "status: $n applied, warm stat cache (checksums verified)" "$goal" \
    noop "$rokso_status" noop "$git_status"
  interleave "status --no-checksums: $n applied (no file read)" "$goal" \
    noop "$rokso_status --no-checksums" noop "$git_status"
  # The floor a client of the server pays: psql alone connecting and reading the rows
  # status reads (the "git status" column is psql's in this row).
  psql_rows="$(printf '%q ' "${psql_cmd[@]}") -d bench_status_$n -c $(printf '%q' \
    "COPY (SELECT filename, status = 'complete', checksum FROM public.rokso_db_version) TO STDOUT")"
  interleave "status: $n applied, warm stat cache, against psql reading the same rows (COPY)" "-" \
    noop "$rokso_status" noop "$psql_rows"
done

{
  echo "## status and the stat cache"
  echo
  echo "Run: $(date -u '+%Y-%m-%d %H:%M UTC') by bench/status.sh, $ROUNDS interleaved rounds, on: $(machine);"
  echo "load average $LOAD_AT_START at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end."
  echo "\`git status --porcelain\` on the same tree (one commit of every file); ratio = median of the"
  echo "pairwise rokso/git wall-time ratios; CPU = user + system time, median, which the machine's load"
  echo "inflates far less than wall time. rokso's time includes reading the version table over a connection;"
  echo "the rows \"against psql\" put in the git status columns psql connecting and reading the same rows,"
  echo "the part of a status no client of the server can skip."
  echo
  table "$RESULTS" "git status" cpu
} >"$WORK/section.md"
# This section replaces its older self in bench/results.md, up to the next "## " heading;
# run.sh's part above it and the sections of lint.sh, verify.sh and fleet.sh after it stay.
if [ -f bench/results.md ] && grep -q '^## status and the stat cache' bench/results.md; then
  awk -v section="$WORK/section.md" '
    /^## status and the stat cache/ { while ((getline line < section) > 0) print line; print ""; skip = 1; next }
    skip && /^## / { skip = 0 }
    !skip' bench/results.md | cat -s >"$WORK/results.md"
else
  { cat bench/results.md 2>/dev/null; echo; cat "$WORK/section.md"; } | cat -s >"$WORK/results.md"
fi
cp "$WORK/results.md" bench/results.md
cat "$WORK/section.md"
