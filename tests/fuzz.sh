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
for target in "${targets[@]}"; do
  fmt=${target#fuzz_}
  fmt=${fmt%_reader}
  binary=$(find "$BUILD" -name "$target" -type f -perm -u+x | head -1)
  corpus=$(mktemp -d)
  seeds="file-formats/$fmt/fuzz-corpus"
  [ -d "$seeds" ] || seeds=""
  dict="file-formats/$fmt/fuzz.dict"
  [ -f "$dict" ] || dict=""
  echo "fuzz: $target for ${FUZZ_SECONDS}s"
  if ! "$binary" -max_total_time="$FUZZ_SECONDS" -rss_limit_mb=2048 -artifact_prefix="$BUILD/" ${dict:+-dict="$dict"} \
      "$corpus" ${seeds:+"$seeds"} >"$BUILD/$target.log" 2>&1; then
    tail -60 "$BUILD/$target.log"
    echo "fuzz: $target found a crash (input saved in $BUILD/)"
    exit 1
  fi
  grep -E "^#[0-9]+.*DONE" "$BUILD/$target.log" | tail -1 || true
  rm -rf "$corpus"
done
