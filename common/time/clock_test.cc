#include "common/time/clock.h"

#include "gtest/gtest.h"

namespace tern::time {
namespace {

using std::chrono::milliseconds;

TEST(ClockTest, RealClockIsMonotonic) {
  Clock* clock = RealClock();
  Clock::TimePoint a = clock->Now();
  Clock::TimePoint b = clock->Now();
  EXPECT_LE(a, b);
  EXPECT_EQ(RealClock(), clock);
}

TEST(ClockTest, ManualClockMovesOnlyWhenAdvanced) {
  ManualClock clock;
  Clock::TimePoint start = clock.Now();
  absl::Time wall = clock.WallNow();
  EXPECT_EQ(clock.Now(), start);
  clock.Advance(milliseconds(150));
  EXPECT_EQ(clock.Now() - start, milliseconds(150));
  EXPECT_EQ(clock.WallNow() - wall, absl::Milliseconds(150));
}

TEST(ClockTest, ManualWallClockCanJumpWithoutMovingMonotonicTime) {
  ManualClock clock;
  Clock::TimePoint start = clock.Now();
  clock.SetWallTime(absl::FromUnixSeconds(5));
  EXPECT_EQ(clock.WallNow(), absl::FromUnixSeconds(5));
  EXPECT_EQ(clock.Now(), start);
}

TEST(ClockDeathTest, ManualClockRefusesToGoBack) {
  ManualClock clock;
  EXPECT_DEATH(clock.Advance(milliseconds(-1)), "clocks do not go backwards");
}

}  // namespace
}  // namespace tern::time
