#!/usr/bin/env bash
# README command (a): installs what is missing, builds the release preset and
# starts a local cluster in the background (data and logs in ./tern-data).
# Extra arguments go to `ternctl up`, e.g. --router_port=8001.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh release --target tern-router tern-node tern-control ternctl
exec build/release/bin/ternctl up --data_dir="$PWD/tern-data" "$@"
