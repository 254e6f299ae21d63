#!/usr/bin/env bash
# Secrets: the configured password never appears in anything rokso prints. A project is
# set up with a distinctive password (scram over TCP) and every command and path a user
# can hit is run — the front binary, each command's --help, bare and `help <cmd>`, init
# (prompts, flags, MIG_DB_PASSWORD, re-run), create, status, migrate (ok, failing,
# --dry-run, --check), rollback, last-success, show, mark, plugins, remap, accept, -v,
# the libpq environment (PGPASSWORD, a password file), and the failures: wrong password,
# dead server, bad host, lock wait timeout, broken config.json. Each output is checked,
# and all of them again at the end. The command list comes from `rokso help -a`: a new
# command without a case here fails the test. Meanwhile a sampler watches `ps`: rokso
# never puts the password on a command line of its own (only `init --dbpassword`, which
# the user typed, carries it). config.json is mode 0600 after every init.
# shellcheck disable=SC1091
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

# A quote, a double quote, a space and a hash: escaping bugs show up as partial leaks, so
# fragments are looked for too ("7Xq" alone catches a prefix cut at any point after it).
SECRET="pw-7Xq'zV 9#Lm\"Kp"
SECRET_JSON='"pw-7Xq'"'"'zV 9#Lm\"Kp"'
SECRET_SQL="'pw-7Xq''zV 9#Lm\"Kp'"
WRONG="wr0ng-8Yr'Q 4%Zn"
WRONG_JSON='"wr0ng-8Yr'"'"'Q 4%Zn"'
FRAGMENTS=("$SECRET" "7Xq" "9#Lm" "Lm\"Kp" "$WRONG" "8Yr" "4%Zn")
ROLE=t0900_secret
HOST=127.0.0.1
PORT=$ROKSO_TEST_PGPORT
LOG="$WORK/outputs.log"
: >"$LOG"

new_database
# Roles outlive databases: an earlier run's role is reused, with this run's password.
[ -n "$(sql "SELECT 1 FROM pg_roles WHERE rolname = '$ROLE'" postgres)" ] || sql "CREATE ROLE $ROLE" postgres
sql "ALTER ROLE $ROLE LOGIN SUPERUSER PASSWORD $SECRET_SQL" postgres

# --- the ps sampler: every command line on the machine, ten times a second ------------------
PSLOG="$WORK/ps.log"
(while :; do ps -eo args 2>/dev/null; sleep 0.1; done) >"$PSLOG" &
SAMPLER=$!
# A bare `rokso verify` or `diff` below starts p1's dev server: stopped at the end.
trap 'kill "$SAMPLER" 2>/dev/null; rokso -C "$WORK/p1" dev stop >/dev/null 2>&1; cleanup' EXIT

# --- running and recording ------------------------------------------------------------------
declare -A EXERCISED=()   # command -> runs beyond --help and a bare call
declare -A GENERIC=()     # command -> --help / bare / help <cmd> runs

# The rokso command an argument list runs ("" for the front binary itself).
command_of() {
  while [ $# -gt 0 ]; do
    case $1 in
      -C) shift 2 ;;
      -*) return ;;   # --help, --version: the front binary
      help) echo "help${2:+:$2}"; return ;;
      *) echo "$1"; return ;;
    esac
  done
}

# Matched in bash, not with grep: a grep's argv would show the password to the sampler.
leaks_in() {  # <text>: prints the first fragment found
  local f
  for f in "${FRAGMENTS[@]}"; do
    if [[ "$1" == *"$f"* ]]; then echo "$f"; return; fi
  done
}

