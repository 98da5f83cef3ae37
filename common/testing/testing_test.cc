#include "common/testing/testing.h"

#include <filesystem>
#include <fstream>

#include "gtest/gtest.h"

namespace tern::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(MatchersTest, IsOkAndStatusIs) {
  EXPECT_THAT(absl::OkStatus(), IsOk());
  EXPECT_THAT(absl::StatusOr<int>(3), IsOk());
  EXPECT_THAT(absl::NotFoundError("no table"), Not(IsOk()));
  EXPECT_THAT(absl::NotFoundError("no table"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("table")));
  EXPECT_THAT(absl::StatusOr<int>(absl::AbortedError("x")),
              Not(StatusIs(absl::StatusCode::kNotFound, ::testing::_)));
}

TEST(TempDirTest, CreatesAndRemoves) {
  std::string path;
  {
    TempDir dir;
    path = dir.path();
    ASSERT_TRUE(std::filesystem::is_directory(path));
    std::ofstream(path + "/file") << "x";
  }
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(SeedRandomTest, HonoursFixedSeed) {
  setenv("TERN_TEST_SEED", "12345", 1);
  EXPECT_EQ(SeedRandom(), 12345u);
  unsetenv("TERN_TEST_SEED");
}

}  // namespace
}  // namespace tern::testing
