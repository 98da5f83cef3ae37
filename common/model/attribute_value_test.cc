#include "common/model/attribute_value.h"

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "boost/json.hpp"
#include "common/base/error_details.h"
#include "common/model/attribute_value_test_util.h"
#include "common/model/base64.h"
#include "common/testing/testing.h"
#include "gtest/gtest.h"

namespace tern::model {
namespace {

using ::testing::HasSubstr;
using testing::IsOk;
using testing::StatusIs;

// Helpers: common/model/attribute_value_test_util.h.

enum class Kind { kSerialization, kValidation };

struct ErrorCase {
  std::string json;
  Kind kind;
  std::string message;
};

void ExpectError(const absl::Status& status, const ErrorCase& c) {
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument, c.message)) << c.json;
  EXPECT_EQ(IsSerializationError(status), c.kind == Kind::kSerialization) << c.json;
  EXPECT_EQ(base::GetErrorKind(status),
            c.kind == Kind::kSerialization ? base::ErrorKind::kSerialization
                                           : base::ErrorKind::kValidation)
      << c.json;
}

constexpr Kind kSer = Kind::kSerialization;
constexpr Kind kVal = Kind::kValidation;

const char kEmpty[] =
    "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes";
const char kMulti[] =
    "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the "
    "supported datatypes";
const char kNesting[] =
    "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels "
    "beyond supported limit";
const char kStart[] = "Start of structure or map found where not expected";
const char kMapCollection[] =
    "Unrecognized collection type java.util.Map<java.lang.String, "
    "com.amazonaws.dynamodb.v20120810.AttributeValue>";
const char kValueCollection[] =
    "Unrecognized collection type class com.amazonaws.dynamodb.v20120810.AttributeValue";

// --- AttributeValue -----------------------------------------------------------

TEST(AttributeValueTest, DefaultIsNull) {
  AttributeValue value;
  EXPECT_EQ(value.type(), AttributeType::kNull);
  EXPECT_EQ(value, AttributeValue::Null());
}

TEST(AttributeValueTest, FactoriesAndAccessors) {
  EXPECT_EQ(AttributeValue::S("x").s(), "x");
  EXPECT_EQ(AttributeValue::N(N("1.5")).n().ToString(), "1.5");
  EXPECT_EQ(AttributeValue::B(std::string("\0\1", 2)).b(), std::string("\0\1", 2));
  EXPECT_TRUE(AttributeValue::Bool(true).bool_value());
  EXPECT_FALSE(AttributeValue::Bool(false).bool_value());
  EXPECT_EQ(AttributeValue::L({AttributeValue::S("a")}).l().size(), 1u);
  EXPECT_EQ(AttributeValue::M({{"k", AttributeValue::Null()}}).m().count("k"), 1u);
  EXPECT_EQ(AttributeValue::SS({"a", "b"}).ss().size(), 2u);
  EXPECT_EQ(AttributeValue::NS({N("1")}).ns().size(), 1u);
  EXPECT_EQ(AttributeValue::BS({"x"}).bs().front(), "x");

  EXPECT_EQ(AttributeValue::S("").type(), AttributeType::kS);
  EXPECT_EQ(AttributeValue::N(Number()).type(), AttributeType::kN);
  EXPECT_EQ(AttributeValue::B("").type(), AttributeType::kB);
  EXPECT_EQ(AttributeValue::Bool(false).type(), AttributeType::kBool);
  EXPECT_EQ(AttributeValue::Null().type(), AttributeType::kNull);
  EXPECT_EQ(AttributeValue::L({}).type(), AttributeType::kL);
  EXPECT_EQ(AttributeValue::M({}).type(), AttributeType::kM);
  EXPECT_EQ(AttributeValue::SS({"a"}).type(), AttributeType::kSS);
  EXPECT_EQ(AttributeValue::NS({N("1")}).type(), AttributeType::kNS);
  EXPECT_EQ(AttributeValue::BS({"a"}).type(), AttributeType::kBS);
}

TEST(AttributeValueTest, TypeNames) {
  const std::vector<std::string> names = {
      "S", "N", "B", "BOOL", "NULL", "L", "M", "SS", "NS", "BS"};
  for (size_t i = 0; i < names.size(); ++i) {
    EXPECT_EQ(AttributeTypeName(static_cast<AttributeType>(i)), names[i]);
  }
}

