#include "router/api/substitutions.h"

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
  const std::string ok_key = "#" + std::string(254, 'k');
  EXPECT_THAT(parse(("{\"ExpressionAttributeNames\":{\"" + ok_key + "\":\"x\"}}").c_str()), IsOk());
  const std::string long_key = ":" + std::string(255, 'k');
  EXPECT_THAT(
      parse(("{\"ExpressionAttributeValues\":{\"" + long_key + "\":{\"S\":\"x\"}}}").c_str()),
      StatusIs(absl::StatusCode::kInvalidArgument,
               "ExpressionAttributeValues contains invalid key: The expression attribute map "
               "contains a key that is too long; size of key: 256"));
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

}  // namespace
}  // namespace tern::router
