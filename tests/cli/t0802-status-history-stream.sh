#!/usr/bin/env bash
# status reads the version table as a COPY stream and keeps the rows of the tree's files
# compactly (core/version_table.hpp: History read with the tree). What that must not
# change: identities COPY escapes (backslash, tab, newline) and non-ASCII ones match
# their files; rows in any order (here scrambled by UPDATEs) match; failed rows, rows of
# gone files (missing, escaped too), checksums of another algorithm (unverified), ones
# that are not lowercase hex (kept as text: modified) and wrong ones (modified) are told
# apart; and text and JSON agree with what migrate and accept (which read the table
# without the tree) see.
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

new_database
new_project
cd "$PROJECT"
D=offline/200.tables/x
names=('back\slash.py' $'tab\there.py' $'new\nline.py' 'ünïcode.py' 'plain.py' 'other.py' 'upper.py' 'wrong.py'
       'failed.py' 'none.py')
for name in "${names[@]}"; do write_py "migration/$D/$name" "SELECT 1;" "SELECT 2;"; done

run rokso migrate
expect_code 0 "first migrate"
run rokso status
expect_code 0
expect_out "No new migration to process."
expect_no_out "modified:"
expect_no_out "missing:"
expect_no_out "pending"

# Scramble the heap order (each UPDATE writes a new row version at the end), then make
# each kind of row.
sql "UPDATE offline.rokso_db_version SET version = version WHERE filename LIKE '%line.py' OR filename LIKE '%slash.py'"
sql "UPDATE offline.rokso_db_version SET status = 'error', checksum = NULL WHERE filename = '$D/failed.py'"
sql "UPDATE offline.rokso_db_version SET checksum_algorithm = 'sha512-v9' WHERE filename = '$D/other.py'"
sql "UPDATE offline.rokso_db_version SET checksum = upper(checksum) WHERE filename = '$D/upper.py'"
sql "UPDATE offline.rokso_db_version SET checksum = repeat('0', 64) WHERE filename = '$D/wrong.py'"
sql "UPDATE offline.rokso_db_version SET checksum = NULL, checksum_algorithm = NULL WHERE filename = '$D/none.py'"
sql "INSERT INTO offline.rokso_db_version (filename, version, status) VALUES
     ('$D/gone.py', 'r1', 'complete'), (E'$D/gone\\\\back\\tslash.py', 'r1', 'error')"
write_py "migration/$D/pending.py" "SELECT 3;" "SELECT 4;"

run rokso status
expect_code 0 "status with drift"
modified=$(grep -E '^	modified:' <<<"$OUT" | sort | tr '\n' '|')
expect_eq "$modified" "	modified:  $D/upper.py|	modified:  $D/wrong.py|" "modified files"
missing=$(grep -E '^	missing:' <<<"$OUT" | tr '\n' '|')
expect_eq "$missing" "	missing:   $D/gone.py|	missing:   $D/gone\\back	slash.py  (failed)|" "missing files (by identity)"
expect_out "note: 2 applied migrations have no checksum yet"
pending=$(sed -n '/^Pending migrations/,/^$/p' <<<"$OUT" | grep -c 'pending$')
expect_eq "$pending" 1 "only pending.py is pending"
expect_out "$D/pending.py  NA"
failed=$(sed -n '/^Failed migrations:/,/^$/p' <<<"$OUT" | grep -cE 'failed\.py|gone')
expect_eq "$failed" 2 "both failed rows listed"

run rokso status --format json
expect_code 0
counts=$(printf '%s' "$OUT" | sed "s/'/''/g")
got=$(sql "SELECT concat_ws(',', d->'counts'->>'applied', d->'counts'->>'failed', d->'counts'->>'pending',
                  d->'counts'->>'modified', d->'counts'->>'missing', d->'counts'->>'unverified',
                  (SELECT string_agg(e->>'identity', '|' ORDER BY e->>'identity') FROM jsonb_array_elements(d->'unverified') e),
                  (SELECT string_agg(e->>'identity', '|') FROM jsonb_array_elements(d->'missing') e))
           FROM (SELECT '$counts'::jsonb AS d) AS j")
expect_eq "$got" "10,2,1,2,2,2,$D/none.py|$D/other.py,$D/gone.py|$D/gone\\back	slash.py" "JSON counts and lists"

run rokso status --no-checksums
expect_code 0
expect_no_out "modified:"
expect_no_out "no checksum yet"
expect_out "missing:   $D/gone.py"

run rokso status --exit-code
expect_code 1 "--exit-code: modified and pending"

# migrate, which reads the table without the tree, sees the same two modified files.
run rokso migrate
expect_code 1 "migrate refuses while files are modified"
expect_err "2 applied migrations were modified after being applied"
expect_err "$D/upper.py"
expect_err "$D/wrong.py"

# Each identity COPY escapes is found: accept (without the tree) and status agree on it.
sql "UPDATE offline.rokso_db_version SET checksum = repeat('1', 64) WHERE filename = E'$D/tab\\there.py'"
run rokso status
expect_out "modified:  $D/tab	here.py"
run rokso accept --yes "migration/$D/tab	here.py"
expect_code 0 "accept a file whose name holds a tab"
run rokso status
expect_no_out "modified:  $D/tab"

finish
