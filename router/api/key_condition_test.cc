#include "router/api/key_condition.h"

#include <map>
#include <string>

#include "boost/json/parse.hpp"
#include "common/expr/parser.h"
#include "common/model/attribute_value.h"
#include "common/testing/testing.h"
#include "gtest/gtest.h"
#include "router/api/legacy_conditions.h"

namespace tern::router {
namespace {

using model::AttributeType;
using model::AttributeValue;
using testing::IsOk;
using Op = KeyRange::Op;

KeySchemaView HashRange(AttributeType range_type = AttributeType::kN) {
  return KeySchemaView{"pk", AttributeType::kS, std::string("sk"), range_type};
}

KeySchemaView HashOnly() { return KeySchemaView{"pk", AttributeType::kS, std::nullopt, {}}; }

// Parses text as a KeyConditionExpression with these values and names, as a
// Query request would, and checks it against schema.
absl::StatusOr<KeyRange> Check(const char* text,
                               const KeySchemaView& schema = HashRange(),
                               const char* values = R"({":p":{"S":"x"},":n":{"N":"1"},
                                                       ":m":{"N":"5"},":s":{"S":"ab"}})") {
  static const std::map<std::string, std::string> kNames = {{"#pk", "pk"}, {"#sk", "sk"}};
  absl::StatusOr<model::Item> items = model::ParseItem(boost::json::parse(values));
  EXPECT_THAT(items, IsOk());
  expr::Substitutions subs{&kNames, &*items};
  absl::StatusOr<expr::Condition> condition =
      expr::ParseCondition(text, expr::ExpressionKind::kKeyCondition, subs, nullptr);
  if (!condition.ok()) return condition.status();
  return CheckKeyCondition(*condition, schema);
}

std::string Error(const char* text, const KeySchemaView& schema = HashRange()) {
  absl::StatusOr<KeyRange> range = Check(text, schema);
  return range.ok() ? "OK" : std::string(range.status().message());
}

TEST(KeyConditionTest, HashOnly) {
  absl::StatusOr<KeyRange> range = Check("pk = :p", HashOnly());
  ASSERT_THAT(range, IsOk());
  EXPECT_EQ(range->hash, AttributeValue::S("x"));
  EXPECT_EQ(range->op, Op::kNone);
}

TEST(KeyConditionTest, RangeOperators) {
  struct Case {
    const char* text;
    Op op;
  };
  for (const Case& c : {Case{"pk = :p AND sk = :n", Op::kEq},
                        Case{"pk = :p AND sk < :n", Op::kLt},
                        Case{"pk = :p AND sk <= :n", Op::kLe},
                        Case{"pk = :p AND sk > :n", Op::kGt},
                        Case{"#pk = :p AND #sk >= :n", Op::kGe},
                        Case{"sk > :n AND pk = :p", Op::kGt},
                        Case{"(pk = :p) AND (sk > :n)", Op::kGt},
                        // A value on the left is mirrored.
                        Case{":p = pk AND :n < sk", Op::kGt},
                        Case{"pk = :p AND :n >= sk", Op::kLe}}) {
    SCOPED_TRACE(c.text);
    absl::StatusOr<KeyRange> range = Check(c.text);
    ASSERT_THAT(range, IsOk());
    EXPECT_EQ(range->hash, AttributeValue::S("x"));
    EXPECT_EQ(range->op, c.op);
    EXPECT_EQ(range->low, AttributeValue::N(*model::Number::Parse("1")));
  }
  absl::StatusOr<KeyRange> between = Check("pk = :p AND sk BETWEEN :n AND :m");
  ASSERT_THAT(between, IsOk());
  EXPECT_EQ(between->op, Op::kBetween);
  EXPECT_EQ(between->low, AttributeValue::N(*model::Number::Parse("1")));
  EXPECT_EQ(between->high, AttributeValue::N(*model::Number::Parse("5")));
  absl::StatusOr<KeyRange> prefix =
      Check("pk = :p AND begins_with(sk, :s)", HashRange(AttributeType::kS));
  ASSERT_THAT(prefix, IsOk());
  EXPECT_EQ(prefix->op, Op::kBeginsWith);
  EXPECT_EQ(prefix->low, AttributeValue::S("ab"));
  absl::StatusOr<KeyRange> hash_only = Check("pk = :p");
  ASSERT_THAT(hash_only, IsOk());
  EXPECT_EQ(hash_only->op, Op::kNone);
}

