// Structured logging: one JSON object per line on stderr, written with a single
// write(2) so that lines from concurrent threads never interleave.
//
//   TERN_LOG(Info, "node started").With("az", az).With("port", port);
//
// emits {"ts":"...","level":"info","proc":"tern-node","msg":"node started",
// "src":"main.cc:42","az":"az-a","port":7100} when the temporary is destroyed.
// Init() is called once by main before any thread starts; everything else is
// thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <type_traits>

#include "absl/strings/string_view.h"

namespace tern::log {

enum class Level { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

// Parses "debug", "info", "warning" or "error"; false for anything else.
bool ParseLevel(absl::string_view text, Level* level);

// Sets the process name written in every line and the minimum level emitted.
void Init(std::string process_name, Level min_level);

// Replaces stderr as the destination of whole lines (without the trailing
// newline). Passing an empty function restores stderr. For tests.
void SetSinkForTesting(std::function<void(absl::string_view)> sink);

class Entry {
 public:
  Entry(Level level, const char* file, int line, absl::string_view message);
  ~Entry();
  Entry(const Entry&) = delete;
  Entry& operator=(const Entry&) = delete;

  Entry& With(absl::string_view key, absl::string_view value);
  Entry& With(absl::string_view key, const char* value) {
    return With(key, absl::string_view(value));
  }
  Entry& With(absl::string_view key, const std::string& value) {
    return With(key, absl::string_view(value));
  }
  Entry& With(absl::string_view key, bool value);
  Entry& With(absl::string_view key, double value);
  template <typename Int, typename = std::enable_if_t<std::is_integral_v<Int>>>
  Entry& With(absl::string_view key, Int value) {
    if constexpr (std::is_signed_v<Int>) {
      return WithInt(key, static_cast<int64_t>(value));
    } else {
      return WithUint(key, static_cast<uint64_t>(value));
    }
  }

 private:
  Entry& WithInt(absl::string_view key, int64_t value);
  Entry& WithUint(absl::string_view key, uint64_t value);
  void AppendKey(absl::string_view key);

  bool enabled_;
  std::string line_;
};

}  // namespace tern::log

#define TERN_LOG(severity, message) \
  ::tern::log::Entry(::tern::log::Level::k##severity, __FILE__, __LINE__, message)
