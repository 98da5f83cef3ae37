#include "common/log/log.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/base/json_string.h"
#include "common/base/mutex.h"

namespace tern::log {

using base::AppendJsonString;
namespace {

struct State {
  base::Mutex mu;
  std::string process_name ABSL_GUARDED_BY(mu) = "tern";
  std::function<void(absl::string_view)> sink ABSL_GUARDED_BY(mu);
};

State& GlobalState() {
  static State* const kState = new State();
  return *kState;
}

std::atomic<int> g_min_level{static_cast<int>(Level::kInfo)};

const char* LevelName(Level level) {
  switch (level) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarning:
      return "warning";
    case Level::kError:
      return "error";
  }
  return "info";
}

const char* Basename(const char* path) {
  const char* slash = std::strrchr(path, '/');
  return slash == nullptr ? path : slash + 1;
}

}  // namespace

bool ParseLevel(absl::string_view text, Level* level) {
  for (Level candidate : {Level::kDebug, Level::kInfo, Level::kWarning, Level::kError}) {
    if (text == LevelName(candidate)) {
      *level = candidate;
      return true;
    }
  }
  return false;
}

void Init(std::string process_name, Level min_level) {
  State& state = GlobalState();
  base::MutexLock lock(&state.mu);
  state.process_name = std::move(process_name);
  g_min_level.store(static_cast<int>(min_level));
}

void SetSinkForTesting(std::function<void(absl::string_view)> sink) {
  State& state = GlobalState();
  base::MutexLock lock(&state.mu);
  state.sink = std::move(sink);
}

Entry::Entry(Level level, const char* file, int line, absl::string_view message)
    : enabled_(static_cast<int>(level) >= g_min_level.load(std::memory_order_relaxed)) {
  if (!enabled_) return;
  std::string process_name;
  {
    State& state = GlobalState();
    base::MutexLock lock(&state.mu);
    process_name = state.process_name;
  }
  line_.reserve(256);
  line_.append("{\"ts\":");
  AppendJsonString(absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", absl::Now(), absl::UTCTimeZone()),
                   &line_);
  line_.append(",\"level\":\"");
  line_.append(LevelName(level));
  line_.append("\",\"proc\":");
  AppendJsonString(process_name, &line_);
  line_.append(",\"msg\":");
  AppendJsonString(message, &line_);
  line_.append(",\"src\":");
  AppendJsonString(absl::StrCat(Basename(file), ":", line), &line_);
}

Entry::~Entry() {
  if (!enabled_) return;
  line_.push_back('}');
  std::function<void(absl::string_view)> sink;
  {
    State& state = GlobalState();
    base::MutexLock lock(&state.mu);
    sink = state.sink;
  }
  if (sink) {
    sink(line_);
    return;
  }
  line_.push_back('\n');
  ssize_t ignored = ::write(STDERR_FILENO, line_.data(), line_.size());
  (void)ignored;
}

void Entry::AppendKey(absl::string_view key) {
  line_.push_back(',');
  AppendJsonString(key, &line_);
  line_.push_back(':');
}

Entry& Entry::With(absl::string_view key, absl::string_view value) {
  if (!enabled_) return *this;
  AppendKey(key);
  AppendJsonString(value, &line_);
  return *this;
}

Entry& Entry::With(absl::string_view key, bool value) {
  if (!enabled_) return *this;
  AppendKey(key);
  line_.append(value ? "true" : "false");
  return *this;
}

Entry& Entry::With(absl::string_view key, double value) {
  if (!enabled_) return *this;
  AppendKey(key);
  line_.append(absl::StrCat(value));
  return *this;
}

Entry& Entry::WithInt(absl::string_view key, int64_t value) {
  if (!enabled_) return *this;
  AppendKey(key);
  line_.append(absl::StrCat(value));
  return *this;
}

Entry& Entry::WithUint(absl::string_view key, uint64_t value) {
  if (!enabled_) return *this;
  AppendKey(key);
  line_.append(absl::StrCat(value));
  return *this;
}

}  // namespace tern::log
