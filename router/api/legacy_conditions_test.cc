#include "router/api/legacy_conditions.h"

#include <string>

#include "boost/json/parse.hpp"
#include "common/base/error_details.h"
#include "common/expr/evaluator.h"
#include "common/model/attribute_value.h"
#include "common/testing/testing.h"
#include "gtest/gtest.h"

namespace tern::router {
namespace {

using testing::IsOk;

boost::json::object Request(const char* json) { return boost::json::parse(json).as_object(); }

std::string ExpectedError(const char* json) {
  absl::StatusOr<std::optional<expr::Condition>> c = ConvertExpected(Request(json));
  return c.ok() ? "OK" : std::string(c.status().message());
}

std::string FilterError(const char* json, const char* member = "ScanFilter") {
  absl::StatusOr<std::optional<expr::Condition>> c = ConvertFilter(Request(json), member);
  return c.ok() ? "OK" : std::string(c.status().message());
}

std::string KeyError(const char* json) {
  absl::StatusOr<expr::Condition> c = ConvertKeyConditions(Request(json));
  return c.ok() ? "OK" : std::string(c.status().message());
}

std::string MixError(const char* json) {
  absl::Status s = CheckExpressionMixing(Request(json));
  return s.ok() ? "OK" : std::string(s.message());
}

model::Item Item(const char* json) {
  absl::StatusOr<model::Item> item = model::ParseItem(boost::json::parse(json));
  EXPECT_THAT(item, IsOk());
  return item.ok() ? *item : model::Item();
}

// Evaluates the condition of an Expected request against item.
bool ExpectedHolds(const char* request, const char* item) {
  absl::StatusOr<std::optional<expr::Condition>> c = ConvertExpected(Request(request));
  EXPECT_THAT(c, IsOk());
  if (!c.ok() || !c->has_value()) return false;
  absl::StatusOr<bool> holds = expr::EvaluateCondition(**c, Item(item));
  EXPECT_THAT(holds, IsOk());
  return holds.ok() && *holds;
}

bool FilterHolds(const char* request, const char* item) {
  absl::StatusOr<std::optional<expr::Condition>> c = ConvertFilter(Request(request), "ScanFilter");
  EXPECT_THAT(c, IsOk());
  if (!c.ok() || !c->has_value()) return false;
  absl::StatusOr<bool> holds = expr::EvaluateCondition(**c, Item(item));
  EXPECT_THAT(holds, IsOk());
  return holds.ok() && *holds;
}

bool IsSerialization(const absl::Status& status) {
  return base::GetErrorKind(status) == base::ErrorKind::kSerialization;
}

// --- mixing -----------------------------------------------------------------

TEST(ExpressionMixingTest, ReproducesItemOpsMessages) {
  EXPECT_EQ(MixError(R"({"AttributesToGet":["a"],"ProjectionExpression":"a"})"),
            "Can not use both expression and non-expression parameters in the same request: "
            "Non-expression parameters: {AttributesToGet} Expression parameters: "
            "{ProjectionExpression}");
  EXPECT_EQ(MixError(R"({"AttributeUpdates":{},"UpdateExpression":"SET a = :v"})"),
            "Can not use both expression and non-expression parameters in the same request: "
            "Non-expression parameters: {AttributeUpdates} Expression parameters: "
            "{UpdateExpression}");
}

// Orders as captured in ExtendDB's dual-target conformance test.
TEST(ExpressionMixingTest, NamesInDynamoDbOrder) {
  EXPECT_EQ(MixError(R"({"AttributesToGet":["a"],"ScanFilter":{},"ConditionalOperator":"AND",
                         "FilterExpression":"a = :v","ProjectionExpression":"b"})"),
            "Can not use both expression and non-expression parameters in the same request: "
            "Non-expression parameters: {AttributesToGet, ScanFilter, ConditionalOperator} "
            "Expression parameters: {ProjectionExpression, FilterExpression}");
  EXPECT_EQ(MixError(R"({"KeyConditions":{},"QueryFilter":{},"ConditionalOperator":"AND",
                         "KeyConditionExpression":"pk = :p","FilterExpression":"a = :v",
                         "ProjectionExpression":"b"})"),
            "Can not use both expression and non-expression parameters in the same request: "
            "Non-expression parameters: {QueryFilter, ConditionalOperator, KeyConditions} "
            "Expression parameters: {ProjectionExpression, FilterExpression, "
            "KeyConditionExpression}");
  EXPECT_EQ(MixError(R"({"AttributeUpdates":{},"Expected":{},"ConditionalOperator":"AND",
                         "UpdateExpression":"SET a = :v","ConditionExpression":"x"})"),
            "Can not use both expression and non-expression parameters in the same request: "
            "Non-expression parameters: {AttributeUpdates, Expected, ConditionalOperator} "
            "Expression parameters: {UpdateExpression, ConditionExpression}");
  EXPECT_EQ(MixError(R"({"ConditionalOperator":"AND","ConditionExpression":"x"})"),
            "Can not use both expression and non-expression parameters in the same request: "
            "Non-expression parameters: {ConditionalOperator} Expression parameters: "
            "{ConditionExpression}");
}

