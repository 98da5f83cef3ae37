// AppendJson: an item's wire JSON written as text, without a JSON tree.
#include <string>
#include <vector>

#include "common/base/json_string.h"
#include "common/model/attribute_value.h"
#include "common/model/base64.h"
#include "common/model/number.h"

namespace tern::model {

using base::AppendJsonString;

namespace {

template <typename Elements, typename Text>
void AppendJsonStrings(const Elements& elements, Text text, std::string* out) {
  out->push_back('[');
  bool first = true;
  for (const auto& element : elements) {
    if (!first) out->push_back(',');
    first = false;
    AppendJsonString(text(element), out);
  }
  out->push_back(']');
}

}  // namespace

void AppendJson(const AttributeValue& value, std::string* out) {
  out->append("{\"");
  const absl::string_view type = AttributeTypeName(value.type());
  out->append(type.data(), type.size());
  out->append("\":");
  switch (value.type()) {
    case AttributeType::kS:
      AppendJsonString(value.s(), out);
      break;
    case AttributeType::kN:
      AppendJsonString(value.n().ToString(), out);
      break;
    case AttributeType::kB:
      AppendJsonString(Base64Encode(value.b()), out);
      break;
    case AttributeType::kBool:
      out->append(value.bool_value() ? "true" : "false");
      break;
    case AttributeType::kNull:
      out->append("true");
      break;
    case AttributeType::kL: {
      out->push_back('[');
      bool first = true;
      for (const AttributeValue& element : value.l()) {
        if (!first) out->push_back(',');
        first = false;
        AppendJson(element, out);
      }
      out->push_back(']');
      break;
    }
    case AttributeType::kM:
      AppendJson(value.m(), out);
      break;
    case AttributeType::kSS:
      AppendJsonStrings(
          value.ss(), [](const std::string& s) -> const std::string& { return s; }, out);
      break;
    case AttributeType::kBS:
      AppendJsonStrings(
          value.bs(), [](const std::string& b) { return Base64Encode(b); }, out);
      break;
    case AttributeType::kNS:
      AppendJsonStrings(
          value.ns(), [](const Number& n) { return n.ToString(); }, out);
      break;
  }
  out->push_back('}');
}

void AppendJson(const Item& item, std::string* out) {
  out->push_back('{');
  bool first = true;
  for (const auto& [name, value] : item) {
    if (!first) out->push_back(',');
    first = false;
    AppendJsonString(name, out);
    out->push_back(':');
    AppendJson(value, out);
  }
  out->push_back('}');
}

}  // namespace tern::model
