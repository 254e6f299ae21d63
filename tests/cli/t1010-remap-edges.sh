#!/usr/bin/env bash
# rokso remap at its edges (t1000 covers replay fidelity on the big fixtures):
# - the version table in the user's own schema: left out with its sequence, replay identical;
# - default_format sql and yaml: .apply.sql/.rollback.sql pairs and .yaml files, nothing
#   pending, replay identical;
# - pg_dump missing or failing (ROKSO_PG_DUMP): exit 1, its message, nothing written or
#   recorded, and the password neither in the message nor in pg_dump's argv;
# - a role that may not read a schema or lock a table: exit 1 naming it, nothing written;
# - --schemas parsing: unknown (exit 2), spaces around names, a mixed-case name with a space;
# - --force: a new revision beside the first; a target file that already exists: exit 1,
#   nothing new written or recorded;
# - an empty schema: "Nothing to remap"; a dead server: exit 1, one line;
# - a name needing percent-encoding ('a/b'), and rokso show on its identity.
# Over TCP with a password (scram), so pg_dump gets the password from rokso too.
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

HOST=127.0.0.1
PORT=$ROKSO_TEST_PGPORT
ROLE=t1010_owner
SECRET='Rm-5ecr3t q"Z9%'
SECRET_SQL="'Rm-5ecr3t q\"Z9%'"
LIMITED=t1010_limited
LIMITED_SECRET='L1m-pass 77'
CONN=(-h "$ROKSO_TEST_PGHOST" -p "$ROKSO_TEST_PGPORT" -U postgres)

step() { echo "--- $*"; }

# Roles outlive databases: an earlier run's roles are reused with this run's passwords.
for r in "$ROLE" "$LIMITED"; do
  [ -n "$(sql "SELECT 1 FROM pg_roles WHERE rolname = '$r'" postgres)" ] || sql "CREATE ROLE $r" postgres
done
sql "ALTER ROLE $ROLE LOGIN SUPERUSER PASSWORD $SECRET_SQL" postgres
sql "ALTER ROLE $LIMITED LOGIN NOSUPERUSER PASSWORD '$LIMITED_SECRET'" postgres

# fresh_db <name>: an empty database.
fresh_db() {
  sql "DROP DATABASE IF EXISTS $1 WITH (FORCE)" postgres
  sql "CREATE DATABASE $1" postgres
}

# A small schema with every kind t1010 cares about: serial, index, FK, view, function, trigger.
load_small() {
  sql "CREATE SCHEMA IF NOT EXISTS ${2:-public};
       SET search_path = ${2:-public};
       CREATE TABLE customer (id serial PRIMARY KEY, email text NOT NULL, updated_at timestamptz);
       CREATE INDEX customer_email_idx ON customer (lower(email));
       CREATE TABLE orders (id bigserial PRIMARY KEY, customer_id integer NOT NULL REFERENCES customer (id),
                            total numeric(10,2) DEFAULT 0 CHECK (total >= 0));
       COMMENT ON TABLE orders IS 'one row per order';
       CREATE VIEW big_orders AS SELECT o.id, c.email FROM orders o JOIN customer c ON c.id = o.customer_id WHERE o.total > 100;
       CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS \$\$BEGIN NEW.updated_at := now(); RETURN NEW; END\$\$;
       CREATE TRIGGER customer_touch BEFORE UPDATE ON customer FOR EACH ROW EXECUTE FUNCTION touch();" "$1"
}

# init_project <dir> <db> <version-table schema> [user] [password]: rokso init over TCP.
init_project() {
  run rokso init --projectpath "$1" --dbhost "$HOST" --dbport "$PORT" --dbname "$2" \
    --dbusername "${4:-$ROLE}" --dbpassword "${5:-$SECRET}" --dbschema "$3"
  expect_code 0 "init $1 on $2"
}

# set_format <project> <format>: default_format in config.json.
set_format() {
  jq --arg f "$2" '.default_format = $f' "$1/config.json" >"$1/config.json.new" && mv "$1/config.json.new" "$1/config.json"
  chmod 600 "$1/config.json"
}

tree() { (cd "$1/migration" && find . -type f | sed 's|^\./||' | LC_ALL=C sort); }
tree_sums() { (cd "$1/migration" && find . -print0 | LC_ALL=C sort -z | xargs -0r ls -ld --time-style=+ | awk '{print $1, $5, $NF}'; \
               find . -type f -print0 | LC_ALL=C sort -z | xargs -0r sha256sum); }
rows() { sql "SELECT count(*) FROM $2" "$1"; }

