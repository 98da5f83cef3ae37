#include "common/expr/parser.h"

#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/base/error_details.h"
#include "common/expr/expr_test_util.h"
#include "common/testing/testing.h"
#include "gtest/gtest.h"

namespace tern::expr {
namespace {

using testing::StandardNames;
using testing::StandardValues;

class ParserTest : public ::testing::Test {
 protected:
  absl::StatusOr<Condition> Parse(absl::string_view text,
                                  ExpressionKind kind = ExpressionKind::kCondition) {
    return ParseCondition(text, kind, Substitutions{&names_, &values_}, &use_);
  }

  // The full message of the error text gives, or "OK".
  std::string Error(absl::string_view text, ExpressionKind kind = ExpressionKind::kCondition) {
    absl::StatusOr<Condition> result = Parse(text, kind);
    if (result.ok()) return "OK";
    EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(base::GetErrorKind(result.status()), base::ErrorKind::kValidation);
    return std::string(result.status().message());
  }

  std::string ProjectionError(absl::string_view text) {
    absl::StatusOr<std::vector<Path>> result =
        ParseProjection(text, Substitutions{&names_, &values_}, &use_);
    if (result.ok()) return "OK";
    return std::string(result.status().message());
  }

  std::map<std::string, std::string> names_ = StandardNames();
  model::Item values_ = StandardValues();
  SubstitutionUse use_;
};

struct Golden {
  std::string text;
  std::string message;  // without "Invalid ConditionExpression: "
};

TEST_F(ParserTest, SyntaxErrors) {
  const std::vector<Golden> cases = {
      {"foo", R"m(Syntax error; token: "<EOF>", near: "foo")m"},
      {"a <", R"m(Syntax error; token: "<EOF>", near: "<")m"},
      {"a < ", R"m(Syntax error; token: "<EOF>", near: "<")m"},
      {"a = = b", R"m(Syntax error; token: "=", near: "= = b")m"},
      {"_123 = :s", R"m(Syntax error; token: "_", near: "_123")m"},
      {"a = :s)", R"m(Syntax error; token: ")", near: ":s)")m"},
      {"a IN ()", R"m(Syntax error; token: ")", near: "()")m"},
      {"a BETWEEN :n AND", R"m(Syntax error; token: "<EOF>", near: "AND")m"},
      {"a = #", R"m(Syntax error; token: "#", near: "= #")m"},
      {"a = :", R"m(Syntax error; token: ":", near: "= :")m"},
      {"a.and = :s", R"m(Syntax error; token: "and", near: ".and =")m"},
      {"a[x] = :s", R"m(Syntax error; token: "x", near: "[x]")m"},
      {"a[-1] = :s", R"m(Syntax error; token: "-", near: "[-1")m"},
      {"a[99999999999] = :s", R"m(Syntax error; token: "99999999999", near: "[99999999999]")m"},
      {"a = :s AND", R"m(Syntax error; token: "<EOF>", near: "AND")m"},
      {"(a = :s", R"m(Syntax error; token: "<EOF>", near: ":s")m"},
      {"a = :s b", R"m(Syntax error; token: "b", near: ":s b")m"},
      {"a = :s ; b", R"m(Syntax error; token: ";", near: ":s ; b")m"},
      {"a \xC3\xA9 :s", "Syntax error; token: \"\xC3\xA9\", near: \"a \xC3\xA9 :s\""},
      {"a = 3", R"m(Syntax error; token: "3", near: "= 3")m"},
      {"NOT", R"m(Syntax error; token: "<EOF>", near: "NOT")m"},
      {"a = :s OR OR b = :s", R"m(Syntax error; token: "OR", near: "OR OR b")m"},
      {"contains()", R"m(Syntax error; token: ")", near: "()")m"},
  };
  for (const Golden& c : cases) {
    EXPECT_EQ(Error(c.text), "Invalid ConditionExpression: " + c.message) << c.text;
  }
}

