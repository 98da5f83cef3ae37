// LatencyHistogram: latencies in microseconds in log-linear buckets (128
// per power of two above 128 us, so any percentile is within 1.6% of the
// recorded value), mergeable, O(1) to record. Not thread-safe: keep one per
// connection and merge.
#pragma once

#include <cstdint>
#include <vector>

namespace tern::bench {

class LatencyHistogram {
 public:
  LatencyHistogram();

  void Record(uint64_t micros);
  void Merge(const LatencyHistogram& other);
  void Clear();

  uint64_t count() const { return count_; }
  uint64_t max() const { return max_; }
  double mean() const { return count_ == 0 ? 0 : static_cast<double>(sum_) / count_; }
  // The smallest recorded value v (rounded to its bucket's upper edge, and
  // never above max()) such that at least p percent of values are <= v;
  // 0 when empty. p in [0, 100].
  uint64_t Percentile(double p) const;

 private:
  static int Index(uint64_t micros);
  static uint64_t UpperEdge(int index);

  std::vector<uint64_t> counts_;
  uint64_t count_ = 0;
  uint64_t sum_ = 0;
  uint64_t max_ = 0;
};

}  // namespace tern::bench
