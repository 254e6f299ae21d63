#!/usr/bin/env bash
# rokso import --from goose: `-- +goose Up` / `Down` sections, StatementBegin/End around
# a function body, a file without a Down section, `-- +goose NO TRANSACTION` (with
# CREATE INDEX CONCURRENTLY, and around a body wrapped in BEGIN ... COMMIT), padded and
# unpadded versions (00001_ ... 4_, 10_: numeric order), a migration goose applied and
# then rolled back (its newest goose_db_version row says is_applied = false), a .go
# migration and a stray file. goose is not packaged for Debian or npm: part of the tree
# is applied with psql and goose_db_version written as goose writes it; then import
# --adopt and migrate: the schema equals a psql replay, each migration once.
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"
. "$ROKSO_SOURCE_DIR/tests/lib/import.sh"

new_database
new_project
cd "$PROJECT"
T=$WORK/goose
I=public/200.tables/goose
D=migration/$I

put "$T/00001_create_users.sql" $'-- +goose Up\nCREATE TABLE users (id int PRIMARY KEY, name text NOT NULL);\n\n-- +goose Down\nDROP TABLE users;\n'
put "$T/00002_email.sql" $'-- +goose Up\n-- +goose StatementBegin\nCREATE FUNCTION normalize_email(e text) RETURNS text AS $$\nBEGIN\n  RETURN lower(e);\nEND;\n$$ LANGUAGE plpgsql;\n-- +goose StatementEnd\nALTER TABLE users ADD COLUMN email text;\n\n-- +goose Down\nALTER TABLE users DROP COLUMN email;\nDROP FUNCTION normalize_email(text);\n'
put "$T/00003_orders.sql" $'-- +goose Up\nCREATE TABLE orders (id int PRIMARY KEY, user_id int REFERENCES users);\n'
put "$T/4_items.sql" $'-- +goose Up\nCREATE TABLE items (id int PRIMARY KEY, order_id int REFERENCES orders);\n-- +goose Down\nDROP TABLE items;\n'
put "$T/5_tags.sql" $'-- +goose NO TRANSACTION\n-- +goose Up\nBEGIN;\nCREATE TABLE tags (name text PRIMARY KEY);\nCOMMIT;\n-- +goose Down\nDROP TABLE tags;\n'
put "$T/10_items_price.sql" $'-- +goose Up\nALTER TABLE items ADD COLUMN price numeric(10, 2) NOT NULL DEFAULT 0;\n-- +goose Down\nALTER TABLE items DROP COLUMN price;\n'
put "$T/11_orders_idx.sql" $'-- +goose NO TRANSACTION\n-- +goose Up\nCREATE INDEX CONCURRENTLY orders_user_idx ON orders (user_id);\n-- +goose Down\nDROP INDEX CONCURRENTLY orders_user_idx;\n'
put "$T/6_seed.go" $'package migrations\n'
put "$T/README.txt" $'goose migrations\n'
PENDING="4_items 10_items_price 11_orders_idx"
if unwraps_wrapped_bodies; then
  put "$T/12_audit.sql" $'-- +goose Up\nBEGIN;\nCREATE TABLE audit (at timestamptz NOT NULL DEFAULT now(), what text);\nCOMMIT;\n-- +goose Down\nDROP TABLE audit;\n'
  PENDING="$PENDING 12_audit"
else
  echo "SKIP: a pending transactional body wrapped in BEGIN ... COMMIT (this rokso does not unwrap it yet)"
fi

up_section() { sed -n '/^-- +goose Up/,/^-- +goose Down/p' "$1" | sed '/^-- +goose Down/d'; }
down_section() { sed -n '/^-- +goose Down/,$p' "$1"; }

new_replay_database
for f in 00001_create_users 00002_email 00003_orders 4_items 5_tags 10_items_price 11_orders_idx; do
  psql_text_to "$REPLAY_DB" "$(up_section "$T/$f.sql")"
done
[[ "$PENDING" == *12_audit* ]] && psql_text_to "$REPLAY_DB" "$(up_section "$T/12_audit.sql")"

# goose applied 1..4, rolled 4 back (an older goose records that as a second row), applied 5.
for f in 00001_create_users 00002_email 00003_orders 4_items; do psql_text_to "$DB" "$(up_section "$T/$f.sql")"; done
psql_text_to "$DB" "$(down_section "$T/4_items.sql")"
psql_text_to "$DB" "$(up_section "$T/5_tags.sql")"
sql "CREATE TABLE goose_db_version (id serial NOT NULL, version_id bigint NOT NULL, is_applied boolean NOT NULL,
                                    tstamp timestamp NULL DEFAULT now(), PRIMARY KEY (id));
     INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, true), (1, true), (2, true), (3, true), (4, true), (4, false), (5, true)"

run rokso import --from goose "$T" --adopt
expect_code 0 "import --adopt"
expect_err "not imported: '6_seed.go': a Go migration"
expect_err "not imported: 'README.txt': neither .sql nor .go: goose ignores it"
expect_out "Recorded the 4 migration(s) goose applied"
expect_eq "$(cat "$D/00000000000002_email.apply.sql")" "$(up_section "$T/00002_email.sql")" "the up section, byte for byte"
expect_eq "$(cat "$D/00000000000002_email.rollback.sql")" "$(down_section "$T/00002_email.sql")" "the down section"
expect_eq "$(cat "$D/00000000000003_orders.rollback.sql" | wc -c)" 0 "no Down section: empty rollback"
expect_eq "$(head -1 "$D/00000000000011_orders_idx.apply.sql")" "-- rokso:no-transaction" "NO TRANSACTION"
expect_eq "$(head -1 "$D/00000000000001_create_users.apply.sql")" "-- +goose Up" "a transactional one gains nothing"
expect_eq "$(cat "$D/00000000000005_tags.apply.sql")" "$(up_section "$T/5_tags.sql")" \
  "NO TRANSACTION around a BEGIN ... COMMIT of its own: imported as transactional, as written"
expect_eq "$(sql "SELECT string_agg(filename, ',' ORDER BY id) FROM offline.rokso_db_version")" \
  "$I/00000000000001_create_users.apply.sql,$I/00000000000002_email.apply.sql,$I/00000000000003_orders.apply.sql,$I/00000000000005_tags.apply.sql" \
  "applied: 1, 2, 3 and 5 (4 was rolled back)"
expect_eq "$(sql "SELECT count(*) FROM goose_db_version")" 7 "goose's table untouched"

run rokso status
expected=""
for f in $PENDING; do expected+="$I/$(printf '%014d' "${f%%_*}")_${f#*_}.apply.sql "; done
expect_eq "$(pending_identities)" "$expected" \
  "pending: what goose had not applied, in numeric order"

run rokso migrate
expect_code 0 "migrate the rest"
expect_each_once $((4 + $(wc -w <<<"$PENDING")))
expect_same_schema "goose"

# What goose refuses, rokso refuses too.
put "$WORK/bad/1_x.sql" $'CREATE TABLE x ();\n'
run rokso import --from goose "$WORK/bad" --object bad
expect_code 1 "no Up annotation"
expect_err "'1_x.sql': no '-- +goose Up' line, which goose refuses"
put "$WORK/bad2/1_x.sql" $'-- +goose Up\nSELECT 1;\n'
put "$WORK/bad2/01_y.sql" $'-- +goose Up\nSELECT 2;\n'
run rokso import --from goose "$WORK/bad2" --object bad
expect_code 1 "one version twice"
expect_err "have the same version 1, which goose refuses"

finish
