#!/usr/bin/env bash
# rokso create: the seed's questions (and defaults) or flags write
# migration/<schema>/<NNN.kind>/<object>/<YYYY_MM_DD__HH_MM_SS>_<name>.py for every seed
# kind; the skeletons are real (migrate creates the object, rollback drops it); names
# that need quoting work end to end; invalid names, kinds and missing answers are
# refused with exit 2 and nothing written.
# shellcheck disable=SC1091
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

new_database
new_project "$WORK/project"
cd "$PROJECT" || exit 1

TS_RE='[0-9]{4}_[0-9]{2}_[0-9]{2}__[0-9]{2}_[0-9]{2}_[0-9]{2}'
declare -A KIND_DIR=([T]=200.tables [V]=300.views [M]=400.mat_views [F]=500.functions [D]=100.database_types)

# Every file under migration/, sorted.
tree_listing() { (cd "$PROJECT/migration" && find . -mindepth 1 | LC_ALL=C sort); }

# After a `create`: exactly one new file, at the expected place, announced as generated.
# Sets CREATED to its path relative to migration/.
expect_created() {  # <schema> <letter> <object> <name>
  local dir="$PROJECT/migration/$1/${KIND_DIR[$2]}/$3" files file
  expect_code 0 "create $2 $1.$3"
  files=$(find "$dir" -maxdepth 1 -type f -name "*_$4.py" 2>/dev/null)
  if [ "$(grep -c . <<<"$files")" = 1 ]; then pass; else fail "expected one *_$4.py in '$dir', found: $files"; return; fi
  file=$(basename "$files")
  if [[ "$file" =~ ^${TS_RE}_$4\.py$ ]]; then pass; else fail "file name '$file' is not <YYYY_MM_DD__HH_MM_SS>_$4.py"; fi
  expect_out "[*] migration file $file has been generated"
  CREATED="$1/${KIND_DIR[$2]}/$3/$file"
}

exists_in_catalog() {  # <letter> <schema> <object>: 1 when the object exists
  local s=${2//\'/\'\'} o=${3//\'/\'\'}
  case $1 in
    T) sql "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '$s' AND c.relname = '$o' AND c.relkind = 'r'" ;;
    V) sql "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '$s' AND c.relname = '$o' AND c.relkind = 'v'" ;;
    M) sql "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '$s' AND c.relname = '$o' AND c.relkind = 'm'" ;;
    F) sql "SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = '$s' AND p.proname = '$o'" ;;
    D) sql "SELECT count(*) FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = '$s' AND t.typname = '$o' AND t.typtype IN ('c', 'e', 'd')" ;;
  esac
}

# --- the seed's questions, in order, on stdin --------------------------------------------
printf -v input '%s\n' offline T user_master create_table_user_master
run_with_input "$input" rokso create
expect_created offline T user_master create_table_user_master
prompts=$(grep -oE 'Enter the schema name|\(T, V, M, F, D\) \[T\]|Enter table/procedure/function name|Enter a file name for this migration' <<<"$OUT" | tr '\n' '|')
expect_eq "$prompts" "Enter the schema name|(T, V, M, F, D) [T]|Enter table/procedure/function name|Enter a file name for this migration|" \
  "the questions and their order"
expect_out "[public]"
for label in "[T]able" "[V]iew" "[M]aterialized View" "[F]unctions" "[D]atabase Type"; do expect_out "$label"; done
# The template holds the skeleton for the kind and its DROP.
body=$(cat "$PROJECT/migration/$CREATED")
if grep -q 'CREATE TABLE IF NOT EXISTS offline\.user_master' <<<"$body"; then pass; else fail "table skeleton missing: $body"; fi
if grep -q 'DROP TABLE IF EXISTS offline\.user_master' <<<"$body"; then pass; else fail "table DROP missing: $body"; fi
if grep -q '^migrations = {' <<<"$body" && grep -q '"apply": apply_sql' <<<"$body" && grep -q '"rollback": rollback_sql' <<<"$body"; then
  pass
else
  fail "not roksopsql's module layout: $body"
fi

# Defaults: an empty schema answer is public, an empty kind answer is T.
printf -v input '%s\n' "" "" default_t create_default_t
run_with_input "$input" rokso create
expect_created public T default_t create_default_t

