// Network addresses in flags and configuration: "host:port" and
// comma-separated lists of them. HostPort and HostPortList can be used
// directly as absl flag types. Value types, thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tern::config {

struct HostPort {
  std::string host;
  uint16_t port = 0;

  // "host:port".
  std::string ToString() const;
  bool operator==(const HostPort&) const = default;
};

// Parses "host:port" where host is a name or IPv4 address and port is 0-65535.
// Returns kInvalidArgument, naming the problem, for anything else.
absl::StatusOr<HostPort> ParseHostPort(absl::string_view text);

struct HostPortList {
  std::vector<HostPort> addresses;
};

// Parses a comma-separated list of "host:port"; an empty string is an empty list.
absl::StatusOr<HostPortList> ParseHostPortList(absl::string_view text);

// `text` parsed when it is set, else `fallback`: an optional address flag
// that defaults to another (e.g. the address a server binds defaults to the
// one it announces; a container binds 0.0.0.0 but announces its name).
absl::StatusOr<HostPort> HostPortOr(absl::string_view text, const HostPort& fallback);

// absl flag hooks.
bool AbslParseFlag(absl::string_view text, HostPort* out, std::string* error);
std::string AbslUnparseFlag(const HostPort& value);
bool AbslParseFlag(absl::string_view text, HostPortList* out, std::string* error);
std::string AbslUnparseFlag(const HostPortList& value);

}  // namespace tern::config