TEST(AttributeValueTest, MutableContainers) {
  AttributeValue list = AttributeValue::L({});
  list.mutable_l()->push_back(AttributeValue::S("a"));
  EXPECT_EQ(list, AttributeValue::L({AttributeValue::S("a")}));

  AttributeValue map = AttributeValue::M({});
  (*map.mutable_m())["k"] = AttributeValue::Bool(true);
  EXPECT_EQ(map, AttributeValue::M({{"k", AttributeValue::Bool(true)}}));
}

TEST(AttributeValueTest, CopiesAreDeepAndMovedFromMapsReadEmpty) {
  AttributeValue original = AttributeValue::M({{"a", AttributeValue::S("x")}});
  AttributeValue copy = original;
  (*copy.mutable_m())["a"] = AttributeValue::S("y");
  EXPECT_EQ(original.m().at("a").s(), "x");
  EXPECT_EQ(copy.m().at("a").s(), "y");

  AttributeValue assigned;
  assigned = copy;
  EXPECT_EQ(assigned, copy);

  AttributeValue moved = std::move(copy);
  EXPECT_EQ(moved.m().at("a").s(), "y");
}

TEST(AttributeValueTest, Equality) {
  // Numbers compare by value.
  EXPECT_EQ(AttributeValue::N(N("1")), AttributeValue::N(N("1.00")));
  EXPECT_EQ(AttributeValue::N(N("1e2")), AttributeValue::N(N("100")));
  EXPECT_NE(AttributeValue::N(N("1")), AttributeValue::N(N("-1")));
  // Sets ignore order.
  EXPECT_EQ(AttributeValue::SS({"a", "b", "c"}), AttributeValue::SS({"c", "a", "b"}));
  EXPECT_NE(AttributeValue::SS({"a", "b"}), AttributeValue::SS({"a", "c"}));
  EXPECT_NE(AttributeValue::SS({"a", "b"}), AttributeValue::SS({"a"}));
  EXPECT_EQ(AttributeValue::NS({N("1"), N("2.50")}), AttributeValue::NS({N("2.5"), N("1.0")}));
  EXPECT_EQ(AttributeValue::BS({"x", "y"}), AttributeValue::BS({"y", "x"}));
  // Lists keep order.
  EXPECT_NE(AttributeValue::L({AttributeValue::S("a"), AttributeValue::S("b")}),
            AttributeValue::L({AttributeValue::S("b"), AttributeValue::S("a")}));
  EXPECT_EQ(AttributeValue::L({AttributeValue::N(N("1"))}),
            AttributeValue::L({AttributeValue::N(N("1.0"))}));
  // Maps compare names and values, recursively.
  EXPECT_EQ(AttributeValue::M({{"a", AttributeValue::N(N("5"))}}),
            AttributeValue::M({{"a", AttributeValue::N(N("5.0"))}}));
  EXPECT_NE(AttributeValue::M({{"a", AttributeValue::Null()}}),
            AttributeValue::M({{"b", AttributeValue::Null()}}));
  // S, B and SS, BS share a representation but are different types.
  EXPECT_NE(AttributeValue::S("x"), AttributeValue::B("x"));
  EXPECT_NE(AttributeValue::SS({"x"}), AttributeValue::BS({"x"}));
  EXPECT_NE(AttributeValue::Bool(true), AttributeValue::Bool(false));
  EXPECT_NE(AttributeValue::Null(), AttributeValue::Bool(false));
}

// --- Error helpers ------------------------------------------------------------

TEST(AttributeValueErrorsTest, KindsAreTaggedPayloads) {
  absl::Status validation = ValidationError("v");
  absl::Status serialization = SerializationError("s");
  EXPECT_THAT(validation, StatusIs(absl::StatusCode::kInvalidArgument, "v"));
  EXPECT_THAT(serialization, StatusIs(absl::StatusCode::kInvalidArgument, "s"));
  EXPECT_FALSE(IsSerializationError(validation));
  EXPECT_TRUE(IsSerializationError(serialization));
  EXPECT_FALSE(IsSerializationError(absl::InvalidArgumentError("plain")));
  EXPECT_FALSE(IsSerializationError(absl::OkStatus()));
  EXPECT_EQ(serialization.GetPayload("tern/error-kind").value(), absl::Cord("serialization"));
  EXPECT_EQ(validation.GetPayload("tern/error-kind").value(), absl::Cord("validation"));
}

