#!/usr/bin/env bash
# init offers PGHOST, PGPORT, PGDATABASE and PGUSER as the prompts' defaults: an empty
# answer takes them (and they end up in config.json); a typed answer, a flag or
# roksopsql's PG_MIG_* still win. Without them the questions are roksopsql's. init with a
# URL asks no connection question and keeps no connection setting in config.json.
# shellcheck disable=SC1091
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

new_database
key() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["database"][sys.argv[2]])' "$1/config.json" "$2"; }

# Every connection question answered with Enter: the PG* values are taken.
PGHOST=$ROKSO_TEST_PGHOST PGPORT=$ROKSO_TEST_PGPORT PGDATABASE=$DB PGUSER=postgres \
  run_with_input "$WORK/p1\n\n\n\n\n\noffline\n" rokso init
expect_code 0 "init with PG* defaults"
expect_out "Enter database hostname [$ROKSO_TEST_PGHOST]"
expect_out "Enter database port [Default:$ROKSO_TEST_PGPORT] [$ROKSO_TEST_PGPORT]"
expect_out "Enter database name [$DB]"
expect_out "Enter database username [postgres]"
expect_eq "$(key "$WORK/p1" host) $(key "$WORK/p1" port) $(key "$WORK/p1" database) $(key "$WORK/p1" user)" \
  "$ROKSO_TEST_PGHOST $ROKSO_TEST_PGPORT $DB postgres" "config.json holds the PG* defaults"
expect_eq "$(sql "SELECT to_regclass('offline.rokso_db_version') IS NOT NULL")" t "version table made"

# A typed answer wins over PG*; PG_MIG_* (roksopsql's) answer without asking.
sql "DROP TABLE offline.rokso_db_version"
PGHOST=nowhere.invalid PGPORT=1 PGDATABASE=nodb PGUSER=nobody PG_MIG_DB_NAME=$DB \
  run_with_input "$WORK/p2\n$ROKSO_TEST_PGHOST\n$ROKSO_TEST_PGPORT\npostgres\n\noffline\n" rokso init
expect_code 0 "typed answers and PG_MIG_DB_NAME over PG*"
if [[ "$OUT" == *"Enter database name"* ]]; then fail "PG_MIG_DB_NAME did not answer the question"; else pass; fi
expect_eq "$(key "$WORK/p2" database) $(key "$WORK/p2" host)" "$DB $ROKSO_TEST_PGHOST" "answers over PG* defaults"

# Without PG*: roksopsql's questions, word for word.
run_with_input "$WORK/p3\n" rokso init
expect_code 2 "unanswered questions"
expect_out "Enter database hostname: "
if [[ "$OUT" == *"Enter database hostname ["* ]]; then fail "a default offered without PGHOST"; else pass; fi
if [ -e "$WORK/p3/config.json" ]; then fail "config.json written without answers"; else pass; fi

# A URL: no connection question, no connection setting written, the version table made there.
sql "DROP TABLE IF EXISTS offline.rokso_db_version"
DATABASE_URL="postgres://pguser:tutorial-secret@127.0.0.1:$ROKSO_TEST_PGPORT/$DB" \
  run_with_input "$WORK/p4\noffline\n" rokso init
expect_code 0 "init with DATABASE_URL"
expect_out "[*] Connecting through DATABASE_URL (postgres://pguser:***@127.0.0.1:$ROKSO_TEST_PGPORT/$DB)"
if [[ "$OUT" == *"Enter database"* || "$OUT$ERR" == *tutorial-secret* ]]; then fail "asked or printed: $OUT"; else pass; fi
expect_eq "$(key "$WORK/p4" host)|$(key "$WORK/p4" password)|$(key "$WORK/p4" dbschema)" "||offline" "config.json without the URL's settings"
expect_eq "$(sql "SELECT to_regclass('offline.rokso_db_version') IS NOT NULL")" t "version table made through the URL"

finish