TEST_F(ParserTest, EmptyAndSizeLimit) {
  EXPECT_EQ(Error(""), "Invalid ConditionExpression: The expression can not be empty;");
  EXPECT_EQ(Error(" \t\n"), "Invalid ConditionExpression: The expression can not be empty;");
  EXPECT_EQ(Error("", ExpressionKind::kFilter),
            "Invalid FilterExpression: The expression can not be empty;");

  const std::string at_limit = "a" + std::string(kMaxExpressionBytes - 6, 'z') + " = :s";
  ASSERT_EQ(at_limit.size(), kMaxExpressionBytes);
  EXPECT_EQ(Error(at_limit), "OK");
  const std::string over = "a" + at_limit;
  EXPECT_EQ(Error(over),
            "Invalid ConditionExpression: Expression size has exceeded the maximum allowed size; "
            "expression size: 4097");
  EXPECT_EQ(Error(over, ExpressionKind::kFilter),
            "Invalid FilterExpression: Expression size has exceeded the maximum allowed size; "
            "expression size: 4097");
  EXPECT_EQ(ProjectionError("a" + std::string(kMaxExpressionBytes, 'z')),
            "Invalid ProjectionExpression: Expression size has exceeded the maximum allowed size;");
}

TEST_F(ParserTest, SemanticErrors) {
  const std::vector<Golden> cases = {
      {"((a = :s))", "The expression has redundant parentheses;"},
      {"((a)) = :s", "The expression has redundant parentheses;"},
      {"foo(a)", "Invalid function name; function: foo"},
      {"a = Size(b)", "Invalid function name; function: Size"},
      {"size(a)",
       "The function is not allowed to be used this way in an expression; function: size"},
      {"attribute_exists(a) = :s",
       "The function is not allowed to be used this way in an expression; function: "
       "attribute_exists"},
      {"(attribute_exists(a)) = :s",
       "The function is not allowed to be used this way in an expression; function: "
       "attribute_exists"},
      {"contains(begins_with(a, :s), :s)",
       "The function is not allowed to be used this way in an expression; function: begins_with"},
      {"status = :s", "Attribute name is a reserved keyword; reserved keyword: status"},
      {"a.Data = :s", "Attribute name is a reserved keyword; reserved keyword: Data"},
      {"#x = :s",
       "An expression attribute name used in the document path is not defined; attribute name: #x"},
      {"a = :x",
       "An expression attribute value used in expression is not defined; attribute value: :x"},
      {"attribute_exists(a, b)",
       "Incorrect number of operands for operator or function; operator or function: "
       "attribute_exists, number of operands: 2"},
      {"begins_with(a)",
       "Incorrect number of operands for operator or function; operator or function: "
       "begins_with, number of operands: 1"},
      {"a = a",
       "The first operand must be distinct from the remaining operands for this operator or "
       "function; operator: =, first operand: [a]"},
      {"begins_with(a.b[1], #a.b[1])",
       "The first operand must be distinct from the remaining operands for this operator or "
       "function; operator: begins_with, first operand: [a, b, [1]]"},
      {"a IN (:s, a)",
       "The first operand must be distinct from the remaining operands for this operator or "
       "function; operator: IN, first operand: [a]"},
      {"attribute_exists(:s)",
       "Operator or function requires a document path; operator or function: attribute_exists"},
      {"attribute_not_exists(size(a))",
       "Operator or function requires a document path; operator or function: "
       "attribute_not_exists"},
      {"attribute_type(a, :n)",
       "Incorrect operand type for operator or function; operator or function: attribute_type, "
       "operand type: N"},
      {"attribute_type(a, b)",
       "Incorrect operand type for operator or function; operator or function: attribute_type, "
       "operand type: {NS,SS,L,BS,N,M,B,BOOL,NULL,S}"},
      {"attribute_type(a, :bad)",
       "Invalid attribute type name found; type: X, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}"},
      {"begins_with(a, :n)",
       "Incorrect operand type for operator or function; operator or function: begins_with, "
       "operand type: N"},
      {"begins_with(a, size(b))",
       "Incorrect operand type for operator or function; operator or function: begins_with, "
       "operand type: N"},
      {"size(:n) > :n",
       "Incorrect operand type for operator or function; operator or function: size, operand "
       "type: N"},
      {"size(:bool) > :n",
       "Incorrect operand type for operator or function; operator or function: size, operand "
       "type: BOOL"},
      {"a < :l",
       "Incorrect operand type for operator or function; operator or function: <, operand type: "
       "L"},
      {":bool >= a",
       "Incorrect operand type for operator or function; operator or function: >=, operand "
       "type: BOOL"},
      {"a BETWEEN :null AND :n",
       "Incorrect operand type for operator or function; operator or function: BETWEEN, operand "
       "type: NULL"},
      {"a BETWEEN :n2 AND :n",
       "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; "
       "lower bound operand: AttributeValue: {N:2}, upper bound operand: AttributeValue: {N:1}"},
      {"a BETWEEN :n AND :s",
       "The BETWEEN operator requires same data type for lower and upper bounds; lower bound "
       "operand: AttributeValue: {N:1}, upper bound operand: AttributeValue: {S:x}"},
      {"a BETWEEN :b AND :b", "OK"},
      // Precedence between categories.
      {"status = :x", "Attribute name is a reserved keyword; reserved keyword: status"},
      {"foo(a) AND ((b = :s))", "The expression has redundant parentheses;"},
      {"size(a) AND foo(b)", "Invalid function name; function: foo"},
      {"#x = :s AND status = :s", "Attribute name is a reserved keyword; reserved keyword: status"},
      {"a < :l AND #x = :s",
       "An expression attribute name used in the document path is not defined; attribute name: #x"},
  };
  for (const Golden& c : cases) {
    const std::string expected =
        c.message == "OK" ? "OK" : "Invalid ConditionExpression: " + c.message;
    EXPECT_EQ(Error(c.text), expected) << c.text;
  }
}

