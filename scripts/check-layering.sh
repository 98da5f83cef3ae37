#!/usr/bin/env bash
# Layering rules the linker would not catch (docs/overview.md, style guide):
#   - only storage-node/engine/rocksdb includes RocksDB headers;
#   - no std::thread outside common/exec (tests may use threads to race code);
#   - no wall-clock reads in common/replication (determinism).
set -euo pipefail
cd "$(dirname "$0")/.."
fail=0
report() { echo "layering: $1"; echo "$2" | sed 's/^/  /'; fail=1; }

sources=$(git ls-files '*.cc' '*.h' 2>/dev/null || find . -name '*.cc' -o -name '*.h')
hits=$(echo "$sources" | grep -v '^storage-node/engine/rocksdb/' | xargs -r grep -l '#include "rocksdb/' || true)
[ -n "$hits" ] && report "RocksDB headers outside storage-node/engine/rocksdb:" "$hits"

hits=$(echo "$sources" | grep -v '^common/exec/' | grep -v '_test\.cc$' | xargs -r grep -l 'std::thread\b' || true)
[ -n "$hits" ] && report "std::thread outside common/exec (use an exec::Executor):" "$hits"

if [ -d common/replication ]; then
  hits=$(echo "$sources" | grep '^common/replication/' | xargs -r grep -lE 'absl::Now\(\)|_clock::now\(\)' || true)
  [ -n "$hits" ] && report "wall-clock reads in common/replication (inject a Clock):" "$hits"
fi

[ $fail -eq 0 ] && echo "layering: clean"
exit $fail
