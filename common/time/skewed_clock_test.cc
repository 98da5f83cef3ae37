#include "common/time/skewed_clock.h"

#include "gtest/gtest.h"

namespace tern::time {
namespace {

using std::chrono::milliseconds;

TEST(SkewedClockTest, ReadsTheBaseClockUntilSkewed) {
  ManualClock base;
  SkewedClock clock(&base);
  const Clock::TimePoint start = clock.Now();
  EXPECT_EQ(start, base.Now());
  EXPECT_EQ(clock.WallNow(), base.WallNow());
  base.Advance(milliseconds(100));
  EXPECT_EQ(clock.Now() - start, milliseconds(100));
}

TEST(SkewedClockTest, RunsAtTheRateInForceAndStaysMonotonicAcrossChanges) {
  ManualClock base;
  SkewedClock clock(&base);
  const Clock::TimePoint start = clock.Now();
  base.Advance(milliseconds(100));
  clock.SetSkew(2.0, absl::ZeroDuration());
  EXPECT_EQ(clock.Now() - start, milliseconds(100));  // a rate change is no jump
  base.Advance(milliseconds(100));
  EXPECT_EQ(clock.Now() - start, milliseconds(300));
  clock.SetSkew(0.5, absl::ZeroDuration());
  base.Advance(milliseconds(100));
  EXPECT_EQ(clock.Now() - start, milliseconds(350));
  EXPECT_DOUBLE_EQ(clock.rate(), 0.5);
}

TEST(SkewedClockTest, OffsetsOnlyTheWallClock) {
  ManualClock base;
  SkewedClock clock(&base);
  const Clock::TimePoint start = clock.Now();
  clock.SetSkew(1.0, absl::Seconds(-7));
  EXPECT_EQ(clock.WallNow(), base.WallNow() - absl::Seconds(7));
  EXPECT_EQ(clock.Now(), start);
  EXPECT_EQ(clock.wall_offset(), absl::Seconds(-7));
  clock.SetSkew(1.0, absl::ZeroDuration());
  EXPECT_EQ(clock.WallNow(), base.WallNow());
}

TEST(SkewedClockDeathTest, RefusesANonPositiveRate) {
  ManualClock base;
  SkewedClock clock(&base);
  EXPECT_DEATH(clock.SetSkew(0.0, absl::ZeroDuration()), "clock rate must be positive");
}

}  // namespace
}  // namespace tern::time
