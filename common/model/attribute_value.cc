// Error messages of ParseAttributeValue / ParseItem, with their sources.
//
// Sources (read for facts only):
//   [D]  architect/dynalite test/helpers.js assertType and test/putItem.js, the
//        current versions: dynalite's test suite is run against real DynamoDB
//        (REMOTE=1), so its expected strings are DynamoDB's.
//   [D0] the same files at older commits, i.e. what DynamoDB answered earlier.
//   [C]  captures from real DynamoDB quoted in public conformance suites
//        (2026): PutItem exact-message tests and the nesting-depth tests.
//   [A]  scylladb test/alternator/test_manual_requests.py (run against real
//        DynamoDB): the 32-level nesting limit.
//   [L]  DynamoDB Local (decompiled InputConverter / validators / ErrorFactory):
//        fills gaps where no capture of real DynamoDB exists.
//   [T]  Tern's choice where no source says; marked as such.
//
// SerializationException (base::ErrorKind::kSerialization):
//   AttributeValue that is a string, number or bool   "Unexpected value type in payload" [D]
//   AttributeValue that is an array   "Unrecognized collection type class
//       com.amazonaws.dynamodb.v20120810.AttributeValue" [D]
//   Item or M that is a string, number or bool        "Unexpected field type" [D]
//   Item or M that is an array        "Unrecognized collection type java.util.Map<
//       java.lang.String, com.amazonaws.dynamodb.v20120810.AttributeValue>" [D]
//   L, SS, NS or BS that is a string, number or bool  "Unexpected field type" [D]
//   L, SS, NS or BS that is an object "Start of structure or map found where not expected" [D]
//   S, N, or an SS/NS element, that is
//       true / false        "TRUE_VALUE cannot be converted to String" / "FALSE_VALUE ..." [D]
//       an integer          "NUMBER_VALUE cannot be converted to String" [D]
//       a decimal           "DECIMAL_VALUE cannot be converted to String" [D]
//       an array            "Unrecognized collection type class java.lang.String" [D]
//       an object           "Start of structure or map found where not expected" [D]
//   B, or a BS element, that is
//       a bool or number    "only base-64-encoded strings are convertible to bytes" [D]
//       an array            "Unrecognized collection type class java.nio.ByteBuffer" [D]
//       an object           "Start of structure or map found where not expected" [D]
//       bad Base64          "Base64 encoded length is expected a multiple of 4 bytes but
//                            found: <n>" [D]; "Invalid last non-pad Base64 character
//                            dectected" (sic; also for a misplaced '=') [D];
//                            "Invalid Base64 character: '<c>'" [D0, which prefixed all
//                            three with "'<text>' can not be converted to a Blob: "]
//   BOOL or NULL that is
//       a string other than true/false/yes/no/1/0 (any case)
//                           "Unexpected token received from parser" [D]; which strings
//                           DynamoDB coerces to a boolean is from [D0]'s notes and [D]'s
//                           {"NULL":"no"} -> the NULL validation error below
//       an integer          "NUMBER_VALUE cannot be converted to Boolean" [D]
//       a decimal           "DECIMAL_VALUE cannot be converted to Boolean" [D]
//       an array            "Unrecognized collection type class java.lang.Boolean" [D]
//       an object           "Start of structure or map found where not expected" [D]
//
// ValidationException (base::ErrorKind::kValidation):
//   no type set ({} or only unknown/null members)
//       "Supplied AttributeValue is empty, must contain exactly one of the supported
//        datatypes" [D][L]
//   more than one type set
//       "Supplied AttributeValue has more than one datatypes set, must contain exactly one
//        of the supported datatypes" [D][L] (reported after the members' own errors: [D]
//        {"S":"a","N":"b"} -> the number error)
//   NULL false
//       "One or more parameter values were invalid: Null attribute value types must have
//        the value of true" [C][D]
//   empty SS  "One or more parameter values were invalid: An string set  may not be empty"
//             (two spaces) [C][D]
//   empty NS  "One or more parameter values were invalid: An number set  may not be empty" [C][D]
//   empty BS  "One or more parameter values were invalid: Binary sets should not be empty"
//             [C][D] (not "An binary set ...")
//   SS duplicates  "One or more parameter values were invalid: Input collection [a, a]
//             contains duplicates." [D]; [C] notes newer regions render ["a", "a"]
//   NS duplicates (compared numerically)  "Input collection contains duplicates" (no
//             prefix) [D]
//   BS duplicates  "One or more parameter values were invalid: Input collection
//             [Yg==, Yg==]of type BS contains duplicates." (no space before "of") [C][D]
//   null SS element  "One or more parameter values were invalid: An string set may not have
//             a null string as a member" [L] (a suite that quotes real DynamoDB agrees)
//   null NS element  "The parameter cannot be converted to a numeric value" [T, after [D]'s
//             answer for an empty NS element]
//   null BS element  "One or more parameter values were invalid: Binary sets may not contain
//             null or empty values" [T, after [D0]]
//   null attribute value in an Item, M or L
//             "Supplied AttributeValue is empty, must contain exactly one of the supported
//              datatypes" [T]
//   a value at nesting level 33 or deeper
//       "Nesting Levels have exceeded supported limits: Attributes in the item have nested
//        levels beyond supported limit" [C][L]; level 32 is accepted, 33 refused [C][A];
//        checked in document order together with the other validation errors [C]
//   N, NS element: Number::Parse's messages, unchanged ("The parameter cannot be converted
//        to a numeric value: dog", overflow, underflow, 38 digits) [D]
#include "common/model/attribute_value.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "boost/json.hpp"
#include "common/base/check.h"
#include "common/base/error_details.h"
#include "common/base/status_macros.h"
#include "common/model/base64.h"

