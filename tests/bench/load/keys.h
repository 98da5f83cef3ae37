// Key choosers of the YCSB workloads, over record numbers [0, n):
//  - uniform;
//  - zipfian (Gray et al.'s generator as YCSB implements it, theta 0.99),
//    scrambled: rank r maps to record FNV-1a(r) mod n, so the popular
//    records are spread over the key space (and the partitions), as YCSB's
//    ScrambledZipfianGenerator does;
//  - latest: zipfian over recency, the newest inserted record most popular.
// Record numbers become keys with RecordKey(). Deterministic for a seed;
// not thread-safe (one per connection).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <random>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tern::bench {

using Rng = std::mt19937_64;

class KeyChooser {
 public:
  virtual ~KeyChooser() = default;
  virtual uint64_t Next(Rng& rng) = 0;
};

// Zipfian ranks in [0, n): 0 most popular.
class ZipfianRanks {
 public:
  explicit ZipfianRanks(uint64_t n, double theta = 0.99);
  uint64_t Next(Rng& rng) const;
  uint64_t n() const { return n_; }

 private:
  uint64_t n_;
  double theta_, alpha_, zetan_, eta_, half_pow_theta_;
};

// "uniform", "zipfian" or "latest"; `inserted` counts the records present
// (it grows as workloads D and E insert) and must outlive the chooser.
absl::StatusOr<std::unique_ptr<KeyChooser>> MakeKeyChooser(absl::string_view distribution,
                                                           uint64_t records,
                                                           const std::atomic<uint64_t>* inserted);

uint64_t Fnv1a64(uint64_t value);

// "user" + 16 hex digits of the record number's hash: YCSB-style keys that
// do not sort in insertion order.
std::string RecordKey(uint64_t record);

}  // namespace tern::bench
