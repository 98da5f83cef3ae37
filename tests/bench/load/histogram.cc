#include "tests/bench/load/histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace tern::bench {
namespace {

constexpr int kSubBits = 7;  // 128 exact values, then 64 per octave
constexpr int kHalf = 1 << (kSubBits - 1);
constexpr int kBuckets = (64 - kSubBits + 1) * kHalf + kHalf * 2;

}  // namespace

LatencyHistogram::LatencyHistogram() : counts_(kBuckets, 0) {}

int LatencyHistogram::Index(uint64_t micros) {
  if (micros < (uint64_t{1} << kSubBits)) return static_cast<int>(micros);
  const int msb = 63 - std::countl_zero(micros);
  const int shift = msb - kSubBits + 1;  // >= 1
  return shift * kHalf + static_cast<int>(micros >> shift);
}

uint64_t LatencyHistogram::UpperEdge(int index) {
  if (index < (1 << kSubBits)) return static_cast<uint64_t>(index);
  const int shift = index / kHalf - 1;
  const uint64_t sub = static_cast<uint64_t>(index - shift * kHalf);
  return ((sub + 1) << shift) - 1;
}

void LatencyHistogram::Record(uint64_t micros) {
  ++counts_[Index(micros)];
  ++count_;
  sum_ += micros;
  max_ = std::max(max_, micros);
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  for (size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  sum_ += other.sum_;
  max_ = std::max(max_, other.max_);
}

void LatencyHistogram::Clear() { *this = LatencyHistogram(); }

uint64_t LatencyHistogram::Percentile(double p) const {
  if (count_ == 0) return 0;
  const uint64_t rank = std::max<uint64_t>(1, static_cast<uint64_t>(std::ceil(p / 100.0 * count_)));
  uint64_t seen = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::min(UpperEdge(static_cast<int>(i)), max_);
  }
  return max_;
}

}  // namespace tern::bench