namespace tern::model {
namespace json = boost::json;

namespace {

constexpr std::array<absl::string_view, 10> kTypeNames = {
    "S", "N", "B", "BOOL", "NULL", "L", "M", "SS", "NS", "BS"};

// The shape check descends at most this many levels; anything deeper is
// refused by the nesting check of the validation pass anyway, and the bound
// keeps the recursion's stack use small whatever the input.
constexpr int kMaxShapeDepth = 4 * kMaxNestingDepth;

constexpr absl::string_view kEmptyValue =
    "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes";
constexpr absl::string_view kMultipleTypes =
    "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the "
    "supported datatypes";
constexpr absl::string_view kInvalidParameter = "One or more parameter values were invalid: ";
constexpr absl::string_view kNestingExceeded =
    "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels "
    "beyond supported limit";
constexpr absl::string_view kNotANumber = "The parameter cannot be converted to a numeric value";
constexpr absl::string_view kStartOfStructure =
    "Start of structure or map found where not expected";

absl::string_view View(json::string_view s) { return absl::string_view(s.data(), s.size()); }
absl::string_view View(const json::string& s) { return absl::string_view(s.data(), s.size()); }

std::optional<AttributeType> TypeFromKey(json::string_view key) {
  for (size_t i = 0; i < kTypeNames.size(); ++i) {
    if (View(key) == kTypeNames[i]) return static_cast<AttributeType>(i);
  }
  return std::nullopt;
}

// DynamoDB coerces these strings (in any case) to a boolean.
std::optional<bool> BooleanFromString(absl::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  if (lower == "true" || lower == "yes" || lower == "1") return true;
  if (lower == "false" || lower == "no" || lower == "0") return false;
  return std::nullopt;
}

// --- Shape (SerializationException) checks --------------------------------
// Each accepts JSON null: a null member is treated as absent by the callers.

absl::Status CheckStringShape(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null:
    case json::kind::string:
      return absl::OkStatus();
    case json::kind::bool_:
      return SerializationError(v.get_bool() ? "TRUE_VALUE cannot be converted to String"
                                             : "FALSE_VALUE cannot be converted to String");
    case json::kind::int64:
    case json::kind::uint64:
      return SerializationError("NUMBER_VALUE cannot be converted to String");
    case json::kind::double_:
      return SerializationError("DECIMAL_VALUE cannot be converted to String");
    case json::kind::array:
      return SerializationError("Unrecognized collection type class java.lang.String");
    case json::kind::object:
      return SerializationError(kStartOfStructure);
  }
  return absl::OkStatus();
}

absl::Status CheckBlob(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null:
      return absl::OkStatus();
    case json::kind::string: {
      absl::StatusOr<std::string> bytes = Base64Decode(View(v.get_string()));
      if (!bytes.ok()) return SerializationError(bytes.status().message());
      return absl::OkStatus();
    }
    case json::kind::bool_:
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_:
      return SerializationError("only base-64-encoded strings are convertible to bytes");
    case json::kind::array:
      return SerializationError("Unrecognized collection type class java.nio.ByteBuffer");
    case json::kind::object:
      return SerializationError(kStartOfStructure);
  }
  return absl::OkStatus();
}

