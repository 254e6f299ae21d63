#!/usr/bin/env bash
# The plugin SDK's interface is checked by the build, not remembered: the declarations of
# core/sdk/rokso/*.hpp (comments and layout stripped) are fingerprinted and compared with
# core/sdk/abi.lock, which pairs the fingerprint with ROKSO_PLUGIN_INTERFACE_VERSION.
# A declaration that changes while the version stays fails this test, so a plugin built
# against the old SDK can never be loaded by a host whose classes differ.
#
#   bash tests/sdk_abi.sh            check (ctest: sdk.abi)
#   bash tests/sdk_abi.sh --update   after bumping the version: record the new interface
#                                    (without a bump only for a change that leaves every
#                                    layout and virtual as it was, e.g. a new inline helper:
#                                    the lock file's diff shows the reviewer which it is)
#   bash tests/sdk_abi.sh --self-test  proves the check fails on an unbumped change
set -euo pipefail
cd "$(dirname "$0")/.."
root=${ROKSO_SDK_ROOT:-core/sdk}
sdk=$root/rokso
lock=$root/abi.lock

if [ "${1:-}" = --self-test ]; then
  copy=$(mktemp -d)
  trap 'rm -rf "$copy"' EXIT
  cp -r core/sdk/. "$copy"
  sed -i 's/^  std::string description;$/  std::string description;\n  int added_field = 0;/' "$copy/rokso/migration.hpp"
  grep -q added_field "$copy/rokso/migration.hpp" || { echo "self-test could not change the copy" >&2; exit 1; }
  if ROKSO_SDK_ROOT=$copy bash "$0" 2>"$copy/err"; then
    echo "a new field in Migration went unnoticed" >&2
    exit 1
  fi
  grep -q "bump it" "$copy/err" || { cat "$copy/err" >&2; exit 1; }
  echo "1 passed, 0 failed"
  exit 0
fi

version=$(sed -n 's/^#define ROKSO_PLUGIN_INTERFACE_VERSION \([0-9]\+\)u$/\1/p' "$sdk/plugin.hpp")
[ -n "$version" ] || { echo "cannot read ROKSO_PLUGIN_INTERFACE_VERSION from $sdk/plugin.hpp" >&2; exit 1; }

# Every header's declarations, one normalised line each; the version line itself is left
# out so that the fingerprint describes the interface, not its number.
declarations() {
  local header
  for header in $(ls "$sdk"/*.hpp | LC_ALL=C sort); do
    echo "== $(basename "$header")"
    sed -e 's://.*$::' -e 's/[[:space:]]\+/ /g' -e 's/^ //' -e 's/ $//' "$header" |
      grep -v -e '^$' -e '^#define ROKSO_PLUGIN_INTERFACE_VERSION '
  done
}
fingerprint=$(declarations | sha256sum | cut -d' ' -f1)
# The virtual functions and the exchanged structs, listed for a reader of the lock file.
surface=$(declarations | grep -E '^== |virtual |^(struct|class) |^enum class ' | sed 's/ {$//')

render_lock() {
  printf '# The plugin SDK interface as released (tests/sdk_abi.sh). Do not edit by hand:\n'
  printf '# bump ROKSO_PLUGIN_INTERFACE_VERSION in %s, then run bash tests/sdk_abi.sh --update.\n' "$sdk/plugin.hpp"
  printf 'interface %s\nsha256 %s\n%s\n' "$version" "$fingerprint" "$surface"
}

if [ "${1:-}" = --update ]; then
  render_lock >"$lock"
  echo "recorded interface $version ($fingerprint) in $lock"
  exit 0
fi

[ -f "$lock" ] || { echo "missing $lock: run bash tests/sdk_abi.sh --update" >&2; exit 1; }
locked_version=$(sed -n 's/^interface //p' "$lock")
locked_fingerprint=$(sed -n 's/^sha256 //p' "$lock")
if [ "$fingerprint" != "$locked_fingerprint" ] && [ "$version" = "$locked_version" ]; then
  echo "the plugin SDK's declarations changed but ROKSO_PLUGIN_INTERFACE_VERSION is still $version:" >&2
  diff <(sed -n '4,$p' "$lock") <(printf '%s\n' "$surface") >&2 || true
  echo "bump it in $sdk/plugin.hpp (plugins built for $version must be refused), then run bash tests/sdk_abi.sh --update" >&2
  exit 1
fi
if [ "$version" != "$locked_version" ] || [ "$fingerprint" != "$locked_fingerprint" ]; then
  if [ "$version" -lt "$locked_version" ]; then
    echo "ROKSO_PLUGIN_INTERFACE_VERSION went down from $locked_version to $version" >&2
  else
    echo "interface $version is not recorded in $lock: run bash tests/sdk_abi.sh --update and commit it" >&2
  fi
  exit 1
fi
echo "1 passed, 0 failed"
