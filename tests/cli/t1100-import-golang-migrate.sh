#!/usr/bin/env bash
# rokso import --from golang-migrate: a tree with up/down pairs whose names differ,
# unpadded versions (1_ ... 10_, 11_: rokso must not run 10_ before 2_), a body wrapped in
# BEGIN ... COMMIT, CREATE INDEX CONCURRENTLY, a missing down, a stray down and a README.
# Part of it is applied as golang-migrate does (each up file sent whole, then its
# schema_migrations row), then import --adopt records that part and migrate runs the
# rest: the schema equals a psql replay of the whole tree, each migration recorded once.
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"
. "$ROKSO_SOURCE_DIR/tests/lib/import.sh"

new_database
new_project
cd "$PROJECT"
T=$WORK/golang-migrate
I=public/200.tables/golang-migrate
D=migration/$I

put "$T/1_create_users.up.sql" $'CREATE TABLE users (id int PRIMARY KEY, name text NOT NULL);\n'
put "$T/1_drop_users.down.sql" $'DROP TABLE users;\n'
put "$T/2_add_email.up.sql" $'BEGIN;\nALTER TABLE users ADD COLUMN email text;\nCREATE UNIQUE INDEX users_email ON users (email);\nCOMMIT;\n'
put "$T/2_add_email.down.sql" $'ALTER TABLE users DROP COLUMN email;\r\n'
put "$T/3_orders.up.sql" $'CREATE TABLE orders (id int PRIMARY KEY, user_id int REFERENCES users);\n'
put "$T/4_items.up.sql" $'CREATE TABLE items (id int PRIMARY KEY, order_id int REFERENCES orders);\n'
put "$T/4_items.down.sql" $'DROP TABLE items;\n'
put "$T/10_items_price.up.sql" $'ALTER TABLE items ADD COLUMN price numeric(10, 2) NOT NULL DEFAULT 0;\n'
put "$T/10_items_price.down.sql" $'ALTER TABLE items DROP COLUMN price;\n'
put "$T/11_orders_user_idx.up.sql" $'CREATE INDEX CONCURRENTLY orders_user_idx ON orders (user_id);\n'
put "$T/11_orders_user_idx.down.sql" $'DROP INDEX CONCURRENTLY orders_user_idx;\n'
put "$T/7_orphan.down.sql" $'DROP TABLE nothing;\n'
put "$T/README.md" $'# migrations\n'
WRAPPED_PENDING=0
if unwraps_wrapped_bodies; then
  WRAPPED_PENDING=1
  put "$T/12_audit.up.sql" $'BEGIN;\nCREATE TABLE audit (at timestamptz NOT NULL DEFAULT now(), what text);\nCOMMIT;\n'
else
  echo "SKIP: a pending body wrapped in BEGIN ... COMMIT (this rokso does not unwrap it yet)"
fi
ALL="1 2 3 4 10 11"
[ "$WRAPPED_PENDING" = 1 ] && ALL="$ALL 12"

# The replay: every up file, in golang-migrate's numeric order.
new_replay_database
for v in $ALL; do psql_to "$REPLAY_DB" "$(ls "$T/${v}"_*.up.sql)"; done

# golang-migrate applied 1..3.
for v in 1 2 3; do psql_to "$DB" "$(ls "$T/${v}"_*.up.sql)"; done
sql "CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);
     INSERT INTO schema_migrations VALUES (3, false)"

# A dirty history is refused, and nothing is written.
sql "UPDATE schema_migrations SET dirty = true"
run rokso import --from golang-migrate "$T" --adopt
expect_code 1 "dirty history"
expect_err "says version 3 is dirty"
expect_eq "$(ls migration | wc -l)" 0 "no file written"
expect_eq "$(sql "SELECT to_regclass('offline.rokso_db_version') IS NULL OR NOT EXISTS (SELECT FROM offline.rokso_db_version)")" t "nothing recorded"
sql "UPDATE schema_migrations SET dirty = false"