absl::Status CheckBoolean(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null:
    case json::kind::bool_:
      return absl::OkStatus();
    case json::kind::string:
      if (BooleanFromString(View(v.get_string())).has_value()) return absl::OkStatus();
      return SerializationError("Unexpected token received from parser");
    case json::kind::int64:
    case json::kind::uint64:
      return SerializationError("NUMBER_VALUE cannot be converted to Boolean");
    case json::kind::double_:
      return SerializationError("DECIMAL_VALUE cannot be converted to Boolean");
    case json::kind::array:
      return SerializationError("Unrecognized collection type class java.lang.Boolean");
    case json::kind::object:
      return SerializationError(kStartOfStructure);
  }
  return absl::OkStatus();
}

absl::Status CheckList(const json::value& v) {
  if (v.is_null() || v.is_array()) return absl::OkStatus();
  if (v.is_object()) return SerializationError(kStartOfStructure);
  return SerializationError("Unexpected field type");
}

absl::Status CheckMap(const json::value& v) {
  if (v.is_null() || v.is_object()) return absl::OkStatus();
  if (v.is_array()) {
    return SerializationError(
        "Unrecognized collection type java.util.Map<java.lang.String, "
        "com.amazonaws.dynamodb.v20120810.AttributeValue>");
  }
  return SerializationError("Unexpected field type");
}

absl::Status CheckValueStruct(const json::value& v) {
  if (v.is_null() || v.is_object()) return absl::OkStatus();
  if (v.is_array()) {
    return SerializationError(
        "Unrecognized collection type class com.amazonaws.dynamodb.v20120810.AttributeValue");
  }
  return SerializationError("Unexpected value type in payload");
}

// The first shape error in v, a wire AttributeValue at nesting level depth.
absl::Status CheckShape(const json::value& v, int depth) {
  TERN_RETURN_IF_ERROR(CheckValueStruct(v));
  if (!v.is_object()) return absl::OkStatus();
  for (const json::key_value_pair& member : v.get_object()) {
    const json::value& m = member.value();
    if (m.is_null()) continue;
    std::optional<AttributeType> type = TypeFromKey(member.key());
    if (!type.has_value()) continue;
    switch (*type) {
      case AttributeType::kS:
      case AttributeType::kN:
        TERN_RETURN_IF_ERROR(CheckStringShape(m));
        break;
      case AttributeType::kB:
        TERN_RETURN_IF_ERROR(CheckBlob(m));
        break;
      case AttributeType::kBool:
      case AttributeType::kNull:
        TERN_RETURN_IF_ERROR(CheckBoolean(m));
        break;
      case AttributeType::kSS:
      case AttributeType::kNS:
        TERN_RETURN_IF_ERROR(CheckList(m));
        for (const json::value& element : m.get_array()) {
          TERN_RETURN_IF_ERROR(CheckStringShape(element));
        }
        break;
      case AttributeType::kBS:
        TERN_RETURN_IF_ERROR(CheckList(m));
        for (const json::value& element : m.get_array()) {
          TERN_RETURN_IF_ERROR(CheckBlob(element));
        }
        break;
      case AttributeType::kL:
        TERN_RETURN_IF_ERROR(CheckList(m));
        if (depth >= kMaxShapeDepth) break;
        for (const json::value& element : m.get_array()) {
          TERN_RETURN_IF_ERROR(CheckShape(element, depth + 1));
        }
        break;
      case AttributeType::kM:
        TERN_RETURN_IF_ERROR(CheckMap(m));
        if (depth >= kMaxShapeDepth) break;
        for (const json::key_value_pair& entry : m.get_object()) {
          TERN_RETURN_IF_ERROR(CheckShape(entry.value(), depth + 1));
        }
        break;
    }
  }
  return absl::OkStatus();
}

// --- Conversion with validation (ValidationException) ---------------------
// Runs after CheckShape accepted the whole input (shape errors anywhere come
// first), and repeats the cheap shape check of each member it reads, so that
// it never trusts a JSON kind it has not checked.

absl::Status NumberError(const absl::Status& parse_status) {
  return ValidationError(parse_status.message());
}