# Lowercase kind letters, on stdin.
printf -v input '%s\n' online v web_view create_web_view
run_with_input "$input" rokso create
expect_created online V web_view create_web_view

# --- through flags, every kind, lowercase letters too -------------------------------------
ALL_CREATED=()
for letter in T V M F D t v m f d; do
  L=${letter^^}
  obj="obj_${letter}"
  [ "$letter" = "$L" ] || obj="low_${letter}"
  run rokso create --dbschema offline --type "$letter" --tablename "$obj" --filename "create_$obj"
  expect_created offline "$L" "$obj" "create_$obj"
  expect_no_out "Enter "
  ALL_CREATED+=("$L|offline|$obj")
done

# --- the skeletons are real: migrate creates every object, rollback drops it ----------------
run rokso migrate
expect_code 0 "migrate the generated files"
expect_out "revision#"
for entry in "${ALL_CREATED[@]}" "T|offline|user_master" "T|public|default_t" "V|online|web_view"; do
  IFS='|' read -r L s o <<<"$entry"
  expect_eq "$(exists_in_catalog "$L" "$s" "$o")" 1 "$L $s.$o after migrate"
done
expect_eq "$(sql "SELECT count(*) FROM offline.rokso_db_version WHERE status = 'complete'")" 13 "complete rows"
# The generated function is callable, the composite type usable.
expect_eq "$(sql "SELECT count(*) FROM (SELECT offline.\"obj_F\"()) AS called")" 1 "calling the generated function"
expect_eq "$(sql "SELECT (ROW('v')::offline.\"obj_D\").value")" v "using the generated composite type"
run_with_input "y"$'\n' rokso rollback
expect_code 0 "echo y | rokso rollback"
expect_out "Rollback complete."
for entry in "${ALL_CREATED[@]}" "T|offline|user_master" "T|public|default_t" "V|online|web_view"; do
  IFS='|' read -r L s o <<<"$entry"
  expect_eq "$(exists_in_catalog "$L" "$s" "$o")" 0 "$L $s.$o after rollback"
done
expect_eq "$(sql "SELECT count(*) FROM offline.rokso_db_version")" 0 "rows after rollback"

# --- names that need quoting, end to end ---------------------------------------------------
sql "CREATE SCHEMA \"Sch'é \"\"x\"\"\""
WEIRD_SCHEMA="Sch'é \"x\""
WEIRD=()
for letter in T V M F D; do
  obj="Ünïcode \"${letter}ab\" it's"
  run rokso create --dbschema "$WEIRD_SCHEMA" --type "$letter" --tablename "$obj" --filename "create_weird_$letter"
  expect_created "$WEIRD_SCHEMA" "$letter" "$obj" "create_weird_$letter"
  WEIRD+=("$letter|$CREATED|$obj")
done
# Mixed case is kept (quoted), a plain lowercase name stays bare.
run rokso create --dbschema offline --type T --tablename MixedCase --filename create_mixed
expect_created offline T MixedCase create_mixed
MIXED=$CREATED
# status lists them as pending, exactly as they are named on disk.
run rokso status
expect_code 0
for entry in "${WEIRD[@]}"; do
  IFS='|' read -r L identity o <<<"$entry"
  if grep -F -- "$identity" <<<"$OUT" | grep -qE ' NA +pending$'; then pass; else
    fail "status does not list '$identity' as pending"
  fi
done
expect_out "$MIXED"
run rokso migrate
expect_code 0 "migrate names that need quoting"
for entry in "${WEIRD[@]}"; do
  IFS='|' read -r L identity o <<<"$entry"
  expect_eq "$(exists_in_catalog "$L" "$WEIRD_SCHEMA" "$o")" 1 "$L \"$o\" in the weird schema after migrate"
  expect_eq "$(sql "SELECT status FROM offline.rokso_db_version WHERE filename = '${identity//\'/\'\'}'")" complete \
    "version row of $identity"
done
expect_eq "$(exists_in_catalog T offline MixedCase)" 1 "MixedCase keeps its case"
expect_eq "$(exists_in_catalog T offline mixedcase)" 0 "MixedCase is not folded"
run rokso rollback --yes
expect_code 0 "rollback names that need quoting"
for entry in "${WEIRD[@]}"; do
  IFS='|' read -r L identity o <<<"$entry"
  expect_eq "$(exists_in_catalog "$L" "$WEIRD_SCHEMA" "$o")" 0 "$L \"$o\" after rollback"
