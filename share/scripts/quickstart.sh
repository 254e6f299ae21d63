#!/usr/bin/env bash
# Quickstart: from a fresh Debian 12 machine to roksopsql's tutorial run end to end on
# rokso. Installs missing packages, builds, installs rokso into ./_install, starts a
# throwaway PostgreSQL with `rokso dev` (in .quickstart/server), replays the tutorial
# (init, create x3, status, migrate one, migrate all, rollback, rollback --version,
# last-success), then stops the server.
#
#   bash share/scripts/quickstart.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
SRC=$(pwd)
bash share/scripts/install-deps.sh

PREFIX="$SRC/_install"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)"
cmake --install build --prefix "$PREFIX" >/dev/null
export PATH="$PREFIX/bin:$PATH"

# The server: rokso's own dev server, in a project of its own (its database `dev` is not
# the tutorial's). A server left by an earlier run is stopped first.
SERVER="$SRC/.quickstart/server"
[ -f "$SERVER/config.json" ] && rokso -C "$SERVER" dev stop >/dev/null 2>&1 || true
rm -rf "$SERVER"
rokso init --dev --projectpath "$SERVER" >/dev/null
trap 'rokso -C "$SERVER" dev stop >/dev/null' EXIT
echo "PostgreSQL for the tutorial: $(rokso -C "$SERVER" dev url)"
PORT=$(cat "$SERVER/.rokso/dev/port")
# psql <database> <sql>, as the dev server's role.
psql() { /usr/lib/postgresql/15/bin/psql -XAtq -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U rokso -d "$1" -c "$2"; }
step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

# The tutorial's role and database: two schemas, offline being the primary one. (The dev
# server trusts its loopback connections: the password is asked and sent, not checked.)
psql postgres "CREATE ROLE pguser LOGIN SUPERUSER PASSWORD 'tutorial-secret'"
psql postgres "CREATE DATABASE tutorial OWNER pguser"
psql tutorial "CREATE SCHEMA offline AUTHORIZATION pguser; CREATE SCHEMA online AUTHORIZATION pguser;"

TUTORIAL="$SRC/.quickstart/tutorial"
rm -rf "$TUTORIAL"
mkdir -p "$TUTORIAL"
cd "$TUTORIAL"

step "rokso init   (answers typed at the prompts; the password travels over TCP)"
printf '.\n127.0.0.1\n%s\ntutorial\npguser\ntutorial-secret\noffline\n' "$PORT" | rokso init

# create <schema> <letter> <object> <file name> <apply sql> <rollback sql>
create() {
  step "rokso create   ($1, $2, $3)"
  local out dir file
  out=$(printf '%s\n%s\n%s\n%s\n' "$1" "$2" "$3" "$4" | rokso create)
  echo "$out"
  dir=$(sed -n 's/^migration filepath:: //p' <<<"$out")
  file=$(sed -n 's/^\[\*\] migration file \(.*\) has been generated$/\1/p' <<<"$out")
  cat >"$dir/$file" <<PY
apply_sql = """
$5
"""

rollback_sql = "$6"

migrations = {
    "apply": apply_sql,
    "rollback": rollback_sql
}
PY
  CREATED="${dir#"$TUTORIAL/migration/"}/$file"
}

create offline T user_master create_table_user_master "CREATE TABLE IF NOT EXISTS offline.user_master (
        id serial PRIMARY KEY,
        user_name varchar(255) NOT NULL,
        email varchar(100) NOT NULL,
        user_password VARCHAR(50) NOT NULL,
        createdAt timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
        updatedAt timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
        CONSTRAINT email_UNQ UNIQUE (email)
    );" "DROP TABLE IF EXISTS offline.user_master;"
USER_MASTER=$CREATED
sleep 1
create offline F generate_booking_number create_function_generate_booking_number "CREATE OR REPLACE FUNCTION offline.generate_booking_number()
 RETURNS character varying
 LANGUAGE plpgsql
AS \$function\$
declare
        str_str varchar;
        output_str varchar;
        year_var integer;
        day_var integer;
begin
        SELECT array_to_string(ARRAY(SELECT chr((65 + round(random() * 25)) :: integer) into str_str
                FROM generate_series(1,15)), '');
        select substring(str_str, 2, 4) into str_str;
        SELECT date_part('year', CURRENT_TIMESTAMP) into year_var;
        SELECT 700 + date_part('doy', CURRENT_TIMESTAMP) into day_var;
        select concat(year_var, '-', day_var, '-', str_str) into output_str;
        return output_str;
END;
\$function\$
;" "DROP FUNCTION IF EXISTS offline.generate_booking_number;"
sleep 1
create online T website_user create_table_website_user "CREATE TABLE IF NOT EXISTS online.website_user (
        id serial PRIMARY KEY,
        user_name varchar(255) NOT NULL,
        email varchar(100) NOT NULL,
        user_password VARCHAR(50) NOT NULL,
        phone_number varchar(20) NOT NULL,
        img_url varchar(250) NOT NULL,
        createdAt timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
        updatedAt timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
        CONSTRAINT email_UNQ UNIQUE (email)
    );" "DROP TABLE IF EXISTS online.website_user;"

step "find migration -type f"; find migration -type f | sort
step "rokso status"; rokso status
step "rokso migrate --migration $USER_MASTER"; rokso migrate --migration "$USER_MASTER"
step "rokso status"; rokso status
step "rokso migrate"; rokso migrate
step "rokso status"; rokso status
step "rokso migrate"; rokso migrate
step "echo y | rokso rollback"; echo y | rokso rollback
step "rokso migrate"; rokso migrate
FIRST=$(psql tutorial "SELECT version FROM offline.rokso_db_version ORDER BY id LIMIT 1")
step "echo y | rokso rollback --version $FIRST"; echo y | rokso rollback --version "$FIRST"
step "rokso status"; rokso status
step "rokso last-success"; rokso last-success
step "rokso plugins"; rokso plugins
printf '\nThe tutorial ran end to end. The project is in %s; rokso is installed in %s.\n' "$TUTORIAL" "$PREFIX"
