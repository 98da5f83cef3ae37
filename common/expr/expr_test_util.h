// Helpers shared by the expr tests (test-only; not part of tern::expr).
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "common/model/attribute_value.h"
#include "common/model/number.h"
#include "gtest/gtest.h"

namespace tern::expr::testing {

inline model::Number Num(absl::string_view text) {
  absl::StatusOr<model::Number> n = model::Number::Parse(text);
  EXPECT_TRUE(n.ok()) << text;
  return n.ok() ? *n : model::Number();
}

inline model::AttributeValue S(std::string s) { return model::AttributeValue::S(std::move(s)); }
inline model::AttributeValue N(absl::string_view n) { return model::AttributeValue::N(Num(n)); }
inline model::AttributeValue B(std::string b) { return model::AttributeValue::B(std::move(b)); }

// One value of every type and a few more, under placeholders.
inline model::Item StandardValues() {
  model::Item values;
  values[":s"] = S("x");
  values[":s2"] = S("y");
  values[":n"] = N("1");
  values[":n2"] = N("2");
  values[":b"] = B("ab");
  values[":bool"] = model::AttributeValue::Bool(true);
  values[":null"] = model::AttributeValue::Null();
  values[":l"] = model::AttributeValue::L({N("1"), S("x")});
  values[":m"] = model::AttributeValue::M({{"k", S("v")}});
  values[":ss"] = model::AttributeValue::SS({"x", "y"});
  values[":ns"] = model::AttributeValue::NS({Num("1"), Num("2")});
  values[":bs"] = model::AttributeValue::BS({"ab", "cd"});
  values[":t"] = S("N");
  values[":bad"] = S("X");
  return values;
}

inline std::map<std::string, std::string> StandardNames() {
  return {{"#n", "n"}, {"#s", "status"}, {"#a", "a"}, {"#dot", "x.y"}};
}

}  // namespace tern::expr::testing
