#!/usr/bin/env bash
# The Debian package: `cmake --build <build> --target package` makes a .deb that installs
# under /usr with the libexec and plugin layout, the man pages and both completions, and
# whose Depends (from dpkg-shlibdeps) name the runtime libraries. Unpacked with
# `dpkg-deb -x` into a scratch directory (not installed), its rokso finds its commands and
# plugins relative to itself: --version, plugins, and the whole tutorial run from there.
# shellcheck disable=SC1091
. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh"

: "${ROKSO_BUILD_DIR:?run through ctest}"
run cmake --build "$ROKSO_BUILD_DIR" --target package
expect_code 0 "cmake --build --target package"
deb=$(ls -t "$ROKSO_BUILD_DIR"/rokso_*.deb 2>/dev/null | head -1)
[ -f "$deb" ] && pass || { fail "no rokso_*.deb in $ROKSO_BUILD_DIR"; finish; }

# --- control fields -------------------------------------------------------------------------
expect_eq "$(dpkg-deb -f "$deb" Package)" rokso "Package"
expect_eq "$(dpkg-deb -f "$deb" Version)" "$(rokso --version | sed 's/^rokso version //')" "Version"
depends=$(dpkg-deb -f "$deb" Depends)
# libpq5 comes through libpqxx (rokso links --as-needed, so libpq itself is not a direct need).
for lib in libpqxx-6.4 libboost-program-options1.74.0 libyaml-cpp0.7 libssl3 libstdc++6 libc6; do
  if grep -q "\b$lib\b" <<<"$depends"; then pass; else fail "Depends lacks $lib: $depends"; fi
done
for unused in libfmt libboost-filesystem; do
  if grep -q "$unused" <<<"$depends"; then fail "Depends names $unused, which nothing uses"; else pass; fi
done

# --- the file list --------------------------------------------------------------------------
dpkg-deb -c "$deb" | awk '{ print $6 }' | sed 's|^\./|/|' >"$WORK/files"
OUT=$(cat "$WORK/files")
for path in /usr/bin/rokso /usr/bin/roksopsql /usr/libexec/rokso/rokso-migrate /usr/libexec/rokso/rokso-status \
  /usr/lib/rokso/plugins/rokso-format-py.so /usr/share/rokso/version-table.sql /usr/include/rokso/plugin.hpp \
  /usr/share/man/man1/rokso.1 /usr/share/man/man1/rokso-migrate.1 /usr/share/man/man7/rokso-plugins.7 \
  /usr/share/bash-completion/completions/rokso /usr/share/zsh/vendor-completions/_rokso; do
  if grep -qxE "$path(\.gz)?" "$WORK/files"; then pass; else fail "the package lacks $path"; fi
done
if grep -v '^/usr/' "$WORK/files" | grep -qv '^/$'; then fail "files outside /usr: $(grep -v '^/usr/' "$WORK/files" | tr '\n' ' ')"; else pass; fi
expect_no_out "/usr/local"
expect_no_out "test-install"

# --- unpacked, not installed: it finds its own commands and plugins -------------------------
X=$WORK/unpacked
dpkg-deb -x "$deb" "$X"
run env -u ROKSO_EXEC_PATH -u ROKSO_PLUGIN_PATH "$X/usr/bin/rokso" --version
expect_code 0
expect_eq "$OUT" "$(rokso --version)" "the unpacked rokso --version"
run "$X/usr/bin/roksopsql" --version
expect_eq "$OUT" "$(rokso --version)" "roksopsql, the other name"
run env PATH=/usr/bin:/bin "$X/usr/bin/rokso" plugins
expect_code 0 "unpacked rokso plugins"
expect_out "$X/usr/lib/rokso/plugins/rokso-format-py.so"
run env PATH=/usr/bin:/bin "$X/usr/bin/rokso" help -a
expect_out "migrate"
man --warnings=w -l "$X/usr/share/man/man1/rokso-migrate.1" >/dev/null 2>"$WORK/man.err" && pass || fail "the packaged man page"
expect_eq "$(cat "$WORK/man.err")" "" "groff warnings in the packaged page"

# The tutorial, run from the unpacked copy (under another name: its own database).
cp "$ROKSO_SOURCE_DIR/tests/cli/t0100-tutorial.sh" "$WORK/t1454_deb_tutorial.sh"
expect_eq "$(ROKSO_TEST_PREFIX=$X/usr bash -c '. "$ROKSO_SOURCE_DIR/tests/lib/cli.sh" >/dev/null; trap - EXIT; rm -rf "$WORK"; command -v rokso')" \
  "$X/usr/bin/rokso" "the tutorial runs the unpacked rokso"
if ROKSO_TEST_PREFIX=$X/usr bash "$WORK/t1454_deb_tutorial.sh" >"$WORK/tutorial.log" 2>&1; then
  pass
else
  fail "the tutorial from the unpacked package: $(tail -20 "$WORK/tutorial.log")"
fi
sql "DROP DATABASE IF EXISTS t_t1454_deb_tutorial WITH (FORCE)" postgres

finish
