// A small synchronous HTTP/1.1 client for operators' tools and tests (ternctl
// status, readiness checks). Not for the data path. Thread-compatible: each
// call opens and closes its own connection.
#pragma once

#include <chrono>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/config/host_port.h"

namespace tern::http {

struct ClientResponse {
  int status = 0;
  std::string content_type;
  std::string body;
};

// GET http://<address><target>. kUnavailable when the server cannot be
// reached, kDeadlineExceeded when it does not answer within timeout.
absl::StatusOr<ClientResponse> Get(const config::HostPort& address,
                                   absl::string_view target,
                                   std::chrono::milliseconds timeout);

}  // namespace tern::http
