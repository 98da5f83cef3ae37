// Helpers shared by the attribute value and item encoding tests (test only):
// JSON from text, numbers and values that must parse, and deeply nested
// documents.
#pragma once

#include <string>

#include "absl/strings/string_view.h"
#include "boost/json.hpp"
#include "common/model/attribute_value.h"
#include "common/testing/testing.h"
#include "gtest/gtest.h"

namespace tern::model {

// --- Helpers ----------------------------------------------------------------

inline boost::json::value Json(absl::string_view text) {
  boost::json::parse_options options;
  options.max_depth = 100000;
  boost::json::error_code ec;
  boost::json::value value =
      boost::json::parse(boost::json::string_view(text.data(), text.size()), ec, {}, options);
  EXPECT_FALSE(ec) << "bad test JSON: " << text;
  return value;
}

inline std::string Serialize(const boost::json::value& value) {
  return boost::json::serialize(value);
}

inline Number N(absl::string_view text) {
  absl::StatusOr<Number> n = Number::Parse(text);
  EXPECT_THAT(n, ::tern::testing::IsOk()) << text;
  return n.ok() ? *n : Number();
}

inline AttributeValue Parse(absl::string_view text) {
  absl::StatusOr<AttributeValue> value = ParseAttributeValue(Json(text));
  EXPECT_THAT(value, ::tern::testing::IsOk()) << text;
  return value.ok() ? *std::move(value) : AttributeValue();
}

// {"M":{"n": ... {"S":"leaf"} ... }} with `wraps` maps around the leaf, so the
// leaf sits at nesting level wraps + 1.
inline std::string DeepMap(int wraps) {
  std::string text;
  for (int i = 0; i < wraps; ++i) text += R"({"M":{"n":)";
  text += R"({"S":"leaf"})";
  for (int i = 0; i < wraps; ++i) text += "}}";
  return text;
}

inline std::string DeepList(int wraps) {
  std::string text;
  for (int i = 0; i < wraps; ++i) text += R"({"L":[)";
  text += R"({"S":"leaf"})";
  for (int i = 0; i < wraps; ++i) text += "]}";
  return text;
}

}  // namespace tern::model