// Shape errors [dynalite validations/index.js checkExpr].
TEST(KeyConditionTest, InvalidOperators) {
  EXPECT_EQ(Error("pk = :p OR sk = :n"), "Invalid operator used in KeyConditionExpression: OR");
  EXPECT_EQ(Error("NOT pk = :p"), "Invalid operator used in KeyConditionExpression: NOT");
  EXPECT_EQ(Error("pk IN (:p, :s)"), "Invalid operator used in KeyConditionExpression: IN");
  EXPECT_EQ(Error("pk <> :p"), "Invalid operator used in KeyConditionExpression: <>");
  EXPECT_EQ(Error("pk = :p AND attribute_exists(sk)"),
            "Invalid operator used in KeyConditionExpression: attribute_exists");
  EXPECT_EQ(Error("pk = :p AND attribute_not_exists(sk)"),
            "Invalid operator used in KeyConditionExpression: attribute_not_exists");
  EXPECT_EQ(Error("pk = :p AND contains(sk, :n)"),
            "Invalid operator used in KeyConditionExpression: contains");
  // Depth first, left to right: the first offending node wins.
  EXPECT_EQ(Error("pk = :p AND (sk = :n OR NOT sk = :m)"),
            "Invalid operator used in KeyConditionExpression: OR");
}

TEST(KeyConditionTest, UnsupportedShapes) {
  EXPECT_EQ(Error("pk = :p AND size(sk) > :n"),
            "KeyConditionExpressions cannot contain nested operations");
  EXPECT_EQ(Error("pk = :p AND :n BETWEEN sk AND :m"),
            "Invalid condition in KeyConditionExpression: BETWEEN operator must have the key "
            "attribute as its first operand");
  EXPECT_EQ(Error("pk = sk"),
            "Invalid condition in KeyConditionExpression: Multiple attribute names used in one "
            "condition");
  EXPECT_EQ(Error("pk = :p AND sk.a = :n"),
            "KeyConditionExpressions cannot have conditions on nested attributes");
  EXPECT_EQ(Error("pk = :p AND sk[1] = :n"),
            "KeyConditionExpressions cannot have conditions on nested attributes");
  EXPECT_EQ(Error("pk = :p AND pk = :p"),
            "Invalid KeyConditionExpression: KeyConditionExpressions must only contain one "
            "condition per key");
  // Pinned against DynamoDB (conformance suite, 2026).
  EXPECT_EQ(Error("pk = :p AND sk > :n AND sk < :m"),
            "Invalid KeyConditionExpression: KeyConditionExpressions must only contain one "
            "condition per key");
}

