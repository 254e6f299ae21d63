#!/usr/bin/env bash
# Installs what building and testing rokso needs, from Debian 12's packages only, and
# only what is missing (so a second run costs nothing and needs no network).
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libpqxx-dev libpq-dev libboost-program-options-dev libboost-test-dev libboost-dev
  libyaml-cpp-dev libpg-query-dev nlohmann-json3-dev libssl-dev
  man-db groff-base bsdutils
  postgresql-15 postgresql-client-15 pgbouncer postgresql-15-auto-failover
  clang libclang-rt-14-dev
)
# dbmate, from npm, for tests/cli/t1101-import-dbmate.sh: that test lets dbmate itself
# apply part of a tree when it is installed, and writes dbmate's history by hand when not.
if ! command -v dbmate >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  npm install --global --no-audit --no-fund dbmate@2 >/dev/null 2>&1 ||
    echo "warning: could not install dbmate from npm; the dbmate import test writes its history by hand"
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "installing: ${missing[*]}"
sudo=""
if [ "$(id -u)" != 0 ]; then sudo=sudo; fi
$sudo apt-get -o DPkg::Lock::Timeout=300 update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=300 install -y -qq \
  --no-install-recommends "${missing[@]}" >/dev/null
