#include "tests/bench/load/keys.h"

#include <cmath>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace tern::bench {
namespace {

double Zeta(uint64_t n, double theta) {
  double sum = 0;
  for (uint64_t i = 1; i <= n; ++i) sum += 1.0 / std::pow(static_cast<double>(i), theta);
  return sum;
}

double Uniform01(Rng& rng) { return std::uniform_real_distribution<double>(0.0, 1.0)(rng); }

class UniformKeys final : public KeyChooser {
 public:
  explicit UniformKeys(const std::atomic<uint64_t>* inserted) : inserted_(inserted) {}
  uint64_t Next(Rng& rng) override {
    return std::uniform_int_distribution<uint64_t>(0, inserted_->load() - 1)(rng);
  }

 private:
  const std::atomic<uint64_t>* inserted_;
};

class ScrambledZipfianKeys final : public KeyChooser {
 public:
  ScrambledZipfianKeys(uint64_t records, const std::atomic<uint64_t>* inserted)
      : ranks_(records), inserted_(inserted) {}
  uint64_t Next(Rng& rng) override { return Fnv1a64(ranks_.Next(rng)) % inserted_->load(); }

 private:
  ZipfianRanks ranks_;
  const std::atomic<uint64_t>* inserted_;
};

class LatestKeys final : public KeyChooser {
 public:
  LatestKeys(uint64_t records, const std::atomic<uint64_t>* inserted)
      : ranks_(records), inserted_(inserted) {}
  uint64_t Next(Rng& rng) override {
    const uint64_t newest = inserted_->load() - 1;
    const uint64_t back = ranks_.Next(rng);
    return back > newest ? 0 : newest - back;
  }

 private:
  ZipfianRanks ranks_;
  const std::atomic<uint64_t>* inserted_;
};

}  // namespace

ZipfianRanks::ZipfianRanks(uint64_t n, double theta)
    : n_(n),
      theta_(theta),
      alpha_(1.0 / (1.0 - theta)),
      zetan_(Zeta(n, theta)),
      half_pow_theta_(1.0 + std::pow(0.5, theta)) {
  eta_ =
      (1.0 - std::pow(2.0 / static_cast<double>(n), 1.0 - theta)) / (1.0 - Zeta(2, theta) / zetan_);
}

uint64_t ZipfianRanks::Next(Rng& rng) const {
  const double u = Uniform01(rng);
  const double uz = u * zetan_;
  if (uz < 1.0) return 0;
  if (uz < half_pow_theta_) return std::min<uint64_t>(1, n_ - 1);
  const auto rank =
      static_cast<uint64_t>(static_cast<double>(n_) * std::pow(eta_ * u - eta_ + 1.0, alpha_));
  return std::min(rank, n_ - 1);
}

absl::StatusOr<std::unique_ptr<KeyChooser>> MakeKeyChooser(absl::string_view distribution,
                                                           uint64_t records,
                                                           const std::atomic<uint64_t>* inserted) {
  if (records == 0) return absl::InvalidArgumentError("need at least one record");
  if (distribution == "uniform") return std::make_unique<UniformKeys>(inserted);
  if (distribution == "zipfian") return std::make_unique<ScrambledZipfianKeys>(records, inserted);
  if (distribution == "latest") return std::make_unique<LatestKeys>(records, inserted);
  return absl::InvalidArgumentError(
      absl::StrCat("unknown distribution '", distribution, "' (uniform, zipfian, latest)"));
}

uint64_t Fnv1a64(uint64_t value) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (int i = 0; i < 8; ++i) {
    hash ^= value & 0xff;
    hash *= 0x100000001b3ULL;
    value >>= 8;
  }
  return hash;
}

std::string RecordKey(uint64_t record) {
  return absl::StrFormat("user%016x", Fnv1a64(record ^ 0x5bd1e995ULL));
}

}  // namespace tern::bench