TEST(KeyConditionTest, SchemaErrors) {
  EXPECT_EQ(Error("sk = :n"), "Query condition missed key schema element: pk");
  EXPECT_EQ(Error("colour = :p"), "Query condition missed key schema element: pk");
  // A second condition on something other than the range key (moto tests).
  EXPECT_EQ(Error("pk = :p AND colour = :n"), "Query condition missed key schema element: sk");
  EXPECT_EQ(Error("colour = :p AND sk = :n"), "Query condition missed key schema element: pk");
  // Pinned against DynamoDB (conformance suite, 2026).
  EXPECT_EQ(Error("pk = :p AND sk > :n AND colour = :m"),
            "The number of query conditions (3) exceeds the number of key attributes defined in "
            "the schema (2)");
  // The same rule on a hash-only schema (unverified extrapolation).
  EXPECT_EQ(Error("pk = :p AND sk = :n", HashOnly()),
            "The number of query conditions (2) exceeds the number of key attributes defined in "
            "the schema (1)");
  EXPECT_EQ(Error("pk < :p"), "Query key condition not supported");
  EXPECT_EQ(Error("begins_with(pk, :p)"), "Query key condition not supported");
  EXPECT_EQ(Error("pk BETWEEN :p AND :p"), "Query key condition not supported");
  EXPECT_EQ(Error("pk = :n"),
            "One or more parameter values were invalid: Condition parameter type does not match "
            "schema type");
  EXPECT_EQ(Error("pk = :p AND sk = :s"),
            "One or more parameter values were invalid: Condition parameter type does not match "
            "schema type");
  // The type check comes before the operator check on the hash key.
  EXPECT_EQ(Error("pk > :n"),
            "One or more parameter values were invalid: Condition parameter type does not match "
            "schema type");
}

TEST(KeyConditionTest, BeginsWithOnNumbers) {
  // The parser rejects a number operand of begins_with.
  EXPECT_EQ(Error("pk = :p AND begins_with(sk, :n)"),
            "Invalid KeyConditionExpression: Incorrect operand type for operator or function; "
            "operator or function: begins_with, operand type: N");
  // A string prefix on a number range key does not match the schema type.
  EXPECT_EQ(Error("pk = :p AND begins_with(sk, :s)"),
            "One or more parameter values were invalid: Condition parameter type does not match "
            "schema type");
  // A hand-built tree gets the parser's message.
  expr::Condition condition;
  condition.kind = expr::Condition::Kind::kBeginsWith;
  condition.operands = {expr::Operand::OfPath({expr::PathElement::Name("sk")}),
                        expr::Operand::OfValue(AttributeValue::N(*model::Number::Parse("1")))};
  EXPECT_EQ(CheckKeyCondition(condition, HashRange()).status().message(),
            "Invalid KeyConditionExpression: Incorrect operand type for operator or function; "
            "operator or function: begins_with, operand type: N");
}

TEST(KeyConditionTest, LegacyKeyConditions) {
  absl::StatusOr<expr::Condition> condition =
      ConvertKeyConditions(boost::json::parse(R"({"KeyConditions":{
          "sk":{"ComparisonOperator":"BEGINS_WITH","AttributeValueList":[{"S":"ab"}]},
          "pk":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"x"}]}}})")
                               .as_object());
  ASSERT_THAT(condition, IsOk());
  absl::StatusOr<KeyRange> range = CheckKeyCondition(*condition, HashRange(AttributeType::kS));
  ASSERT_THAT(range, IsOk());
  EXPECT_EQ(range->hash, AttributeValue::S("x"));
  EXPECT_EQ(range->op, Op::kBeginsWith);
  EXPECT_EQ(range->low, AttributeValue::S("ab"));

  absl::StatusOr<expr::Condition> on_range_only =
      ConvertKeyConditions(boost::json::parse(R"({"KeyConditions":{
          "sk":{"ComparisonOperator":"GT","AttributeValueList":[{"N":"1"}]}}})")
                               .as_object());
  ASSERT_THAT(on_range_only, IsOk());
  EXPECT_EQ(CheckKeyCondition(*on_range_only, HashRange()).status().message(),
            "Query condition missed key schema element: pk");

  absl::StatusOr<expr::Condition> hash_gt =
      ConvertKeyConditions(boost::json::parse(R"({"KeyConditions":{
          "pk":{"ComparisonOperator":"GT","AttributeValueList":[{"S":"x"}]}}})")
                               .as_object());
  ASSERT_THAT(hash_gt, IsOk());
  EXPECT_EQ(CheckKeyCondition(*hash_gt, HashRange()).status().message(),
            "Query key condition not supported");
}

}  // namespace
}  // namespace tern::router
