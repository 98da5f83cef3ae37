#include "common/base/check.h"

#include "gtest/gtest.h"

namespace tern::base {
namespace {

TEST(CheckTest, PassingCheckDoesNothing) {
  int evaluated = 0;
  TERN_CHECK(++evaluated == 1) << "never printed";
  EXPECT_EQ(evaluated, 1);
}

TEST(CheckDeathTest, FailingCheckAbortsWithContext) {
  int term = 3;
  EXPECT_DEATH({ TERN_CHECK(term == 4) << "term was " << term; },
               "check failed: term == 4 term was 3");
}

}  // namespace
}  // namespace tern::base
