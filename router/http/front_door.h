// FrontDoor: the router's HTTP handler on its public port (8000 by default).
//   GET /          -> 200 "healthy: <host>:<port>", as DynamoDB answers
//   GET /healthz   -> JSON health, GET /metrics -> Prometheus text
//   POST /         -> the DynamoDB JSON 1.0 protocol (router/api/api.h)
//   anything else  -> 404 <UnknownOperationException/>, as DynamoDB answers
// Every DynamoDB-protocol reply carries x-amzn-RequestId and x-amz-crc32.
// Thread-safe; Handle() never blocks.
#pragma once

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "common/daemon/daemon.h"
#include "common/http/server.h"
#include "common/metrics/metrics.h"

namespace tern::router {

class Api;

class FrontDoor {
 public:
  // endpoint_name is what GET / reports ("127.0.0.1:8000"). api answers
  // POST /. admin, api and metrics must outlive the front door.
  FrontDoor(std::string endpoint_name,
            const daemon::AdminEndpoints* admin,
            const Api* api,
            metrics::Registry* metrics);

  void Handle(http::Request request, http::Responder respond) const;

 private:
  const std::string endpoint_name_;
  const daemon::AdminEndpoints* const admin_;
  const Api* const api_;
  metrics::Family<metrics::Counter>& requests_;
};

}  // namespace tern::router