TEST_F(ParserTest, InOperandLimit) {
  std::string hundred = "a IN (:s";
  for (int i = 1; i < kMaxInOperands; ++i) hundred += ", :s";
  EXPECT_EQ(Error(hundred + ")"), "OK");
  EXPECT_EQ(Error(hundred + ", :s)"),
            "Invalid ConditionExpression: The IN operator is provided with too many operands; "
            "number of operands: 101");
}

TEST_F(ParserTest, NestingLimitIsASyntaxErrorNotACrash) {
  std::string deep(1000, '(');
  EXPECT_NE(Error(deep + "a = :s" + std::string(deep.size(), ')')).find("Syntax error"),
            std::string::npos);
  std::string nots;
  for (int i = 0; i < 1000; ++i) nots += "NOT ";
  EXPECT_NE(Error(nots + "a = :s").find("Syntax error"), std::string::npos);
  std::string calls;
  for (int i = 0; i < 400; ++i) calls += "size(";
  EXPECT_NE(Error(calls + "a" + std::string(400, ')') + " = :s").find("Syntax error"),
            std::string::npos);
  // Moderate nesting is fine.
  EXPECT_EQ(Error("(((a = :s) AND (b = :s)) OR (NOT NOT c = :s))"), "OK");
}

TEST_F(ParserTest, KindNamesThePrefix) {
  EXPECT_EQ(Error("status = :s", ExpressionKind::kFilter),
            "Invalid FilterExpression: Attribute name is a reserved keyword; reserved keyword: "
            "status");
  EXPECT_EQ(Error("a", ExpressionKind::kKeyCondition),
            R"m(Invalid KeyConditionExpression: Syntax error; token: "<EOF>", near: "a")m");
}

TEST_F(ParserTest, PrecedenceNotAndOr) {
  absl::StatusOr<Condition> c = Parse("a = :s OR b = :s AND NOT c = :s");
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->kind, Condition::Kind::kOr);
  EXPECT_EQ(c->children[0].kind, Condition::Kind::kCompare);
  const Condition& right = c->children[1];
  ASSERT_EQ(right.kind, Condition::Kind::kAnd);
  EXPECT_EQ(right.children[0].kind, Condition::Kind::kCompare);
  ASSERT_EQ(right.children[1].kind, Condition::Kind::kNot);
  EXPECT_EQ(right.children[1].children[0].kind, Condition::Kind::kCompare);

  c = Parse("(a = :s OR b = :s) and c = :s");
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->kind, Condition::Kind::kAnd);
  EXPECT_EQ(c->children[0].kind, Condition::Kind::kOr);

  // NOT binds tighter than AND.
  c = Parse("NOT a = :s AND b = :s");
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->kind, Condition::Kind::kAnd);
  EXPECT_EQ(c->children[0].kind, Condition::Kind::kNot);
}

