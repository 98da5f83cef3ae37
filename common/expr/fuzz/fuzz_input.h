// The input format shared by the expression fuzzers (fuzz/*_fuzzer.cc).
//
// The bytes up to the last NUL are the expression text; the bytes after it
// pick the substitutions: byte 0 is a mask of names to leave undefined, bytes
// 1 and 2 a mask of values to leave undefined, and the rest is the attribute
// name of "#x" and the string value of ":x". Without a NUL every byte is text
// and every placeholder below is defined, so a plain expression is a valid
// input (the seed corpora are plain expressions).
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <map>
#include <string>
#include <utility>

#include "absl/strings/string_view.h"
#include "common/model/attribute_value.h"
#include "common/model/number.h"

namespace tern::expr::fuzz {

struct FuzzInput {
  absl::string_view text;
  std::map<std::string, std::string> names;
  model::Item values;
};

inline model::Number FuzzNumber(absl::string_view text) {
  absl::StatusOr<model::Number> n = model::Number::Parse(text);
  return n.ok() ? *n : model::Number();
}

inline FuzzInput SplitFuzzInput(const uint8_t* data, size_t size) {
  const absl::string_view bytes(reinterpret_cast<const char*>(data), size);
  const size_t nul = bytes.rfind('\0');
  FuzzInput in;
  in.text = nul == absl::string_view::npos ? bytes : bytes.substr(0, nul);
  const absl::string_view control =
      nul == absl::string_view::npos ? absl::string_view() : bytes.substr(nul + 1);
  const uint32_t name_mask = control.size() > 0 ? static_cast<uint8_t>(control[0]) : 0;
  uint32_t value_mask = control.size() > 1 ? static_cast<uint8_t>(control[1]) : 0;
  if (control.size() > 2)
    value_mask |= static_cast<uint32_t>(static_cast<uint8_t>(control[2])) << 8;
  const std::string tail(control.size() > 3 ? control.substr(3) : absl::string_view());

  using model::AttributeValue;
  const std::pair<const char*, std::string> names[] = {
      {"#a", "a"},
      {"#b", "b"},
      {"#s", "status"},
      {"#d", "x.y"},
      {"#e", ""},
      {"#u", "\xe5\x90\x8d"},
      {"#n0", "a"},
      {"#x", tail},
  };
  for (size_t i = 0; i < std::size(names); ++i) {
    if ((name_mask & (1u << i)) == 0) in.names.emplace(names[i].first, names[i].second);
  }
  const std::pair<const char*, AttributeValue> values[] = {
      {":s", AttributeValue::S("x")},
      {":s2", AttributeValue::S("y")},
      {":n", AttributeValue::N(FuzzNumber("1"))},
      {":n2", AttributeValue::N(FuzzNumber("2"))},
      {":b", AttributeValue::B("ab")},
      {":bool", AttributeValue::Bool(true)},
      {":null", AttributeValue::Null()},
      {":l", AttributeValue::L({AttributeValue::S("x"), AttributeValue::N(FuzzNumber("1"))})},
      {":m", AttributeValue::M({{"k", AttributeValue::S("v")}})},
      {":ss", AttributeValue::SS({"x", "y"})},
      {":ns", AttributeValue::NS({FuzzNumber("1"), FuzzNumber("2")})},
      {":bs", AttributeValue::BS({"ab", "cd"})},
      {":t", AttributeValue::S("N")},
      {":e", AttributeValue::S("")},
      {":x", AttributeValue::S(tail)},
  };
  for (size_t i = 0; i < std::size(values); ++i) {
    if ((value_mask & (1u << i)) == 0) in.values.emplace(values[i].first, values[i].second);
  }
  return in;
}

// A small item for evaluating what parsed.
inline model::Item FuzzItem() {
  using model::AttributeValue;
  model::Item item;
  item["a"] = AttributeValue::S("xy");
  item["b"] = AttributeValue::N(FuzzNumber("1"));
  item["status"] = AttributeValue::L({AttributeValue::S("x"), AttributeValue::N(FuzzNumber("2"))});
  item["x.y"] = AttributeValue::M({{"k", AttributeValue::SS({"x"})}});
  item["n"] = AttributeValue::NS({FuzzNumber("1")});
  return item;
}

}  // namespace tern::expr::fuzz