TEST(ExpressionMixingTest, KeyConditionsOnlyClashWithKeyConditionExpression) {
  EXPECT_EQ(MixError(R"({"KeyConditions":{},"FilterExpression":"a = :v",
                         "ProjectionExpression":"b"})"),
            "OK");
  EXPECT_EQ(MixError(R"({"AttributesToGet":["a"],"Expected":{}})"), "OK");
  EXPECT_EQ(MixError(R"({"ProjectionExpression":"a","AttributesToGet":null})"), "OK");
}

// --- ConditionalOperator ------------------------------------------------------

TEST(ConditionalOperatorTest, NeedsTwoOrMoreConditions) {
  EXPECT_EQ(ExpectedError(R"({"ConditionalOperator":"AND"})"),
            "ConditionalOperator cannot be used without Filter or Expected");
  EXPECT_EQ(ExpectedError(R"({"Expected":{},"ConditionalOperator":"OR"})"),
            "ConditionalOperator cannot be used without Filter or Expected");
  EXPECT_EQ(ExpectedError(R"({"Expected":{"a":{"Exists":false}},"ConditionalOperator":"OR"})"),
            "ConditionalOperator can only be used when Filter or Expected has two or more "
            "elements");
  EXPECT_EQ(FilterError(R"({"ConditionalOperator":"AND"})", "QueryFilter"),
            "ConditionalOperator cannot be used without Filter or Expected");
  EXPECT_EQ(FilterError(R"({"ScanFilter":{"a":{"ComparisonOperator":"NULL"}},
                            "ConditionalOperator":"AND"})"),
            "ConditionalOperator can only be used when Filter or Expected has two or more "
            "elements");
}

TEST(ConditionalOperatorTest, EnumAndShape) {
  EXPECT_EQ(ExpectedError(R"({"Expected":{"a":{"Exists":false},"b":{"Exists":false}},
                              "ConditionalOperator":"XOR"})"),
            "1 validation error detected: Value 'XOR' at 'conditionalOperator' failed to satisfy "
            "constraint: Member must satisfy enum value set: [OR, AND]");
  EXPECT_TRUE(IsSerialization(ConvertExpected(Request(R"({"ConditionalOperator":5})")).status()));
}

TEST(ConditionalOperatorTest, OrAndAnd) {
  const char* item = R"({"a":{"N":"1"},"b":{"N":"2"}})";
  EXPECT_TRUE(ExpectedHolds(R"({"Expected":{"a":{"Value":{"N":"1"}},"b":{"Value":{"N":"9"}}},
                                "ConditionalOperator":"OR"})",
                            item));
  EXPECT_FALSE(
      ExpectedHolds(R"({"Expected":{"a":{"Value":{"N":"1"}},"b":{"Value":{"N":"9"}}}})", item));
  EXPECT_TRUE(ExpectedHolds(R"({"Expected":{"a":{"Value":{"N":"1"}},"b":{"Value":{"N":"2"}},
                                            "c":{"Exists":false}},"ConditionalOperator":"AND"})",
                            item));
}

