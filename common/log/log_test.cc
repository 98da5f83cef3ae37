#include "common/log/log.h"

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "boost/json.hpp"
#include "gtest/gtest.h"

namespace tern::log {
namespace {

class LogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Init("tern-test", Level::kInfo);
    SetSinkForTesting([this](absl::string_view line) { lines_.emplace_back(line); });
  }
  void TearDown() override { SetSinkForTesting(nullptr); }

  std::vector<std::string> lines_;
};

TEST_F(LogTest, EmitsOneJsonObjectPerEntry) {
  TERN_LOG(Info, "node started")
      .With("az", "az-a")
      .With("port", 7100)
      .With("ready", true)
      .With("negative", -3);
  ASSERT_EQ(lines_.size(), 1u);
  boost::json::object obj = boost::json::parse(lines_[0]).as_object();
  EXPECT_EQ(obj.at("level").as_string(), "info");
  EXPECT_EQ(obj.at("proc").as_string(), "tern-test");
  EXPECT_EQ(obj.at("msg").as_string(), "node started");
  EXPECT_EQ(obj.at("az").as_string(), "az-a");
  EXPECT_EQ(obj.at("port").as_int64(), 7100);
  EXPECT_EQ(obj.at("ready").as_bool(), true);
  EXPECT_EQ(obj.at("negative").as_int64(), -3);
  EXPECT_TRUE(obj.contains("ts"));
  EXPECT_NE(obj.at("src").as_string().find("log_test.cc:"), boost::json::string::npos);
}

TEST_F(LogTest, EscapesAwkwardStrings) {
  TERN_LOG(Warning, "quote \" backslash \\ newline \n tab \t bell \a").With("k\"", "v\x01");
  ASSERT_EQ(lines_.size(), 1u);
  boost::json::object obj = boost::json::parse(lines_[0]).as_object();
  EXPECT_EQ(obj.at("msg").as_string(), "quote \" backslash \\ newline \n tab \t bell \a");
  EXPECT_EQ(obj.at("k\"").as_string(), "v\x01");
}

TEST_F(LogTest, DropsEntriesBelowMinimumLevel) {
  TERN_LOG(Debug, "hidden");
  EXPECT_TRUE(lines_.empty());
  Init("tern-test", Level::kDebug);
  TERN_LOG(Debug, "shown");
  EXPECT_EQ(lines_.size(), 1u);
}

TEST(LogLevelTest, Parse) {
  Level level = Level::kInfo;
  EXPECT_TRUE(ParseLevel("error", &level));
  EXPECT_EQ(level, Level::kError);
  EXPECT_FALSE(ParseLevel("loud", &level));
  EXPECT_EQ(level, Level::kError);
}

}  // namespace
}  // namespace tern::log
