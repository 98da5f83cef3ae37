// Clock: the one door to time. Production code gets the real clock; tests and
// the simulator inject a ManualClock that moves only when told to.
//
// Now() is monotonic (for timeouts, leases and latencies); WallNow() is wall
// time (for timestamps users see, such as CreationDateTime). Both are
// thread-safe on every implementation here.
#pragma once

#include <chrono>

#include "absl/base/thread_annotations.h"
#include "absl/time/time.h"
#include "common/base/mutex.h"

namespace tern::time {

class Clock {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  using Duration = std::chrono::steady_clock::duration;

  virtual ~Clock() = default;

  // Monotonic time; never goes backwards.
  virtual TimePoint Now() const = 0;
  // Wall-clock time; may jump.
  virtual absl::Time WallNow() const = 0;
};

// The process-wide real clock. Never null, never destroyed.
Clock* RealClock();

// A clock that only moves when Advance() or SetWallTime() is called.
// Thread-safe.
class ManualClock final : public Clock {
 public:
  // Starts at an arbitrary non-zero monotonic time and the Unix epoch + 1e9 s.
  ManualClock();

  TimePoint Now() const override;
  absl::Time WallNow() const override;

  // Moves both clocks forward. REQUIRES: by >= 0.
  void Advance(Duration by);
  void SetWallTime(absl::Time wall);

 private:
  mutable base::Mutex mu_;
  TimePoint now_ ABSL_GUARDED_BY(mu_);
  absl::Time wall_ ABSL_GUARDED_BY(mu_);
};

}  // namespace tern::time
