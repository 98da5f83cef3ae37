#include "common/time/clock.h"

#include "absl/time/clock.h"
#include "common/base/check.h"

namespace tern::time {
namespace {

class SystemClock final : public Clock {
 public:
  TimePoint Now() const override { return std::chrono::steady_clock::now(); }
  absl::Time WallNow() const override { return absl::Now(); }
};

}  // namespace

Clock* RealClock() {
  static SystemClock* const kClock = new SystemClock();
  return kClock;
}

ManualClock::ManualClock()
    : now_(TimePoint(std::chrono::hours(1))), wall_(absl::FromUnixSeconds(1'000'000'000)) {}

Clock::TimePoint ManualClock::Now() const {
  base::MutexLock lock(&mu_);
  return now_;
}

absl::Time ManualClock::WallNow() const {
  base::MutexLock lock(&mu_);
  return wall_;
}

void ManualClock::Advance(Duration by) {
  TERN_CHECK(by >= Duration::zero()) << "clocks do not go backwards";
  base::MutexLock lock(&mu_);
  now_ += by;
  wall_ += absl::FromChrono(by);
}

void ManualClock::SetWallTime(absl::Time wall) {
  base::MutexLock lock(&mu_);
  wall_ = wall;
}

}  // namespace tern::time
