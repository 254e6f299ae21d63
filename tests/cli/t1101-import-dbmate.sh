#!/usr/bin/env bash
# rokso import --from dbmate: `-- migrate:up` / `-- migrate:down` sections, an empty down
# block, `transaction:false`, a body wrapped in BEGIN ... COMMIT under transaction:false
# (imported as transactional: rokso runs it in its own transaction), a comment before
# the up block, unpadded versions (dbmate runs its files in the string order of their
# names, so 10_ before 1_: rokso keeps the names and that order) and a file dbmate ignores.
# Part of the tree is applied by dbmate itself when it is installed (npm's dbmate;
# share/scripts/install-deps.sh), else by psql with dbmate's schema_migrations rows;
# then import --adopt and migrate: the schema equals a psql replay, each migration once.
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"
. "$ROKSO_SOURCE_DIR/tests/lib/import.sh"

new_database
new_project
cd "$PROJECT"
T=$WORK/dbmate
I=public/200.tables/dbmate
D=migration/$I

put "$T/1_create_users.sql" $'-- migrate:up\nCREATE TABLE users (id int PRIMARY KEY, name text NOT NULL);\n\n-- migrate:down\nDROP TABLE users;\n'
put "$T/2_add_email.sql" $'-- migrate:up transaction:false\nBEGIN;\nALTER TABLE users ADD COLUMN email text;\nCOMMIT;\n\n-- migrate:down\n'
put "$T/3_orders.sql" $'-- orders belong to users\n\n-- migrate:up\nCREATE TABLE orders (id int PRIMARY KEY, user_id int REFERENCES users);\n-- migrate:down\nDROP TABLE orders;\n'

# dbmate applies 1..3.
up_block() { sed -n '/^--[[:space:]]*migrate:up/,/^--[[:space:]]*migrate:down/p' "$1" | sed '$d'; }
DBMATE=$(command -v dbmate || true)
if [ -n "$DBMATE" ]; then
  echo "using $("$DBMATE" --version)"
  DATABASE_URL="postgres://postgres@/$DB?host=$ROKSO_TEST_PGHOST&port=$ROKSO_TEST_PGPORT&sslmode=disable" \
    "$DBMATE" --migrations-dir "$T" --no-dump-schema up >"$WORK/dbmate.log" 2>&1 || fail "dbmate up: $(cat "$WORK/dbmate.log")"
else
  echo "dbmate is not installed: applying with psql and writing schema_migrations as dbmate does"
  for f in 1_create_users 2_add_email 3_orders; do psql_text_to "$DB" "$(up_block "$T/$f.sql")"; done
  sql "CREATE TABLE schema_migrations (version varchar(128) PRIMARY KEY); INSERT INTO schema_migrations VALUES ('1'), ('2'), ('3')"
fi
expect_eq "$(sql "SELECT string_agg(version, ',' ORDER BY version) FROM schema_migrations")" "1,2,3" "dbmate applied 1..3"

# Then the team went on writing migrations.
put "$T/10_settings.sql" $'-- migrate:up\nCREATE TABLE settings (key text PRIMARY KEY, value text);\n-- migrate:down\nDROP TABLE settings;\n'
put "$T/4_items.sql" $'-- migrate:up\nCREATE TABLE items (id int PRIMARY KEY, order_id int REFERENCES orders);\n-- migrate:down\nDROP TABLE items;\n'
put "$T/5_items_idx.sql" $'-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY items_order_idx ON items (order_id);\n-- migrate:down transaction:false\nDROP INDEX CONCURRENTLY items_order_idx;\n'
put "$T/6_audit.sql" $'-- migrate:up transaction:false\nBEGIN;\nCREATE TABLE audit (at timestamptz NOT NULL DEFAULT now(), what text);\nCOMMIT;\n-- migrate:down\nDROP TABLE audit;\n'
put "$T/notes.txt" $'not a migration\n'
ORDER="10_settings 1_create_users 2_add_email 3_orders 4_items 5_items_idx 6_audit"

new_replay_database
for f in $ORDER; do psql_text_to "$REPLAY_DB" "$(up_block "$T/$f.sql")"; done

run rokso import --from dbmate "$T" --adopt
expect_code 0 "import --adopt"
expect_err "not imported: 'notes.txt': not named <version>*.sql: dbmate ignores it"
expect_out "Recorded the 3 migration(s) dbmate applied"
# The up block with its directive line, byte for byte; transaction:false says so to rokso.
expect_eq "$(cat "$D/1_create_users.apply.sql")" "$(up_block "$T/1_create_users.sql")" "up block"
expect_eq "$(head -1 "$D/1_create_users.apply.sql")" "-- migrate:up" "the directive line is kept"
expect_eq "$(cat "$D/1_create_users.rollback.sql")" $'-- migrate:down\nDROP TABLE users;' "down block"
expect_out "2_add_email.sql (its BEGIN ... COMMIT: in rokso's transaction)"
expect_out "5_items_idx.sql (no transaction)"
expect_eq "$(head -1 "$D/5_items_idx.apply.sql")" "-- rokso:no-transaction" "transaction:false"
expect_eq "$(tail -n +2 "$D/5_items_idx.apply.sql")" "$(up_block "$T/5_items_idx.sql")" "then the up block"
run rokso show "$D/5_items_idx.apply.sql"
expect_out "transaction:  no"
# transaction:false around a BEGIN ... COMMIT of the file's own: rokso's transaction runs
# what is inside (a BEGIN of its own is refused where rokso runs statement by statement).
expect_eq "$(cat "$D/2_add_email.apply.sql")" "$(up_block "$T/2_add_email.sql")" "a wrapped body as written"
run rokso show "$D/6_audit.apply.sql"
expect_out "outer BEGIN/COMMIT unwrapped"
expect_eq "$(sql "SELECT string_agg(filename, ',' ORDER BY id) FROM offline.rokso_db_version")" \
  "$I/1_create_users.apply.sql,$I/2_add_email.apply.sql,$I/3_orders.apply.sql" "the applied ones recorded"
expect_eq "$(sql "SELECT count(*) FROM schema_migrations")" 3 "dbmate's table untouched"

run rokso status
expect_eq "$(pending_identities)" \
  "$I/10_settings.apply.sql $I/4_items.apply.sql $I/5_items_idx.apply.sql $I/6_audit.apply.sql " \
  "pending: what dbmate had not applied, in dbmate's order"

run rokso migrate
expect_code 0 "migrate the rest"
expect_each_once 7
expect_same_schema "dbmate"

# What dbmate refuses, rokso refuses too, naming the file.
mkdir -p "$WORK/bad"
put "$WORK/bad/1_x.sql" $'CREATE TABLE x ();\n-- migrate:up\n-- migrate:down\n'
run rokso import --from dbmate "$WORK/bad" --object bad
expect_code 1 "statements before the up block"
expect_err "'1_x.sql': statements before '-- migrate:up', which dbmate refuses"
expect_eq "$(ls migration/public/200.tables | grep -c bad)" 0 "nothing written"

finish
