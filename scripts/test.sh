#!/usr/bin/env bash
# README command (b): installs what is missing, builds, and runs every test:
#   1. release build: unit, integration, e2e (real processes) and the format gate;
#   2. ASan+UBSan build: unit and integration tests;
#   3. TSan build: unit and integration tests.
# TERN_SANITIZERS=0 skips 2 and 3 for a quicker local run.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh

echo "== release build and every test"
scripts/build.sh release
ctest --preset release -j"$(nproc)"

if [ "${TERN_SANITIZERS:-1}" != "0" ]; then
  for preset in asan-ubsan tsan; do
    echo "== $preset build: unit and integration tests"
    scripts/build.sh "$preset"
    ctest --preset "$preset" -j"$(nproc)"
  done
fi