// --- Parsing: golden messages ---------------------------------------------------

TEST(ParseAttributeValueTest, SerializationErrorsHaveDynamoDbMessages) {
  const std::vector<ErrorCase> cases = {
      // The AttributeValue itself.
      {R"("x")", kSer, "Unexpected value type in payload"},
      {R"(5)", kSer, "Unexpected value type in payload"},
      {R"(true)", kSer, "Unexpected value type in payload"},
      {R"([])", kSer, kValueCollection},
      // S and N want strings.
      {R"({"S":5})", kSer, "NUMBER_VALUE cannot be converted to String"},
      {R"({"S":true})", kSer, "TRUE_VALUE cannot be converted to String"},
      {R"({"S":false})", kSer, "FALSE_VALUE cannot be converted to String"},
      {R"({"S":[]})", kSer, "Unrecognized collection type class java.lang.String"},
      {R"({"S":{}})", kSer, kStart},
      {R"({"N":123})", kSer, "NUMBER_VALUE cannot be converted to String"},
      {R"({"N":-2147483648})", kSer, "NUMBER_VALUE cannot be converted to String"},
      {R"({"N":12.5})", kSer, "DECIMAL_VALUE cannot be converted to String"},
      {R"({"N":1e5})", kSer, "DECIMAL_VALUE cannot be converted to String"},
      // B wants Base64 text.
      {R"({"B":true})", kSer, "only base-64-encoded strings are convertible to bytes"},
      {R"({"B":23})", kSer, "only base-64-encoded strings are convertible to bytes"},
      {R"({"B":34.56})", kSer, "only base-64-encoded strings are convertible to bytes"},
      {R"({"B":[]})", kSer, "Unrecognized collection type class java.nio.ByteBuffer"},
      {R"({"B":{}})", kSer, kStart},
      {R"({"B":"23456"})",
       kSer,
       "Base64 encoded length is expected a multiple of 4 bytes but found: 5"},
      {R"({"B":"=+/="})", kSer, "Invalid last non-pad Base64 character dectected"},
      {R"({"B":"+/+="})", kSer, "Invalid last non-pad Base64 character dectected"},
      {R"({"B":"Zm9!"})", kSer, "Invalid Base64 character: '!'"},
      // BOOL and NULL want booleans.
      {R"({"BOOL":"23"})", kSer, "Unexpected token received from parser"},
      {R"({"BOOL":"maybe"})", kSer, "Unexpected token received from parser"},
      {R"({"BOOL":23})", kSer, "NUMBER_VALUE cannot be converted to Boolean"},
      {R"({"BOOL":2147483648})", kSer, "NUMBER_VALUE cannot be converted to Boolean"},
      {R"({"BOOL":34.56})", kSer, "DECIMAL_VALUE cannot be converted to Boolean"},
      {R"({"BOOL":[]})", kSer, "Unrecognized collection type class java.lang.Boolean"},
      {R"({"BOOL":{}})", kSer, kStart},
      {R"({"NULL":"x"})", kSer, "Unexpected token received from parser"},
      {R"({"NULL":1})", kSer, "NUMBER_VALUE cannot be converted to Boolean"},
      {R"({"NULL":{}})", kSer, kStart},
      // Sets and lists want arrays of the right elements.
      {R"({"SS":"a"})", kSer, "Unexpected field type"},
      {R"({"SS":true})", kSer, "Unexpected field type"},
      {R"({"SS":{}})", kSer, kStart},
      {R"({"SS":["a",1]})", kSer, "NUMBER_VALUE cannot be converted to String"},
      {R"({"NS":5})", kSer, "Unexpected field type"},
      {R"({"NS":[1]})", kSer, "NUMBER_VALUE cannot be converted to String"},
      {R"({"NS":[[]]})", kSer, "Unrecognized collection type class java.lang.String"},
      {R"({"BS":"Yg=="})", kSer, "Unexpected field type"},
      {R"({"BS":["Yg==",5]})", kSer, "only base-64-encoded strings are convertible to bytes"},
      {R"({"BS":["Yg=","Yg=="]})",
       kSer,
       "Base64 encoded length is expected a multiple of 4 bytes but found: 3"},
      {R"({"BS":[{}]})", kSer, kStart},
      {R"({"L":5})", kSer, "Unexpected field type"},
      {R"({"L":{}})", kSer, kStart},
      {R"({"L":["x"]})", kSer, "Unexpected value type in payload"},
      {R"({"L":[[]]})", kSer, kValueCollection},
      // M wants an object of AttributeValues.
      {R"({"M":[]})", kSer, kMapCollection},
      {R"({"M":"x"})", kSer, "Unexpected field type"},
      {R"({"M":{"a":5}})", kSer, "Unexpected value type in payload"},
      {R"({"M":{"a":[]}})", kSer, kValueCollection},
      // Deep inside.
      {R"({"M":{"a":{"L":[{"S":"ok"},{"N":1}]}}})",
       kSer,
       "NUMBER_VALUE cannot be converted to String"},
      // A shape error anywhere beats a validation error earlier in the document.
      {R"({"L":[{"NULL":false},{"S":5}]})", kSer, "NUMBER_VALUE cannot be converted to String"},
      {R"({"S":"a","N":"dog","B":1})",
       kSer,
       "only base-64-encoded strings are convertible to bytes"},
  };
  for (const ErrorCase& c : cases) {
    ExpectError(ParseAttributeValue(Json(c.json)).status(), c);
  }
}

