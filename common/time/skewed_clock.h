// SkewedClock: a clock that runs off another one at an adjustable rate and
// with an adjustable wall-clock offset. Fault-injection experiments use it to
// give one process a fast or slow clock (its replication ticks, leases,
// timeouts and heartbeats follow Now()) or a wall clock that is off by
// seconds (timestamps follow WallNow()), and change both while it runs.
//
// Now() stays monotonic whatever the rate: it integrates the base clock's
// elapsed time times the rate in force, and a rate change re-anchors it.
// Thread-safe.
#pragma once

#include "absl/base/thread_annotations.h"
#include "common/base/mutex.h"
#include "common/time/clock.h"

namespace tern::time {

class SkewedClock final : public Clock {
 public:
  // base must outlive the clock. Starts at rate 1 with no offset, reading
  // what base reads.
  explicit SkewedClock(const Clock* base);

  TimePoint Now() const override;
  absl::Time WallNow() const override;

  // From now on Now() advances rate times as fast as the base clock and
  // WallNow() reads the base's wall time plus wall_offset.
  // REQUIRES: rate > 0.
  void SetSkew(double rate, absl::Duration wall_offset);
  double rate() const;
  absl::Duration wall_offset() const;

 private:
  const Clock* const base_;
  mutable base::Mutex mu_;
  // Now() = anchor_ + rate_ * (base_->Now() - base_anchor_).
  TimePoint anchor_ ABSL_GUARDED_BY(mu_);
  TimePoint base_anchor_ ABSL_GUARDED_BY(mu_);
  double rate_ ABSL_GUARDED_BY(mu_) = 1.0;
  absl::Duration wall_offset_ ABSL_GUARDED_BY(mu_);
};

}  // namespace tern::time
