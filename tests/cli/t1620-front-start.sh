#!/usr/bin/env bash
# The front binary starts light (core/libpq_on_demand.cpp): it does not link libpq, whose
# twenty-odd libraries cost every `rokso <cmd>` more than the rest of its start; it
# loads libpq only for a custom rokso-<cmd>, which still gets the project's connection
# as libpq variables, a --url parsed by libpq included.
# shellcheck disable=SC1091
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

FRONT=$(command -v rokso)
[ -x "$FRONT" ] && pass || fail "no rokso on PATH"
LIBS=$(ldd "$FRONT")
if grep -q 'libpq\.so' <<<"$LIBS"; then fail "the front binary links libpq: $LIBS"; else pass; fi
if grep -q 'libssl\|libgnutls\|libkrb5' <<<"$LIBS"; then fail "the front binary links libpq's libraries"; else pass; fi
run rokso --version
expect_code 0 "rokso --version"

new_database
new_project
mkdir -p "$WORK/bin"
cat >"$WORK/bin/rokso-where" <<'SH'
#!/usr/bin/env bash
printf '%s\n' "$PGHOST|$PGPORT|$PGDATABASE|$PGUSER" >"$WHERE_FILE"
SH
chmod +x "$WORK/bin/rokso-where"
export WHERE_FILE="$WORK/where"
cd "$PROJECT" || exit 1
run env PATH="$WORK/bin:$PATH" rokso where
expect_code 0 "a custom command in a project"
expect_eq "$(cat "$WHERE_FILE")" "$ROKSO_TEST_PGHOST|$ROKSO_TEST_PGPORT|$DB|postgres" "its connection, read through libpq loaded on demand"
rm -f "$WHERE_FILE"
run env PATH="$WORK/bin:$PATH" rokso --url "postgresql://postgres@127.0.0.1:$ROKSO_TEST_PGPORT/${DB}?sslmode=disable" where
expect_code 0 "a custom command with --url"
expect_eq "$(cat "$WHERE_FILE")" "127.0.0.1|$ROKSO_TEST_PGPORT|$DB|postgres" "the URL, parsed by libpq loaded on demand"
rm -f "$WHERE_FILE"
run env PATH="$WORK/bin:$PATH" rokso --url "postgresql://[bad" where
expect_code 2 "a URL libpq refuses"
expect_one_line_error
[ ! -e "$WHERE_FILE" ] && pass || fail "the custom command ran despite the bad URL"

finish