TEST(ParseAttributeValueTest, ValidationErrorsHaveDynamoDbMessages) {
  const std::vector<ErrorCase> cases = {
      // Exactly one type.
      {R"({})", kVal, kEmpty},
      {R"(null)", kVal, kEmpty},
      {R"({"a":""})", kVal, kEmpty},  // unknown members are ignored
      {R"({"s":"lower case is unknown"})", kVal, kEmpty},
      {R"({"S":null})", kVal, kEmpty},  // null members are absent
      {R"({"S":"a","N":"1"})", kVal, kMulti},
      {R"({"BOOL":true,"NULL":true})", kVal, kMulti},
      {R"({"S":"a","X":1,"N":"1"})", kVal, kMulti},
      // The members' own errors come before the count.
      {R"({"S":"a","N":"b"})", kVal, "The parameter cannot be converted to a numeric value: b"},
      {R"({"S":"a","NULL":false})",
       kVal,
       "One or more parameter values were invalid: Null attribute value types must have the "
       "value of true"},
      // NULL.
      {R"({"NULL":false})",
       kVal,
       "One or more parameter values were invalid: Null attribute value types must have the "
       "value of true"},
      {R"({"NULL":"no"})",
       kVal,
       "One or more parameter values were invalid: Null attribute value types must have the "
       "value of true"},
      // Numbers: Number::Parse's messages.
      {R"({"N":"dog"})", kVal, "The parameter cannot be converted to a numeric value: dog"},
      {R"({"N":"123456789012345678901234567890123456789"})",
       kVal,
       "Attempting to store more than 38 significant digits in a Number"},
      {R"({"N":"1e126"})",
       kVal,
       "Number overflow. Attempting to store a number with magnitude larger than supported "
       "range"},
      {R"({"N":"-1e-131"})",
       kVal,
       "Number underflow. Attempting to store a number with magnitude smaller than supported "
       "range"},
      // Empty sets (note the two spaces, and the different BS wording).
      {R"({"SS":[]})",
       kVal,
       "One or more parameter values were invalid: An string set  may not be empty"},
      {R"({"NS":[]})",
       kVal,
       "One or more parameter values were invalid: An number set  may not be empty"},
      {R"({"BS":[]})",
       kVal,
       "One or more parameter values were invalid: Binary sets should not be empty"},
      // Duplicates.
      {R"({"SS":["a","a"]})",
       kVal,
       "One or more parameter values were invalid: Input collection [a, a] contains duplicates."},
      {R"({"SS":["b","a","b"]})",
       kVal,
       "One or more parameter values were invalid: Input collection [b, a, b] contains "
       "duplicates."},
      {R"({"SS":["",""]})",
       kVal,
       "One or more parameter values were invalid: Input collection [, ] contains duplicates."},
      {R"({"NS":["1","1"]})", kVal, "Input collection contains duplicates"},
      {R"({"NS":["1","1.0","2"]})", kVal, "Input collection contains duplicates"},
      {R"({"NS":["100","1e2"]})", kVal, "Input collection contains duplicates"},
      {R"({"BS":["Yg==","Yg=="]})",
       kVal,
       "One or more parameter values were invalid: Input collection [Yg==, Yg==]of type BS "
       "contains duplicates."},
      {R"({"BS":["",""]})",
       kVal,
       "One or more parameter values were invalid: Input collection [, ]of type BS contains "
       "duplicates."},
      // Bad numbers in NS come before duplicates.
      {R"({"NS":["1","b","a","1"]})",
       kVal,
       "The parameter cannot be converted to a numeric value: b"},
      {R"({"NS":["1",""]})", kVal, "The parameter cannot be converted to a numeric value: "},
      // Null elements.
      {R"({"SS":["a",null]})",
       kVal,
       "One or more parameter values were invalid: An string set may not have a null string as "
       "a member"},
      {R"({"NS":["1",null]})", kVal, "The parameter cannot be converted to a numeric value"},
      {R"({"BS":["Yg==",null]})",
       kVal,
       "One or more parameter values were invalid: Binary sets may not contain null or empty "
       "values"},
      // Inside documents.
      {R"({"L":[{}]})", kVal, kEmpty},
      {R"({"L":[null]})", kVal, kEmpty},
      {R"({"M":{"a":{}}})", kVal, kEmpty},
      {R"({"M":{"a":null}})", kVal, kEmpty},
      {R"({"L":[{"a":{}}]})", kVal, kEmpty},
      {R"({"M":{"outer":{"M":{"inner":{"SS":[]}}}}})",
       kVal,
       "One or more parameter values were invalid: An string set  may not be empty"},
      // Document order.
      {R"({"L":[{"N":"x"},{"NULL":false}]})",
       kVal,
       "The parameter cannot be converted to a numeric value: x"},
      {R"({"L":[{"NULL":false},{"N":"x"}]})",
       kVal,
       "One or more parameter values were invalid: Null attribute value types must have the "
       "value of true"},
  };
  for (const ErrorCase& c : cases) {
    ExpectError(ParseAttributeValue(Json(c.json)).status(), c);
  }
}

