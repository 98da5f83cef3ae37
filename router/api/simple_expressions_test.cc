#include "router/api/simple_expressions.h"

#include "boost/json/parse.hpp"
#include "common/testing/testing.h"
#include "gtest/gtest.h"

namespace tern::router {
namespace {

using ::testing::ElementsAre;
using testing::IsOk;
using testing::StatusIs;

Substitutions From(const char* json) {
  absl::StatusOr<Substitutions> s =
      Substitutions::FromRequest(boost::json::parse(json).as_object());
  EXPECT_THAT(s, IsOk());
  return s.ok() ? *std::move(s) : Substitutions();
}

TEST(SubstitutionsTest, RejectsEmptyMapsAndBadKeys) {
  auto parse = [](const char* json) {
    return Substitutions::FromRequest(boost::json::parse(json).as_object()).status();
  };
  EXPECT_THAT(
      parse(R"({"ExpressionAttributeNames":{}})"),
      StatusIs(absl::StatusCode::kInvalidArgument, "ExpressionAttributeNames must not be empty"));
  EXPECT_THAT(
      parse(R"({"ExpressionAttributeValues":{}})"),
      StatusIs(absl::StatusCode::kInvalidArgument, "ExpressionAttributeValues must not be empty"));
  EXPECT_THAT(parse(R"({"ExpressionAttributeNames":{"n":"x"}})"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "ExpressionAttributeNames contains invalid key: Syntax error; key: \"n\""));
  EXPECT_THAT(parse(R"({"ExpressionAttributeValues":{"v":{"S":"x"}}})"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "ExpressionAttributeValues contains invalid key: Syntax error; key: \"v\""));
}

TEST(SubstitutionsTest, CommonExprParsersReportWhatTheyUsed) {
  Substitutions s = From(R"({"ExpressionAttributeNames":{"#y":"Year","#z":"Zed"}})");
  expr::SubstitutionUse use;
  auto paths = expr::ParseProjection("a.b[1], #y", s.ForParser(), &use);
  ASSERT_THAT(paths, IsOk());
  EXPECT_EQ(paths->size(), 2u);
  s.MarkUsed(use);
  EXPECT_THAT(s.CheckAllUsed(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "Value provided in ExpressionAttributeNames unused in expressions: keys: "
                       "{#z}"));
}

TEST(SimpleUpdateTest, SetAndRemoveInOrder) {
  Substitutions s = From(R"({"ExpressionAttributeNames":{"#y":"Year"},)"
                         R"("ExpressionAttributeValues":{":y":{"N":"2016"},":g":{"S":"Pop"}}})");
  auto updates = ParseSimpleUpdate("SET #y = :y, Genre=:g REMOVE Old, Older", &s);
  ASSERT_THAT(updates, IsOk());
  ASSERT_EQ(updates->size(), 4u);
  EXPECT_EQ((*updates)[0].name, "Year");
  EXPECT_EQ((*updates)[0].action, model::UpdateAction::kPut);
  EXPECT_EQ((*updates)[0].value->n().ToString(), "2016");
  EXPECT_EQ((*updates)[1].name, "Genre");
  EXPECT_EQ((*updates)[2].name, "Old");
  EXPECT_EQ((*updates)[2].action, model::UpdateAction::kDelete);
  EXPECT_FALSE((*updates)[3].value.has_value());
  EXPECT_THAT(s.CheckAllUsed(), IsOk());
}

TEST(SimpleUpdateTest, UndefinedValueNamesTheExpression) {
  Substitutions s;
  EXPECT_THAT(ParseSimpleUpdate("SET a = :v", &s),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "Invalid UpdateExpression: An expression attribute value used in "
                       "expression is not defined; attribute value: :v"));
}

TEST(SimpleUpdateTest, BeyondTheSubsetIsRefusedHonestly) {
  Substitutions s = From(R"({"ExpressionAttributeValues":{":v":{"N":"1"}}})");
  for (const char* expression :
       {"SET a = a + :v", "ADD a :v", "SET a.b = :v", "SET a = list_append(a, :v)", "a = :v"}) {
    absl::Status status = ParseSimpleUpdate(expression, &s).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << expression;
    EXPECT_NE(status.message().find("Tern does not support this UpdateExpression yet"),
              absl::string_view::npos)
        << expression;
  }
}

}  // namespace
}  // namespace tern::router
