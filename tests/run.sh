#!/usr/bin/env bash
# The test command (README, and what .ci/run runs): installs missing packages, builds
# rokso with warnings as errors, and runs every test — unit tests, then the CLI tests
# against the installed binaries and a throwaway PostgreSQL the harness starts itself.
#
#   bash tests/run.sh            # build in ./build
#   BUILD_DIR=/tmp/b bash tests/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash share/scripts/install-deps.sh

BUILD_DIR=${BUILD_DIR:-build}
JOBS=${JOBS:-$(nproc)}
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DROKSO_WARNINGS_AS_ERRORS=ON \
  ${ROKSO_CMAKE_ARGS:-} >/dev/null
cmake --build "$BUILD_DIR" -j "$JOBS"
cd "$BUILD_DIR"
ctest --output-on-failure -j "$JOBS" --timeout 900 "$@"