std::string RenderCollection(const json::array& elements) {
  std::string out = "[";
  bool first = true;
  for (const json::value& element : elements) {
    if (!first) out.append(", ");
    first = false;
    if (element.is_string()) {
      absl::StrAppend(&out, View(element.get_string()));
    } else {
      out.append("null");
    }
  }
  out.push_back(']');
  return out;
}

absl::StatusOr<AttributeValue> ConvertStringSet(const json::array& elements) {
  if (elements.empty()) {
    return ValidationError(absl::StrCat(kInvalidParameter, "An string set  may not be empty"));
  }
  std::vector<std::string> values;
  values.reserve(elements.size());
  for (const json::value& element : elements) {
    if (!element.is_string()) {
      return ValidationError(
          absl::StrCat(kInvalidParameter, "An string set may not have a null string as a member"));
    }
    values.emplace_back(View(element.get_string()));
  }
  std::set<absl::string_view> seen;
  for (const std::string& value : values) {
    if (!seen.insert(value).second) {
      return ValidationError(absl::StrCat(kInvalidParameter,
                                          "Input collection ",
                                          RenderCollection(elements),
                                          " contains duplicates."));
    }
  }
  return AttributeValue::SS(std::move(values));
}

absl::StatusOr<AttributeValue> ConvertNumberSet(const json::array& elements) {
  if (elements.empty()) {
    return ValidationError(absl::StrCat(kInvalidParameter, "An number set  may not be empty"));
  }
  std::vector<Number> values;
  values.reserve(elements.size());
  for (const json::value& element : elements) {
    if (!element.is_string()) return ValidationError(kNotANumber);
    absl::StatusOr<Number> number = Number::Parse(View(element.get_string()));
    if (!number.ok()) return NumberError(number.status());
    values.push_back(*std::move(number));
  }
  std::set<Number> seen;
  for (const Number& value : values) {
    if (!seen.insert(value).second) return ValidationError("Input collection contains duplicates");
  }
  return AttributeValue::NS(std::move(values));
}

absl::StatusOr<AttributeValue> ConvertBinarySet(const json::array& elements) {
  if (elements.empty()) {
    return ValidationError(absl::StrCat(kInvalidParameter, "Binary sets should not be empty"));
  }
  std::vector<std::string> values;
  values.reserve(elements.size());
  for (const json::value& element : elements) {
    if (!element.is_string()) {
      return ValidationError(
          absl::StrCat(kInvalidParameter, "Binary sets may not contain null or empty values"));
    }
    absl::StatusOr<std::string> bytes = Base64Decode(View(element.get_string()));
    if (!bytes.ok()) return SerializationError(bytes.status().message());
    values.push_back(*std::move(bytes));
  }
  std::set<absl::string_view> seen;
  for (const std::string& value : values) {
    if (!seen.insert(value).second) {
      return ValidationError(absl::StrCat(kInvalidParameter,
                                          "Input collection ",
                                          RenderCollection(elements),
                                          "of type BS contains duplicates."));
    }
  }
  return AttributeValue::BS(std::move(values));
}

absl::StatusOr<AttributeValue> Convert(const json::value& v, int depth);

