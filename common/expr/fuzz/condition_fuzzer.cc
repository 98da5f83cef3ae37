// libFuzzer target: ParseCondition on arbitrary bytes (see fuzz_input.h).
// Whatever parses must evaluate without crashing and survive a round trip
// through the printer: PrintCondition, then ParseCondition again, gives back
// an equal tree.
#include <cstddef>
#include <cstdint>

#include "common/base/check.h"
#include "common/expr/evaluator.h"
#include "common/expr/fuzz/fuzz_input.h"
#include "common/expr/parser.h"
#include "common/expr/printer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tern::expr;  // NOLINT(google-build-using-namespace)
  const fuzz::FuzzInput in = fuzz::SplitFuzzInput(data, size);
  absl::StatusOr<Condition> condition = ParseCondition(
      in.text, ExpressionKind::kFilter, Substitutions{&in.names, &in.values}, nullptr);
  if (!condition.ok()) return 0;
  (void)EvaluateCondition(*condition, fuzz::FuzzItem());

  const WireExpression wire = PrintCondition(*condition);
  // Placeholders can make the text longer than the original; beyond the size
  // limit the re-parse fails by design.
  if (wire.text.size() > kMaxExpressionBytes) return 0;
  absl::StatusOr<Condition> again = ParseCondition(
      wire.text, ExpressionKind::kFilter, Substitutions{&wire.names, &wire.values}, nullptr);
  TERN_CHECK(again.ok()) << "printed: " << wire.text << "\nerror: " << again.status();
  TERN_CHECK(*again == *condition) << "printed: " << wire.text;
  return 0;
}