// --- Expected -----------------------------------------------------------------

TEST(ExpectedTest, AbsentOrEmptyIsNothingToCheck) {
  absl::StatusOr<std::optional<expr::Condition>> none = ConvertExpected(Request("{}"));
  ASSERT_THAT(none, IsOk());
  EXPECT_FALSE(none->has_value());
  absl::StatusOr<std::optional<expr::Condition>> empty =
      ConvertExpected(Request(R"({"Expected":{}})"));
  ASSERT_THAT(empty, IsOk());
  EXPECT_FALSE(empty->has_value());
}

TEST(ExpectedTest, OldFormMessages) {
  EXPECT_EQ(ExpectedError(R"({"Expected":{"a":{"Exists":true}}})"),
            "One or more parameter values were invalid: Value must be provided when Exists is "
            "true for Attribute: a");
  EXPECT_EQ(ExpectedError(R"({"Expected":{"a":{}}})"),
            "One or more parameter values were invalid: Value must be provided when Exists is "
            "null for Attribute: a");
  EXPECT_EQ(ExpectedError(R"({"Expected":{"a":{"Exists":false,"Value":{"S":"x"}}}})"),
            "One or more parameter values were invalid: Value cannot be used when Exists is false "
            "for Attribute: a");
  EXPECT_EQ(ExpectedError(R"({"Expected":{"a":{"AttributeValueList":[{"S":"x"}]}}})"),
            "One or more parameter values were invalid: AttributeValueList can only be used with "
            "a ComparisonOperator for Attribute: a");
}

TEST(ExpectedTest, NewFormMessages) {
  EXPECT_EQ(ExpectedError(R"({"Expected":{"a":{"ComparisonOperator":"EQ","Value":{"S":"x"},
                                               "AttributeValueList":[{"S":"x"}]}}})"),
            "One or more parameter values were invalid: Value and AttributeValueList cannot be "
            "used together for Attribute: a");
  EXPECT_EQ(ExpectedError(R"({"Expected":{"a":{"ComparisonOperator":"EQ","Exists":false,
                                               "AttributeValueList":[{"S":"x"}]}}})"),
            "One or more parameter values were invalid: Exists and ComparisonOperator cannot be "
            "used together for Attribute: a");
  EXPECT_EQ(ExpectedError(R"({"Expected":{"a":{"ComparisonOperator":"GT"}}})"),
            "One or more parameter values were invalid: Value or AttributeValueList must be used "
            "with ComparisonOperator: GT for Attribute: a");
  EXPECT_EQ(ExpectedError(R"({"Expected":{"a":{"ComparisonOperator":"EQ",
                                               "AttributeValueList":[{"N":"2"},{"N":"3"}]}}})"),
            "One or more parameter values were invalid: Invalid number of argument(s) for the EQ "
            "ComparisonOperator");
  EXPECT_EQ(ExpectedError(R"({"Expected":{"a":{"ComparisonOperator":"NULL",
                                               "AttributeValueList":[{"N":"2"}]}}})"),
            "One or more parameter values were invalid: Invalid number of argument(s) for the "
            "NULL ComparisonOperator");
  EXPECT_EQ(ExpectedError(R"({"Expected":{"a":{"ComparisonOperator":"IN",
                                               "AttributeValueList":[]}}})"),
            "One or more parameter values were invalid: Invalid number of argument(s) for the IN "
            "ComparisonOperator");
  EXPECT_EQ(ExpectedError(R"({"Expected":{"a":{"ComparisonOperator":"IN",
                                               "AttributeValueList":[{"N":"3"},{"S":"dog"}]}}})"),
            "One or more parameter values were invalid: AttributeValues inside "
            "AttributeValueList must be of same type");
  EXPECT_EQ(ExpectedError(R"({"Expected":{"a":{"ComparisonOperator":"BEGINS_WITH",
                                               "AttributeValueList":[{"N":"3"}]}}})"),
            "One or more parameter values were invalid: ComparisonOperator BEGINS_WITH is not "
            "valid for N AttributeValue type");
  EXPECT_EQ(ExpectedError(R"({"Expected":{"a":{"ComparisonOperator":"CONTAINS",
                                               "AttributeValueList":[{"L":[{"N":"1"}]}]}}})"),
            "One or more parameter values were invalid: ComparisonOperator CONTAINS is not valid "
            "for L AttributeValue type");
  EXPECT_EQ(ExpectedError(R"({"Expected":{"a":{"ComparisonOperator":"BETWEEN",
                                               "AttributeValueList":[{"N":"4"},{"N":"3"}]}}})"),
            "The BETWEEN condition was provided a range where the lower bound is greater than the "
            "upper bound");
  EXPECT_EQ(ExpectedError(R"({"Expected":{"a":{"ComparisonOperator":"LIKE",
                                               "AttributeValueList":[{"N":"4"}]}}})"),
            "1 validation error detected: Value 'LIKE' at 'expected.a.member.comparisonOperator' "
            "failed to satisfy constraint: Member must satisfy enum value set: [IN, NULL, "
            "BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]");
}

