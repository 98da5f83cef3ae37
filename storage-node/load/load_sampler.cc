#include "storage-node/load/load_sampler.h"

#include <algorithm>

namespace tern::load {

absl::StatusOr<std::string> ChooseLoadSplit(const LoadSample& sample,
                                            const std::string& start,
                                            size_t min_samples) {
  const std::vector<std::string>& keys = sample.keys;
  if (keys.size() < std::max<size_t>(min_samples, 2)) {
    return absl::FailedPreconditionError("too few requests sampled to split by load");
  }
  size_t increasing = 0;
  for (size_t i = 1; i < keys.size(); ++i) increasing += keys[i - 1] < keys[i] ? 1 : 0;
  if (increasing * 10 >= (keys.size() - 1) * 9) {
    return absl::FailedPreconditionError("access is sequential: a split would not spread the load");
  }
  std::map<std::string, size_t> counts;
  for (const std::string& key : keys) ++counts[key];
  for (const auto& [key, count] : counts) {
    if (count * 2 > keys.size()) {
      return absl::FailedPreconditionError(
          "one partition key draws most requests: a split would not spread the load");
    }
  }
  // Split at the boundary whose halves differ least: left holds every
  // sample below the key.
  const size_t total = keys.size();
  size_t below = 0;
  std::string best;
  size_t best_gap = total + 1;
  for (const auto& [key, count] : counts) {
    if (key > start) {
      const size_t gap = below * 2 > total ? below * 2 - total : total - below * 2;
      if (gap < best_gap) {
        best_gap = gap;
        best = key;
      }
    }
    below += count;
  }
  if (best.empty()) {
    return absl::FailedPreconditionError("no sampled key lies inside the partition");
  }
  return best;
}

LoadSampler::LoadSampler(time::Clock* clock,
                         size_t capacity,
                         uint32_t sample_every,
                         std::chrono::milliseconds window)
    : clock_(clock),
      capacity_(capacity),
      sample_every_(std::max<uint32_t>(sample_every, 1)),
      window_(window) {}

void LoadSampler::Record(uint64_t partition_id, const std::string& boundary) {
  const time::Clock::TimePoint now = clock_->Now();
  base::MutexLock lock(&mu_);
  auto [it, created] = partitions_.try_emplace(partition_id);
  Partition& partition = it->second;
  if (created) partition.window_start = now;
  if (now - partition.window_start >= window_) {
    const double seconds = std::chrono::duration<double>(now - partition.window_start).count();
    partition.last_rate = static_cast<double>(partition.seen) / seconds;
    partition.seen = 0;
    partition.window_start = now;
  }
  if (partition.seen++ % sample_every_ != 0) return;
  partition.keys.push_back(boundary);
  if (partition.keys.size() > capacity_) partition.keys.pop_front();
}

double LoadSampler::RequestsPerSecond(uint64_t partition_id) const {
  const time::Clock::TimePoint now = clock_->Now();
  base::MutexLock lock(&mu_);
  auto it = partitions_.find(partition_id);
  if (it == partitions_.end()) return 0;
  const Partition& partition = it->second;
  if (now - partition.window_start >= window_) {
    // The window ended without a request closing it.
    const double seconds = std::chrono::duration<double>(now - partition.window_start).count();
    return static_cast<double>(partition.seen) / seconds;
  }
  if (partition.last_rate >= 0) return partition.last_rate;
  const double seconds = std::chrono::duration<double>(now - partition.window_start).count();
  return seconds > 0.5 ? static_cast<double>(partition.seen) / seconds : 0;
}

LoadSample LoadSampler::Sample(uint64_t partition_id) const {
  base::MutexLock lock(&mu_);
  LoadSample sample;
  auto it = partitions_.find(partition_id);
  if (it != partitions_.end()) sample.keys.assign(it->second.keys.begin(), it->second.keys.end());
  return sample;
}

void LoadSampler::Forget(uint64_t partition_id) {
  base::MutexLock lock(&mu_);
  partitions_.erase(partition_id);
}

}  // namespace tern::load
