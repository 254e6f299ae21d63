#!/usr/bin/env bash
# The stat cache of checksums (.rokso/stat-cache, core/stat_cache.hpp): status reads an
# applied file again only when its stat changed, and still finds every edit: one that
# keeps the size and restores the mtime (seen by the ctime), a new inode with the same
# times, a companion file (.rollback.sql) edited, added or removed. A corrupt, truncated,
# foreign or copied cache is ignored and rewritten; a read-only project, or a .rokso that
# is not a directory, leaves status working and nothing written; --no-checksums and
# ROKSO_PY_EVALUATE write no cache. `status -v` says how many checksums came from it.
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

new_database
new_project
cd "$PROJECT" || exit 1
CACHE="$PROJECT/.rokso/stat-cache"
A=offline/200.tables/a/2021_01_01__00_00_00_a.py
B=offline/200.tables/b/2021_01_02__00_00_00_b.apply.sql
B_ROLLBACK=offline/200.tables/b/2021_01_02__00_00_00_b.rollback.sql
C=offline/200.tables/c/2021_01_03__00_00_00_c.yaml
write_py "migration/$A" "CREATE TABLE offline.a (id int);" "DROP TABLE offline.a;"
mkdir -p "$(dirname "migration/$B")" "$(dirname "migration/$C")"
printf 'CREATE TABLE offline.b (id int);\n' >"migration/$B"
printf 'DROP TABLE offline.b;\n' >"migration/$B_ROLLBACK"
printf 'apply: CREATE TABLE offline.c (id int);\nrollback: DROP TABLE offline.c;\n' >"migration/$C"
run rokso migrate
expect_code 0 "setup: migrate"

# cache_says <hits> <read>: `rokso status -v` took <hits> checksums from the cache and read
# <read> files, and found nothing modified.
cache_says() {
  run rokso status -v
  expect_code 0 "${3:-status}"
  expect_out "checksums: $1 from the stat cache, $2 read"
  expect_no_out "Modified since applied"
}
# same_times <file> <command...>: runs the command, then gives the file back its size-
# keeping edit's old mtime (nanoseconds), as `git checkout` or a careful tool could.
same_times() {
  local file=$1 mtime
  shift
  mtime=$(stat -c %y "$file")
  "$@"
  touch -d "$mtime" "$file"
  expect_eq "$(stat -c %y "$file")" "$mtime" "mtime of $file restored"
}
# edit <file> <old> <new>: replaces the text in place (the same inode, as an editor that
# writes over the file does).
edit() {
  local text
  text=$(cat "$1")
  printf '%s\n' "${text/"$2"/"$3"}" >"$1"
}
modified_only() {  # <identity>: status lists exactly this file as modified, exit 0 (not --exit-code)
  run rokso status --format json
  expect_code 0 "status --format json"
  expect_json "doc -> 'counts' ->> 'modified'" 1 "one modified"
  expect_json "doc -> 'modified' -> 0 ->> 'identity'" "$1"
}

# --- not written by --no-checksums, nor when .py files may run in Python ----------------------------
run rokso status --no-checksums
expect_code 0
[ ! -e "$PROJECT/.rokso" ] && pass || fail "--no-checksums created .rokso"
run env ROKSO_PY_EVALUATE=python3 rokso status -v
expect_code 0
[ ! -e "$PROJECT/.rokso" ] && pass || fail "status with ROKSO_PY_EVALUATE created .rokso"
expect_no_out "from the stat cache"

# --- built on the first status, used by the next ----------------------------------------------------
cache_says 0 3 "first status (cold)"
expect_out "(stat cache written)"
expect_eq "$(stat -c %a "$PROJECT/.rokso")" 700 ".rokso's mode"
expect_eq "$(stat -c %a "$CACHE")" 600 "stat-cache's mode"
expect_eq "$(grep -v '^#' "$PROJECT/.rokso/.gitignore")" "*" ".rokso/.gitignore (all but its comment)"
CACHE_SUM=$(sha256sum <"$CACHE")
cache_says 3 0 "second status (warm)"
expect_no_out "(stat cache written)"
expect_eq "$(sha256sum <"$CACHE")" "$CACHE_SUM" "a warm status leaves the cache as it was"

