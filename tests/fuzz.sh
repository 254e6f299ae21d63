#!/usr/bin/env bash
# Fuzzes every format reader with libFuzzer (clang, ASan + UBSan): each
# file-formats/<fmt>/fuzz_<fmt>_reader.cpp runs for FUZZ_SECONDS (default 30), starting
# from its seeds in file-formats/<fmt>/fuzz-corpus/. tests/run.sh runs the short
# version; for a long run:  FUZZ_SECONDS=3600 bash tests/fuzz.sh
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZ_SECONDS=${FUZZ_SECONDS:-30}
BUILD=${FUZZ_BUILD_DIR:-build-fuzz}
if ! command -v clang++ >/dev/null; then
  echo "fuzz: clang++ not found; skipped"
  exit 0
fi
targets=()
for source in file-formats/*/fuzz_*.cpp; do
  targets+=("$(basename "$source" .cpp)")
done
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DROKSO_FUZZ=ON -DROKSO_BUILD_TESTS=OFF >/dev/null
cmake --build "$BUILD" --target "${targets[@]}" >"$BUILD.log" 2>&1 || { cat "$BUILD.log"; exit 1; }
# The readers are fuzzed at once, one process each (they share nothing): on a machine
# with fewer cores than readers each gets a share of the time, as many inputs in all.
fuzz_one() {  # <target>: exit 1 on a crash, with the input saved in $BUILD/
  local target=$1 fmt binary corpus seeds dict
  fmt=${target#fuzz_}
  fmt=${fmt%_reader}
  binary=$(find "$BUILD" -name "$target" -type f -perm -u+x | head -1)
  corpus=$(mktemp -d)
  seeds="file-formats/$fmt/fuzz-corpus"
  [ -d "$seeds" ] || seeds=""
  dict="file-formats/$fmt/fuzz.dict"
  [ -f "$dict" ] || dict=""
  local code=0
  "$binary" -max_total_time="$FUZZ_SECONDS" -rss_limit_mb=2048 -artifact_prefix="$BUILD/" ${dict:+-dict="$dict"} \
    "$corpus" ${seeds:+"$seeds"} >"$BUILD/$target.log" 2>&1 || code=$?
  rm -rf "$corpus"
  return $code
}
echo "fuzz: ${targets[*]} for ${FUZZ_SECONDS}s, at once"
pids=()
for target in "${targets[@]}"; do
  fuzz_one "$target" &
  pids+=($!)
done
failed=0
for i in "${!targets[@]}"; do
  target=${targets[$i]}
  if wait "${pids[$i]}"; then
    grep -E "^#[0-9]+.*DONE" "$BUILD/$target.log" | tail -1 | sed "s/^/fuzz: $target: /" || true
  else
    tail -60 "$BUILD/$target.log"
    echo "fuzz: $target found a crash (input saved in $BUILD/)"
    failed=1
  fi
done
exit $failed