TEST(ExpectedTest, ValueWithComparisonOperatorIsTheArgument) {
  EXPECT_TRUE(ExpectedHolds(R"({"Expected":{"a":{"ComparisonOperator":"GT","Value":{"N":"1"}}}})",
                            R"({"a":{"N":"2"}})"));
}

TEST(ExpectedTest, AttributeValueErrorsPassThrough) {
  EXPECT_EQ(ExpectedError(R"({"Expected":{"a":{"Value":{"S":"x","N":"1"}}}})"),
            "Supplied AttributeValue has more than one datatypes set, must contain exactly one of "
            "the supported datatypes");
}

TEST(ExpectedTest, WrongShapesAreSerializationErrors) {
  for (const char* json : {R"({"Expected":[]})",
                           R"({"Expected":{"a":5}})",
                           R"({"Expected":{"a":{"Exists":"maybe"}}})",
                           R"({"Expected":{"a":{"ComparisonOperator":1}}})",
                           R"({"Expected":{"a":{"ComparisonOperator":"EQ",
                                                "AttributeValueList":{}}}})",
                           R"({"Expected":{"a":{"ComparisonOperator":"EQ",
                                                "AttributeValueList":["x"]}}})",
                           R"({"Expected":{"a":{"Value":"x"}}})"}) {
    SCOPED_TRACE(json);
    EXPECT_TRUE(IsSerialization(ConvertExpected(Request(json)).status()));
  }
}

