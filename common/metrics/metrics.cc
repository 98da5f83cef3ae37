#include "common/metrics/metrics.h"

#include <dirent.h>
#include <unistd.h>

#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/base/check.h"

namespace tern::metrics {
namespace {

void AtomicAdd(std::atomic<double>* target, double by) {
  double current = target->load(std::memory_order_relaxed);
  while (!target->compare_exchange_weak(current, current + by, std::memory_order_relaxed)) {
  }
}

void AppendEscaped(absl::string_view text, bool escape_quotes, std::string* out) {
  for (char c : text) {
    if (c == '\\') {
      out->append("\\\\");
    } else if (c == '\n') {
      out->append("\\n");
    } else if (c == '"' && escape_quotes) {
      out->append("\\\"");
    } else {
      out->push_back(c);
    }
  }
}

void AppendSample(absl::string_view name,
                  absl::string_view suffix,
                  const Labels& labels,
                  double value,
                  std::string* out) {
  out->append(name.data(), name.size());
  out->append(suffix.data(), suffix.size());
  AppendLabels(labels, out);
  out->push_back(' ');
  out->append(FormatValue(value));
  out->push_back('\n');
}

}  // namespace

void Counter::Increment(double by) {
  TERN_DCHECK(by >= 0) << "counters only go up";
  AtomicAdd(&value_, by);
}

void Gauge::Increment(double by) { AtomicAdd(&value_, by); }

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), buckets_(new std::atomic<uint64_t>[bounds_.size() + 1]) {
  for (size_t i = 0; i + 1 < bounds_.size(); ++i) {
    TERN_CHECK(bounds_[i] < bounds_[i + 1]) << "histogram bounds must increase";
  }
  for (size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0);
}

void Histogram::Observe(double value) {
  size_t bucket = 0;
  while (bucket < bounds_.size() && value > bounds_[bucket]) ++bucket;
  buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
  AtomicAdd(&sum_, value);
  count_.fetch_add(1, std::memory_order_relaxed);
}

std::vector<uint64_t> Histogram::BucketCounts() const {
  std::vector<uint64_t> counts(bounds_.size() + 1);
  for (size_t i = 0; i < counts.size(); ++i) counts[i] = buckets_[i].load();
  return counts;
}

std::vector<double> LatencyBuckets() {
  return {0.00005,
          0.0001,
          0.00025,
          0.0005,
          0.001,
          0.0025,
          0.005,
          0.01,
          0.025,
          0.05,
          0.1,
          0.25,
          0.5,
          1.0,
          2.5,
          5.0,
          10.0};
}

std::string FormatValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buffer[64];
  auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return std::string(buffer, result.ptr);
}

void AppendLabels(const Labels& labels, std::string* out) {
  if (labels.empty()) return;
  out->push_back('{');
  bool first = true;
  for (const auto& [name, value] : labels) {
    if (!first) out->push_back(',');
    first = false;
    out->append(name);
    out->append("=\"");
    AppendEscaped(value, /*escape_quotes=*/true, out);
    out->push_back('"');
  }
  out->push_back('}');
}

bool IsValidMetricName(absl::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = absl::ascii_isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':' ||
              (i > 0 && absl::ascii_isdigit(static_cast<unsigned char>(c)));
    if (!ok) return false;
  }
  return true;
}

bool IsValidLabelName(absl::string_view name) {
  return IsValidMetricName(name) && name.find(':') == absl::string_view::npos &&
         name.substr(0, 2) != "__";
}

namespace internal {

void FamilyBase::AppendHeader(std::string* out) const {
  out->append("# HELP ");
  out->append(name_);
  out->push_back(' ');
  AppendEscaped(help_, /*escape_quotes=*/false, out);
  out->append("\n# TYPE ");
  out->append(name_);
  out->push_back(' ');
  out->append(type_);
  out->push_back('\n');
}

}  // namespace internal

template <typename T>
T& Family<T>::Add(const Labels& labels) {
  base::MutexLock lock(&mu_);
  auto it = metrics_.find(labels);
  if (it != metrics_.end()) return *it->second;
  for (const auto& [label_name, unused] : labels) {
    TERN_CHECK(IsValidLabelName(label_name)) << "bad label name " << label_name;
    TERN_CHECK(label_name != "le") << "'le' is reserved for histogram buckets";
  }
  return *metrics_.emplace(labels, factory_()).first->second;
}

template <>
void Family<Counter>::Serialize(std::string* out) const {
  AppendHeader(out);
  base::MutexLock lock(&mu_);
  for (const auto& [labels, counter] : metrics_) {
    AppendSample(name(), "", labels, counter->value(), out);
  }
}

template <>
void Family<Gauge>::Serialize(std::string* out) const {
  AppendHeader(out);
  base::MutexLock lock(&mu_);
  for (const auto& [labels, gauge] : metrics_) {
    AppendSample(name(), "", labels, gauge->value(), out);
  }
}