# exercise <codes a|b|c> <stdin text, or - for none> <rokso arguments...>
# Runs rokso (bounded by a timeout), logs both outputs, checks the exit code and that no
# fragment of either password is in them.
exercise() {
  local codes=$1 input=$2 cmd label leak
  shift 2
  if [ "$input" = - ]; then
    run timeout 60 rokso "$@"
  else
    run_with_input "$input" timeout 60 rokso "$@"
  fi
  label="rokso $*"
  label=${label//"$SECRET"/<secret>}
  label=${label//"$WRONG"/<wrong>}
  # The same passwords percent-encoded, in the URLs typed.
  [ -z "${ENCODED:-}" ] || label=${label//"$ENCODED"/<secret>}
  [ -z "${WRONG_ENCODED:-}" ] || label=${label//"$WRONG_ENCODED"/<wrong>}
  { printf '=== %s (exit %s)\n' "$label" "$CODE"; printf '%s\n' "$OUT" "$ERR"; } >>"$LOG"
  cmd=$(command_of "$@")
  if [[ "$cmd" == help:* ]]; then
    GENERIC[${cmd#help:}]=$((${GENERIC[${cmd#help:}]:-0} + 1))
  elif [ -n "$cmd" ] && { [ $# -le 1 ] || [ "${*: -1}" = --help ]; }; then
    GENERIC[$cmd]=$((${GENERIC[$cmd]:-0} + 1))
  else
    EXERCISED[${cmd:-front}]=$((${EXERCISED[${cmd:-front}]:-0} + 1))
  fi
  if [[ "|$codes|" == *"|$CODE|"* ]]; then pass; else fail "$label: expected exit $codes"; fi
  leak=$(leaks_in "$OUT$ERR")
  if [ -z "$leak" ]; then pass; else fail "$label: the output holds '$leak'"; fi
}

expect_mode_600() {  # <file>
  expect_eq "$(stat -c %a "$1" 2>/dev/null)" 600 "mode of $1"
}

config_with() {  # <dir> <password JSON value> [port] [host]
  printf '{"database": {"database": "%s", "dbschema": "offline", "host": "%s", "password": %s, "port": "%s", "user": "%s"}}\n' \
    "$DB" "${4:-$HOST}" "$2" "${3:-$PORT}" "$ROLE" >"$1/config.json"
  chmod 600 "$1/config.json"
}

DEAD_PORT=""
for p in 1 2 3 4 5 6 7 9 11 13; do
  (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { DEAD_PORT=$p; break; }
done

# --- the front binary ------------------------------------------------------------------------
cd "$WORK" || exit 1
exercise 0 -
exercise 0 - --help
exercise 0 - --version
exercise 0 - help
exercise 0 - help -a
exercise 2 - no-such-command

# --- init: prompts, flags, MIG_DB_PASSWORD, the libpq environment, re-runs, failures -----------
exercise 0 "$(printf '%s\n' "$WORK/p1" "$HOST" "$PORT" "$DB" "$ROLE" "$SECRET" offline)" init
expect_out "Enter database password"
expect_mode_600 "$WORK/p1/config.json"
exercise 0 - init -v --projectpath "$WORK/p2" --dbhost "$HOST" --dbport "$PORT" --dbname "$DB" \
  --dbusername "$ROLE" --dbpassword "$SECRET" --dbschema offline
expect_mode_600 "$WORK/p2/config.json"
MIG_PROJECT_PATH="$WORK/p3" MIG_DB_HOST=$HOST MIG_DB_PORT=$PORT MIG_DB_NAME=$DB MIG_DB_USER=$ROLE \
  MIG_DB_PASSWORD=$SECRET MIG_DB_SCHEMA=offline exercise 0 - init
expect_mode_600 "$WORK/p3/config.json"
# An empty password in the file, the real one from PGPASSWORD.
PGPASSWORD=$SECRET exercise 0 - init --projectpath "$WORK/p4" --dbhost "$HOST" --dbport "$PORT" \
  --dbname "$DB" --dbusername "$ROLE" --dbpassword "" --dbschema online
expect_mode_600 "$WORK/p4/config.json"
# Re-runs on an existing config.json: reported, left alone, still 0600.
exercise 0 - init --projectpath "$WORK/p1" --dbhost "$HOST" --dbport "$PORT" --dbname "$DB" \
  --dbusername "$ROLE" --dbpassword "$SECRET" --dbschema offline
expect_out "already exists"
exercise 0 "$(printf '%s\n' "$WORK/p2")" init -v
expect_out "already exists"
expect_mode_600 "$WORK/p1/config.json"
expect_mode_600 "$WORK/p2/config.json"
# Failures: a wrong password (flag and prompt), a dead port, end of input after the password.
exercise 1 - init --projectpath "$WORK/bad" --dbhost "$HOST" --dbport "$PORT" --dbname "$DB" \
  --dbusername "$ROLE" --dbpassword "$WRONG" --dbschema offline
exercise 1 "$(printf '%s\n' "$WORK/bad" "$HOST" "$PORT" "$DB" "$ROLE" "$WRONG" offline)" init -v
exercise 1 - init --projectpath "$WORK/bad" --dbhost "$HOST" --dbport "${DEAD_PORT:-1}" --dbname "$DB" \
  --dbusername "$ROLE" --dbpassword "$SECRET" --dbschema offline
exercise 2 "$(printf '%s\n' "$WORK/bad" "$HOST" "$PORT" "$DB" "$ROLE" "$SECRET")" init
exercise 1 - init --projectpath "$WORK/bad" --dbhost "$HOST" --dbport "$PORT" --dbname "$DB" \
  --dbusername "$ROLE" --dbpassword "$SECRET" --dbschema no_such_schema
if [ -e "$WORK/bad/config.json" ]; then fail "a failed init left config.json behind"; else pass; fi

# --- the everyday commands, in project p1 (password in config.json) -----------------------------
P=$WORK/p1
cd "$P" || exit 1
A=offline/200.tables/sec_a/2021_01_01__00_00_00_a.py
B=offline/200.tables/sec_b/2021_01_02__00_00_00_b.py
F=offline/200.tables/sec_f/2021_01_03__00_00_00_f.py
write_py "migration/$A" "CREATE TABLE offline.sec_a (id int);" "DROP TABLE offline.sec_a;"
write_py "migration/$B" "CREATE TABLE offline.sec_b (id int);" "DROP TABLE offline.sec_b;"

exercise 0 - create --dbschema offline --type T --tablename sec_c --filename made_by_flags
exercise 0 - create -v --dbschema offline --type V --tablename sec_v --filename made_by_flags --format yaml
exercise 0 - create --dbschema offline --type F --tablename sec_fn --filename made_by_flags --format sql
exercise 0 "$(printf '%s\n' offline T sec_d made_by_prompts)" create
exercise 2 "$(printf '%s\n' offline)" create
# The templates are valid but not needed here: keep the run small and predictable.
find migration -path '*sec_[cdv]*' -delete 2>/dev/null
find migration -path '*sec_fn*' -delete 2>/dev/null
find migration -type d -empty -delete 2>/dev/null
mkdir -p migration

exercise 0 - status
exercise 0 - status -v
exercise 0 - status --format json
exercise 1 - status --exit-code
exercise 0 - migrate --dry-run
exercise 0 - migrate --check
exercise 0 - migrate -v --migration "$A"
exercise 0 - migrate -v
exercise 0 - migrate
exercise 0 - show "$A"
exercise 0 - show -v --format json "$B"
exercise 0 - last-success
exercise 0 - last-success -v --format json
exercise 0 - rollback --dry-run
exercise 0 - rollback --dry-run --format json
exercise 0 "n\n" rollback
exercise 2 - rollback
exercise 0 "y\n" rollback -v
exercise 0 - migrate
exercise 0 - rollback --yes --format json
exercise 0 - migrate
exercise 0 - rollback --yes -v --steps 1
exercise 0 - migrate
# A failing migration: the server's message, status with a failed row, mark both ways.
write_py "migration/$F" "CREATE TABLE offline.sec_f (id int); SELECT no_such_column FROM offline.sec_f;" "DROP TABLE offline.sec_f;"
exercise 1 - migrate
exercise 1 - migrate -v
exercise 0 - status
exercise 0 - status --format json
exercise 0 - mark --pending "$F" --yes
exercise 0 "y\n" mark -v --applied "$F"
exercise 0 - mark --pending "$F" --yes
exercise 2 - mark --applied "$F"
rm -f "migration/$F"
exercise 0 - plugins
exercise 0 - plugins -v --format json
exercise 0 - -C "$P" status
exercise 0 - -C "$P" last-success -v
# remap: on this project (not empty: refused) and on a fresh one of its own.
exercise "0|1|2" - remap
exercise "0|1|2" - remap -v --schemas all
exercise "0|1|2" "all\n" remap
sql "CREATE SCHEMA sec_remap; CREATE TABLE sec_remap.t (id int PRIMARY KEY)"
config_with "$WORK/p3" "$SECRET_JSON"
sed -i 's/"offline"/"sec_remap"/' "$WORK/p3/config.json"
mkdir -p "$WORK/p3/migration"
exercise "0|1" - -C "$WORK/p3" remap --schemas sec_remap
exercise "0|1|2" "sec_remap\n" -C "$WORK/p3" remap -v
# accept, if this install has it: an identity and --yes.
if timeout 10 rokso help -a 2>/dev/null | grep -qE '^   accept '; then
  exercise "0|1|2" - accept "$A" --yes
  exercise "0|1|2" - accept -v "$A" --yes
  exercise "0|1|2" "y\n" accept "$A"
fi
# import: --adopt connects (no schema_migrations here: refused); a dry run writes nothing.
mkdir -p "$WORK/sec_gm" && printf 'SELECT 1;\n' >"$WORK/sec_gm/1_sec.up.sql"
exercise 1 - import --from golang-migrate "$WORK/sec_gm" --adopt
exercise 1 - import -v --from golang-migrate "$WORK/sec_gm" --adopt --dry-run
exercise 0 - import --from golang-migrate "$WORK/sec_gm" --dry-run
# dev, verify, diff: the throwaway databases are on another server; diff and status
# --drift read this project's database with its password.
SCRATCH_SERVER="host=$ROKSO_TEST_PGHOST port=$ROKSO_TEST_PGPORT user=postgres dbname=postgres"
exercise 0 - dev status
# lint reads the version table (with the password) to know what is pending.
exercise "0|1" - lint
exercise "0|1" - lint -v --format json --all
exercise "0|1" - verify --dev-url "$SCRATCH_SERVER"
exercise "0|1" - diff -v --dev-url "$SCRATCH_SERVER"
exercise "0|1" - status --drift --dev-url "$SCRATCH_SERVER"

# --- the libpq environment: an empty password in the file --------------------------------------
config_with "$P" '""'
PGPASSWORD=$SECRET exercise 0 - status -v
PGPASSWORD=$SECRET exercise 0 - migrate -v
PGPASSWORD=$SECRET exercise 0 - rollback --dry-run
PGPASSWORD=$SECRET exercise 0 - last-success --format json
PGPASSWORD=$WRONG exercise 1 - status
PGPASSWORD=$WRONG exercise 1 - migrate -v
printf '%s:%s:%s:%s:%s\n' "$HOST" "$PORT" "$DB" "$ROLE" "${SECRET//:/\\:}" >"$WORK/pgpass"
chmod 600 "$WORK/pgpass"
PGPASSFILE="$WORK/pgpass" exercise 0 - status -v
PGPASSFILE="$WORK/pgpass" exercise 0 - rollback --dry-run --format json
# MIG_DB_PASSWORD is for init only: elsewhere it is not used (and not shown).
MIG_DB_PASSWORD=$SECRET exercise 1 - status

# --- failures with the password configured ----------------------------------------------------
config_with "$P" "$WRONG_JSON"
for args in "status" "status --format json" "migrate" "migrate --dry-run" "migrate --check" "rollback --yes" \
            "rollback --dry-run --format json" "last-success" "mark --applied $A --yes" "migrate -v"; do
  # shellcheck disable=SC2086
  exercise 1 - $args
  expect_err "password authentication failed"
done
config_with "$P" "$SECRET_JSON" "${DEAD_PORT:-1}"
for args in "status" "migrate -v" "rollback --yes" "last-success --format json"; do
  # shellcheck disable=SC2086
  exercise 1 - $args
done
config_with "$P" "$SECRET_JSON" "$PORT" "no-such-host.invalid"
for args in "status -v" "migrate"; do
  # shellcheck disable=SC2086
  exercise 1 - $args
done
config_with "$P" "$SECRET_JSON"
# The lock held by another session: migrate, rollback and mark time out waiting.
hold_lock
write_py "migration/$F" "CREATE TABLE offline.sec_f (id int);" "DROP TABLE offline.sec_f;"
exercise 1 - migrate --lock-wait 1
expect_err "timed out"
exercise 1 - migrate -v --lock-wait 0.5
exercise 1 - rollback --yes --lock-wait 0.5
exercise 1 - mark --applied "$F" --yes --lock-wait 0.5
release_lock
rm -f "migration/$F"

# A broken config.json around the password: its text is never quoted back (a JSON
# parser's "last read: '...'" context would show the start of the password).
HOSTPORT="\"host\": \"$HOST\", \"port\": \"$PORT\", \"database\": \"$DB\", \"user\": \"$ROLE\", \"dbschema\": \"offline\""
BROKEN=(
  "{\"database\": {$HOSTPORT, \"password\": \"pw-7Xq'zV"$'\n'"9#Lm\"Kp\"}}"
  "{\"database\": {$HOSTPORT, \"password\": \"pw-7Xq'zV"$'\t'"9#Lm\"}}"
  "{\"database\": {$HOSTPORT, \"password\": \"pw-7Xq'zV 9#Lm\\\"Kp"
  "{\"database\": {$HOSTPORT, \"password\": pw-7Xq'zV 9#Lm}}"
  "{\"database\": {$HOSTPORT, \"password\": \"pw-7Xq'zV 9#Lm\\q\"}}"
  "{\"database\": {$HOSTPORT, \"password\": \"pw-7Xq'zV 9#Lm\\u12\"}}"
  "{\"database\": {$HOSTPORT, \"password\": $SECRET_JSON,}}"
  "{\"database\": {$HOSTPORT, \"password\": $SECRET_JSON}} $SECRET_JSON"
  "{\"database\": {$HOSTPORT, \"password\": [$SECRET_JSON]}}"
  "{\"database\": {$HOSTPORT, \"password\": {\"value\": $SECRET_JSON}}}"
  "{\"database\": {$HOSTPORT, \"password\": $SECRET_JSON, \"port\": \"not-a-port\"}}"
  "{\"database\": {$HOSTPORT, \"password\": $SECRET_JSON, \"dbschema\": \"\"}}"
  "{\"database\": {$HOSTPORT, \"password\": $SECRET_JSON}, \"migrations\": {\"lock_timeout\": \"soon\"}}"
)
for text in "${BROKEN[@]}"; do
  printf '%s' "$text" >"$P/config.json"
  exercise 2 - status
  expect_err "config.json"
  exercise 2 - migrate -v
done
config_with "$P" "$SECRET_JSON"

# --- config, the shipped rokso-psql (its password file), connection URLs ---------------------------
exercise 0 - config list
exercise 0 - config get database.password
exercise 0 - psql -XAtc "SELECT current_user"
expect_out "$ROLE"
# Encoded through stdin: the sampler would see an argument.
url_encode() { printf '%s' "$1" | python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.stdin.read(), safe=""))'; }
ENCODED=$(url_encode "$SECRET")
WRONG_ENCODED=$(url_encode "$WRONG")
URL="postgres://$ROLE:$ENCODED@$HOST:$PORT/$DB"
DATABASE_URL=$URL exercise 0 - status -v
ROKSO_DATABASE_URL=$URL exercise 0 - --url "postgres://$ROLE:$ENCODED@$HOST:$PORT/$DB?sslmode=disable" status
exercise 1 - status --url "postgres://$ROLE:$WRONG_ENCODED@$HOST:$PORT/$DB"
exercise 1 - migrate --url "postgres://$ROLE:$ENCODED@$HOST:${DEAD_PORT:-1}/$DB"
exercise 2 - status --url "postgres://$ROLE:$ENCODED%zz@$HOST:$PORT/$DB"
DATABASE_URL=$URL exercise 0 - psql -XAtc "SELECT 1"

# --- every command help -a lists: --help, bare, help <cmd>, and a case of its own -------------
run rokso help -a
LISTING=$OUT
mapfile -t OWN < <(sed -n '/^These are the rokso commands:/,/^$/p' <<<"$LISTING" | awk 'NR > 1 && NF { print $1 }')
mapfile -t OTHERS < <(sed -n '/^Commands found elsewhere on your PATH:/,/^$/p' <<<"$LISTING" | awk 'NR > 1 && NF { print $1 }')
for needed in init create status migrate rollback last-success; do
  if printf '%s\n' "${OWN[@]}" | grep -qx -- "$needed"; then pass; else fail "help -a does not list '$needed'"; fi
done
for cmd in "${OWN[@]}"; do
  exercise 0 - "$cmd" --help
  exercise 0 - help "$cmd"
  exercise "0|1|2" - "$cmd"
done
for cmd in "${OTHERS[@]}"; do
  echo "note: '$cmd' is found on PATH, not rokso's own: only its --help is run" >&2
  exercise "0|1|2" - help "$cmd"
done
for cmd in "${OWN[@]}"; do
  if [ "${EXERCISED[$cmd]:-0}" -gt 0 ]; then pass; else
    fail "'rokso $cmd' (listed by help -a) has no secrets case of its own beyond --help and a bare run: add one to $TEST_NAME"
  fi
done

# --- a long migrate while the sampler watches; then every command line it saw -----------------
write_py "migration/$F" "CREATE TABLE offline.sec_f (id int); SELECT pg_sleep(1.5);" "DROP TABLE offline.sec_f;"
exercise 0 - migrate -v
kill "$SAMPLER" 2>/dev/null
wait "$SAMPLER" 2>/dev/null
if grep -q 'rokso-migrate' "$PSLOG"; then pass; else fail "the ps sampler never saw rokso-migrate running"; fi
# Lines holding --dbpassword or --url are the user's own flags (init's argv, a URL typed with its
# password, passed through by the front to rokso's own commands; t1430 checks a custom command's argv).
SEEN=$(grep -vF -e '--dbpassword' -e '--url' "$PSLOG" | grep -F -e "7Xq" -e "9#Lm" -e "8Yr" -e "4%Zn" | sort -u | head -5)
expect_eq "$SEEN" "" "command lines (ps) holding a password"

# --- everything, once more, and the project files ----------------------------------------------
expect_eq "$(leaks_in "$(cat "$LOG")")" "" "a password fragment anywhere in the $(grep -c '^=== ' "$LOG") outputs"
for p in p1 p2 p4; do expect_mode_600 "$WORK/$p/config.json"; done
# The only files holding the password are the config.json files (and the test's pgpass).
expect_eq "$(grep -rlF -- "7Xq" "$WORK"/p1 "$WORK"/p2 "$WORK"/p4 | grep -v '/config.json$')" "" "files holding the password"
echo "outputs checked: $(grep -c '^=== ' "$LOG")"

finish
