#include "router/api/api.h"

#include <chrono>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "boost/json/monotonic_resource.hpp"
#include "boost/json/parse.hpp"
#include "boost/json/serialize.hpp"
#include "common/base/error_details.h"
#include "common/base/mutex.h"
#include "router/api/error_mapping.h"
#include "router/api/sigv4_check.h"
#include "router/api/wire.h"

namespace tern::router {
namespace bhttp = boost::beast::http;

namespace {

constexpr absl::string_view kTargetPrefix = "DynamoDB_20120810.";

absl::string_view View(boost::beast::string_view view) {
  return absl::string_view(view.data(), view.size());
}

// DynamoDB accepts both JSON content types, with or without parameters, and
// answers in the one it was asked in.
bool AcceptedContentType(absl::string_view content_type, std::string* answer_type) {
  absl::string_view media = content_type.substr(0, content_type.find(';'));
  media = absl::StripAsciiWhitespace(media);
  if (absl::EqualsIgnoreCase(media, "application/x-amz-json-1.0") ||
      absl::EqualsIgnoreCase(media, "application/json")) {
    *answer_type = std::string(media);
    return true;
  }
  return false;
}

// A monotonic arena safe to share across threads: JSON values copied from a
// request keep its storage, and an operation's callbacks run on other threads.
class LockedArena final : public boost::json::memory_resource {
 public:
  explicit LockedArena(size_t initial_size) : arena_(initial_size) {}

 private:
  void* do_allocate(size_t bytes, size_t align) override {
    base::MutexLock lock(&mu_);
    return arena_.allocate(bytes, align);
  }
  void do_deallocate(void*, size_t, size_t) override {}  // freed all at once
  bool do_is_equal(const boost::json::memory_resource& other) const noexcept override {
    return this == &other;
  }

  base::Mutex mu_;
  boost::json::monotonic_resource arena_ ABSL_GUARDED_BY(mu_);
};

SigV4Request Signed(const http::Request& request) {
  SigV4Request signed_request;
  signed_request.method = View(request.method_string());
  signed_request.target = View(request.target());
  signed_request.body = request.body();
  for (const auto& field : request) {
    signed_request.headers.emplace_back(std::string(View(field.name_string())),
                                        std::string(View(field.value())));
  }
  return signed_request;
}

}  // namespace

Api::Api(std::string account_id, metrics::Registry* metrics, const CredentialStore* credentials)
    : account_id_(std::move(account_id)),
      credentials_(credentials),
      calls_(metrics->AddCounter("tern_router_api_calls_total",
                                 "DynamoDB API calls, by operation and result.")),
      latency_(metrics->AddHistogram("tern_router_api_latency_seconds",
                                     "DynamoDB API latency, by operation.",
                                     metrics::LatencyBuckets())) {}

std::string Answer::Serialize() && {
  if (is_text_) return std::move(text_);
  return boost::json::serialize(object_);
}

void Api::Register(const std::string& name, Operation operation) {
  operations_[name] = Registered{std::move(operation),
                                 &calls_.Add({{"operation", name}, {"result", "ok"}}),
                                 &latency_.Add({{"operation", name}})};
}

void Api::Handle(http::Request request, http::Responder respond) const {
  std::string answer_type;
  if (!AcceptedContentType(View(request[bhttp::field::content_type]), &answer_type)) {
    std::move(respond)(UnknownOperationXml(request));
    return;
  }
  auto reply = [request_version = request.version(),
                keep_alive = request.keep_alive(),
                answer_type](http::Responder responder, bhttp::status status, std::string body) {
    http::Response response = DynamoResponse(request_version, keep_alive, status, std::move(body));
    response.set(bhttp::field::content_type, answer_type);
    std::move(responder)(std::move(response));
  };
  // Maps status once (mapping logs internal errors), counts it and answers.
  auto fail = [this, reply](http::Responder responder,
                            const std::string& operation_name,
                            const absl::Status& status) {
    WireError error = MapError(status);
    calls_.Add({{"operation", operation_name}, {"result", error.type}}).Increment();
    reply(std::move(responder), static_cast<bhttp::status>(error.http_status), ErrorBody(error));
  };

  absl::string_view target = View(request["X-Amz-Target"]);
  std::string operation_name;
  auto operation = operations_.end();
  if (absl::StartsWith(target, kTargetPrefix)) {
    operation = operations_.find(target.substr(kTargetPrefix.size()));
    if (operation != operations_.end()) operation_name = operation->first;
  }
  if (operation == operations_.end()) {
    fail(std::move(respond), "unknown", base::Error(base::ErrorKind::kUnknownOperation, ""));
    return;
  }

  bool has_date = request.find("X-Amz-Date") != request.end() ||
                  request.find(bhttp::field::date) != request.end();
  absl::StatusOr<SigV4Credential> credential =
      credentials_ == nullptr ? CheckSigV4(View(request[bhttp::field::authorization]), has_date)
                              : VerifySigV4(Signed(request), *credentials_, absl::Now());
  if (!credential.ok()) {
    fail(std::move(respond), operation_name, credential.status());
    return;
  }

  boost::system::error_code ec;
  // Every L or M level of an attribute value takes two JSON levels; DynamoDB
  // nests 32 deep, so the parser must allow more than its default 32.
  boost::json::parse_options options;
  options.max_depth = 256;
  // The tree is built in one arena (a few allocations instead of one per
  // member, nothing freed member by member). The arena is shared: whatever an
  // operation copies out of the request with its storage keeps it alive (and
  // may allocate in it from another thread, hence the lock).
  boost::json::storage_ptr arena =
      boost::json::make_shared_resource<LockedArena>(2 * request.body().size() + 512);
  boost::json::value body = boost::json::parse(request.body(), ec, std::move(arena), options);
  if (ec || !body.is_object()) {
    fail(std::move(respond), operation_name, base::Error(base::ErrorKind::kSerialization, ""));
    return;
  }

  RequestContext context{credential->region, account_id_, credential->access_key_id};
  auto started = std::chrono::steady_clock::now();
  const Registered& registered = operation->second;
  registered.operation(
      context,
      body.as_object(),
      [registered = &registered,
       operation_name,
       started,
       reply,
       fail,
       respond = std::move(respond)](absl::StatusOr<Answer> result) mutable {
        registered->latency->Observe(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
        if (!result.ok()) {
          fail(std::move(respond), operation_name, result.status());
          return;
        }
        registered->ok_calls->Increment();
        reply(std::move(respond), bhttp::status::ok, std::move(*result).Serialize());
      });
}

}  // namespace tern::router