template <>
void Family<Histogram>::Serialize(std::string* out) const {
  AppendHeader(out);
  base::MutexLock lock(&mu_);
  for (const auto& [labels, histogram] : metrics_) {
    std::vector<uint64_t> counts = histogram->BucketCounts();
    uint64_t cumulative = 0;
    for (size_t i = 0; i < counts.size(); ++i) {
      cumulative += counts[i];
      Labels with_le = labels;
      with_le["le"] = i < histogram->bounds().size() ? FormatValue(histogram->bounds()[i]) : "+Inf";
      AppendSample(name(), "_bucket", with_le, static_cast<double>(cumulative), out);
    }
    AppendSample(name(), "_sum", labels, histogram->sum(), out);
    // The count is the +Inf bucket, so that the two always agree in one scrape.
    AppendSample(name(), "_count", labels, static_cast<double>(cumulative), out);
  }
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

template <typename T>
Family<T>& Registry::AddFamily(const std::string& name,
                               const std::string& help,
                               const std::string& type,
                               typename Family<T>::Factory factory) {
  TERN_CHECK(IsValidMetricName(name)) << "bad metric name " << name;
  base::MutexLock lock(&mu_);
  auto it = families_.find(name);
  if (it != families_.end()) {
    TERN_CHECK(it->second->type() == type) << name << " registered as " << it->second->type();
    return static_cast<Family<T>&>(*it->second);
  }
  auto family = std::make_unique<Family<T>>(name, help, type, std::move(factory));
  Family<T>& ref = *family;
  families_.emplace(name, std::move(family));
  return ref;
}

Family<Counter>& Registry::AddCounter(const std::string& name, const std::string& help) {
  return AddFamily<Counter>(name, help, "counter", [] { return std::make_unique<Counter>(); });
}

Family<Gauge>& Registry::AddGauge(const std::string& name, const std::string& help) {
  return AddFamily<Gauge>(name, help, "gauge", [] { return std::make_unique<Gauge>(); });
}

Family<Histogram>& Registry::AddHistogram(const std::string& name,
                                          const std::string& help,
                                          std::vector<double> bounds) {
  return AddFamily<Histogram>(name, help, "histogram", [bounds = std::move(bounds)] {
    return std::make_unique<Histogram>(bounds);
  });
}

void Registry::AddCollectHook(std::function<void()> hook) {
  base::MutexLock lock(&mu_);
  hooks_.push_back(std::move(hook));
}

std::string Registry::Serialize() const {
  std::vector<std::function<void()>> hooks;
  {
    base::MutexLock lock(&mu_);
    hooks = hooks_;
  }
  // Hooks update gauges through this registry, so they run without mu_ held.
  for (const auto& hook : hooks) hook();
  std::string out;
  base::MutexLock lock(&mu_);
  for (const auto& [name, family] : families_) family->Serialize(&out);
  return out;
}

Registry& DefaultRegistry() {
  static Registry* const kRegistry = new Registry();
  return *kRegistry;
}

namespace {

struct ProcSample {
  double cpu_seconds = 0;
  double resident_bytes = 0;
  double virtual_bytes = 0;
  double threads = 0;
  double start_time_seconds = 0;
};

// Reads /proc/self/stat (see proc(5)); fields after the parenthesised command.
ProcSample SampleProc() {
  ProcSample sample;
  std::ifstream stat_file("/proc/self/stat");
  std::string content((std::istreambuf_iterator<char>(stat_file)),
                      std::istreambuf_iterator<char>());
  size_t close_paren = content.rfind(')');
  if (close_paren == std::string::npos) return sample;
  std::istringstream fields(content.substr(close_paren + 2));
  std::vector<std::string> f;
  std::string token;
  while (fields >> token) f.push_back(token);
  // f[0] is field 3 (state); utime is field 14, stime 15, num_threads 20,
  // starttime 22, vsize 23, rss 24.
  if (f.size() < 22) return sample;
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  sample.cpu_seconds = (std::stod(f[11]) + std::stod(f[12])) / ticks;
  sample.threads = std::stod(f[17]);
  sample.virtual_bytes = std::stod(f[20]);
  sample.resident_bytes = std::stod(f[21]) * page;
  double boot_time = 0;
  std::ifstream kernel_stat("/proc/stat");
  std::string line;
  while (std::getline(kernel_stat, line)) {
    if (line.rfind("btime ", 0) == 0) boot_time = std::stod(line.substr(6));
  }
  sample.start_time_seconds = boot_time + std::stod(f[19]) / ticks;
  return sample;
}

double CountOpenFds() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return 0;
  double count = 0;
  while (readdir(dir) != nullptr) ++count;
  closedir(dir);
  return count - 2;  // "." and ".."
}

}  // namespace

void RegisterProcessMetrics(Registry& registry,
                            absl::string_view process,
                            absl::string_view version) {
  registry.AddGauge("tern_build_info", "Constant 1, labelled with the process and version.")
      .Add({{"process", std::string(process)}, {"version", std::string(version)}})
      .Set(1);
  Gauge& start = registry
                     .AddGauge("process_start_time_seconds",
                               "Start time of the process since the Unix epoch in seconds.")
                     .Add();
  Counter& cpu =
      registry.AddCounter("process_cpu_seconds_total", "Total user and system CPU time in seconds.")
          .Add();
  Gauge& resident =
      registry.AddGauge("process_resident_memory_bytes", "Resident memory size in bytes.").Add();
  Gauge& virt =
      registry.AddGauge("process_virtual_memory_bytes", "Virtual memory size in bytes.").Add();
  Gauge& fds = registry.AddGauge("process_open_fds", "Number of open file descriptors.").Add();
  Gauge& threads = registry.AddGauge("process_threads", "Number of OS threads.").Add();
  registry.AddCollectHook([&start, &cpu, &resident, &virt, &fds, &threads] {
    ProcSample sample = SampleProc();
    start.Set(sample.start_time_seconds);
    if (sample.cpu_seconds > cpu.value()) cpu.Increment(sample.cpu_seconds - cpu.value());
    resident.Set(sample.resident_bytes);
    virt.Set(sample.virtual_bytes);
    threads.Set(sample.threads);
    fds.Set(CountOpenFds());
  });
}

}  // namespace tern::metrics
