#include "common/expr/evaluator.h"

#include <map>
#include <string>
#include <vector>

#include "common/expr/expr_test_util.h"
#include "common/expr/parser.h"
#include "gtest/gtest.h"

namespace tern::expr {
namespace {

using model::AttributeValue;
using testing::B;
using testing::N;
using testing::Num;
using testing::S;

class EvaluatorTest : public ::testing::Test {
 protected:
  EvaluatorTest() {
    item_["s"] = S("abc");
    item_["s2"] = S("abd");
    item_["e"] = S("");
    item_["u"] = S("h\xC3\xA9llo");  // 6 UTF-8 bytes
    item_["n"] = N("5");
    item_["n2"] = N("-0.5");
    item_["b"] = B(std::string("\x01\x02", 2));
    item_["bool"] = AttributeValue::Bool(true);
    item_["nul"] = AttributeValue::Null();
    item_["l"] = AttributeValue::L({N("1"), S("x"), AttributeValue::M({{"k", S("v")}})});
    item_["m"] = AttributeValue::M({{"k", S("v")}, {"deep", AttributeValue::M({{"z", N("1")}})}});
    item_["ss"] = AttributeValue::SS({"a", "b"});
    item_["ns"] = AttributeValue::NS({Num("1"), Num("2")});
    item_["bs"] = AttributeValue::BS({std::string("\x01", 1), "zz"});

    values_ = testing::StandardValues();
    values_[":abc"] = S("abc");
    values_[":ab"] = S("ab");
    values_[":abd"] = S("abd");
    values_[":empty"] = S("");
    values_[":a"] = S("a");
    values_[":x"] = S("x");
    values_[":n5"] = N("5");
    values_[":n500"] = N("5.00");
    values_[":n6"] = N("6");
    values_[":n0"] = N("0");
    values_[":n3"] = N("3");
    values_[":n6b"] = N("6");
    values_[":neg"] = N("-1");
    values_[":b12"] = B(std::string("\x01\x02", 2));
    values_[":b1"] = B(std::string("\x01", 1));
    values_[":b2"] = B(std::string("\x02", 1));
    values_[":true"] = AttributeValue::Bool(true);
    values_[":false"] = AttributeValue::Bool(false);
    values_[":kv"] = AttributeValue::M({{"k", S("v")}});
    values_[":ss_ba"] = AttributeValue::SS({"b", "a"});
    values_[":ns21"] = AttributeValue::NS({Num("2.0"), Num("1")});
    for (const char* t : {"S", "SS", "N", "NS", "B", "BS", "BOOL", "NULL", "L", "M"}) {
      values_[std::string(":T") + t] = S(t);
    }
  }

  bool Eval(absl::string_view text) {
    absl::StatusOr<Condition> condition =
        ParseCondition(text, ExpressionKind::kCondition, Substitutions{&names_, &values_}, nullptr);
    EXPECT_TRUE(condition.ok()) << text << ": " << condition.status();
    if (!condition.ok()) return false;
    absl::StatusOr<bool> result = EvaluateCondition(*condition, item_);
    EXPECT_TRUE(result.ok()) << text;
    return result.ok() && *result;
  }