// One member of a wire AttributeValue whose key names type.
absl::StatusOr<AttributeValue> ConvertMember(AttributeType type, const json::value& m, int depth) {
  switch (type) {
    case AttributeType::kS:
      TERN_RETURN_IF_ERROR(CheckStringShape(m));
      return AttributeValue::S(std::string(View(m.get_string())));
    case AttributeType::kN: {
      TERN_RETURN_IF_ERROR(CheckStringShape(m));
      absl::StatusOr<Number> number = Number::Parse(View(m.get_string()));
      if (!number.ok()) return NumberError(number.status());
      return AttributeValue::N(*std::move(number));
    }
    case AttributeType::kB: {
      TERN_RETURN_IF_ERROR(CheckBlob(m));
      absl::StatusOr<std::string> bytes = Base64Decode(View(m.get_string()));
      if (!bytes.ok()) return SerializationError(bytes.status().message());
      return AttributeValue::B(*std::move(bytes));
    }
    case AttributeType::kBool:
    case AttributeType::kNull: {
      TERN_RETURN_IF_ERROR(CheckBoolean(m));
      const bool flag = m.is_bool() ? m.get_bool() : *BooleanFromString(View(m.get_string()));
      if (type == AttributeType::kBool) return AttributeValue::Bool(flag);
      if (!flag) {
        return ValidationError(absl::StrCat(
            kInvalidParameter, "Null attribute value types must have the value of true"));
      }
      return AttributeValue::Null();
    }
    case AttributeType::kL: {
      TERN_RETURN_IF_ERROR(CheckList(m));
      std::vector<AttributeValue> values;
      values.reserve(m.get_array().size());
      for (const json::value& element : m.get_array()) {
        TERN_ASSIGN_OR_RETURN(AttributeValue value, Convert(element, depth + 1));
        values.push_back(std::move(value));
      }
      return AttributeValue::L(std::move(values));
    }
    case AttributeType::kM: {
      TERN_RETURN_IF_ERROR(CheckMap(m));
      Item values;
      for (const json::key_value_pair& entry : m.get_object()) {
        TERN_ASSIGN_OR_RETURN(AttributeValue value, Convert(entry.value(), depth + 1));
        values.insert_or_assign(std::string(View(entry.key())), std::move(value));
      }
      return AttributeValue::M(std::move(values));
    }
    case AttributeType::kSS:
      TERN_RETURN_IF_ERROR(CheckList(m));
      for (const json::value& element : m.get_array())
        TERN_RETURN_IF_ERROR(CheckStringShape(element));
      return ConvertStringSet(m.get_array());
    case AttributeType::kNS:
      TERN_RETURN_IF_ERROR(CheckList(m));
      for (const json::value& element : m.get_array())
        TERN_RETURN_IF_ERROR(CheckStringShape(element));
      return ConvertNumberSet(m.get_array());
    case AttributeType::kBS:
      TERN_RETURN_IF_ERROR(CheckList(m));
      return ConvertBinarySet(m.get_array());
  }
  return ValidationError(kEmptyValue);
}

// The AttributeValue of v, a wire AttributeValue at nesting level depth.
absl::StatusOr<AttributeValue> Convert(const json::value& v, int depth) {
  if (depth > kMaxNestingDepth) return ValidationError(kNestingExceeded);
  TERN_RETURN_IF_ERROR(CheckValueStruct(v));
  if (v.is_null()) return ValidationError(kEmptyValue);
  int types = 0;
  std::optional<AttributeValue> result;
  for (const json::key_value_pair& member : v.get_object()) {
    if (member.value().is_null()) continue;
    std::optional<AttributeType> type = TypeFromKey(member.key());
    if (!type.has_value()) continue;
    ++types;
    TERN_ASSIGN_OR_RETURN(AttributeValue value, ConvertMember(*type, member.value(), depth));
    if (types == 1) result = std::move(value);
  }
  if (types == 0) return ValidationError(kEmptyValue);
  if (types > 1) return ValidationError(kMultipleTypes);
  return *std::move(result);
}

// --- Equality helpers -----------------------------------------------------

bool SameStringSet(std::vector<std::string> a, std::vector<std::string> b) {
  if (a.size() != b.size()) return false;
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  return a == b;
}

bool SameNumberSet(std::vector<Number> a, std::vector<Number> b) {
  if (a.size() != b.size()) return false;
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  return a == b;
}

}  // namespace

absl::string_view AttributeTypeName(AttributeType type) {
  return kTypeNames[static_cast<size_t>(type)];
}

// --- AttributeValue -------------------------------------------------------

AttributeValue::AttributeValue() : value_(std::in_place_index<4>) {}

AttributeValue AttributeValue::S(std::string value) {
  return AttributeValue(Storage(std::in_place_index<0>, std::move(value)));
}
AttributeValue AttributeValue::N(Number value) {
  return AttributeValue(Storage(std::in_place_index<1>, std::move(value)));
}
AttributeValue AttributeValue::B(std::string value) {
  return AttributeValue(Storage(std::in_place_index<2>, std::move(value)));
}
AttributeValue AttributeValue::Bool(bool value) {
  return AttributeValue(Storage(std::in_place_index<3>, value));
}
AttributeValue AttributeValue::Null() { return AttributeValue(); }
AttributeValue AttributeValue::L(std::vector<AttributeValue> values) {
  return AttributeValue(Storage(std::in_place_index<5>, std::move(values)));
}
AttributeValue AttributeValue::M(Item values) {
  return AttributeValue(Storage(std::in_place_index<6>, internal::Boxed<Item>(std::move(values))));
}
AttributeValue AttributeValue::SS(std::vector<std::string> values) {
  return AttributeValue(Storage(std::in_place_index<7>, std::move(values)));
}
AttributeValue AttributeValue::NS(std::vector<Number> values) {
  return AttributeValue(Storage(std::in_place_index<8>, std::move(values)));
}
AttributeValue AttributeValue::BS(std::vector<std::string> values) {
  return AttributeValue(Storage(std::in_place_index<9>, std::move(values)));
}

