#!/usr/bin/env bash
# Configures (once) and builds one CMake preset: release (default), debug,
# asan-ubsan or tsan. Extra arguments are passed to `cmake --build`, e.g.
# `scripts/build.sh tsan --target exec_test`.
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-release}
shift || true
# Lets a second clone of the repository reuse this clone's ccache entries:
# paths relative to the clone, and (the builds carry debug info) the build
# directory left out of the hash, else every clone misses every object.
export CCACHE_BASEDIR="$PWD"
export CCACHE_NOHASHDIR=1
if [ ! -f "build/$preset/CMakeCache.txt" ]; then
  cmake --preset "$preset" >/dev/null
fi
cmake --build "build/$preset" -j"$(nproc)" "$@"