TEST_F(ParserTest, OperandsAndPaths) {
  absl::StatusOr<Condition> c = Parse("#a.b[2].#n <= size(#dot)");
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->kind, Condition::Kind::kCompare);
  EXPECT_EQ(c->comparator, Comparator::kLe);
  const Operand& left = c->operands[0];
  EXPECT_EQ(left.kind, Operand::Kind::kPath);
  EXPECT_EQ(PathToString(left.path), "[a, b, [2], n]");
  const Operand& right = c->operands[1];
  EXPECT_EQ(right.kind, Operand::Kind::kSize);
  ASSERT_EQ(right.path.size(), 1u);
  EXPECT_EQ(right.path[0].name, "x.y");  // substituted names are never split

  c = Parse("a BETWEEN :n AND :n2");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->kind, Condition::Kind::kBetween);
  ASSERT_EQ(c->operands.size(), 3u);
  EXPECT_EQ(c->operands[2].value, testing::N("2"));

  c = Parse("a in (:s, :n, b)");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->kind, Condition::Kind::kIn);
  EXPECT_EQ(c->operands.size(), 4u);

  c = Parse("size(:s) = :n");  // size of a constant folds to a constant
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->operands[0].kind, Operand::Kind::kValue);
  EXPECT_EQ(c->operands[0].value, testing::N("1"));

  for (const char* text : {"attribute_exists(a)",
                           "attribute_not_exists(#s)",
                           "attribute_type(a, :t)",
                           "begins_with(a, :s)",
                           "contains(a, :n)",
                           "(a) = :s",
                           "(a = :s)",
                           "a<>:s",
                           "a   >=   :s",
                           "a1_b = :s",
                           "NOT (attribute_exists(a))",
                           "(attribute_exists(a)) AND (b = :s)",
                           "contains(size(a), :n)"}) {
    EXPECT_EQ(Error(text), "OK") << text;
  }
}

TEST_F(ParserTest, RecordsPlaceholderUse) {
  ASSERT_TRUE(Parse("#a = :s AND #n.x = :n").ok());
  EXPECT_EQ(use_.names, (std::set<std::string>{"#a", "#n"}));
  EXPECT_EQ(use_.values, (std::set<std::string>{":s", ":n"}));
  // Undefined ones are recorded too, and use accumulates.
  EXPECT_FALSE(Parse("#zz = :zz").ok());
  EXPECT_EQ(use_.names.count("#zz"), 1u);
  EXPECT_EQ(use_.values.count(":zz"), 1u);
}

TEST_F(ParserTest, NoSubstitutionMaps) {
  SubstitutionUse use;
  absl::StatusOr<Condition> c = ParseCondition("a = :v", ExpressionKind::kCondition, {}, &use);
  EXPECT_EQ(c.status().message(),
            "Invalid ConditionExpression: An expression attribute value used in expression is "
            "not defined; attribute value: :v");
  EXPECT_TRUE(ParseCondition("attribute_exists(a)", ExpressionKind::kCondition, {}, nullptr).ok());
}

TEST_F(ParserTest, ProjectionParses) {
  absl::StatusOr<std::vector<Path>> paths =
      ParseProjection("a, #n.b[3], c[1][2] , #dot", Substitutions{&names_, &values_}, &use_);
  ASSERT_TRUE(paths.ok()) << paths.status();
  ASSERT_EQ(paths->size(), 4u);
  EXPECT_EQ(PathToString((*paths)[0]), "[a]");
  EXPECT_EQ(PathToString((*paths)[1]), "[n, b, [3]]");
  EXPECT_EQ(PathToString((*paths)[2]), "[c, [1], [2]]");
  EXPECT_EQ(PathToString((*paths)[3]), "[x.y]");
  EXPECT_EQ(use_.names, (std::set<std::string>{"#n", "#dot"}));
}

TEST_F(ParserTest, ProjectionErrors) {
  const std::vector<Golden> cases = {
      {"", "The expression can not be empty;"},
      {"a,", R"m(Syntax error; token: "<EOF>", near: ",")m"},
      {"a, :s", R"m(Syntax error; token: ":s", near: ", :s")m"},
      {"a b", R"m(Syntax error; token: "b", near: "a b")m"},
      {"size(a)", R"m(Syntax error; token: "(", near: "size(a")m"},
      {"a, status", "Attribute name is a reserved keyword; reserved keyword: status"},
      {"a, #x",
       "An expression attribute name used in the document path is not defined; attribute name: #x"},
      {"a, a",
       "Two document paths overlap with each other; must remove or rewrite one of these paths; "
       "path one: [a], path two: [a]"},
      {"a, #a.b",
       "Two document paths overlap with each other; must remove or rewrite one of these paths; "
       "path one: [a], path two: [a, b]"},
      {"a.b[1].c, a.b[1]",
       "Two document paths overlap with each other; must remove or rewrite one of these paths; "
       "path one: [a, b, [1], c], path two: [a, b, [1]]"},
      {"a.b, a[0]",
       "Two document paths conflict with each other; must remove or rewrite one of these paths; "
       "path one: [a, b], path two: [a, [0]]"},
      {"a.b, a.c, x[1].d, x[2]", "OK"},
  };
  for (const Golden& c : cases) {
    const std::string expected =
        c.message == "OK" ? "OK" : "Invalid ProjectionExpression: " + c.message;
    EXPECT_EQ(ProjectionError(c.text), expected) << c.text;
  }
}

}  // namespace
}  // namespace tern::expr

