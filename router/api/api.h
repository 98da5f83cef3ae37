// Api: the DynamoDB JSON 1.0 protocol on POST /. Checks the content type, the
// X-Amz-Target, SigV4 (its presence and shape; with a CredentialStore, the
// signature itself), and the JSON body, in DynamoDB's order, then runs the operation and answers
// with its JSON or with the DynamoDB error that error_mapping derives from its status.
//
// Operations run asynchronously: an operation gets the parsed request and a
// Done callback it may call from any thread. No operation blocks an HTTP
// thread. Thread-safe once every operation is registered.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "boost/json/object.hpp"
#include "common/http/server.h"
#include "common/metrics/metrics.h"
#include "router/api/credential_store.h"

namespace tern::router {

// What an operation knows about its caller.
struct RequestContext {
  std::string region;      // from the SigV4 credential scope
  std::string account_id;  // the account Tern presents in ARNs
  std::string access_key_id;
};

using OperationDone = absl::AnyInvocable<void(absl::StatusOr<boost::json::object>) &&>;
using Operation =
    std::function<void(const RequestContext&, const boost::json::object& request, OperationDone)>;

class Api {
 public:
  // credentials: the keys whose signatures are accepted; nullptr accepts
  // any well-formed signature. Must outlive the Api.
  Api(std::string account_id,
      metrics::Registry* metrics,
      const CredentialStore* credentials = nullptr);

  // Registers name (e.g. "PutItem"). REQUIRES: before the first Handle().
  void Register(const std::string& name, Operation operation);

  // Answers a POST / request.
  void Handle(http::Request request, http::Responder respond) const;

 private:
  const std::string account_id_;
  const CredentialStore* const credentials_;
  std::map<std::string, Operation> operations_;
  metrics::Family<metrics::Counter>& calls_;
  metrics::Family<metrics::Histogram>& latency_;
};

}  // namespace tern::router