TEST(ParseItemTest, ErrorsHaveDynamoDbMessages) {
  const std::vector<ErrorCase> cases = {
      {R"([])", kSer, kMapCollection},
      {R"("x")", kSer, "Unexpected field type"},
      {R"(1)", kSer, "Unexpected field type"},
      {R"({"a":5})", kSer, "Unexpected value type in payload"},
      {R"({"a":[]})", kSer, kValueCollection},
      {R"({"a":{"S":5}})", kSer, "NUMBER_VALUE cannot be converted to String"},
      // Shape first, across attributes.
      {R"({"a":{"NULL":false},"b":{"S":5}})", kSer, "NUMBER_VALUE cannot be converted to String"},
      {R"({"a":{}})", kVal, kEmpty},
      {R"({"a":null})", kVal, kEmpty},
      {R"({"a":{"S":"ok"},"b":{"S":"a","N":"1"}})", kVal, kMulti},
      {R"({"a":{"NULL":false}})",
       kVal,
       "One or more parameter values were invalid: Null attribute value types must have the "
       "value of true"},
  };
  for (const ErrorCase& c : cases) {
    ExpectError(ParseItem(Json(c.json)).status(), c);
  }
}

TEST(ParseItemTest, ReadsAttributes) {
  absl::StatusOr<Item> item = ParseItem(Json(R"({"b":{"N":"2"},"a":{"S":"x"}})"));
  ASSERT_THAT(item, IsOk());
  ASSERT_EQ(item->size(), 2u);
  EXPECT_EQ(item->begin()->first, "a");
  EXPECT_EQ(item->at("a"), AttributeValue::S("x"));
  EXPECT_EQ(item->at("b"), AttributeValue::N(N("2")));

  absl::StatusOr<Item> empty = ParseItem(Json("{}"));
  ASSERT_THAT(empty, IsOk());
  EXPECT_TRUE(empty->empty());
  absl::StatusOr<Item> null = ParseItem(Json("null"));
  ASSERT_THAT(null, IsOk());
  EXPECT_TRUE(null->empty());
}

// --- Parsing: values ---------------------------------------------------------------

