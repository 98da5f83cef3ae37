#include "common/config/host_port.h"

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"

namespace tern::config {

std::string HostPort::ToString() const { return absl::StrCat(host, ":", port); }

absl::StatusOr<HostPort> ParseHostPort(absl::string_view text) {
  size_t colon = text.rfind(':');
  if (colon == absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat("address '", text, "' is not host:port"));
  }
  absl::string_view host = text.substr(0, colon);
  absl::string_view port_text = text.substr(colon + 1);
  if (host.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("address '", text, "' has no host"));
  }
  for (char c : host) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_') {
      return absl::InvalidArgumentError(
          absl::StrCat("address '", text, "' has an invalid host name"));
    }
  }
  uint32_t port = 0;
  if (port_text.empty() || !absl::SimpleAtoi(port_text, &port) || port > 65535 ||
      !absl::ascii_isdigit(static_cast<unsigned char>(port_text[0]))) {
    return absl::InvalidArgumentError(
        absl::StrCat("address '", text, "' has an invalid port (0-65535)"));
  }
  return HostPort{std::string(host), static_cast<uint16_t>(port)};
}

absl::StatusOr<HostPortList> ParseHostPortList(absl::string_view text) {
  HostPortList list;
  if (text.empty()) return list;
  for (absl::string_view part : absl::StrSplit(text, ',')) {
    absl::StatusOr<HostPort> address = ParseHostPort(absl::StripAsciiWhitespace(part));
    if (!address.ok()) return address.status();
    list.addresses.push_back(*std::move(address));
  }
  return list;
}

absl::StatusOr<HostPort> HostPortOr(absl::string_view text, const HostPort& fallback) {
  if (text.empty()) return fallback;
  return ParseHostPort(text);
}

bool AbslParseFlag(absl::string_view text, HostPort* out, std::string* error) {
  absl::StatusOr<HostPort> parsed = ParseHostPort(text);
  if (!parsed.ok()) {
    *error = std::string(parsed.status().message());
    return false;
  }
  *out = *std::move(parsed);
  return true;
}

std::string AbslUnparseFlag(const HostPort& value) { return value.ToString(); }

bool AbslParseFlag(absl::string_view text, HostPortList* out, std::string* error) {
  absl::StatusOr<HostPortList> parsed = ParseHostPortList(text);
  if (!parsed.ok()) {
    *error = std::string(parsed.status().message());
    return false;
  }
  *out = *std::move(parsed);
  return true;
}

std::string AbslUnparseFlag(const HostPortList& value) {
  return absl::StrJoin(value.addresses, ",", [](std::string* out, const HostPort& address) {
    out->append(address.ToString());
  });
}

}  // namespace tern::config
