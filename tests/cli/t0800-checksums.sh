#!/usr/bin/env bash
# Checksums and drift: migrate records a SHA-256 of each migration's apply and rollback
# SQL with its row; status shows applied files edited since (`modified`) and recorded
# files that are gone (`missing`), in text and JSON, and --exit-code fails on modified;
# migrate refuses to run while a file is modified (unless --allow-modified) and changes
# nothing; `rokso accept` records the new content deliberately (asks, --yes, the lock,
# exit 2 for unknown or unapplied identities, --all); rows made by roksopsql (no
# checksum) are adopted by the first migrate, and status calls them unverified, not modified.
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

new_database
new_project
cd "$PROJECT"
A=offline/200.tables/a/2021_01_01__00_00_00_a.py
B=offline/200.tables/b/2021_01_01__00_00_00_b.py
C=offline/200.tables/c/2021_01_01__00_00_00_c.py
D=offline/200.tables/d/2021_01_01__00_00_00_d.py
write_py "migration/$A" "CREATE TABLE offline.a (id int);" "DROP TABLE offline.a;"
write_py "migration/$B" "CREATE TABLE offline.b (id int);" "DROP TABLE offline.b;"

# Every row, checksums included: what "nothing changed" compares.
rows() {
  sql "SELECT coalesce(string_agg(id || '|' || filename || '|' || version || '|' || status || '|' || coalesce(checksum, '-') || '|' || coalesce(checksum_algorithm, '-'), ',' ORDER BY id), '') FROM offline.rokso_db_version"
}
checksum_of() { sql "SELECT coalesce(checksum, '-') FROM offline.rokso_db_version WHERE filename = '$1'"; }
# The checksum of a file computed here, independently of rokso's C++: sha256-v1's framing
# in SQL, over the apply and rollback SQL that `rokso show --format json` prints.
expected_checksum() {
  run rokso show --format json "$1"
  j "encode(sha256(convert_to('rokso-migration-checksum-v1' || E'\\n' ||
       'apply ' || octet_length(convert_to(doc ->> 'apply_sql', 'UTF8')) || E'\\n' || (doc ->> 'apply_sql') || E'\\n' ||
       'rollback ' || octet_length(convert_to(doc ->> 'rollback_sql', 'UTF8')) || E'\\n' || (doc ->> 'rollback_sql') || E'\\n',
       'UTF8')), 'hex')"
}
# The lines of status's "Modified since applied" section.
modified_in_status() { run rokso status; sed -n '/^Modified since applied/,/^$/p' <<<"$OUT"; }

# --- listed as a command --------------------------------------------------------------------
run rokso help
expect_code 0
if grep -qE '^ +accept +.*applied migration' <<<"$OUT"; then pass; else fail "'accept' not listed with its summary"; fi
run rokso migrate --help
expect_out "--allow-modified"

# --- migrate records a checksum with each row -------------------------------------------------
run rokso migrate
expect_code 0 "first migrate"
expect_eq "$(sql "SELECT count(*) FROM offline.rokso_db_version WHERE checksum_algorithm = 'sha256-v1' AND checksum ~ '^[0-9a-f]{64}\$'")" 2 \
  "both rows have a sha256-v1 checksum"
SUM_A=$(checksum_of "$A")
expect_eq "$SUM_A" "$(expected_checksum "$A")" "A's checksum is SHA-256 of its framed apply and rollback SQL"
expect_eq "$(checksum_of "$B")" "$(expected_checksum "$B")" "B's checksum"
if [ "$SUM_A" != "$(checksum_of "$B")" ]; then pass; else fail "A and B have the same checksum"; fi
run rokso show "$A"
expect_out "checksum:     $SUM_A (sha256-v1)"
run rokso show --format json "$A"
expect_json "doc ->> 'checksum'" "$SUM_A"

run rokso status
expect_code 0
expect_no_out "Modified since applied"
expect_no_out "no longer under migration/"
expect_no_out "no checksum yet"
run rokso status --exit-code
expect_code 0 "--exit-code when nothing changed"
run rokso status --format json
expect_json "doc -> 'counts' ->> 'modified'" 0
expect_json "doc -> 'counts' ->> 'missing'" 0
expect_json "doc -> 'counts' ->> 'unverified'" 0
expect_json "doc ->> 'checksums_checked'" true
expect_json "doc ->> 'checksum_algorithm'" sha256-v1
expect_json "jsonb_array_length(doc -> 'modified')" 0