static_assert(
    static_cast<int>(AttributeType::kS) == 0 && static_cast<int>(AttributeType::kN) == 1 &&
    static_cast<int>(AttributeType::kB) == 2 && static_cast<int>(AttributeType::kBool) == 3 &&
    static_cast<int>(AttributeType::kNull) == 4 && static_cast<int>(AttributeType::kL) == 5 &&
    static_cast<int>(AttributeType::kM) == 6 && static_cast<int>(AttributeType::kSS) == 7 &&
    static_cast<int>(AttributeType::kNS) == 8 && static_cast<int>(AttributeType::kBS) == 9);

#define TERN_CHECK_TYPE(expected)                                                            \
  TERN_CHECK(type() == (expected)) << "AttributeValue of type " << AttributeTypeName(type()) \
                                   << " read as " << AttributeTypeName(expected)

const std::string& AttributeValue::s() const {
  TERN_CHECK_TYPE(AttributeType::kS);
  return std::get<0>(value_);
}
const Number& AttributeValue::n() const {
  TERN_CHECK_TYPE(AttributeType::kN);
  return std::get<1>(value_);
}
const std::string& AttributeValue::b() const {
  TERN_CHECK_TYPE(AttributeType::kB);
  return std::get<2>(value_);
}
bool AttributeValue::bool_value() const {
  TERN_CHECK_TYPE(AttributeType::kBool);
  return std::get<3>(value_);
}
const std::vector<AttributeValue>& AttributeValue::l() const {
  TERN_CHECK_TYPE(AttributeType::kL);
  return std::get<5>(value_);
}
const Item& AttributeValue::m() const {
  TERN_CHECK_TYPE(AttributeType::kM);
  return std::get<6>(value_).get();
}
const std::vector<std::string>& AttributeValue::ss() const {
  TERN_CHECK_TYPE(AttributeType::kSS);
  return std::get<7>(value_);
}
const std::vector<Number>& AttributeValue::ns() const {
  TERN_CHECK_TYPE(AttributeType::kNS);
  return std::get<8>(value_);
}
const std::vector<std::string>& AttributeValue::bs() const {
  TERN_CHECK_TYPE(AttributeType::kBS);
  return std::get<9>(value_);
}
std::vector<AttributeValue>* AttributeValue::mutable_l() {
  TERN_CHECK_TYPE(AttributeType::kL);
  return &std::get<5>(value_);
}
Item* AttributeValue::mutable_m() {
  TERN_CHECK_TYPE(AttributeType::kM);
  return std::get<6>(value_).mutable_get();
}

#undef TERN_CHECK_TYPE

bool operator==(const AttributeValue& a, const AttributeValue& b) {
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case AttributeType::kS:
      return a.s() == b.s();
    case AttributeType::kN:
      return a.n() == b.n();
    case AttributeType::kB:
      return a.b() == b.b();
    case AttributeType::kBool:
      return a.bool_value() == b.bool_value();
    case AttributeType::kNull:
      return true;
    case AttributeType::kL:
      return a.l() == b.l();
    case AttributeType::kM:
      return a.m() == b.m();
    case AttributeType::kSS:
      return SameStringSet(a.ss(), b.ss());
    case AttributeType::kNS:
      return SameNumberSet(a.ns(), b.ns());
    case AttributeType::kBS:
      return SameStringSet(a.bs(), b.bs());
  }
  return false;
}

// --- Errors ---------------------------------------------------------------

absl::Status ValidationError(absl::string_view message) {
  return base::Error(base::ErrorKind::kValidation, message);
}

absl::Status SerializationError(absl::string_view message) {
  return base::Error(base::ErrorKind::kSerialization, message);
}

bool IsSerializationError(const absl::Status& status) {
  return base::GetErrorKind(status) == base::ErrorKind::kSerialization;
}

// --- Wire JSON ------------------------------------------------------------

