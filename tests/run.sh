#!/usr/bin/env bash
# The test command (README, and what .ci/run runs): installs missing packages, builds
# rokso with warnings as errors and runs every test — unit tests, then the CLI tests
# against the installed binaries and a throwaway PostgreSQL the harness starts itself —
# and then does it all again in a second build under AddressSanitizer + UBSan; and a
# short libFuzzer run of every format reader (tests/fuzz.sh).
#
#   bash tests/run.sh                      # both passes
#   ROKSO_SKIP_SANITIZERS=1 ROKSO_SKIP_FUZZ=1 bash tests/run.sh   # the plain build only
#   bash tests/run.sh -R t0100             # extra arguments go to ctest
set -euo pipefail
cd "$(dirname "$0")/.."
bash share/scripts/install-deps.sh

JOBS=${JOBS:-$(nproc)}
# Tests at once: the CLI tests are CPU-bound (one more than cores, 3 on 2, was measured no
# faster: plain 497 s, sanitized 490 s, against 455-488 s at 2).
TEST_JOBS=${TEST_JOBS:-$JOBS}

# Time (CI's budget is 20 minutes on 2 cores, for all three passes): both builds are
# unity builds (CMakeLists.txt) with line tables only (-g1: file and line in a sanitizer's
# or a debugger's backtrace, without the types and variables that made full -g a quarter
# of the compile time; GCC's code does not depend on -g, so the tests test the same code
# as a RelWithDebInfo build with -g); the fuzz run is
# bounded by FUZZ_SECONDS (its three readers at once: 30 s on 2 cores, each reader the
# CPU of 20 s alone); each pass runs ctest -j TEST_JOBS, longest tests first (ctest
# keeps their times from the last run in the build directory). The sanitizer pass skips
# the tests labelled plain-only (tests/CMakeLists.txt: they run no rokso C++, or none
# that another sanitized test does not run, so a sanitizer has nothing new to watch); the
# summary line says how many tests ran in each pass. LeakSanitizer checks the unit tests,
# the fuzzers and the CLI tests of every command's ordinary path (t0001, t0100, t0110);
# the other CLI tests run with detect_leaks=0, as its scan at each of their hundreds of
# process exits would cost more than the rest of ASan's start (tests/CMakeLists.txt).

# build_and_test <build dir> <cmake args...> -- <ctest args...>
build_and_test() {
  local dir=$1
  shift
  local cmake_args=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do cmake_args+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  echo "== build: $dir ${cmake_args[*]}"
  cmake -S . -B "$dir" -G Ninja -DROKSO_WARNINGS_AS_ERRORS=ON "${cmake_args[@]}" >/dev/null
  cmake --build "$dir" -j "$JOBS" >"$dir.build.log" 2>&1 || { cat "$dir.build.log"; exit 1; }
  echo "== tests: $dir"
  (cd "$dir" && ctest --output-on-failure -j "$TEST_JOBS" --timeout 900 "$@")
}

if [ -z "${ROKSO_SKIP_FUZZ:-}" ]; then
  FUZZ_SECONDS=${FUZZ_SECONDS:-30} FUZZ_BUILD_DIR="${BUILD_DIR:-build}-fuzz" \
    bash tests/fuzz.sh
fi
if [ -z "${ROKSO_SKIP_SANITIZERS:-}" ]; then
  # Halt on the first UBSan report so it fails the test.
  export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
  build_and_test "${BUILD_DIR:-build}-asan" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-g1 -DROKSO_SANITIZE=ON -- -LE plain-only "$@"
  unset UBSAN_OPTIONS
  SANITIZED=$(cd "${BUILD_DIR:-build}-asan" && ctest -N -LE plain-only "$@" | sed -n 's/^Total Tests: //p')
fi
build_and_test "${BUILD_DIR:-build}" -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG" -- "$@"
ALL=$(cd "${BUILD_DIR:-build}" && ctest -N "$@" | sed -n 's/^Total Tests: //p')
echo "== summary: $ALL tests passed in the plain build${SANITIZED:+, $SANITIZED of them also under ASan + UBSan (the other $((ALL - SANITIZED)) are plain-only)}"
