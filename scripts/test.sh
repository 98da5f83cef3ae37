#!/usr/bin/env bash
# README command (b): installs what is missing, builds, and runs every test:
#   1. release build: unit, integration, e2e (real processes, the docker-compose
#      cluster) and the lint gates (format, layering, deploy files);
#   2. ASan+UBSan build: unit and integration tests;
#   3. TSan build: unit and integration tests;
#   4. the expression fuzzers, $TERN_FUZZ_SECONDS (default 15) each.
# TERN_SANITIZERS=0 skips 2 and 3 and TERN_FUZZ=0 skips 4, for a quicker
# local run.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/install-deploy-tools.sh

echo "== release build and every test"
scripts/build.sh release
ctest --preset release -j"$(nproc)"

if [ "${TERN_FUZZ:-1}" != "0" ]; then
  echo "== fuzz build: expression fuzzers"
  scripts/fuzz.sh "${TERN_FUZZ_SECONDS:-15}"
fi

if [ "${TERN_SANITIZERS:-1}" != "0" ]; then
  for preset in asan-ubsan tsan; do
    echo "== $preset build: unit and integration tests"
    scripts/build.sh "$preset"
    ctest --preset "$preset" -j"$(nproc)"
  done
fi