# dump <db> <file> [pg_dump options]: the schema, as t1000 compares it.
dump() {
  local db=$1 file=$2
  shift 2
  "$PG_BIN/pg_dump" "${CONN[@]}" --schema-only --no-owner --no-privileges "$@" -d "$db" >"$file.raw" || fail "pg_dump of $db"
  grep -Ev '^\\(un)?restrict ' "$file.raw" >"$file"
}
same_dump() {
  if diff -u "$1" "$2" >"$2.diff"; then pass; else
    fail "$3: schema dumps differ"
    head -60 "$2.diff" >&2
  fi
}

# replay <project A> <db A> <label> <vt schema> [dump options]: a copy of A's tree migrated
# into a fresh database with only A's schemas; the two dumps must be identical.
replay() {
  local PA=$1 A=$2 label=$3 vt=$4
  shift 4
  local B="${DB}_${label}_b" PB="$WORK/$label-b"
  fresh_db "$B"
  sql "$(sql "SELECT string_agg(format('CREATE SCHEMA IF NOT EXISTS %I;', nspname), ' ') FROM pg_namespace
              WHERE nspname !~ '^pg_' AND nspname <> 'information_schema'" "$A")" "$B"
  init_project "$PB" "$B" "$vt"
  cp -a "$PA/migration/." "$PB/migration/"
  (cd "$PB" && run rokso migrate && echo "$CODE" >"$WORK/.code"; cat "$WORK/.out" "$WORK/.err" >"$WORK/$label.migrate.log")
  expect_eq "$(cat "$WORK/.code")" 0 "$label: migrate the remapped tree ($(tail -3 "$WORK/$label.migrate.log"))"
  dump "$A" "$WORK/$label-a.sql" "$@"
  dump "$B" "$WORK/$label-b.sql" "$@"
  same_dump "$WORK/$label-a.sql" "$WORK/$label-b.sql" "$label: A and its replay"
}

cd "$WORK" || exit 1

# --- the version table in the user's own schema -------------------------------------------------
step "version table in public, beside the user's objects"
A="${DB}_same"
fresh_db "$A"
load_small "$A"
P="$WORK/same"
init_project "$P" "$A" public
cd "$P" || exit 1
run rokso remap --schemas public --yes
expect_code 0 "remap with the version table in public"
expect_out "recorded as applied"
n=$(tree "$P" | grep -c .)
[ "$n" -gt 5 ] && pass || fail "remap wrote only $n files"
expect_eq "$(grep -rl rokso_db_version "$P/migration" | head -5)" "" "files mentioning rokso_db_version"
expect_eq "$(tree "$P" | grep -c rokso_db_version)" 0 "files named after rokso_db_version"
expect_eq "$(sql "SELECT count(*) = $n AND count(DISTINCT version) = 1 FROM public.rokso_db_version" "$A")" t \
  "one row per file, one revision"
expect_eq "$(sql "SELECT count(*) FROM public.rokso_db_version WHERE filename LIKE '%rokso_db_version%'" "$A")" 0 \
  "rows for the version table itself"
# The serial's sequence and the FK are there, filed as remap files them.
[ -n "$(tree "$P" | grep '^public/200.tables/customer/')" ] && pass || fail "no file for public.customer"
[ -n "$(tree "$P" | grep '^public/600.foreign_keys/orders/')" ] && pass || fail "no foreign-key file for orders"
[ -n "$(tree "$P" | grep '^public/700.triggers/customer/')" ] && pass || fail "no trigger file for customer"
run rokso status --exit-code
expect_code 0 "status after remap"
expect_out "No new migration to process."
cd "$WORK" || exit 1
replay "$P" "$A" same public --exclude-table=public.rokso_db_version