# A history table that is not there, or is another tool's, is refused.
run rokso import --from golang-migrate "$T" --adopt --history-table public.nope
expect_code 1 "no such history table"
expect_err "no table 'public.nope' (golang-migrate's history)"
sql "CREATE TABLE goose_db_version (id serial, version_id bigint, is_applied boolean, tstamp timestamp)"
run rokso import --from golang-migrate "$T" --adopt --history-table goose_db_version
expect_code 1 "another tool's table"
expect_err "cannot read public.goose_db_version as golang-migrate's history"
sql "DROP TABLE goose_db_version"
expect_eq "$(ls migration | wc -l)" 0 "nothing written"

# A dry run writes nothing and says what would be adopted.
run rokso import --from golang-migrate "$T" --adopt --dry-run
expect_code 0 "dry run"
expect_out "Would record 3 of them as applied (public.schema_migrations)"
expect_eq "$(ls migration | wc -l)" 0 "dry run writes nothing"

run rokso import --from golang-migrate "$T" --adopt
expect_code 0 "import --adopt"
expect_err "not imported: '7_orphan.down.sql': a down migration without an up migration for version 7"
expect_err "not imported: 'README.md'"
expect_out "Recorded the 3 migration(s) golang-migrate applied"
expect_out "1_create_users.up.sql, 1_drop_users.down.sql"
# Names zero-padded, SQL byte for byte, pairs by version, a missing down is an empty rollback.
for v in 1 2 3 4 10 11; do
  f=$(printf '%014d' "$v")
  up=$(ls "$T/${v}"_*.up.sql)
  stem=$(basename "$up" .up.sql)
  expect_same_bytes "$D/${f}_${stem#*_}.apply.sql" "$up"
done
expect_same_bytes "$D/00000000000001_create_users.rollback.sql" "$T/1_drop_users.down.sql"
expect_same_bytes "$D/00000000000002_add_email.rollback.sql" "$T/2_add_email.down.sql"
expect_eq "$(cat "$D/00000000000003_orders.rollback.sql" 2>/dev/null | wc -c)" 0 "missing down: empty rollback"
expect_eq "$(ls "$D" | grep -c orphan)" 0 "the orphan down is not imported"
expect_eq "$(sql "SELECT string_agg(filename, ',' ORDER BY id) FROM offline.rokso_db_version")" \
  "$I/00000000000001_create_users.apply.sql,$I/00000000000002_add_email.apply.sql,$I/00000000000003_orders.apply.sql" \
  "the applied ones recorded, in order"
expect_eq "$(sql "SELECT count(*) FROM offline.rokso_db_version WHERE status = 'complete' AND checksum IS NOT NULL")" 3 "with checksums"
expect_eq "$(sql "SELECT version || ' ' || dirty FROM schema_migrations")" "3 false" "golang-migrate's table untouched"

# status shows exactly what golang-migrate had not applied, in its order.
run rokso status
expect_code 0 "status"
expect_eq "$(pending_identities)" \
  "$I/00000000000004_items.apply.sql $I/00000000000010_items_price.apply.sql $I/00000000000011_orders_user_idx.apply.sql $([ "$WRAPPED_PENDING" = 1 ] && echo "$I/00000000000012_audit.apply.sql ")" \
  "pending: 4, 10, 11"

# Importing again refuses to overwrite.
run rokso import --from golang-migrate "$T"
expect_code 1 "a second import"
expect_err "already exists"

run rokso migrate
expect_code 0 "migrate the rest"
expect_out "CREATE INDEX CONCURRENTLY"
expect_each_once $(wc -w <<<"$ALL")
expect_same_schema "golang-migrate"

# Without --adopt into another directory: files only, no database needed.
run rokso import --from golang-migrate "$T" --object again --schema other --type V
expect_code 0 "plain import"
expect_eq "$(ls migration/other/300.views/again | grep -c '\.apply\.sql$')" "$(wc -w <<<"$ALL")" "every migration imported"
run rokso import --from golang-migrate "$WORK/nowhere"
expect_code 2 "no such directory"
run rokso import --from flywey "$T"
expect_code 2 "unknown tool"

finish
