// FrontDoor: the router's HTTP handler on its public port (8000 by default).
//   GET /          -> 200 "healthy: <host>:<port>", as DynamoDB answers
//   GET /healthz   -> JSON health, GET /metrics -> Prometheus text
//   POST /         -> the DynamoDB JSON 1.0 protocol
//   anything else  -> 404 <UnknownOperationException/>, as DynamoDB answers
// Every DynamoDB-protocol reply carries x-amzn-RequestId and x-amz-crc32.
// No DynamoDB operation is served yet: every X-Amz-Target is answered with
// DynamoDB's UnknownOperationException until the API lands.
// Thread-safe; Handle() never blocks.
#pragma once

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "common/daemon/daemon.h"
#include "common/http/server.h"
#include "common/metrics/metrics.h"

namespace tern::router {

// A fresh request id: 52 characters from [A-Z0-9], like DynamoDB's.
std::string NewRequestId();

// CRC32 (IEEE, as zlib computes it) of body, for the x-amz-crc32 header.
uint32_t Crc32(absl::string_view body);

// A DynamoDB-protocol reply: application/x-amz-json-1.0, x-amzn-RequestId,
// x-amz-crc32 and Content-Length set.
http::Response DynamoResponse(const http::Request& request,
                              boost::beast::http::status status,
                              std::string body);

class FrontDoor {
 public:
  // endpoint_name is what GET / reports ("127.0.0.1:8000"). admin and metrics
  // must outlive the front door.
  FrontDoor(std::string endpoint_name,
            const daemon::AdminEndpoints* admin,
            metrics::Registry* metrics);

  void Handle(http::Request request, http::Responder respond) const;

 private:
  const std::string endpoint_name_;
  const daemon::AdminEndpoints* const admin_;
  metrics::Family<metrics::Counter>& requests_;
};

}  // namespace tern::router