TEST(ExpectedTest, Semantics) {
  const char* item = R"({"a":{"N":"1"},"s":{"S":"hello"},"ns":{"NS":["2","4"]},
                         "l":{"L":[{"N":"4"}]}})";
  // Old form.
  EXPECT_TRUE(ExpectedHolds(R"({"Expected":{"a":{"Value":{"N":"1"}}}})", item));
  EXPECT_TRUE(ExpectedHolds(R"({"Expected":{"a":{"Exists":true,"Value":{"N":"1.0"}}}})", item));
  EXPECT_FALSE(ExpectedHolds(R"({"Expected":{"z":{"Value":{"N":"1"}}}})", item));
  EXPECT_TRUE(ExpectedHolds(R"({"Expected":{"z":{"Exists":false}}})", item));
  EXPECT_FALSE(ExpectedHolds(R"({"Expected":{"a":{"Exists":false}}})", item));
  // NE: a missing attribute or another type is "not equal" (alternator tests).
  EXPECT_TRUE(ExpectedHolds(
      R"({"Expected":{"z":{"ComparisonOperator":"NE","AttributeValueList":[{"N":"1"}]}}})", item));
  EXPECT_TRUE(ExpectedHolds(
      R"({"Expected":{"a":{"ComparisonOperator":"NE","AttributeValueList":[{"S":"1"}]}}})", item));
  EXPECT_FALSE(ExpectedHolds(
      R"({"Expected":{"a":{"ComparisonOperator":"NE","AttributeValueList":[{"N":"1"}]}}})", item));
  // NOT_CONTAINS: false on a missing attribute, unlike NOT contains().
  EXPECT_FALSE(ExpectedHolds(
      R"({"Expected":{"z":{"ComparisonOperator":"NOT_CONTAINS","AttributeValueList":[{"N":"1"}]}}})",
      item));
  EXPECT_TRUE(ExpectedHolds(
      R"({"Expected":{"s":{"ComparisonOperator":"NOT_CONTAINS","AttributeValueList":[{"N":"1"}]}}})",
      item));
  EXPECT_FALSE(ExpectedHolds(
      R"({"Expected":{"s":{"ComparisonOperator":"NOT_CONTAINS","AttributeValueList":[{"S":"ell"}]}}})",
      item));
  EXPECT_TRUE(ExpectedHolds(
      R"({"Expected":{"l":{"ComparisonOperator":"CONTAINS","AttributeValueList":[{"N":"4"}]}}})",
      item));
  EXPECT_TRUE(ExpectedHolds(
      R"({"Expected":{"ns":{"ComparisonOperator":"CONTAINS","AttributeValueList":[{"N":"4"}]}}})",
      item));
  EXPECT_TRUE(ExpectedHolds(R"({"Expected":{"a":{"ComparisonOperator":"NOT_NULL"}}})", item));
  EXPECT_TRUE(ExpectedHolds(R"({"Expected":{"z":{"ComparisonOperator":"NULL"}}})", item));
  EXPECT_TRUE(ExpectedHolds(
      R"({"Expected":{"a":{"ComparisonOperator":"IN",
                           "AttributeValueList":[{"N":"3"},{"N":"1"}]}}})",
      item));
  EXPECT_TRUE(ExpectedHolds(
      R"({"Expected":{"a":{"ComparisonOperator":"BETWEEN",
                           "AttributeValueList":[{"N":"1"},{"N":"2"}]}}})",
      item));
  EXPECT_FALSE(ExpectedHolds(
      R"({"Expected":{"z":{"ComparisonOperator":"BETWEEN",
                           "AttributeValueList":[{"N":"0"},{"N":"100"}]}}})",
      item));
  EXPECT_TRUE(ExpectedHolds(
      R"({"Expected":{"s":{"ComparisonOperator":"BEGINS_WITH","AttributeValueList":[{"S":"he"}]}}})",
      item));
  EXPECT_FALSE(ExpectedHolds(
      R"({"Expected":{"a":{"ComparisonOperator":"LT","AttributeValueList":[{"S":"2"}]}}})", item));
  EXPECT_TRUE(ExpectedHolds(
      R"({"Expected":{"a":{"ComparisonOperator":"LE","AttributeValueList":[{"N":"1"}]}}})", item));
}

// --- filters ------------------------------------------------------------------

TEST(FilterTest, Messages) {
  EXPECT_EQ(
      FilterError(R"({"QueryFilter":{"a":{"AttributeValueList":[{"S":"x"}]}}})", "QueryFilter"),
      "1 validation error detected: Value null at 'queryFilter.a.member.comparisonOperator' "
      "failed to satisfy constraint: Member must not be null");
  EXPECT_EQ(FilterError(R"({"ScanFilter":{"a":{"ComparisonOperator":"LT",
                                               "AttributeValueList":[{"SS":["x"]}]}}})"),
            "One or more parameter values were invalid: ComparisonOperator LT is not valid for SS "
            "AttributeValue type");
  EXPECT_EQ(FilterError(R"({"ScanFilter":{"a":{"ComparisonOperator":"EQ"}}})"),
            "One or more parameter values were invalid: Invalid number of argument(s) for the EQ "
            "ComparisonOperator");
  EXPECT_EQ(FilterError(R"({"ScanFilter":{"a":{"ComparisonOperator":"BETWEEN",
                                               "AttributeValueList":[{"S":"b"},{"S":"a"}]}}})"),
            "The BETWEEN condition was provided a range where the lower bound is greater than the "
            "upper bound");
  EXPECT_TRUE(
      IsSerialization(ConvertFilter(Request(R"({"ScanFilter":"x"})"), "ScanFilter").status()));
}