namespace tern::expr {
namespace {

std::string UpdateError(absl::string_view text) {
  const std::map<std::string, std::string> names = StandardNames();
  const model::Item values = StandardValues();
  absl::StatusOr<UpdateExpression> update =
      ParseUpdate(text, Substitutions{&names, &values}, nullptr);
  if (update.ok()) return "OK";
  EXPECT_EQ(base::GetErrorKind(update.status()), base::ErrorKind::kValidation);
  return std::string(update.status().message());
}

// n comma-separated copies of item(i).
template <typename F>
std::string Repeat(int n, F item) {
  std::string out;
  for (int i = 0; i < n; ++i) absl::StrAppend(&out, i > 0 ? "," : "", item(i));
  return out;
}

TEST(UpdateLimitsTest, TooManyOperators) {
  const std::string prefix = "Invalid UpdateExpression: ";
  auto remove = [](int i) { return absl::StrCat("a", i); };
  // Each action is one operator.
  EXPECT_EQ(UpdateError("REMOVE " + Repeat(kMaxOperators, remove)), "OK");
  EXPECT_EQ(UpdateError("REMOVE " + Repeat(kMaxOperators + 1, remove)),
            prefix + "The expression contains too many operators; operator count: 301");
  // Spread over clauses: 150 SET + 151 ADD.
  EXPECT_EQ(UpdateError("SET " + Repeat(150, [](int i) { return absl::StrCat("s", i, "=:n"); }) +
                        " ADD " + Repeat(151, [](int i) { return absl::StrCat("d", i, " :n"); })),
            prefix + "The expression contains too many operators; operator count: 301");
  // SET x = if_not_exists(b, :n) + :n is three: the action, the call, the +.
  auto set3 = [](int i) { return absl::StrCat("a", i, "=if_not_exists(b,:n)+:n"); };
  EXPECT_EQ(UpdateError("SET " + Repeat(100, set3)), "OK");
  EXPECT_EQ(UpdateError("SET " + Repeat(101, set3)),
            prefix + "The expression contains too many operators; operator count: 303");
  // Nested calls count each: list_append(if_not_exists(b, :l), :l) is two.
  const std::string nested = ",x=list_append(if_not_exists(b,:l),:l)";
  EXPECT_EQ(UpdateError("SET " + Repeat(99, set3) + nested), "OK");
  EXPECT_EQ(UpdateError("SET " + Repeat(99, set3) + nested + " REMOVE z"),
            prefix + "The expression contains too many operators; operator count: 301");
  // Precedence: after syntax errors, before everything the checker reports
  // (here a reserved word and an undefined value).
  EXPECT_EQ(UpdateError("REMOVE " + Repeat(301, remove) + ","),
            prefix + R"m(Syntax error; token: "<EOF>", near: ",")m");
  EXPECT_EQ(UpdateError("SET status = :undefined REMOVE " + Repeat(300, remove)),
            prefix + "The expression contains too many operators; operator count: 301");
}

}  // namespace
TEST(ConditionLimitsTest, TooManyOperators) {
  auto condition_error = [](const std::string& text) {
    model::Item values = {{":n", model::AttributeValue::N(*model::Number::Parse("1"))}};
    absl::StatusOr<Condition> parsed =
        ParseCondition(text, ExpressionKind::kFilter, Substitutions{nullptr, &values}, nullptr);
    return parsed.ok() ? std::string("OK") : std::string(parsed.status().message());
  };
  // a0 = :n AND a1 = :n ...: n comparisons and n - 1 ANDs.
  auto eq = [](int i) { return absl::StrCat("a", i, "=:n"); };
  auto chain = [&eq](int n) {
    std::string text = eq(0);
    for (int i = 1; i < n; ++i) text += " AND " + eq(i);
    return text;
  };
  EXPECT_EQ(condition_error(chain(150)), "OK");  // 299
  EXPECT_EQ(condition_error(chain(150) + " AND size(b) > :n"),
            "Invalid FilterExpression: The expression contains too many operators; operator "
            "count: 302");
  EXPECT_EQ(condition_error("NOT " + chain(150)), "OK");  // 300
  EXPECT_EQ(condition_error("NOT " + chain(150) + " OR b IN (:n)"),
            "Invalid FilterExpression: The expression contains too many operators; operator "
            "count: 302");
}

}  // namespace tern::expr