TEST(ParseAttributeValueTest, ReadsEveryType) {
  EXPECT_EQ(Parse(R"({"S":"héllo"})"), AttributeValue::S("héllo"));
  EXPECT_EQ(Parse(R"({"S":""})"), AttributeValue::S(""));
  EXPECT_EQ(Parse(R"({"N":"-12.50"})"), AttributeValue::N(N("-12.5")));
  EXPECT_EQ(Parse(R"({"B":"AAEC/w=="})"), AttributeValue::B(std::string("\x00\x01\x02\xff", 4)));
  EXPECT_EQ(Parse(R"({"B":""})"), AttributeValue::B(""));
  EXPECT_EQ(Parse(R"({"BOOL":true})"), AttributeValue::Bool(true));
  EXPECT_EQ(Parse(R"({"BOOL":false})"), AttributeValue::Bool(false));
  EXPECT_EQ(Parse(R"({"NULL":true})"), AttributeValue::Null());
  EXPECT_EQ(Parse(R"({"L":[{"S":"a"},{"NULL":true}]})"),
            AttributeValue::L({AttributeValue::S("a"), AttributeValue::Null()}));
  EXPECT_EQ(Parse(R"({"L":[]})"), AttributeValue::L({}));
  EXPECT_EQ(Parse(R"({"M":{"k":{"N":"1"}}})"),
            AttributeValue::M({{"k", AttributeValue::N(N("1"))}}));
  EXPECT_EQ(Parse(R"({"M":{}})"), AttributeValue::M({}));
  EXPECT_EQ(Parse(R"({"SS":["a","","b"]})"), AttributeValue::SS({"a", "", "b"}));
  EXPECT_EQ(Parse(R"({"NS":["1","2.5"]})"), AttributeValue::NS({N("1"), N("2.5")}));
  EXPECT_EQ(Parse(R"({"BS":["Yg==",""]})"), AttributeValue::BS({"b", ""}));
}

TEST(ParseAttributeValueTest, CoercesBooleanStringsAsDynamoDbDoes) {
  for (const char* yes : {R"("true")", R"("TRUE")", R"("True")", R"("yes")", R"("1")"}) {
    EXPECT_EQ(Parse(absl::StrCat(R"({"BOOL":)", yes, "}")), AttributeValue::Bool(true)) << yes;
    EXPECT_EQ(Parse(absl::StrCat(R"({"NULL":)", yes, "}")), AttributeValue::Null()) << yes;
  }
  for (const char* no : {R"("false")", R"("FALSE")", R"("no")", R"("0")"}) {
    EXPECT_EQ(Parse(absl::StrCat(R"({"BOOL":)", no, "}")), AttributeValue::Bool(false)) << no;
  }
}

TEST(ParseAttributeValueTest, KeepsSetOrder) {
  AttributeValue value = Parse(R"({"SS":["c","a","b"]})");
  EXPECT_EQ(value.ss(), (std::vector<std::string>{"c", "a", "b"}));
  AttributeValue numbers = Parse(R"({"NS":["3","1e0","2"]})");
  ASSERT_EQ(numbers.ns().size(), 3u);
  EXPECT_EQ(numbers.ns()[1].ToString(), "1");
}

TEST(ParseAttributeValueTest, NestingLimitIs32Levels) {
  // Level 32 is the deepest accepted, whether built from maps or lists.
  EXPECT_THAT(ParseAttributeValue(Json(DeepMap(31))), IsOk());
  EXPECT_THAT(ParseAttributeValue(Json(DeepList(31))), IsOk());
  const ErrorCase too_deep = {"", kVal, kNesting};
  ExpectError(ParseAttributeValue(Json(DeepMap(32))).status(), too_deep);
  ExpectError(ParseAttributeValue(Json(DeepList(32))).status(), too_deep);
  // An empty container at level 32 is fine; one at level 33 is not.
  std::string empty_at_32 = R"({"M":{}})";
  for (int i = 0; i < 31; ++i) empty_at_32 = absl::StrCat(R"({"L":[)", empty_at_32, "]}");
  EXPECT_THAT(ParseAttributeValue(Json(empty_at_32)), IsOk());
  ExpectError(ParseAttributeValue(Json(absl::StrCat(R"({"L":[)", empty_at_32, "]}"))).status(),
              too_deep);
  // In items, every attribute starts at level 1.
  EXPECT_THAT(ParseItem(Json(absl::StrCat(R"({"a":)", DeepMap(31), "}"))), IsOk());
  ExpectError(ParseItem(Json(absl::StrCat(R"({"a":)", DeepMap(32), "}"))).status(), too_deep);
}

