// Metrics in the Prometheus data model: counters, gauges and histograms in
// labelled families, kept in a Registry and rendered in the Prometheus text
// exposition format (version 0.0.4) for a /metrics endpoint.
//
// prometheus-cpp is not packaged for Debian 12, so this is a small
// self-contained implementation with the same concepts (Registry, Family,
// Add(labels)); swapping in prometheus-cpp later only touches this library.
//
// Thread-safety: everything is thread-safe. Metric objects returned by
// Family::Add live as long as their registry; hot-path updates are lock-free.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "common/base/mutex.h"

namespace tern::metrics {

using Labels = std::map<std::string, std::string>;

class Counter {
 public:
  // REQUIRES: by >= 0.
  void Increment(double by = 1.0);
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

class Gauge {
 public:
  void Set(double value) { value_.store(value, std::memory_order_relaxed); }
  void Increment(double by = 1.0);
  void Decrement(double by = 1.0) { Increment(-by); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

class Histogram {
 public:
  // bounds: strictly increasing upper bounds; +Inf is implicit.
  explicit Histogram(std::vector<double> bounds);

  void Observe(double value);

  const std::vector<double>& bounds() const { return bounds_; }
  // Non-cumulative count per bucket; the last entry is the +Inf bucket.
  std::vector<uint64_t> BucketCounts() const;
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  double sum() const { return sum_.load(std::memory_order_relaxed); }

 private:
  const std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;
  std::atomic<uint64_t> count_{0};
  std::atomic<double> sum_{0.0};
};

// Buckets for request latencies in seconds: 50 us to 10 s.
std::vector<double> LatencyBuckets();

namespace internal {
class FamilyBase {
 public:
  FamilyBase(std::string name, std::string help, std::string type)
      : name_(std::move(name)), help_(std::move(help)), type_(std::move(type)) {}
  virtual ~FamilyBase() = default;
  const std::string& name() const { return name_; }
  const std::string& type() const { return type_; }
  virtual void Serialize(std::string* out) const = 0;

 protected:
  void AppendHeader(std::string* out) const;

 private:
  const std::string name_;
  const std::string help_;
  const std::string type_;
};
}  // namespace internal

template <typename T>
class Family final : public internal::FamilyBase {
 public:
  using Factory = std::function<std::unique_ptr<T>()>;
  Family(std::string name, std::string help, std::string type, Factory factory)
      : FamilyBase(std::move(name), std::move(help), std::move(type)),
        factory_(std::move(factory)) {}

  // Returns the metric with exactly these labels, creating it on first use.
  // REQUIRES: label names are valid Prometheus label names.
  T& Add(const Labels& labels = {});

  void Serialize(std::string* out) const override;

 private:
  const Factory factory_;
  mutable base::Mutex mu_;
  std::map<Labels, std::unique_ptr<T>> metrics_ ABSL_GUARDED_BY(mu_);
};

class Registry {
 public:
  // Each returns the family of that name, creating it on first use.
  // REQUIRES: name is a valid metric name and not already registered with a
  // different type (checked: a violation is a programming error).
  Family<Counter>& AddCounter(const std::string& name, const std::string& help);
  Family<Gauge>& AddGauge(const std::string& name, const std::string& help);
  Family<Histogram>& AddHistogram(const std::string& name,
                                  const std::string& help,
                                  std::vector<double> bounds);

  // Runs hook at the start of every Serialize(), to refresh gauges that are
  // sampled rather than updated (process memory, RocksDB sizes, ...).
  void AddCollectHook(std::function<void()> hook);

  // The whole registry in the Prometheus text format, families sorted by name.
  std::string Serialize() const;

 private:
  template <typename T>
  Family<T>& AddFamily(const std::string& name,
                       const std::string& help,
                       const std::string& type,
                       typename Family<T>::Factory factory);

  mutable base::Mutex mu_;
  std::map<std::string, std::unique_ptr<internal::FamilyBase>> families_ ABSL_GUARDED_BY(mu_);
  std::vector<std::function<void()>> hooks_ ABSL_GUARDED_BY(mu_);
};

// The process-wide registry served on /metrics. Never destroyed.
Registry& DefaultRegistry();

// Registers tern_build_info{process,version} and the standard process_*
// metrics (start time, CPU seconds, resident memory, open fds, threads).
void RegisterProcessMetrics(Registry& registry,
                            absl::string_view process,
                            absl::string_view version);

// The text format's content type.
inline constexpr absl::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

// Formats a sample value as Prometheus expects (shortest round-trip, +Inf, NaN).
std::string FormatValue(double value);
// Appends {name="value",...} with label values escaped; nothing for no labels.
void AppendLabels(const Labels& labels, std::string* out);
bool IsValidMetricName(absl::string_view name);
bool IsValidLabelName(absl::string_view name);

}  // namespace tern::metrics
