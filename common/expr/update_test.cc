#include <map>
#include <string>
#include <vector>

#include "common/base/error_details.h"
#include "common/expr/evaluator.h"
#include "common/expr/expr_test_util.h"
#include "common/expr/parser.h"
#include "gtest/gtest.h"

namespace tern::expr {
namespace {

using model::AttributeValue;
using testing::N;
using testing::Num;
using testing::S;

class UpdateTest : public ::testing::Test {
 protected:
  UpdateTest() {
    item_["s"] = S("abc");
    item_["n"] = N("5");
    item_["l"] = AttributeValue::L({S("l0"), S("l1"), S("l2"), S("l3")});
    item_["m"] = AttributeValue::M({{"k", S("v")}});
    item_["ss"] = AttributeValue::SS({"x", "z"});
    values_ = testing::StandardValues();
  }

  std::string Error(absl::string_view text) {
    absl::StatusOr<UpdateExpression> update =
        ParseUpdate(text, Substitutions{&names_, &values_}, nullptr);
    if (update.ok()) return "OK";
    EXPECT_EQ(base::GetErrorKind(update.status()), base::ErrorKind::kValidation);
    return std::string(update.status().message());
  }

  // Applies text to item_; returns the error message or "OK".
  std::string Apply(absl::string_view text) {
    absl::StatusOr<UpdateExpression> update =
        ParseUpdate(text, Substitutions{&names_, &values_}, nullptr);
    EXPECT_TRUE(update.ok()) << text << ": " << update.status();
    if (!update.ok()) return "parse error";
    absl::Status status = ApplyUpdate(*update, &item_);
    if (status.ok()) return "OK";
    EXPECT_EQ(base::GetErrorKind(status), base::ErrorKind::kValidation);
    return std::string(status.message());
  }

  model::Item item_;
  model::Item values_;
  std::map<std::string, std::string> names_ = testing::StandardNames();
};

TEST_F(UpdateTest, ParseErrors) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "The expression can not be empty;"},
      {"SET", R"m(Syntax error; token: "<EOF>", near: "SET")m"},
      {"SET a = :s,", R"m(Syntax error; token: "<EOF>", near: ",")m"},
      {"SET a :s", R"m(Syntax error; token: ":s", near: "a :s")m"},
      {"a = :s", R"m(Syntax error; token: "a", near: "a =")m"},
      {"SET a = :s AND b = :s", R"m(Syntax error; token: "AND", near: ":s AND b")m"},
      {"ADD a b", R"m(Syntax error; token: "b", near: "a b")m"},
      {"REMOVE a SET b = :s REMOVE c",
       R"m(The "REMOVE" section can only be used once in an update expression;)m"},
      {"SET a = foo(b)", "Invalid function name; function: foo"},
      {"SET a = size(b)", "Invalid function name; function: size"},
      {"SET status = :s", "Attribute name is a reserved keyword; reserved keyword: status"},
      {"SET a = :x",
       "An expression attribute value used in expression is not defined; attribute value: :x"},
      {"SET #x = :s",
       "An expression attribute name used in the document path is not defined; attribute name: #x"},
      {"SET a = :s REMOVE a",
       "Two document paths overlap with each other; must remove or rewrite one of these paths; "
       "path one: [a], path two: [a]"},
      {"SET a.b = :s REMOVE #a",
       "Two document paths overlap with each other; must remove or rewrite one of these paths; "
       "path one: [a, b], path two: [a]"},
      {"SET a.b = :s REMOVE a[0]",
       "Two document paths conflict with each other; must remove or rewrite one of these paths; "
       "path one: [a, b], path two: [a, [0]]"},
      {"ADD a :s",
       "Incorrect operand type for operator or function; operator: ADD, operand type: STRING"},
      {"ADD a :l",
       "Incorrect operand type for operator or function; operator: ADD, operand type: LIST"},
      {"DELETE a :n",
       "Incorrect operand type for operator or function; operator: DELETE, operand type: NUMBER"},
      {"SET a = :s + :n",
       "Incorrect operand type for operator or function; operator or function: +, operand type: "
       "S"},
      {"SET a = list_append(:s, b)",
       "Incorrect operand type for operator or function; operator or function: list_append, "
       "operand type: S"},
      {"SET a = if_not_exists(:s, :s)",
       "Operator or function requires a document path; operator or function: if_not_exists"},
      {"SET a = list_append(b)",
       "Incorrect number of operands for operator or function; operator or function: "
       "list_append, number of operands: 1"},
      // Precedence.
      {"SET status = foo(:x)", "Attribute name is a reserved keyword; reserved keyword: status"},
      {"SET a = foo(:x) SET b = :s", "Invalid function name; function: foo"},
      {"SET a = :s SET b = :x",
       R"m(The "SET" section can only be used once in an update expression;)m"},
  };
  for (const auto& [text, message] : cases) {
    EXPECT_EQ(Error(text), "Invalid UpdateExpression: " + message) << text;
  }
  for (const char* text : {"set a = :s remove b",
                           "SET a = b + :n, c = (b - :n)",
                           "ADD a :n, b :ss DELETE c :ss, d :ns",
                           "SET a = list_append(if_not_exists(a, :l), :l)",
                           "SET #a.b[3] = :m REMOVE x[1], x[2]",
                           "REMOVE a ADD b :bs SET c = :s DELETE d :bs"}) {
    EXPECT_EQ(Error(text), "OK") << text;
  }
}