TEST(ParseAttributeValueTest, NestingIsCheckedInDocumentOrder) {
  const std::string deep_element = DeepMap(31);  // as an element of an L: leaf at level 33
  const std::string number_first = absl::StrCat(R"({"L":[{"N":"x"},)", deep_element, "]}");
  ExpectError(ParseAttributeValue(Json(number_first)).status(),
              {"", kVal, "The parameter cannot be converted to a numeric value: x"});
  const std::string deep_first = absl::StrCat(R"({"L":[)", deep_element, R"(,{"N":"x"}]})");
  ExpectError(ParseAttributeValue(Json(deep_first)).status(), {"", kVal, kNesting});
}

TEST(ParseAttributeValueTest, AbsurdNestingIsRefusedWithoutCrashing) {
  for (int wraps : {100, 1000, 5000}) {
    ExpectError(ParseAttributeValue(Json(DeepMap(wraps))).status(), {"", kVal, kNesting});
    ExpectError(ParseAttributeValue(Json(DeepList(wraps))).status(), {"", kVal, kNesting});
  }
  // A shape error within the first levels is still found.
  std::string text = R"({"N":1})";
  for (int i = 0; i < 60; ++i) text = absl::StrCat(R"({"L":[)", text, "]}");
  ExpectError(ParseAttributeValue(Json(text)).status(),
              {"", kSer, "NUMBER_VALUE cannot be converted to String"});
}

// --- JSON output -----------------------------------------------------------------

TEST(ToJsonTest, RoundTripsEveryType) {
  for (const char* text : {
           R"({"S":"héllo"})",
           R"({"S":""})",
           R"({"N":"-12.5"})",
           R"({"N":"0"})",
           R"({"N":"100000000000000000000000000000000000000000"})",
           R"({"N":"0.000000000000000000000000000000000000000000001"})",
           R"({"B":"AAEC/w=="})",
           R"({"B":""})",
           R"({"BOOL":true})",
           R"({"BOOL":false})",
           R"({"NULL":true})",
           R"({"L":[{"S":"a"},{"N":"1"},{"L":[]},{"M":{}}]})",
           R"({"M":{"a":{"NULL":true},"b":{"M":{"c":{"BS":["AA=="]}}}}})",
           R"({"SS":["b","a",""]})",
           R"({"NS":["3","-1","0.5"]})",
           R"({"BS":["Yg==","AA==",""]})",
       }) {
    absl::StatusOr<AttributeValue> value = ParseAttributeValue(Json(text));
    ASSERT_THAT(value, IsOk()) << text;
    EXPECT_EQ(Serialize(ToJson(*value)), text);
    absl::StatusOr<AttributeValue> again = ParseAttributeValue(ToJson(*value));
    ASSERT_THAT(again, IsOk()) << text;
    EXPECT_EQ(*again, *value) << text;
  }
}

TEST(ToJsonTest, WritesCanonicalForms) {
  EXPECT_EQ(Serialize(ToJson(Parse(R"({"N":"+1.50e2"})"))), R"({"N":"150"})");
  EXPECT_EQ(Serialize(ToJson(Parse(R"({"NS":["1e1","-0.10"]})"))), R"({"NS":["10","-0.1"]})");
  EXPECT_EQ(Serialize(ToJson(Parse(R"({"BOOL":"TRUE"})"))), R"({"BOOL":true})");
  EXPECT_EQ(Serialize(ToJson(Parse(R"({"NULL":"yes"})"))), R"({"NULL":true})");
  EXPECT_EQ(Serialize(ToJson(Parse(R"({"S":"x","Other":1,"N":null})"))), R"({"S":"x"})");
  // Map entries come out in name order.
  EXPECT_EQ(Serialize(ToJson(Parse(R"({"M":{"b":{"S":"2"},"a":{"S":"1"}}})"))),
            R"({"M":{"a":{"S":"1"},"b":{"S":"2"}}})");
}

