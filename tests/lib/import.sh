# Shared by the rokso import tests (tests/cli/t1100-import-*.sh), sourced after cli.sh:
# the other tool's tree written byte for byte, a psql replay of that tree into a second
# database, and the schema comparison of the two.
REPLAY_DB="${DB}_replay"

# put <file> <content>: writes exactly <content> (no newline added), making directories.
put() {
  mkdir -p "$(dirname "$1")"
  printf '%s' "$2" >"$1"
}

# psql_to <db> <sql-file>: runs the file as psql does, stopping at the first error.
psql_to() {
  PGOPTIONS="-c client_min_messages=warning" "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$ROKSO_TEST_PGHOST" \
    -p "$ROKSO_TEST_PGPORT" -U postgres -d "$1" -f "$2" >/dev/null || fail "psql -f $2 on $1"
}

# psql_text_to <db> <sql-text>: the same for SQL given as text (a section of a file).
psql_text_to() {
  printf '%s' "$2" >"$WORK/.section.sql"
  psql_to "$1" "$WORK/.section.sql"
}

new_replay_database() {
  sql "DROP DATABASE IF EXISTS $REPLAY_DB WITH (FORCE)" postgres
  sql "CREATE DATABASE $REPLAY_DB" postgres
}

# schema_dump <db> <file>: the public schema (where the tools keep their history tables,
# left out), without pg_dump's random \restrict lines.
schema_dump() {
  "$PG_BIN/pg_dump" -h "$ROKSO_TEST_PGHOST" -p "$ROKSO_TEST_PGPORT" -U postgres --schema-only --no-owner \
    --no-privileges --schema=public --exclude-table=public.schema_migrations --exclude-table=public.goose_db_version \
    --exclude-table=public.goose_db_version_id_seq \
    --exclude-table=public.flyway_schema_history -d "$1" | grep -Ev '^\\(un)?restrict ' >"$2"
}

# expect_same_schema <what>: the test database's schema equals the replay's.
expect_same_schema() {
  schema_dump "$DB" "$WORK/rokso.dump"
  schema_dump "$REPLAY_DB" "$WORK/replay.dump"
  if diff -u "$WORK/replay.dump" "$WORK/rokso.dump" >"$WORK/schema.diff"; then
    pass
  else
    fail "$1: the schema differs from the psql replay"
    head -80 "$WORK/schema.diff" >&2
  fi
  grep -q 'CREATE TABLE' "$WORK/rokso.dump" && pass || fail "$1: the dump holds no table"
}

# expect_each_once <n>: the version table holds <n> complete rows, one per identity.
expect_each_once() {
  expect_eq "$(sql "SELECT count(*) || ' ' || count(DISTINCT filename) || ' ' || count(*) FILTER (WHERE status = 'complete')
                    FROM offline.rokso_db_version")" "$1 $1 $1" "every migration recorded once, complete"
}

# pending_identities: the pending rows of the last `rokso status`, one line, each followed by a blank.
pending_identities() {
  sed -n '/^Pending migrations/,$p' <<<"$OUT" | awk '$NF == "pending" { printf "%s ", $1 }'
}

# expect_same_bytes <file> <expected-file>: identical files.
expect_same_bytes() {
  if cmp -s "$1" "$2"; then pass; else fail "$1 differs from $2"; fi
}

# Whether this rokso runs a transactional body wrapped in one BEGIN ... COMMIT inside its
# own transaction ("outer BEGIN/COMMIT unwrapped"): asked of `rokso show` in a scratch
# project, so the wrapped-body cases run as soon as rokso does it.
unwraps_wrapped_bodies() {
  local probe=$WORK/probe-project
  mkdir -p "$probe/migration/s/200.tables/t"
  cp "$PROJECT/config.json" "$probe/"
  put "$probe/migration/s/200.tables/t/1_w.apply.sql" $'BEGIN;\nSELECT 1;\nCOMMIT;\n'
  rokso -C "$probe" show s/200.tables/t/1_w.apply.sql 2>&1 | grep -q 'outer BEGIN/COMMIT unwrapped'
}