# --- a reformatted file is not a change: only the SQL as read counts --------------------------
printf '# a comment added after it was applied\n' >>"migration/$A"
run rokso status --exit-code
expect_code 0 "a comment outside the SQL is not a change"
write_py "migration/$A" "CREATE TABLE offline.a (id int);" "DROP TABLE offline.a;"

# --- an applied file edited: status shows it ----------------------------------------------------
write_py "migration/$A" "CREATE TABLE offline.a (id bigint);" "DROP TABLE offline.a;"
NEW_A=$(expected_checksum "$A")
run rokso status
expect_code 0 "plain status with a modified file keeps exit 0"
expect_out "Modified since applied"
if modified_in_status | grep -qF "modified:  $A"; then pass; else fail "status does not show A as modified"; fi
if modified_in_status | grep -qF "$B"; then fail "status shows the unchanged B as modified"; else pass; fi
expect_out "rokso accept <identity>"
run rokso status --exit-code
expect_code 1 "--exit-code with a modified file"
run rokso status --exit-code --format json
expect_code 1 "--exit-code --format json with a modified file"
expect_json "doc ->> 'rokso_json_version'" 1
expect_json "doc -> 'counts' ->> 'modified'" 1
expect_json "doc -> 'modified' -> 0 ->> 'identity'" "$A"
expect_json "doc -> 'modified' -> 0 ->> 'recorded_checksum'" "$SUM_A"
expect_json "doc -> 'modified' -> 0 ->> 'current_checksum'" "$NEW_A"
expect_json "doc -> 'modified' -> 0 -> 'error'" null
expect_json "doc ->> 'up_to_date'" true "nothing pending or failed"
# --no-checksums: the applied files are not read.
run rokso status --no-checksums --exit-code --format json
expect_code 0 "--no-checksums --exit-code"
expect_json "doc ->> 'checksums_checked'" false
expect_json "doc -> 'counts' ->> 'modified'" 0

# A changed rollback is a change too; restoring the file clears it.
write_py "migration/$B" "CREATE TABLE offline.b (id int);" "DROP TABLE IF EXISTS offline.b;"
if modified_in_status | grep -qF "modified:  $B"; then pass; else fail "a changed rollback SQL is not shown as modified"; fi
write_py "migration/$B" "CREATE TABLE offline.b (id int);" "DROP TABLE offline.b;"
if modified_in_status | grep -qF "$B"; then fail "B still modified after it was restored"; else pass; fi

# --- migrate refuses, and changes nothing --------------------------------------------------------
write_py "migration/$C" "CREATE TABLE offline.c (id int);" "DROP TABLE offline.c;"
before=$(rows)
run rokso migrate
expect_code 1 "migrate with a modified applied file"
expect_one_line_error "$A"
expect_err "--allow-modified"
expect_err "rokso accept"
expect_no_out "Applying migration file"
expect_eq "$(rows)" "$before" "migrate refused: version table unchanged"
expect_eq "$(sql "SELECT to_regclass('offline.c') IS NULL")" t "C's SQL did not run"
run rokso migrate --migration "$C"
expect_code 1 "migrate --migration refuses too"
expect_eq "$(rows)" "$before" "migrate --migration refused: version table unchanged"
# The previews say so too: --dry-run warns (and still shows the plan), --check fails.
run rokso migrate --dry-run
expect_code 0 "migrate --dry-run with a modified applied file"
expect_err "migrate would refuse to run"
expect_err "$A"
expect_out "$C"
run rokso migrate --check
expect_code 1 "migrate --check with a modified applied file"
expect_one_line_error "$A"
expect_eq "$(sql "SELECT to_regclass('offline.c') IS NULL")" t "--check refused before running C"
run rokso migrate --check --allow-modified
expect_code 0 "migrate --check --allow-modified checks anyway"
expect_eq "$(rows)" "$before" "the previews changed nothing"

# --- --allow-modified proceeds; A stays modified ---------------------------------------------------
run rokso migrate --allow-modified
expect_code 0 "migrate --allow-modified"
expect_err "warning:"
expect_err "$A"
expect_out "Applying migration file:  $C"
expect_eq "$(sql "SELECT to_regclass('offline.c') IS NOT NULL")" t "C applied"
expect_eq "$(checksum_of "$C")" "$(expected_checksum "$C")" "C recorded with its checksum"
expect_eq "$(checksum_of "$A")" "$SUM_A" "A's recorded checksum kept"
run rokso status --exit-code
expect_code 1 "A still modified after --allow-modified"