# --- edits with a warm cache ---------------------------------------------------------------------------
# Same size, same inode, mtime restored: the ctime tells.
INODE=$(stat -c %i "migration/$A")
same_times "migration/$A" edit "migration/$A" "offline.a (id int)" "offline.a (ix int)"
expect_eq "$(stat -c %i "migration/$A")" "$INODE" "A edited in place"
modified_only "$A"
run rokso status --exit-code
expect_code 1 "modified A with a warm cache: --exit-code"
expect_out "modified:  $A"
# Back as it was applied (the same trick): read once more, then from the cache again.
same_times "migration/$A" edit "migration/$A" "offline.a (ix int)" "offline.a (id int)"
cache_says 2 1 "A restored"
cache_says 3 0 "A restored, warm again"
# A new inode with the same content and times (an editor's write-and-rename): read again, not modified.
cp -p "migration/$A" "$WORK/a.py"
mv "$WORK/a.py" "migration/$A"
cache_says 2 1 "A on a new inode"
# The companion: .rollback.sql edited, size and mtime kept.
same_times "migration/$B_ROLLBACK" edit "migration/$B_ROLLBACK" "offline.b;" "offline.x;"
modified_only "$B"
same_times "migration/$B_ROLLBACK" edit "migration/$B_ROLLBACK" "offline.x;" "offline.b;"
cache_says 2 1 "B's rollback restored"
# The companion removed, then back: the migration's rollback changed, then not.
mv "migration/$B_ROLLBACK" "$WORK/rollback.sql"
modified_only "$B"
mv "$WORK/rollback.sql" "migration/$B_ROLLBACK"
cache_says 2 1 "B's rollback back"
# YAML: a longer edit (size changes) is seen whatever the times.
same_times "migration/$C" edit "migration/$C" "offline.c (id int)" "offline.c (id bigint)"
modified_only "$C"
edit "migration/$C" "offline.c (id bigint)" "offline.c (id int)"
cache_says 2 1 "C restored"

# --- a cache that cannot be trusted is ignored and rewritten ---------------------------------------------
printf 'X' | dd of="$CACHE" bs=1 seek=100 conv=notrunc status=none
cache_says 0 3 "a flipped byte in the cache"
cache_says 3 0 "the rewritten cache"
truncate -s 50 "$CACHE"
cache_says 0 3 "a truncated cache"
: >"$CACHE"
cache_says 0 3 "an empty cache"
head -c 4096 /dev/urandom >"$CACHE"
cache_says 0 3 "a cache of noise"
cache_says 3 0 "rebuilt after the noise"
# The project copied elsewhere, .rokso with it (inodes differ; the root check says so first).
cp -a "$PROJECT" "$WORK/copy"
run rokso -C "$WORK/copy" status -v
expect_code 0 "status in the copy"
expect_out "checksums: 0 from the stat cache, 3 read"
same_times "$WORK/copy/migration/$A" edit "$WORK/copy/migration/$A" "offline.a (id int)" "offline.a (ix int)"
run rokso -C "$WORK/copy" status --exit-code
expect_code 1 "an edit in the copy"
expect_out "modified:  $A"
cache_says 3 0 "the original's cache is its own"

# --- a project rokso cannot write: status works, nothing written --------------------------------------------
rm -rf "$PROJECT/.rokso"
printf 'not a directory\n' >"$PROJECT/.rokso"
cache_says 0 3 "a .rokso that is a file"
expect_eq "$(cat "$PROJECT/.rokso")" "not a directory" ".rokso (a file) left alone"
rm -f "$PROJECT/.rokso"
if [ "$(id -u)" != 0 ]; then
  AS_USER=(env)
elif id nobody >/dev/null 2>&1 && runuser -u nobody -- rokso --version >/dev/null 2>&1; then
  AS_USER=(runuser -u nobody --)
else
  AS_USER=()
  echo "SKIP: read-only project: running as root and user 'nobody' cannot run rokso" >&2
fi
if [ ${#AS_USER[@]} -gt 0 ]; then
  [ "$(id -u)" != 0 ] || chown -R nobody "$PROJECT"
  chmod a-w "$PROJECT"
  run "${AS_USER[@]}" "$(command -v rokso)" -C "$PROJECT" status -v
  expect_code 0 "status in a read-only project"
  expect_out "checksums: 0 from the stat cache, 3 read"
  expect_no_out "stat cache written"
  expect_eq "$ERR" "" "status in a read-only project: stderr"
  [ ! -e "$PROJECT/.rokso" ] && pass || fail ".rokso created in a read-only project"
  # An existing cache in a directory rokso may not write: read, not rewritten.
  chmod u+w "$PROJECT"
  run "${AS_USER[@]}" "$(command -v rokso)" -C "$PROJECT" status
  expect_code 0 "status writes the cache as its owner"
  chmod a-w "$PROJECT/.rokso"
  same_times "migration/$A" edit "migration/$A" "offline.a (id int)" "offline.a (ix int)"
  SUM=$(sha256sum <"$CACHE")
  run "${AS_USER[@]}" "$(command -v rokso)" -C "$PROJECT" status --exit-code -v
  expect_code 1 "an edit seen with a cache that cannot be rewritten"
  expect_out "modified:  $A"
  expect_out "checksums: 2 from the stat cache, 1 read"
  expect_eq "$(sha256sum <"$CACHE")" "$SUM" "the cache in a read-only .rokso"
  chmod u+w "$PROJECT/.rokso"
  [ "$(id -u)" != 0 ] || chown -R root "$PROJECT"
fi

finish