absl::Status CheckJsonString(const json::value& value) { return CheckStringShape(value); }

absl::StatusOr<AttributeValue> ParseAttributeValue(const json::value& json) {
  TERN_RETURN_IF_ERROR(CheckShape(json, 1));
  return Convert(json, 1);
}

absl::StatusOr<Item> ParseItem(const json::value& json) {
  TERN_RETURN_IF_ERROR(CheckMap(json));
  if (json.is_null()) return Item();
  const json::object& attributes = json.get_object();
  for (const json::key_value_pair& attribute : attributes) {
    TERN_RETURN_IF_ERROR(CheckShape(attribute.value(), 1));
  }
  Item item;
  for (const json::key_value_pair& attribute : attributes) {
    TERN_ASSIGN_OR_RETURN(AttributeValue value, Convert(attribute.value(), 1));
    item.insert_or_assign(std::string(View(attribute.key())), std::move(value));
  }
  return item;
}

json::value ToJson(const AttributeValue& value) {
  json::object out;
  const absl::string_view name = kTypeNames[static_cast<size_t>(value.type())];
  const json::string_view key(name.data(), name.size());
  switch (value.type()) {
    case AttributeType::kS:
      out.emplace(key, json::string(value.s()));
      break;
    case AttributeType::kN:
      out.emplace(key, json::string(value.n().ToString()));
      break;
    case AttributeType::kB:
      out.emplace(key, json::string(Base64Encode(value.b())));
      break;
    case AttributeType::kBool:
      out.emplace(key, value.bool_value());
      break;
    case AttributeType::kNull:
      out.emplace(key, true);
      break;
    case AttributeType::kL: {
      json::array elements;
      elements.reserve(value.l().size());
      for (const AttributeValue& element : value.l()) elements.push_back(ToJson(element));
      out.emplace(key, std::move(elements));
      break;
    }
    case AttributeType::kM:
      out.emplace(key, ToJson(value.m()));
      break;
    case AttributeType::kSS:
    case AttributeType::kBS: {
      const bool binary = value.type() == AttributeType::kBS;
      const std::vector<std::string>& values = binary ? value.bs() : value.ss();
      json::array elements;
      elements.reserve(values.size());
      for (const std::string& element : values) {
        elements.emplace_back(json::string(binary ? Base64Encode(element) : element));
      }
      out.emplace(key, std::move(elements));
      break;
    }
    case AttributeType::kNS: {
      json::array elements;
      elements.reserve(value.ns().size());
      for (const Number& element : value.ns()) {
        elements.emplace_back(json::string(element.ToString()));
      }
      out.emplace(key, std::move(elements));
      break;
    }
  }
  return out;
}

json::value ToJson(const Item& item) {
  json::object out;
  out.reserve(item.size());
  for (const auto& [name, value] : item) out.emplace(name, ToJson(value));
  return out;
}

// --- Size -----------------------------------------------------------------

int64_t AttributeValueSize(const AttributeValue& value) {
  switch (value.type()) {
    case AttributeType::kS:
      return static_cast<int64_t>(value.s().size());
    case AttributeType::kN:
      return value.n().SizeBytes();
    case AttributeType::kB:
      return static_cast<int64_t>(value.b().size());
    case AttributeType::kBool:
    case AttributeType::kNull:
      return 1;
    case AttributeType::kL: {
      int64_t size = 3;
      for (const AttributeValue& element : value.l()) size += 1 + AttributeValueSize(element);
      return size;
    }
    case AttributeType::kM: {
      int64_t size = 3;
      for (const auto& [name, element] : value.m()) {
        size += 1 + static_cast<int64_t>(name.size()) + AttributeValueSize(element);
      }
      return size;
    }
    case AttributeType::kSS:
    case AttributeType::kBS: {
      int64_t size = 0;
      for (const std::string& element :
           value.type() == AttributeType::kSS ? value.ss() : value.bs()) {
        size += static_cast<int64_t>(element.size());
      }
      return size;
    }
    case AttributeType::kNS: {
      int64_t size = 0;
      for (const Number& element : value.ns()) size += element.SizeBytes();
      return size;
    }
  }
  return 0;
}

int64_t ItemSize(const Item& item) {
  int64_t size = 0;
  for (const auto& [name, value] : item) {
    size += static_cast<int64_t>(name.size()) + AttributeValueSize(value);
  }
  return size;
}

}  // namespace tern::model