TEST_F(UpdateTest, SetValues) {
  EXPECT_EQ(Apply("SET a = :s, n = n + :n2, m.k2 = :n, l[1] = :s, l[10] = :n"), "OK");
  EXPECT_EQ(item_["a"], S("x"));
  EXPECT_EQ(item_["n"], N("7"));
  EXPECT_EQ(item_["m"], AttributeValue::M({{"k", S("v")}, {"k2", N("1")}}));
  EXPECT_EQ(item_["l"], AttributeValue::L({S("l0"), S("x"), S("l2"), S("l3"), N("1")}));
  EXPECT_EQ(Apply("SET n = n - :n"), "OK");
  EXPECT_EQ(item_["n"], N("6"));
  EXPECT_EQ(Apply("SET x = if_not_exists(absent, :n), y = if_not_exists(s, :n)"), "OK");
  EXPECT_EQ(item_["x"], N("1"));
  EXPECT_EQ(item_["y"], S("abc"));
  EXPECT_EQ(Apply("SET l2 = list_append(:l, m2), m2 = :l"),
            "The provided expression refers to an attribute that does not exist in the item");
  EXPECT_EQ(Apply("SET l = list_append(:l, l)"), "OK");
  EXPECT_EQ(item_["l"].l().size(), 7u);
  EXPECT_EQ(item_["l"].l()[0], N("1"));
}

TEST_F(UpdateTest, OperandsReadTheOriginalItem) {
  EXPECT_EQ(Apply("SET s = n, n = s"), "OK");
  EXPECT_EQ(item_["s"], N("5"));
  EXPECT_EQ(item_["n"], S("abc"));
}

TEST_F(UpdateTest, RuntimeErrorsLeaveTheItemUnchanged) {
  const model::Item before = item_;
  EXPECT_EQ(Apply("SET a = :s, n = absent + :n"),
            "The provided expression refers to an attribute that does not exist in the item");
  EXPECT_EQ(Apply("SET a = :s, n = s + :n"),
            "An operand in the update expression has an incorrect data type");
  EXPECT_EQ(Apply("SET a = list_append(s, :l)"),
            "An operand in the update expression has an incorrect data type");
  EXPECT_EQ(Apply("SET a = :s, absent.k = :s"),
            "The document path provided in the update expression is invalid for update");
  EXPECT_EQ(Apply("SET s[0] = :s"),
            "The document path provided in the update expression is invalid for update");
  EXPECT_EQ(Apply("ADD s :n"), "An operand in the update expression has an incorrect data type");
  EXPECT_EQ(Apply("ADD ss :ns"), "An operand in the update expression has an incorrect data type");
  EXPECT_EQ(Apply("DELETE n :ss"),
            "An operand in the update expression has an incorrect data type");
  EXPECT_EQ(Apply("ADD absent.k :n"),
            "The document path provided in the update expression is invalid for update");
  EXPECT_EQ(item_, before);
}

TEST_F(UpdateTest, Remove) {
  EXPECT_EQ(Apply("REMOVE s, l[0], l[2], m.k, absent, absent2.x, l[9]"), "OK");
  EXPECT_EQ(item_.count("s"), 0u);
  EXPECT_EQ(item_["l"], AttributeValue::L({S("l1"), S("l3")}));
  EXPECT_EQ(item_["m"], AttributeValue::M({}));
}

TEST_F(UpdateTest, AddAndDelete) {
  EXPECT_EQ(Apply("ADD n :n2, fresh :n, ss :ss, fresh_set :bs"), "OK");
  EXPECT_EQ(item_["n"], N("7"));
  EXPECT_EQ(item_["fresh"], N("1"));
  EXPECT_EQ(item_["ss"], AttributeValue::SS({"x", "z", "y"}));
  EXPECT_EQ(item_["fresh_set"], AttributeValue::BS({"ab", "cd"}));
  EXPECT_EQ(Apply("DELETE ss :ss, absent :ss"), "OK");
  EXPECT_EQ(item_["ss"], AttributeValue::SS({"z"}));
  values_[":z"] = AttributeValue::SS({"z", "q"});
  EXPECT_EQ(Apply("DELETE ss :z"), "OK");
  EXPECT_EQ(item_.count("ss"), 0u);
}

}  // namespace
}  // namespace tern::expr
