#!/usr/bin/env bash
# Builds the libFuzzer targets (the fuzz preset: clang, ASan + UBSan) and runs
# each for N seconds (default 20) on a scratch copy of its seed corpus
# (common/expr/fuzz/corpus/<target>), so the checked-in corpus stays small.
# Exits non-zero when any fuzzer finds a crash, leak, timeout or failed
# TERN_CHECK; the reproducer (crash-*, leak-*, timeout-*) is kept in the
# scratch directory, whose path is printed.
#   scripts/fuzz.sh [seconds-per-target]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
root=$PWD
targets=(condition_fuzzer projection_fuzzer update_fuzzer)

scripts/build.sh fuzz --target "${targets[@]}"

work=$(mktemp -d "${TMPDIR:-/tmp}/tern-fuzz.XXXXXX")
failed=()
for target in "${targets[@]}"; do
  name=${target%_fuzzer}
  corpus="$work/$name/corpus"
  mkdir -p "$corpus"
  cp common/expr/fuzz/corpus/"$name"/* "$corpus"/
  echo "== $target for ${seconds}s"
  if ! (cd "$work/$name" &&
        "$root/build/fuzz/fuzz/$target" -max_total_time="$seconds" -max_len=4200 \
          -timeout=10 -print_final_stats=1 corpus >"$work/$name/log" 2>&1); then
    failed+=("$target")
    tail -n 40 "$work/$name/log"
    echo "fuzz: $target failed; reproducer and log in $work/$name"
  else
    grep -E '^stat::number_of_executed_units' "$work/$name/log" || true
  fi
done

if [ ${#failed[@]} -ne 0 ]; then
  echo "fuzz: FAILED: ${failed[*]}"
  exit 1
fi
rm -rf "$work"
echo "fuzz: all ${#targets[@]} fuzzers ran ${seconds}s without a crash"