# --- rokso accept: usage errors --------------------------------------------------------------------
before=$(rows)
run rokso accept
expect_code 2 "accept without an identity"
expect_one_line_error "rokso accept <identity>"
run rokso accept "$A" --all --yes
expect_code 2 "accept <identity> --all"
run rokso accept offline/200.tables/a/nosuch.py --yes
expect_code 2 "accept an unknown identity"
expect_one_line_error "unknown migration 'offline/200.tables/a/nosuch.py'"
run rokso accept "x' OR 1=1 --" --yes
expect_code 2 "accept an identity that looks like SQL"
write_py "migration/$D" "CREATE TABLE offline.d (id int);" "DROP TABLE offline.d;"
run rokso accept "$D" --yes
expect_code 2 "accept a pending migration"
expect_one_line_error "'$D' is not applied"
run rokso -C "$WORK" accept "$A" --yes
expect_code 2 "accept outside a project"
expect_eq "$(rows)" "$before" "nothing recorded by usage errors"

# --- rokso accept: the question ----------------------------------------------------------------------
run rokso accept "$A"
expect_code 2 "accept at end of input"
expect_out "Accept the current content of '$A' as applied? (y/yes)"
expect_out "$SUM_A"
expect_out "$NEW_A"
expect_err "no answer"
run_with_input "n\n" rokso accept "$A"
expect_code 0 "accept answered no"
expect_out "No operation performed."
expect_eq "$(rows)" "$before" "nothing recorded without a yes"

# --- rokso accept: the lock --------------------------------------------------------------------------
hold_lock
run rokso accept "$A" --yes --lock-wait 1
expect_code 1 "accept waits for the lock, then gives up"
expect_err "timed out"
release_lock
expect_eq "$(rows)" "$before" "nothing recorded without the lock"

