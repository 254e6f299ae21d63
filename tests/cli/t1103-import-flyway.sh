#!/usr/bin/env bash
# rokso import --from flyway: V<version>__<description>.sql anywhere below the directory,
# versions compared part by part (1.2 < 1.10 < 2; 1_2 is 1.2), a U undo file as the
# rollback, executeInTransaction=false in a .sql.conf, a repeatable R__ script and a
# callback (reported, not imported). Flyway is not packaged for Debian or npm: part of
# the tree is applied with psql and flyway_schema_history written as Flyway writes it;
# a failed row is refused; then import --adopt and migrate: the schema equals a psql
# replay, each migration once.
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"
. "$ROKSO_SOURCE_DIR/tests/lib/import.sh"

new_database
new_project
cd "$PROJECT"
T=$WORK/flyway
I=public/200.tables/flyway
D=migration/$I

put "$T/V1__Create_users.sql" $'CREATE TABLE users (id int PRIMARY KEY, name text NOT NULL);\n'
put "$T/V1.1__Add_email.sql" $'ALTER TABLE users ADD COLUMN email text;\n'
put "$T/U1.1__Add_email.sql" $'ALTER TABLE users DROP COLUMN email;\n'
put "$T/V1_2__Orders.sql" $'CREATE TABLE orders (id int PRIMARY KEY, user_id int REFERENCES users);\n'
put "$T/R__Users_view.sql" $'CREATE OR REPLACE VIEW user_names AS SELECT id, name FROM users;\n'
put "$T/afterMigrate.sql" $'SELECT 1;\n'
put "$T/later/V1.10__Items.sql" $'CREATE TABLE items (id int PRIMARY KEY, order_id int REFERENCES orders);\n'
put "$T/V2__Orders_idx.sql" $'CREATE INDEX CONCURRENTLY orders_user_idx ON orders (user_id);\n'
put "$T/V2__Orders_idx.sql.conf" $'executeInTransaction=false\n'
VERSIONED="V1__Create_users V1.1__Add_email V1_2__Orders later/V1.10__Items V2__Orders_idx"
if unwraps_wrapped_bodies; then
  put "$T/V3__Audit.sql" $'BEGIN;\nCREATE TABLE audit (at timestamptz NOT NULL DEFAULT now(), what text);\nCOMMIT;\n'
  VERSIONED="$VERSIONED V3__Audit"
else
  echo "SKIP: a pending body wrapped in BEGIN ... COMMIT (this rokso does not unwrap it yet)"
fi

new_replay_database
for f in $VERSIONED R__Users_view; do psql_to "$REPLAY_DB" "$T/$f.sql"; done

# Flyway applied 1, 1.1 and 1.2, then the repeatable.
for f in V1__Create_users V1.1__Add_email V1_2__Orders R__Users_view; do psql_to "$DB" "$T/$f.sql"; done
sql "CREATE TABLE flyway_schema_history (installed_rank int NOT NULL, version varchar(50), description varchar(200) NOT NULL,
       type varchar(20) NOT NULL, script varchar(1000) NOT NULL, checksum int, installed_by varchar(100) NOT NULL,
       installed_on timestamp NOT NULL DEFAULT now(), execution_time int NOT NULL, success boolean NOT NULL,
       CONSTRAINT flyway_schema_history_pk PRIMARY KEY (installed_rank));
     INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success)
     VALUES (1, '1', 'Create users', 'SQL', 'V1__Create_users.sql', 11, 'postgres', 5, true),
            (2, '1.1', 'Add email', 'SQL', 'V1.1__Add_email.sql', 12, 'postgres', 5, true),
            (3, '1.2', 'Orders', 'SQL', 'V1_2__Orders.sql', 13, 'postgres', 5, true),
            (4, NULL, 'Users view', 'SQL', 'R__Users_view.sql', 14, 'postgres', 5, true)"

# A failed migration in the history is refused.
sql "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success)
     VALUES (5, '1.10', 'Items', 'SQL', 'V1.10__Items.sql', 15, 'postgres', 5, false)"
run rokso import --from flyway "$T" --adopt
expect_code 1 "a failed migration in the history"
expect_err "records a failed migration (V1.10__Items.sql)"
expect_eq "$(ls migration | wc -l)" 0 "nothing written"
sql "DELETE FROM flyway_schema_history WHERE installed_rank = 5"

run rokso import --from flyway "$T" --adopt
expect_code 0 "import --adopt"
expect_err "not imported: 'R__Users_view.sql': a repeatable migration"
expect_err "not imported: 'afterMigrate.sql'"
expect_out "Recorded the 3 migration(s) flyway applied"
expect_same_bytes "$D/00000000000001.00_Create_users.apply.sql" "$T/V1__Create_users.sql"
expect_same_bytes "$D/00000000000001.01_Add_email.apply.sql" "$T/V1.1__Add_email.sql"
expect_same_bytes "$D/00000000000001.01_Add_email.rollback.sql" "$T/U1.1__Add_email.sql"
expect_same_bytes "$D/00000000000001.02_Orders.apply.sql" "$T/V1_2__Orders.sql"
expect_same_bytes "$D/00000000000001.10_Items.apply.sql" "$T/later/V1.10__Items.sql"
expect_eq "$(cat "$D/00000000000001.10_Items.rollback.sql" | wc -c)" 0 "no undo file: empty rollback"
expect_eq "$(cat "$D/00000000000002.00_Orders_idx.apply.sql")" $'-- rokso:no-transaction\nCREATE INDEX CONCURRENTLY orders_user_idx ON orders (user_id);' "executeInTransaction=false"
expect_eq "$(sql "SELECT string_agg(filename, ',' ORDER BY id) FROM offline.rokso_db_version")" \
  "$I/00000000000001.00_Create_users.apply.sql,$I/00000000000001.01_Add_email.apply.sql,$I/00000000000001.02_Orders.apply.sql" \
  "the applied ones recorded"
expect_eq "$(sql "SELECT count(*) FROM flyway_schema_history")" 4 "Flyway's table untouched"

run rokso status
expected="$I/00000000000001.10_Items.apply.sql $I/00000000000002.00_Orders_idx.apply.sql "
[[ "$VERSIONED" == *V3__Audit* ]] && expected+="$I/00000000000003.00_Audit.apply.sql "
expect_eq "$(pending_identities)" "$expected" \
  "pending: 1.10 and 2, after 1.2"

run rokso migrate
expect_code 0 "migrate the rest"
expect_each_once $(wc -w <<<"$VERSIONED")
expect_same_schema "flyway"

# A baseline stands for every version up to it.
new_database
rm -rf migration/public
sql "CREATE TABLE flyway_schema_history (installed_rank int NOT NULL, version varchar(50), description varchar(200) NOT NULL,
       type varchar(20) NOT NULL, script varchar(1000) NOT NULL, checksum int, installed_by varchar(100) NOT NULL,
       installed_on timestamp NOT NULL DEFAULT now(), execution_time int NOT NULL, success boolean NOT NULL);
     INSERT INTO flyway_schema_history VALUES (1, '1.2', '<< Flyway Baseline >>', 'BASELINE', '<< Flyway Baseline >>', NULL, 'postgres', now(), 0, true)"
run rokso import --from flyway "$T" --adopt
expect_code 0 "import --adopt after a baseline"
expect_eq "$(sql "SELECT count(*) FROM offline.rokso_db_version")" 3 "versions up to the baseline adopted"

finish
