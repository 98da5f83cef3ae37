// libFuzzer target: ParseProjection on arbitrary bytes (see fuzz_input.h).
// Whatever parses must project without crashing and survive a round trip
// through PrintProjection.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/base/check.h"
#include "common/expr/evaluator.h"
#include "common/expr/fuzz/fuzz_input.h"
#include "common/expr/parser.h"
#include "common/expr/printer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tern::expr;  // NOLINT(google-build-using-namespace)
  const fuzz::FuzzInput in = fuzz::SplitFuzzInput(data, size);
  absl::StatusOr<std::vector<Path>> paths =
      ParseProjection(in.text, Substitutions{&in.names, &in.values}, nullptr);
  if (!paths.ok()) return 0;
  (void)Project(fuzz::FuzzItem(), *paths);

  const WireExpression wire = PrintProjection(*paths);
  if (wire.text.size() > kMaxExpressionBytes) return 0;
  absl::StatusOr<std::vector<Path>> again =
      ParseProjection(wire.text, Substitutions{&wire.names, &wire.values}, nullptr);
  TERN_CHECK(again.ok()) << "printed: " << wire.text << "\nerror: " << again.status();
  TERN_CHECK(*again == *paths) << "printed: " << wire.text;
  return 0;
}