# --- rokso accept fixes it ------------------------------------------------------------------------
run_with_input "y\n" rokso accept "$A"
expect_code 0 "accept, confirmed"
expect_out "Accepted '$A'"
expect_eq "$(checksum_of "$A")" "$NEW_A" "A's checksum is now the current one"
expect_eq "$(sql "SELECT version || '|' || status FROM offline.rokso_db_version WHERE filename = '$A'")" \
  "$(sed -n "s/^[0-9]*|${A//\//\\/}|\([0-9a-f]*\)|\([a-z]*\)|.*/\1|\2/p" <<<"${before//,/$'\n'}")" "A's revision and status untouched"
expect_eq "$(sql "SELECT data_type FROM information_schema.columns WHERE table_schema = 'offline' AND table_name = 'a' AND column_name = 'id'")" \
  integer "accept ran no SQL of the migration"
run rokso status --exit-code
expect_code 1 "D is still pending"
if modified_in_status | grep -qF "$A"; then fail "A still modified after accept"; else pass; fi
run rokso accept "$A"
expect_code 0 "accept an unchanged file"
expect_out "unchanged since it was applied"
expect_no_out "(y/yes)"
run rokso migrate
expect_code 0 "migrate runs again after accept"
expect_eq "$(sql "SELECT to_regclass('offline.d') IS NOT NULL")" t "D applied"
# a path to the file works
write_py "migration/$D" "CREATE TABLE offline.d (id int, x int);" "DROP TABLE offline.d;"
cd migration/offline/200.tables
run rokso accept "d/2021_01_01__00_00_00_d.py" --yes
expect_code 0 "accept <relative path>"
cd "$PROJECT"
expect_eq "$(checksum_of "$D")" "$(expected_checksum "$D")" "D accepted by its path"

# --- accept --all ---------------------------------------------------------------------------------
write_py "migration/$A" "CREATE TABLE offline.a (id int, a2 int);" "DROP TABLE offline.a;"
write_py "migration/$B" "CREATE TABLE offline.b (id int, b2 int);" "DROP TABLE offline.b;"
run rokso status --format json
expect_json "(SELECT string_agg(e ->> 'identity', ',') FROM jsonb_array_elements(doc -> 'modified') e)" "$A,$B" "A and B modified, in order"
before=$(rows)
run rokso accept --all
expect_code 2 "accept --all at end of input"
expect_out "Accept the current content of these 2 migrations as applied? (y/yes)"
expect_eq "$(rows)" "$before" "nothing recorded at end of input"
run rokso accept --all --yes
expect_code 0 "accept --all --yes"
expect_eq "$(checksum_of "$A")|$(checksum_of "$B")" "$(expected_checksum "$A")|$(expected_checksum "$B")" "A and B accepted"
run rokso status --exit-code
expect_code 0 "clean after accept --all"
run rokso accept --all --yes
expect_code 0
expect_out "Nothing to accept"

# --- an applied file rokso can no longer read --------------------------------------------------------
cp "migration/$B" "$WORK/b.py"
printf 'apply_sql = "x" %% 1\n' >"migration/$B"
run rokso status --format json
expect_json "doc -> 'modified' -> 0 ->> 'identity'" "$B"
expect_json "doc -> 'modified' -> 0 -> 'current_checksum'" null
expect_json "(doc -> 'modified' -> 0 ->> 'error') LIKE '%2021_01_01__00_00_00_b.py:1:%'" t "the reason, with file and line"
before=$(rows)
run rokso migrate
expect_code 1 "migrate refuses with an unreadable applied file"
expect_one_line_error "$B"
run rokso accept "$B" --yes
expect_code 1 "an unreadable file cannot be accepted"
run rokso accept --all --yes
expect_code 1 "accept --all refuses with an unreadable file"
expect_eq "$(rows)" "$before" "nothing recorded"
cp "$WORK/b.py" "migration/$B"

# --- a missing file ---------------------------------------------------------------------------------
mv "migration/$C" "$WORK/c.py"
run rokso status
expect_code 0
expect_out "no longer under migration/"
if grep -qF "missing:   $C" <<<"$OUT"; then pass; else fail "status does not show C as missing"; fi
expect_out "rokso mark --pending <identity>"
run rokso status --exit-code
expect_code 0 "a missing file alone does not fail --exit-code"
run rokso status --format json
expect_json "doc -> 'counts' ->> 'missing'" 1
expect_json "doc -> 'missing' -> 0 ->> 'identity'" "$C"
expect_json "doc -> 'missing' -> 0 ->> 'status'" complete
run rokso accept "$C" --yes
expect_code 2 "accept a missing file"
run rokso migrate
expect_code 0 "migrate is not blocked by a missing file"
expect_out "Nothing to migrate"
mv "$WORK/c.py" "migration/$C"
run rokso status
expect_no_out "no longer under migration/"

# --- a failed migration gets its checksum when its retry succeeds -------------------------------------
E=offline/200.tables/e/2021_01_01__00_00_00_e.py
write_py "migration/$E" "SELECT 1/0;" "DROP TABLE offline.e;"
run rokso migrate
expect_code 1 "E fails"
expect_eq "$(checksum_of "$E")" "-" "a failed row has no checksum"
# a failed file may be edited freely: it is not `modified`
write_py "migration/$E" "CREATE TABLE offline.e (id int);" "DROP TABLE offline.e;"
if modified_in_status | grep -qF "$E"; then fail "a failed migration shown as modified"; else pass; fi
run rokso migrate
expect_code 0 "E retried"
expect_eq "$(checksum_of "$E")" "$(expected_checksum "$E")" "E's checksum recorded by the retry"

# --- a migration run outside a transaction records its checksum too ----------------------------------
F=offline/200.tables/f/2021_01_01__00_00_00_f.py
write_py "migration/$F" "CREATE INDEX CONCURRENTLY f_idx ON offline.e (id);" "DROP INDEX CONCURRENTLY offline.f_idx;"
run rokso migrate
expect_code 0 "non-transactional migration"
expect_eq "$(checksum_of "$F")" "$(expected_checksum "$F")" "F's checksum"

# --- rows without a checksum (roksopsql's, mark --applied's) are adopted by migrate --------------------
# The roksopsql table below knows only A, B and Q: the other files go.
mkdir "$WORK/gone"
mv migration/offline/200.tables/{c,d,e,f} "$WORK/gone/"
Q="offline/200.tables/q/2021_01_01__00_00_00_it's.py"
write_py "migration/$Q" "CREATE TABLE offline.q (id int);" "DROP TABLE offline.q;"
sql "DROP TABLE offline.rokso_db_version;
     CREATE TABLE IF NOT EXISTS offline.rokso_db_version (
        id serial PRIMARY KEY,
        filename text NOT NULL,
        version varchar(100) NOT NULL,
        status VARCHAR(20) DEFAULT 'pending' NOT NULL,
        scheduledAt timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
        executedAt timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
        CONSTRAINT filename_UNQ UNIQUE (filename));
     INSERT INTO offline.rokso_db_version (filename, version, status) VALUES
       ('$A', 'b23b4a2d', 'complete'), ('$B', 'b23b4a2d', 'complete'), ('${Q//\'/\'\'}', '22d0747c', 'complete');"
run rokso status
expect_code 0 "status on a roksopsql-made table"
expect_out "3 applied migrations have no checksum yet"
expect_no_out "Modified since applied"
run rokso status --exit-code --format json
expect_json "doc -> 'counts' ->> 'unverified'" 3
expect_json "doc -> 'counts' ->> 'modified'" 0
expect_json "(SELECT string_agg(e ->> 'identity', ',') FROM jsonb_array_elements(doc -> 'unverified') e)" "$A,$B,$Q"
expect_eq "$(sql "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'offline' AND table_name = 'rokso_db_version'")" 6 \
  "status does not upgrade the table"
run rokso migrate
expect_code 0 "migrate on a roksopsql-made table"
expect_out "Recorded the checksums of 3 applied migrations that had none"
expect_eq "$(sql "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'offline' AND table_name = 'rokso_db_version' AND column_name IN ('checksum', 'checksum_algorithm')")" 2 \
  "checksum columns added by the upgrade"
expect_eq "$(checksum_of "$A")|$(checksum_of "$B")|$(checksum_of "${Q//\'/\'\'}")" \
  "$(expected_checksum "$A")|$(expected_checksum "$B")|$(expected_checksum "$Q")" "roksopsql's rows adopted from the files"
expect_eq "$(sql "SELECT string_agg(DISTINCT version, ',') FROM offline.rokso_db_version WHERE filename IN ('$A', '$B')")" b23b4a2d \
  "adoption keeps the revision"
expect_eq "$(sql "SELECT count(*) FROM offline.rokso_db_version WHERE checksum IS NULL OR checksum_algorithm <> 'sha256-v1'")" 0 \
  "every row has a checksum"
run rokso status --exit-code
expect_code 0 "clean after adoption"
expect_no_out "no checksum yet"
# adopted checksums are real: an edit now shows
write_py "migration/$Q" "CREATE TABLE offline.q (id int, changed int);" "DROP TABLE offline.q;"
if modified_in_status | grep -qF "$Q"; then pass; else fail "an adopted file's edit is not detected"; fi
run rokso accept "$Q" --yes
expect_code 0 "accept a file whose name has a quote"
run rokso status --exit-code
expect_code 0

# mark --applied records the file's checksum, so an edit after it shows as modified
G=offline/200.tables/g/2021_01_01__00_00_00_g.py
write_py "migration/$G" "CREATE TABLE offline.g (id int);" "DROP TABLE offline.g;"
run rokso mark --applied "$G" --yes
expect_code 0
expect_eq "$(checksum_of "$G")" "$(expected_checksum "$G")" "marked row has its checksum"
run rokso status --format json --exit-code
expect_code 0 "a marked row is not modified"
expect_json "doc -> 'counts' ->> 'unverified'" 0
write_py "migration/$G" "CREATE TABLE offline.g (id int, edited int);" "DROP TABLE offline.g;"
if modified_in_status | grep -qF "$G"; then pass; else fail "an edit after mark --applied is not detected"; fi
# Rolling back a modified file warns that its current rollback SQL is what runs.
run rokso rollback --dry-run
expect_code 0 "rollback --dry-run of a modified file"
expect_err "'$G' was modified since it was applied"
write_py "migration/$G" "CREATE TABLE offline.g (id int, edited int);" "DROP TABLE IF EXISTS offline.g;"
run rokso rollback --yes
expect_code 0 "rollback of a modified file"
expect_err "was modified since it was applied"
expect_eq "$(sql "SELECT count(*) FROM offline.rokso_db_version WHERE filename = '$G'")" 0 "G's row is gone"

finish