  model::Item item_;
  model::Item values_;
  std::map<std::string, std::string> names_ = testing::StandardNames();
};

struct Case {
  const char* text;
  bool expected;
};

// Checks each row of a truth table.
#define EXPECT_TABLE(cases)                                          \
  for (const Case& c : cases) {                                      \
    EXPECT_EQ(Eval(c.text), c.expected) << "expression: " << c.text; \
  }

TEST_F(EvaluatorTest, Equality) {
  const std::vector<Case> cases = {
      {"s = :abc", true},       {"s = :ab", false},      {"s <> :ab", true},
      {"s <> :abc", false},     {"n = :n5", true},       {"n = :n500", true},
      {"n <> :n500", false},    {"n = :n6", false},      {"b = :b12", true},
      {"b = :b1", false},       {"bool = :true", true},  {"bool = :false", false},
      {"nul = :null", true},    {"m.k = :x", false},     {"l[2] = :kv", true},
      {"ss = :ss_ba", true},    {"ns = :ns21", true},    {"s = :n5", false},
      {"s <> :n5", true},       {"n = s", false},        {"absent = :abc", false},
      {"absent <> :abc", true}, {"absent <> zz2", true}, {"s2 <> s", true},
      {"l[1] = :x", true},      {"l[9] = :x", false},    {"m.deep.z = :n", true},
      {"s[0] = :abc", false},   {"m.k.z = :x", false},   {"#n = :x", false},
  };
  EXPECT_TABLE(cases);
}

TEST_F(EvaluatorTest, Ordering) {
  const std::vector<Case> cases = {
      {"s < :abd", true},      {"s < :abc", false},     {"s <= :abc", true},
      {"s > :ab", true},       {"s >= :abd", false},    {"s2 > s", true},
      {"n < :n6", true},       {"n <= :n500", true},    {"n > :n500", false},
      {"n >= :n5", true},      {"n2 < :n0", true},      {"n2 > :neg", true},
      {"b < :b2", true},       {"b > :b1", true},       {"b <= :b1", false},
      {"e < :a", true},        {"s < :n6", false},      {"s > :n6", false},
      {"n < :abc", false},     {"absent < :n6", false}, {"absent >= :n6", false},
      {":n6 > absent", false}, {"l < :n6", false},      {"bool > :n0", false},
      {"ss < :abc", false},    {"absent < zz2", false},
  };
  EXPECT_TABLE(cases);
}

TEST_F(EvaluatorTest, BetweenAndIn) {
  const std::vector<Case> cases = {
      {"n BETWEEN :n3 AND :n6", true},
      {"n BETWEEN :n5 AND :n6", true},
      {"n BETWEEN :n0 AND :n500", true},
      {"n BETWEEN :n6 AND :n6b", false},
      {"s BETWEEN :ab AND :abc", true},
      {"s BETWEEN :abd AND :abd", false},
      {"b BETWEEN :b1 AND :b2", true},
      {"s BETWEEN :n0 AND :n6", false},
      {"absent BETWEEN :n0 AND :n6", false},
      {"n BETWEEN s AND s2", false},
      {"n IN (:n6, :n500)", true},
      {"n IN (:n6, :abc)", false},
      {"s IN (:abc)", true},
      {"absent IN (:abc, :n5)", false},
      {"ss IN (:ss_ba)", true},
      {"s IN (zz2, s2)", false},
      {"NOT n IN (:n6)", true},
  };
  EXPECT_TABLE(cases);
}

TEST_F(EvaluatorTest, AttributeExistsAndType) {
  const std::vector<Case> cases = {
      {"attribute_exists(s)", true},
      {"attribute_exists(absent)", false},
      {"attribute_exists(m.deep.z)", true},
      {"attribute_exists(m.deep.y)", false},
      {"attribute_exists(l[2].k)", true},
      {"attribute_exists(l[3])", false},
      {"attribute_not_exists(absent)", true},
      {"attribute_not_exists(nul)", false},
      {"attribute_type(s, :TS)", true},
      {"attribute_type(s, :TN)", false},
      {"attribute_type(ss, :TSS)", true},
      {"attribute_type(n, :TN)", true},
      {"attribute_type(ns, :TNS)", true},
      {"attribute_type(b, :TB)", true},
      {"attribute_type(bs, :TBS)", true},
      {"attribute_type(bool, :TBOOL)", true},
      {"attribute_type(nul, :TNULL)", true},
      {"attribute_type(l, :TL)", true},
      {"attribute_type(m, :TM)", true},
      {"attribute_type(m, :TL)", false},
      {"attribute_type(absent, :TNULL)", false},
  };
  EXPECT_TABLE(cases);
}

TEST_F(EvaluatorTest, BeginsWithContainsSize) {
  const std::vector<Case> cases = {
      {"begins_with(s, :ab)", true},
      {"begins_with(s, :abc)", true},
      {"begins_with(s, :abd)", false},
      {"begins_with(s, :empty)", true},
      {"begins_with(b, :b1)", true},
      {"begins_with(b, :b2)", false},
      {"begins_with(s, :b1)", false},
      {"begins_with(n, :ab)", false},
      {"begins_with(absent, :ab)", false},
      {"contains(s, :ab)", true},
      {"contains(s, :x)", false},
      {"contains(ss, :a)", true},
      {"contains(ss, :ab)", false},
      {"contains(ns, :n)", true},
      {"contains(ns, :n6)", false},
      {"contains(bs, :b1)", true},
      {"contains(bs, :b12)", false},
      {"contains(l, :x)", true},
      {"contains(l, :n)", true},
      {"contains(l, :kv)", true},
      {"contains(l, :a)", false},
      {"contains(m, :x)", false},
      {"contains(n, :n5)", false},
      {"contains(absent, :x)", false},
      {"contains(s, s2)", false},
      {"size(s) = :n3", true},
      {"size(u) = :n6", true},
      {"size(b) = :n2", true},
      {"size(e) = :n0", true},
      {"size(l) = :n3", true},
      {"size(m) = :n2", true},
      {"size(ss) = :n2", true},
      {"size(ns) = :n2", true},
      {"size(bs) = :n2", true},
      {"size(n) = :n", false},
      {"size(n) <> :n", true},
      {"size(absent) >= :n0", false},
      {"size(bool) >= :n0", false},
      {"size(s) BETWEEN :n0 AND size(u)", true},
  };
  EXPECT_TABLE(cases);
}

TEST_F(EvaluatorTest, Logic) {
  const std::vector<Case> cases = {
      {"s = :abc AND n = :n5", true},
      {"s = :abc AND n = :n6", false},
      {"s = :ab OR n = :n5", true},
      {"s = :ab OR n = :n6", false},
      {"NOT s = :ab", true},
      {"NOT NOT s = :ab", false},
      {"NOT (s = :ab OR n = :n6)", true},
      {"s = :ab OR n = :n6 OR bool = :true", true},
      {"s = :abc AND (n = :n6 OR NOT attribute_exists(zz))", true},
  };
  EXPECT_TABLE(cases);
}

TEST_F(EvaluatorTest, ResolvePath) {
  EXPECT_EQ(ResolvePath(item_, {PathElement::Name("s")}), &item_["s"]);
  EXPECT_EQ(ResolvePath(item_, {}), nullptr);
  EXPECT_EQ(ResolvePath(item_, {PathElement::Index(0)}), nullptr);
  const AttributeValue* k =
      ResolvePath(item_, {PathElement::Name("l"), PathElement::Index(2), PathElement::Name("k")});
  ASSERT_NE(k, nullptr);
  EXPECT_EQ(*k, S("v"));
  EXPECT_EQ(ResolvePath(item_, {PathElement::Name("s"), PathElement::Index(0)}), nullptr);
}

TEST_F(EvaluatorTest, MalformedHandBuiltTreesAreFalseNotCrashes) {
  Condition c;
  for (Condition::Kind kind : {Condition::Kind::kCompare,
                               Condition::Kind::kBetween,
                               Condition::Kind::kIn,
                               Condition::Kind::kAnd,
                               Condition::Kind::kOr,
                               Condition::Kind::kNot,
                               Condition::Kind::kAttributeExists,
                               Condition::Kind::kAttributeNotExists,
                               Condition::Kind::kAttributeType,
                               Condition::Kind::kBeginsWith,
                               Condition::Kind::kContains}) {
    c.kind = kind;
    absl::StatusOr<bool> result = EvaluateCondition(c, item_);
    ASSERT_TRUE(result.ok());
    EXPECT_FALSE(*result);
  }
}

}  // namespace
}  // namespace tern::expr