TEST(FilterTest, Semantics) {
  const char* item = R"({"a":{"N":"5"},"s":{"S":"abc"}})";
  EXPECT_TRUE(FilterHolds(
      R"({"ScanFilter":{"a":{"ComparisonOperator":"GE","AttributeValueList":[{"N":"5"}]},
                        "s":{"ComparisonOperator":"CONTAINS","AttributeValueList":[{"S":"b"}]}}})",
      item));
  EXPECT_FALSE(FilterHolds(
      R"({"ScanFilter":{"a":{"ComparisonOperator":"GT","AttributeValueList":[{"N":"5"}]},
                        "s":{"ComparisonOperator":"CONTAINS","AttributeValueList":[{"S":"b"}]}}})",
      item));
  EXPECT_TRUE(FilterHolds(
      R"({"ScanFilter":{"a":{"ComparisonOperator":"GT","AttributeValueList":[{"N":"5"}]},
                        "s":{"ComparisonOperator":"CONTAINS","AttributeValueList":[{"S":"b"}]}},
          "ConditionalOperator":"OR"})",
      item));
  absl::StatusOr<std::optional<expr::Condition>> none = ConvertFilter(Request("{}"), "QueryFilter");
  ASSERT_THAT(none, IsOk());
  EXPECT_FALSE(none->has_value());
}

// --- KeyConditions ------------------------------------------------------------

TEST(KeyConditionsTest, Messages) {
  EXPECT_EQ(KeyError("{}"),
            "Either the KeyConditions or KeyConditionExpression parameter must be specified in "
            "the request.");
  EXPECT_EQ(KeyError(R"({"KeyConditions":{}})"), "Conditions can be of length 1 or 2 only");
  EXPECT_EQ(KeyError(R"({"KeyConditions":{
                "a":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"x"}]},
                "b":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"x"}]},
                "c":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"x"}]}}})"),
            "Conditions can be of length 1 or 2 only");
  EXPECT_EQ(KeyError(R"({"KeyConditions":{"a":{"ComparisonOperator":"NE",
                                                "AttributeValueList":[{"S":"x"}]}}})"),
            "Attempted conditional constraint is not an indexable operation");
  EXPECT_EQ(KeyError(R"({"KeyConditions":{"a":{"ComparisonOperator":"BEGINS_WITH",
                                                "AttributeValueList":[{"N":"1"}]}}})"),
            "One or more parameter values were invalid: ComparisonOperator BEGINS_WITH is not "
            "valid for N AttributeValue type");
  EXPECT_EQ(
      KeyError(R"({"KeyConditions":{"a":{"AttributeValueList":[{"S":"x"}]}}})"),
      "1 validation error detected: Value null at 'keyConditions.a.member.comparisonOperator' "
      "failed to satisfy constraint: Member must not be null");
}

TEST(KeyConditionsTest, BuildsAnAndTree) {
  absl::StatusOr<expr::Condition> c = ConvertKeyConditions(Request(R"({"KeyConditions":{
      "pk":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"x"}]},
      "sk":{"ComparisonOperator":"BETWEEN","AttributeValueList":[{"N":"1"},{"N":"3"}]}}})"));
  ASSERT_THAT(c, IsOk());
  ASSERT_EQ(c->kind, expr::Condition::Kind::kAnd);
  ASSERT_EQ(c->children.size(), 2u);
  EXPECT_EQ(c->children[0].kind, expr::Condition::Kind::kCompare);
  EXPECT_EQ(c->children[1].kind, expr::Condition::Kind::kBetween);
  EXPECT_EQ(c->children[1].operands.size(), 3u);
}

}  // namespace
}  // namespace tern::router
