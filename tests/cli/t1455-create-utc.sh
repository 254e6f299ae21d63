#!/usr/bin/env bash
# rokso create stamps file names in UTC, whatever the machine's time zone, so a team
# across zones keeps the order it meant; config.json's "timestamps": "local" keeps
# roksopsql's local time. A bad value is a one-line configuration error that creates
# nothing.
# shellcheck disable=SC1091
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

new_database
new_project
cd "$PROJECT" || exit 1
# Far from UTC either way: +14 and -10 hours, so a local stamp cannot pass for UTC.
ZONE=Pacific/Kiritimati

# stamp_of <object>: the YYYY_MM_DD__HH_MM_SS of the one file created for <object>.
stamp_of() {
  local files
  files=$(find migration/offline/200.tables/"$1" -type f -name '*.py')
  [ "$(printf '%s\n' "$files" | grep -c .)" = 1 ] || { echo "files: $files"; return; }
  basename "$files" | cut -c1-20
}
# expect_between <stamp> <before> <after> <what>
expect_between() {
  if [[ ! $1 < $2 && ! $1 > $3 ]]; then pass; else fail "$4: '$1' not within '$2'..'$3'"; fi
}

before=$(date -u +%Y_%m_%d__%H_%M_%S)
run env TZ=$ZONE rokso create --dbschema offline --type T --tablename in_utc --filename create_in_utc
after=$(date -u +%Y_%m_%d__%H_%M_%S)
expect_code 0 "create under TZ=$ZONE"
expect_between "$(stamp_of in_utc)" "$before" "$after" "the stamp is UTC by default"

cp config.json "$WORK/config.utc"
sed -i '0,/{/s//{ "timestamps": "local",/' config.json
before=$(TZ=$ZONE date +%Y_%m_%d__%H_%M_%S)
run env TZ=$ZONE rokso create --dbschema offline --type T --tablename in_local --filename create_in_local
after=$(TZ=$ZONE date +%Y_%m_%d__%H_%M_%S)
expect_code 0 "create with \"timestamps\": \"local\""
expect_between "$(stamp_of in_local)" "$before" "$after" "the stamp is local time with \"timestamps\": \"local\""

sed -i 's/"timestamps": "local"/"timestamps": "martian"/' config.json
cp config.json "$WORK/config.bad"
run rokso create --dbschema offline --type T --tablename never --filename never
expect_code 2 "an unknown \"timestamps\" value"
expect_one_line_error "\"timestamps\" must be \"utc\" or \"local\", not 'martian'"
[ -e migration/offline/200.tables/never ] && fail "a file was created" || pass
cmp -s config.json "$WORK/config.bad" && pass || fail "config.json changed"

# The chosen clock is only about names: status and migrate take both files.
cp "$WORK/config.utc" config.json
run rokso migrate
expect_code 0
expect_eq "$(sql "SELECT count(*) FROM offline.rokso_db_version WHERE status = 'complete'")" 2 "both applied"

finish
