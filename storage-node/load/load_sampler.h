// Load-based split decisions. A LoadSampler remembers, per partition, the
// partition-key boundary (table prefix + key hash) of a sample of the
// requests a replica served, in arrival order, and counts requests in the
// current window. ChooseLoadSplit, a pure function, picks the key that
// divides the sampled load in half, or refuses when a split would not spread
// the load: one partition key draws most requests (a split cannot cut an
// item collection), or the keys arrive in order (sequential access: the hot
// spot moves with the tail and follows it into either half).
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/base/mutex.h"
#include "common/time/clock.h"

namespace tern::load {

// The partition-key boundary of a storage key: its table prefix and key hash
// (docs/formats/key-encoding.md), where a split may cut.
inline std::string Boundary(const std::string& storage_key) {
  return storage_key.substr(0, std::min<size_t>(storage_key.size(), 16));
}

// What ChooseLoadSplit needs of a partition's recent requests.
struct LoadSample {
  std::vector<std::string> keys;  // sampled boundaries, oldest first
};

// The split key (a sampled boundary, strictly above start) that best
// balances the sampled requests below and at-or-above it. FAILED_PRECONDITION
// when there are fewer than min_samples samples, when one key holds more
// than half of them, when at least 90% of consecutive samples increase
// (sequential access), or when no boundary lies above start.
absl::StatusOr<std::string> ChooseLoadSplit(const LoadSample& sample,
                                            const std::string& start,
                                            size_t min_samples = 64);

// Per-partition samples and request rates. Thread-safe.
class LoadSampler {
 public:
  // Keeps the last capacity samples of each partition; one request in
  // every sample_every is sampled; rates are measured over window.
  LoadSampler(time::Clock* clock,
              size_t capacity = 1024,
              uint32_t sample_every = 4,
              std::chrono::milliseconds window = std::chrono::milliseconds(10000));

  // A request for key (a storage key) served for partition_id.
  void Record(uint64_t partition_id, const std::string& boundary);

  // Requests per second over the last complete window (or the current one
  // while the first is still open).
  double RequestsPerSecond(uint64_t partition_id) const;
  LoadSample Sample(uint64_t partition_id) const;
  // Forgets a partition (dropped or split).
  void Forget(uint64_t partition_id);

 private:
  struct Partition {
    std::deque<std::string> keys;
    uint64_t seen = 0;  // requests in the current window
    double last_rate = -1;
    time::Clock::TimePoint window_start;
  };

  time::Clock* const clock_;
  const size_t capacity_;
  const uint32_t sample_every_;
  const std::chrono::milliseconds window_;
  mutable base::Mutex mu_;
  std::map<uint64_t, Partition> partitions_ ABSL_GUARDED_BY(mu_);
};

}  // namespace tern::load
