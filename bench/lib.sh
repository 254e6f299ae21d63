# Shared by the bench/ scripts (sourced, after `cd` to the source tree):
# the throwaway server, projects, migration files, and the timing helpers.
PG_BIN=/usr/lib/postgresql/15/bin

# release_rokso: sets ROKSO to a Release build's installed rokso (in $BENCH_BUILD_DIR,
# default build-bench), unless ROKSO already names one; and makes sure /usr/bin/time is there.
release_rokso() {
  command -v /usr/bin/time >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null
  [ -n "${ROKSO:-}" ] && return
  bash share/scripts/install-deps.sh
  local build=${BENCH_BUILD_DIR:-build-bench}
  case $build in /*) ;; *) build="$SRC/$build" ;; esac
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DROKSO_BUILD_TESTS=OFF >/dev/null
  cmake --build "$build" >/dev/null
  cmake --install "$build" --prefix "$build/prefix" >/dev/null
  ROKSO="$build/prefix/bin/rokso"
}

# start_server <work dir>: a throwaway PostgreSQL in <work dir>/pg, stopped (and <work
# dir> removed) on exit; sets psql_cmd and sql().
start_server() {
  PGDIR="$1/pg"
  # shellcheck disable=SC2064
  trap "bash '$SRC/tests/lib/pg_cluster.sh' stop '$PGDIR'; rm -rf '$1'" EXIT
  bash tests/lib/pg_cluster.sh start "$PGDIR" >/dev/null
  # shellcheck disable=SC1091
  . "$PGDIR/env"
  psql_cmd=("$PG_BIN/psql" -XAtq -v ON_ERROR_STOP=1 -h "$ROKSO_TEST_PGHOST" -p "$ROKSO_TEST_PGPORT" -U postgres)
  export PGOPTIONS="-c client_min_messages=warning"
}
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

# applied_project <dir> <n>: a project whose database bench_status_<n> records the <n>
# migrations of write_migrations as applied (rows inserted directly, with the sha256-v1
# checksums migrate would record, so status finds every file unchanged).
applied_project() {
  local dir=$1 n=$2 db="bench_status_$2"
  sql "DROP DATABASE IF EXISTS $db"
  sql "CREATE DATABASE $db"
  sql "$VERSION_TABLE_DDL" "$db"
  sql "ALTER TABLE public.rokso_db_version ADD COLUMN progress integer, ADD COLUMN progress_checksum text,
       ADD COLUMN checksum text, ADD COLUMN checksum_algorithm text" "$db"
  # sha256-v1 (core/checksum.cpp): SHA-256 of the framed apply and rollback SQL.
  sql "INSERT INTO public.rokso_db_version (filename, version, status, checksum, checksum_algorithm)
       SELECT format('public/200.tables/t/2021_01_01__00_00_00_%s.py', n), 'abcdef12', 'complete',
              encode(sha256(convert_to('rokso-migration-checksum-v1' || E'\\n' || 'apply ' || length(a) || E'\\n' || a ||
                E'\\n' || 'rollback ' || length(r) || E'\\n' || r || E'\\n', 'UTF8')), 'hex'), 'sha256-v1'
       FROM (SELECT n, format('CREATE TABLE t%s (id int);', n) AS a, format('DROP TABLE t%s;', n) AS r
             FROM (SELECT lpad(g::text, 6, '0') AS n FROM generate_series(1, $n) g) AS g) AS m" "$db"
  sql "VACUUM ANALYZE public.rokso_db_version" "$db"
  project "$dir" "$db"
  write_migrations "$dir/migration/public/200.tables/t" "$n"
}

now() { echo "$EPOCHREALTIME"; }
# timed <command...>: runs it (output discarded), sets SECONDS_TAKEN, CPU_SECONDS (user +
# system, which a loaded machine inflates far less than wall time) and PEAK_KB.
timed() {
  local start end
  start=$(now)
  /usr/bin/time -f "%U %S %M" -o "$WORK/rss" "$@" >/dev/null 2>"$WORK/stderr" || { cat "$WORK/stderr" >&2; return 1; }
  end=$(now)
  SECONDS_TAKEN=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.6f", b - a }')
  CPU_SECONDS=$(tail -1 "$WORK/rss" | awk '{ printf "%.6f", $1 + $2 }')
  PEAK_KB=$(tail -1 "$WORK/rss" | awk '{ print $3 }')
}
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.6f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# record <workload> <goal> <rokso secs list> <other secs list> <ratio list> <rokso kb> <other kb>
#        [<rokso cpu secs list> <other cpu secs list>]
record() {
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" \
    "$(tr ' ' '\n' <<<"$3" | grep . | median)" "$(tr ' ' '\n' <<<"$4" | grep . | median)" \
    "$(tr ' ' '\n' <<<"$5" | grep . | median)" "$6" "$7" \
    "$(tr ' ' '\n' <<<"${8:-0}" | grep . | median)" "$(tr ' ' '\n' <<<"${9:-0}" | grep . | median)" >>"$RESULTS"
  echo "  $1 done" >&2
}

# interleave <workload> <goal> <setup-rokso> <run-rokso> <setup-other> <run-other>
# rokso and the other in turn, ROUNDS times, so the machine's drift cancels.
interleave() {
  local name=$1 goal=$2 r_setup=$3 r_run=$4 p_setup=$5 p_run=$6
  local r_list="" p_list="" ratios="" r_kb=0 p_kb=0 r p r_cpu="" p_cpu=""
  for _ in $(seq 1 "$ROUNDS"); do
    $r_setup
    timed bash -c "$r_run"
    r=$SECONDS_TAKEN
    r_cpu="$r_cpu $CPU_SECONDS"
    [ "$PEAK_KB" -gt "$r_kb" ] && r_kb=$PEAK_KB
    $p_setup
    timed bash -c "$p_run"
    p=$SECONDS_TAKEN
    p_cpu="$p_cpu $CPU_SECONDS"
    [ "$PEAK_KB" -gt "$p_kb" ] && p_kb=$PEAK_KB
    r_list="$r_list $r"
    p_list="$p_list $p"
    ratios="$ratios $(awk -v a="$r" -v b="$p" 'BEGIN { printf "%.4f", a / b }')"
  done
  record "$name" "$goal" "$r_list" "$p_list" "$ratios" "$r_kb" "$p_kb" "$r_cpu" "$p_cpu"
}
noop() { :; }

machine() {
  echo "$(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(. /etc/os-release && echo "$PRETTY_NAME"), $(uname -r), PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}')"
}
# table <results.tsv> <other's column name> [cpu]: the markdown rows; with "cpu", also
# the median CPU time (user + system) of each.
table() {
  if [ "${3:-}" = cpu ]; then
    echo "| workload | goal | rokso | $2 | ratio | rokso CPU | $2 CPU | rokso peak RSS | $2 peak RSS |"
    echo "|---|---|---|---|---|---|---|---|---|"
    awk -F'\t' '{ printf "| %s | %s | %.1f ms | %.1f ms | %.2fx | %.1f ms | %.1f ms | %.1f MiB | %.1f MiB |\n", $1, $2, $3 * 1000, $4 * 1000, $5, $8 * 1000, $9 * 1000, $6 / 1024, $7 / 1024 }' "$1"
    return
  fi
  echo "| workload | goal | rokso | $2 | ratio | rokso peak RSS | $2 peak RSS |"
  echo "|---|---|---|---|---|---|---|"
  awk -F'\t' '{ printf "| %s | %s | %.1f ms | %.1f ms | %.2fx | %.1f MiB | %.1f MiB |\n", $1, $2, $3 * 1000, $4 * 1000, $5, $6 / 1024, $7 / 1024 }' "$1"
}