done
expect_eq "$(exists_in_catalog T offline MixedCase)" 0 "MixedCase after rollback"
expect_eq "$(sql "SELECT count(*) FROM offline.rokso_db_version")" 0 "rows after the second rollback"

# --- invalid input: exit 2, nothing written ------------------------------------------------
BEFORE=$(tree_listing)
expect_refused() {  # <what> <create args...>
  local what=$1
  shift
  run rokso create "$@"
  expect_code 2 "$what"
  expect_one_line_error
  expect_eq "$(tree_listing)" "$BEFORE" "migration/ after: $what"
}
LONG64=$(printf 'a%.0s' $(seq 64))
LONG63=$(printf 'b%.0s' $(seq 63))
for bad in "" "a/b" "/abs" ".." "." ".hidden" "../escape" $'tab\there' $'new\nline' $'bell\a' $'del\x7f' "$LONG64" \
           "$(printf 'é%.0s' $(seq 32))" $'\xff\xfe'; do
  expect_refused "object name '$(printf '%q' "$bad")'" --dbschema offline --type T --tablename "$bad" --filename ok_name
  expect_refused "schema name '$(printf '%q' "$bad")'" --dbschema "$bad" --type T --tablename ok_name --filename ok_name
done
for bad in "" "with space" "a/b" "../up" ".hidden" "-rf" $'tab\there' "quote'd" 'dq"x' "semi;colon" "star*"; do
  expect_refused "file name '$(printf '%q' "$bad")'" --dbschema offline --type T --tablename ok_name --filename "$bad"
done
for bad in X Q TV "" 1 "tt" "T,V"; do
  expect_refused "kind '$bad'" --dbschema offline --type "$bad" --tablename ok_name --filename ok_name
done
expect_refused "an unknown format" --dbschema offline --type T --tablename ok_name --filename ok_name --format nosuch
run rokso create --dbschema offline --type T --tablename ok_name --filename ok_name --bogus
expect_code 2 "an unknown option"
expect_err "--bogus"
expect_eq "$(tree_listing)" "$BEFORE" "migration/ after an unknown option"

# 63 bytes is the limit, and is accepted.
run rokso create --dbschema offline --type T --tablename "$LONG63" --filename create_long
expect_created offline T "$LONG63" create_long
rm -rf "${PROJECT:?}/migration/offline/200.tables/$LONG63"

# The same refusals through the prompts.
printf -v input '%s\n' offline Z
run_with_input "$input" rokso create
expect_code 2 "an unknown kind on stdin"
expect_one_line_error "Z"
expect_eq "$(tree_listing)" "$BEFORE" "migration/ after an unknown kind on stdin"
printf -v input '%s\n' offline T "a/b" name
run_with_input "$input" rokso create
expect_code 2 "a bad object name on stdin"
expect_one_line_error
printf -v input '%s\n' offline T ok_name "bad name"
run_with_input "$input" rokso create
expect_code 2 "a bad file name on stdin"
expect_one_line_error
expect_eq "$(tree_listing)" "$BEFORE" "migration/ after bad names on stdin"

# End of input before every question is answered.
for answered in 0 1 2 3; do
  input=$(printf '%s\n' offline T ok_name ok_file | head -n "$answered")
  [ "$answered" = 0 ] || input="$input"$'\n'
  run_with_input "$input" rokso create
  expect_code 2 "end of input after $answered answers"
  expect_one_line_error "end of input"
  expect_eq "$(tree_listing)" "$BEFORE" "migration/ after end of input ($answered answers)"
done

# Two migrations of one name in the same second are not overwritten.
run rokso create --dbschema offline --type T --tablename twice --filename same_name
expect_created offline T twice same_name
first=$(cat "$PROJECT/migration/$CREATED")
printf '# edited\n' >>"$PROJECT/migration/$CREATED"
run rokso create --dbschema offline --type T --tablename twice --filename same_name
if [ "$CODE" = 0 ]; then
  # A later second: a second file, the first one untouched.
  expect_eq "$(find "$PROJECT/migration/offline/200.tables/twice" -type f | wc -l)" 2 "two files for two creates"
else
  expect_code 1 "the same file name in the same second"
fi
expect_eq "$(cat "$PROJECT/migration/$CREATED")" "$first"$'\n'"# edited" "an existing migration is never overwritten"

finish