# --- default_format sql and yaml ----------------------------------------------------------------
for format in sql yaml; do
  step "default_format $format"
  A="${DB}_fmt_$format"
  fresh_db "$A"
  load_small "$A"
  sql "CREATE SCHEMA rokso" "$A"
  P="$WORK/fmt-$format"
  init_project "$P" "$A" rokso
  set_format "$P" "$format"
  cd "$P" || exit 1
  run rokso remap --schemas public --yes
  expect_code 0 "remap with default_format $format"
  files=$(tree "$P")
  n=$(grep -c . <<<"$files")
  if [ "$format" = sql ]; then
    napply=$(grep -c '\.apply\.sql$' <<<"$files")
    nrollback=$(grep -c '\.rollback\.sql$' <<<"$files")
    [ "$napply" -gt 5 ] && pass || fail "only $napply .apply.sql files"
    expect_eq "$nrollback" "$napply" ".rollback.sql files beside the .apply.sql ones"
    expect_eq "$((napply + nrollback))" "$n" "files other than .apply.sql/.rollback.sql"
    expect_eq "$(diff <(grep '\.apply\.sql$' <<<"$files" | sed 's/\.apply\.sql$//') \
                      <(grep '\.rollback\.sql$' <<<"$files" | sed 's/\.rollback\.sql$//') | grep -c .)" 0 \
      "every .apply.sql has its .rollback.sql"
    expect_eq "$(sql "SELECT count(*) FROM rokso.rokso_db_version WHERE filename LIKE '%.apply.sql'" "$A")" "$napply" \
      "rows name the .apply.sql files"
    # A file needing another says so in its header.
    grep -q '^-- rokso:requires public/200.tables/' "$P"/migration/public/600.foreign_keys/orders/*.apply.sql && pass ||
      fail "the foreign key's .apply.sql does not require its tables"
  else
    nyaml=$(grep -c '\.yaml$' <<<"$files")
    [ "$nyaml" -gt 5 ] && pass || fail "only $nyaml .yaml files"
    expect_eq "$nyaml" "$n" "files other than .yaml"
    expect_eq "$(sql "SELECT count(*) FROM rokso.rokso_db_version WHERE filename LIKE '%.yaml'" "$A")" "$nyaml" \
      "rows name the .yaml files"
  fi
  run rokso status --exit-code
  expect_code 0 "status after a $format remap"
  expect_out "No new migration to process."
  cd "$WORK" || exit 1
  replay "$P" "$A" "fmt_$format" rokso --exclude-schema=rokso
done

# --- pg_dump missing or failing, and the password ------------------------------------------------
step "pg_dump missing, pg_dump failing; the password stays out of messages and argv"
A="${DB}_dump"
fresh_db "$A"
load_small "$A"
sql "CREATE SCHEMA rokso" "$A"
P="$WORK/dump"
init_project "$P" "$A" rokso
cd "$P" || exit 1
ROKSO_PG_DUMP=/nonexistent/pg_dump run rokso remap --schemas public --yes
expect_code 1 "remap with ROKSO_PG_DUMP=/nonexistent/pg_dump"
expect_one_line_error "/nonexistent/pg_dump"
expect_no_out "$SECRET"
expect_eq "$(tree "$P")" "" "files after a missing pg_dump"
expect_eq "$(find "$P/migration" -mindepth 1 | head -3)" "" "directories after a missing pg_dump"
expect_eq "$(rows "$A" rokso.rokso_db_version)" 0 "rows after a missing pg_dump"

FAKE="$WORK/fake-pg_dump"
cat >"$FAKE" <<'EOF'
#!/bin/sh
# Says what it was given, and fails as pg_dump does.
echo "pg_dump: error: simulated failure; argv: $*" >&2
exit 1
EOF
chmod 755 "$FAKE"
ROKSO_PG_DUMP=$FAKE run rokso remap --schemas public --yes
expect_code 1 "remap with a failing pg_dump"
expect_one_line_error "pg_dump failed: simulated failure"
expect_err "--schema-only"  # argv is in the message: the password is not in argv
expect_err "--schema=\"public\""
expect_no_out "$SECRET"
expect_no_out "5ecr3t"
expect_eq "$(tree "$P")" "" "files after a failing pg_dump"
expect_eq "$(find "$P/migration" -mindepth 1 | head -3)" "" "directories after a failing pg_dump"
expect_eq "$(rows "$A" rokso.rokso_db_version)" 0 "rows after a failing pg_dump"

# pg_dump that exits 0 but writes no archive.
printf '#!/bin/sh\necho "-- not an archive"\n' >"$FAKE"
ROKSO_PG_DUMP=$FAKE run rokso remap --schemas public --yes
expect_code 1 "remap with a pg_dump writing text"
expect_one_line_error "not a custom-format archive"
expect_eq "$(tree "$P")" "" "files after a bad archive"

# The real pg_dump, with the password (scram over TCP): it works, and prints no password.
run rokso remap --schemas public --yes
expect_code 0 "remap over TCP with a password"
expect_no_out "$SECRET"
expect_no_out "5ecr3t"
cd "$WORK" || exit 1

# --- no permission ----------------------------------------------------------------------------
step "a role that may not read a schema, or lock a table"
A="${DB}_perm"
fresh_db "$A"
load_small "$A" public
sql "CREATE SCHEMA locked; CREATE TABLE locked.secret_t (id int);
     CREATE SCHEMA halfopen; CREATE TABLE halfopen.visible (id int); CREATE TABLE halfopen.hidden (id int);
     GRANT USAGE ON SCHEMA halfopen TO $LIMITED; GRANT SELECT ON halfopen.visible TO $LIMITED;
     CREATE SCHEMA limited_vt AUTHORIZATION $LIMITED;
     REVOKE ALL ON SCHEMA locked FROM PUBLIC;" "$A"
P="$WORK/perm"
init_project "$P" "$A" limited_vt "$LIMITED" "$LIMITED_SECRET"
cd "$P" || exit 1
run rokso remap --schemas locked --yes
expect_code 1 "remap of a schema the role has no USAGE on"
expect_one_line_error "permission denied"
expect_err "locked"
expect_no_out "$LIMITED_SECRET"
expect_eq "$(tree "$P")" "" "files after permission denied (schema)"
expect_eq "$(rows "$A" limited_vt.rokso_db_version)" 0 "rows after permission denied (schema)"
run rokso remap --schemas halfopen --yes
expect_code 1 "remap of a schema with a table the role may not lock"
expect_one_line_error "permission denied"
expect_err "hidden"
expect_eq "$(tree "$P")" "" "files after permission denied (table)"
expect_eq "$(rows "$A" limited_vt.rokso_db_version)" 0 "rows after permission denied (table)"
# Granted, the same remap works.
sql "GRANT SELECT ON halfopen.hidden TO $LIMITED" "$A"
run rokso remap --schemas halfopen --yes
expect_code 0 "remap once the table is readable"
expect_eq "$(tree "$P" | grep -c '^halfopen/200.tables/')" 2 "files for halfopen's two tables"
cd "$WORK" || exit 1

# --- --schemas parsing, an empty schema, names needing encoding ---------------------------------
step "--schemas: unknown, spaces, a mixed-case name; an empty schema; 'a/b'"
A="${DB}_names"
fresh_db "$A"
sql "CREATE SCHEMA rokso; CREATE SCHEMA \"Sales Dept\"; CREATE SCHEMA empty_one; CREATE SCHEMA sub;
     CREATE TABLE \"Sales Dept\".\"Deal Stage\" (id int PRIMARY KEY);
     CREATE TABLE sub.\"a/b\" (id int PRIMARY KEY, name text);
     COMMENT ON TABLE sub.\"a/b\" IS 'slash';
     CREATE TABLE sub.\"a b\" (id int PRIMARY KEY);
     CREATE TABLE sub.a (id int, ab int, CONSTRAINT \"b x\" FOREIGN KEY (ab) REFERENCES sub.\"a b\" (id));" "$A"
P="$WORK/names"
init_project "$P" "$A" rokso
cd "$P" || exit 1
run rokso remap --schemas "sub,no_such" --yes
expect_code 2 "remap naming an unknown schema"
expect_one_line_error "unknown schema 'no_such'"
expect_err "Sales Dept"  # the message lists what exists
run rokso remap --schemas "sales dept" --yes
expect_code 2 "a mixed-case schema is not found by its lower-case spelling"
run rokso remap --schemas " , " --yes
expect_code 2 "--schemas with no name"
expect_eq "$(tree "$P")" "" "files after refused remaps"
expect_eq "$(rows "$A" rokso.rokso_db_version)" 0 "rows after refused remaps"

run rokso remap --schemas "empty_one" --yes
expect_code 0 "remap of an empty schema"
expect_out "Nothing to remap"
expect_eq "$(tree "$P")" "" "files after remapping an empty schema"
expect_eq "$(find "$P/migration" -mindepth 1 | head -3)" "" "directories after remapping an empty schema"
expect_eq "$(rows "$A" rokso.rokso_db_version)" 0 "rows after remapping an empty schema"

run rokso remap --schemas "  Sales Dept ,sub  , empty_one" --yes
expect_code 0 "remap --schemas with spaces and a mixed-case name"
expect_out "Sales Dept"
[ -d "$P/migration/Sales Dept/200.tables/Deal Stage" ] && pass || fail "no directory for \"Sales Dept\".\"Deal Stage\""
[ -d "$P/migration/sub/200.tables/a%2Fb" ] && pass || fail "no directory sub/200.tables/a%2Fb"
expect_eq "$(tree "$P" | grep -c '^empty_one/')" 0 "files for the empty schema"
id=$(tree "$P" | grep '^sub/200.tables/a%2Fb/' | head -1)
[ -n "$id" ] && pass || fail "no file under sub/200.tables/a%2Fb"
case "$id" in *_create_table_a%2Fb.py) pass ;; *) fail "file name of sub.\"a/b\": $id" ;; esac
# The key "b x" on table "a" (pg_dump's tag "a b x" reads as table "a b" too) is filed under "a".
expect_eq "$(tree "$P" | grep '^sub/600.foreign_keys/' | sed 's|/[0-9_]*_create_| |')" \
  "sub/600.foreign_keys/a fk_constraint_b x.py" "the foreign key of sub.a"
run rokso show "$id"
expect_code 0 "show $id"
expect_out 'CREATE TABLE sub."a/b"'
expect_out "COMMENT ON TABLE sub.\"a/b\" IS 'slash'"
run rokso show --format json "$id"
expect_code 0 "show --format json $id"
expect_out "\"identity\": \"$id\""
expect_eq "$(sql "SELECT count(*) FROM rokso.rokso_db_version WHERE filename = '$id' AND status = 'complete'" "$A")" 1 \
  "the row of $id"

# Remap names files by the second: wait for the clock's next one (not a fixed second's sleep).
next_second() {
  local s
  s=$(date +%s)
  while [ "$(date +%s)" = "$s" ]; do sleep 0.02; done
}

# --- --force -----------------------------------------------------------------------------------
step "--force: a second revision; a target file that exists: nothing written"
n1=$(tree "$P" | grep -c .)
r1=$(rows "$A" rokso.rokso_db_version)
run rokso remap --schemas sub --yes
expect_code 1 "remap without --force on a non-empty version table"
expect_err "--force"
sql "CREATE TABLE sub.added (id int)" "$A"
next_second  # another second: other file names
run rokso remap --schemas sub --yes --force
expect_code 0 "remap --force"
n2=$(tree "$P" | grep -c .)
r2=$(rows "$A" rokso.rokso_db_version)
nsub=$(sql "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'sub' AND c.relkind = 'r'" "$A")
expect_eq "$nsub" 4 "tables in sub"
[ "$n2" -gt "$n1" ] && pass || fail "--force wrote no file ($n1 -> $n2)"
expect_eq "$r2" "$((r1 + n2 - n1))" "rows added by --force = files added"
expect_eq "$(sql "SELECT count(DISTINCT version) FROM rokso.rokso_db_version" "$A")" 2 "revisions after --force"
[ -n "$(tree "$P" | grep '^sub/200.tables/added/')" ] && pass || fail "no file for the table added before --force"
run rokso status --exit-code
expect_code 0 "status after --force"

# Plant the remap's own next file name for the coming seconds: it must refuse, and undo.
next_second
plant=()
now=$(date +%s)
for s in $(seq 0 8); do
  f="$P/migration/sub/200.tables/added/$(date -d "@$((now + s))" +%Y_%m_%d__%H_%M_%S)_create_table_added.py"
  echo "# planted" >"$f"
  plant+=("$f")
done
sums=$(tree_sums "$P")
table_rows=$(sql "SELECT string_agg(id || ' ' || filename || ' ' || version, E'\n' ORDER BY id) FROM rokso.rokso_db_version" "$A")
run rokso remap --schemas "sub" --yes --force
expect_code 1 "remap --force onto a file that exists"
expect_one_line_error "already exists"
expect_eq "$(tree_sums "$P")" "$sums" "tree after a remap refused by an existing file"
expect_eq "$(sql "SELECT string_agg(id || ' ' || filename || ' ' || version, E'\n' ORDER BY id) FROM rokso.rokso_db_version" "$A")" \
  "$table_rows" "version table after a remap refused by an existing file"
rm -f "${plant[@]}"
cd "$WORK" || exit 1

# --- a dead server ------------------------------------------------------------------------------
step "a dead server"
DEAD_PORT=""
for p in 1 2 3 4 5 6 7 9 11 13; do
  (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { DEAD_PORT=$p; break; }
done
P="$WORK/dead"
cp -a "$WORK/names" "$P"
find "$P/migration" -mindepth 1 -delete
jq --arg p "$DEAD_PORT" '.dbport = $p' "$P/config.json" >"$P/c.json" && mv "$P/c.json" "$P/config.json"
chmod 600 "$P/config.json"
cd "$P" || exit 1
run rokso remap --schemas sub --yes
expect_code 1 "remap against a dead server (port $DEAD_PORT)"
expect_one_line_error
expect_no_out "$SECRET"
expect_eq "$(tree "$P")" "" "files after a dead server"
cd "$WORK" || exit 1

finish
