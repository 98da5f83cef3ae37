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
#include <utility>

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

// What an operation answers: a JSON object, or (on hot paths that write their
// answer without building a tree) the object's JSON text itself.
class Answer {
 public:
  Answer(boost::json::object object) : object_(std::move(object)) {}  // NOLINT: implicit

  // text must be one JSON object, serialized as boost::json would.
  static Answer Text(std::string text) {
    Answer answer{boost::json::object()};
    answer.text_ = std::move(text);
    answer.is_text_ = true;
    return answer;
  }

  // The body of the reply.
  std::string Serialize() &&;

 private:
  boost::json::object object_;
  std::string text_;
  bool is_text_ = false;
};

using OperationDone = absl::AnyInvocable<void(absl::StatusOr<Answer>) &&>;
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
  // An operation and its metrics for successful calls (looked up once, not per
  // request).
  struct Registered {
    Operation operation;
    metrics::Counter* ok_calls = nullptr;
    metrics::Histogram* latency = nullptr;
  };

  const std::string account_id_;
  const CredentialStore* const credentials_;
  std::map<std::string, Registered, std::less<>> operations_;
  metrics::Family<metrics::Counter>& calls_;
  metrics::Family<metrics::Histogram>& latency_;
};

}  // namespace tern::router