TEST(ToJsonTest, ItemRoundTrip) {
  const std::string text =
      R"({"a":{"S":"x"},"b":{"N":"1"},"c":{"L":[{"BOOL":false}]},"d":{"M":{"e":{"NULL":true}}}})";
  absl::StatusOr<Item> item = ParseItem(Json(text));
  ASSERT_THAT(item, IsOk());
  EXPECT_EQ(Serialize(ToJson(*item)), text);
  EXPECT_EQ(Serialize(ToJson(Item())), "{}");
}

// --- Size -----------------------------------------------------------------------

TEST(SizeTest, ScalarsAndSets) {
  EXPECT_EQ(AttributeValueSize(AttributeValue::S("")), 0);
  EXPECT_EQ(AttributeValueSize(AttributeValue::S("abc")), 3);
  EXPECT_EQ(AttributeValueSize(AttributeValue::S("héllo")), 6);  // é is two UTF-8 bytes
  EXPECT_EQ(AttributeValueSize(AttributeValue::S("😀")), 4);
  EXPECT_EQ(AttributeValueSize(AttributeValue::B(std::string(3, '\0'))), 3);
  EXPECT_EQ(AttributeValueSize(AttributeValue::Bool(false)), 1);
  EXPECT_EQ(AttributeValueSize(AttributeValue::Null()), 1);
  for (const char* n :
       {"0", "1", "-1", "12345", "-0.001", "9.9999999999999999999999999999999999999E+125"}) {
    EXPECT_EQ(AttributeValueSize(AttributeValue::N(N(n))), N(n).SizeBytes()) << n;
  }
  EXPECT_EQ(AttributeValueSize(AttributeValue::SS({"a", "bc", ""})), 3);
  EXPECT_EQ(AttributeValueSize(AttributeValue::BS({"ab", "c"})), 3);
  EXPECT_EQ(AttributeValueSize(AttributeValue::NS({N("1"), N("-1"), N("123")})),
            N("1").SizeBytes() + N("-1").SizeBytes() + N("123").SizeBytes());
}

TEST(SizeTest, Documents) {
  EXPECT_EQ(AttributeValueSize(AttributeValue::L({})), 3);
  EXPECT_EQ(AttributeValueSize(AttributeValue::M({})), 3);
  // 3 + (1 + 2) + (1 + 1)
  EXPECT_EQ(
      AttributeValueSize(AttributeValue::L({AttributeValue::S("ab"), AttributeValue::Null()})), 8);
  // 3 + (1 + 1 + 1) + (1 + 2 + 1)
  EXPECT_EQ(AttributeValueSize(AttributeValue::M(
                {{"k", AttributeValue::S("v")}, {"kk", AttributeValue::Bool(true)}})),
            10);
  // Nested: outer L 3 + (1 + inner), inner M 3 + (1 + 1 + L{} 3) = 8 -> 12
  EXPECT_EQ(
      AttributeValueSize(AttributeValue::L({AttributeValue::M({{"x", AttributeValue::L({})}})})),
      12);
}

TEST(SizeTest, Item) {
  EXPECT_EQ(ItemSize({}), 0);
  const int64_t one = N("1").SizeBytes();
  const int64_t minus_one = N("-1").SizeBytes();
  Item item = {
      {"s", AttributeValue::S("héllo")},              // 1 + 6
      {"b", AttributeValue::B("abc")},                // 1 + 3
      {"t", AttributeValue::Bool(true)},              // 1 + 1
      {"z", AttributeValue::Null()},                  // 1 + 1
      {"n", AttributeValue::N(N("1"))},               // 1 + one
      {"ss", AttributeValue::SS({"a", "bc"})},        // 2 + 3
      {"ns", AttributeValue::NS({N("1"), N("-1")})},  // 2 + one + minus_one
      {"bs", AttributeValue::BS({"xy", "z"})},        // 2 + 3
      {"l", AttributeValue::L({AttributeValue::S("ab"), AttributeValue::Null()})},  // 1 + 8
      {"m", AttributeValue::M({{"k", AttributeValue::S("v")}, {"kk", AttributeValue::Bool(true)}})},
      // 1 + 10
  };
  EXPECT_EQ(ItemSize(item), 7 + 4 + 2 + 2 + (1 + one) + 5 + (2 + one + minus_one) + 5 + 9 + 11);
  // Names count by UTF-8 bytes too.
  EXPECT_EQ(ItemSize({{"é", AttributeValue::S("x")}}), 3);
}

}  // namespace
}  // namespace tern::model
