#include "common/time/skewed_clock.h"

#include <cmath>

#include "common/base/check.h"

namespace tern::time {
namespace {

Clock::TimePoint Project(Clock::TimePoint anchor,
                         Clock::TimePoint base_anchor,
                         double rate,
                         Clock::TimePoint base_now) {
  const auto elapsed = base_now - base_anchor;
  if (rate == 1.0) return anchor + elapsed;
  return anchor + std::chrono::duration_cast<Clock::Duration>(
                      std::chrono::duration<double, Clock::Duration::period>(
                          static_cast<double>(elapsed.count()) * rate));
}

}  // namespace

SkewedClock::SkewedClock(const Clock* base)
    : base_(base), anchor_(base->Now()), base_anchor_(anchor_) {}

Clock::TimePoint SkewedClock::Now() const {
  const TimePoint base_now = base_->Now();
  base::MutexLock lock(&mu_);
  return Project(anchor_, base_anchor_, rate_, base_now);
}

absl::Time SkewedClock::WallNow() const {
  const absl::Time wall = base_->WallNow();
  base::MutexLock lock(&mu_);
  return wall + wall_offset_;
}

void SkewedClock::SetSkew(double rate, absl::Duration wall_offset) {
  TERN_CHECK(rate > 0 && std::isfinite(rate)) << "clock rate must be positive";
  const TimePoint base_now = base_->Now();
  base::MutexLock lock(&mu_);
  anchor_ = Project(anchor_, base_anchor_, rate_, base_now);
  base_anchor_ = base_now;
  rate_ = rate;
  wall_offset_ = wall_offset;
}

double SkewedClock::rate() const {
  base::MutexLock lock(&mu_);
  return rate_;
}

absl::Duration SkewedClock::wall_offset() const {
  base::MutexLock lock(&mu_);
  return wall_offset_;
}

}  // namespace tern::time
