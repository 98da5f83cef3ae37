// libFuzzer target: ParseUpdate on arbitrary bytes (see fuzz_input.h).
// Whatever parses must apply to a small item without crashing.
#include <cstddef>
#include <cstdint>

#include "common/expr/evaluator.h"
#include "common/expr/fuzz/fuzz_input.h"
#include "common/expr/parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tern::expr;  // NOLINT(google-build-using-namespace)
  const fuzz::FuzzInput in = fuzz::SplitFuzzInput(data, size);
  absl::StatusOr<UpdateExpression> update =
      ParseUpdate(in.text, Substitutions{&in.names, &in.values}, nullptr);
  if (!update.ok()) return 0;
  tern::model::Item item = fuzz::FuzzItem();
  (void)ApplyUpdate(*update, &item);
  return 0;
}
