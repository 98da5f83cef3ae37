#include "router/http/front_door.h"

#include <zlib.h>

#include "absl/random/random.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "boost/json/object.hpp"
#include "boost/json/serialize.hpp"

namespace tern::router {
namespace bhttp = boost::beast::http;

namespace {

constexpr absl::string_view kTargetPrefix = "DynamoDB_20120810.";

absl::string_view ToView(boost::beast::string_view view) {
  return absl::string_view(view.data(), view.size());
}

}  // namespace

std::string NewRequestId() {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  thread_local absl::BitGen gen;
  std::string id(52, 'A');
  for (char& c : id) c = kAlphabet[absl::Uniform<size_t>(gen, 0, sizeof(kAlphabet) - 1)];
  return id;
}

uint32_t Crc32(absl::string_view body) {
  uLong crc = crc32(0L, Z_NULL, 0);
  // zlib takes a uInt length; feed large bodies in pieces.
  while (!body.empty()) {
    uInt piece = static_cast<uInt>(std::min<size_t>(body.size(), 1u << 30));
    crc = crc32(crc, reinterpret_cast<const Bytef*>(body.data()), piece);
    body.remove_prefix(piece);
  }
  return static_cast<uint32_t>(crc);
}

http::Response DynamoResponse(const http::Request& request,
                              bhttp::status status,
                              std::string body) {
  http::Response response{status, request.version()};
  response.set(bhttp::field::content_type, "application/x-amz-json-1.0");
  response.set("x-amzn-RequestId", NewRequestId());
  response.set("x-amz-crc32", absl::StrCat(Crc32(body)));
  response.keep_alive(request.keep_alive());
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

FrontDoor::FrontDoor(std::string endpoint_name,
                     const daemon::AdminEndpoints* admin,
                     metrics::Registry* metrics)
    : endpoint_name_(std::move(endpoint_name)),
      admin_(admin),
      requests_(metrics->AddCounter("tern_router_http_requests_total",
                                    "HTTP requests on the public port, by kind and status.")) {}

void FrontDoor::Handle(http::Request request, http::Responder respond) const {
  absl::string_view target = ToView(request.target());
  // DynamoDB ignores the query string and answers health checks on any GET /.
  absl::string_view path = target.substr(0, target.find('?'));
  if (request.method() == bhttp::verb::get && path == "/") {
    requests_.Add({{"kind", "health"}, {"code", "200"}}).Increment();
    http::Response response = http::MakeResponse(
        request, bhttp::status::ok, "text/plain", absl::StrCat("healthy: ", endpoint_name_));
    response.set("x-amzn-RequestId", NewRequestId());
    std::move(respond)(std::move(response));
    return;
  }
  if (admin_->MaybeHandle(request, respond)) {
    requests_.Add({{"kind", "admin"}, {"code", "200"}}).Increment();
    return;
  }
  if (request.method() != bhttp::verb::post || path != "/") {
    requests_.Add({{"kind", "other"}, {"code", "404"}}).Increment();
    http::Response response = DynamoResponse(request, bhttp::status::not_found, "");
    response.set(bhttp::field::content_type, "text/xml");
    response.body() = "<UnknownOperationException/>\n";
    response.set("x-amz-crc32", absl::StrCat(Crc32(response.body())));
    response.prepare_payload();
    std::move(respond)(std::move(response));
    return;
  }
  absl::string_view amz_target = ToView(request["X-Amz-Target"]);
  requests_.Add({{"kind", "api"}, {"code", "400"}}).Increment();
  boost::json::object error;
  error["__type"] = "com.amazon.coral.service#UnknownOperationException";
  if (absl::StartsWith(amz_target, kTargetPrefix)) {
    // A DynamoDB operation this build does not serve yet.
    absl::string_view operation = amz_target.substr(kTargetPrefix.size());
    error["message"] = absl::StrCat("Tern does not serve ", operation, " yet");
  }
  std::move(respond)(
      DynamoResponse(request, bhttp::status::bad_request, boost::json::serialize(error)));
}

}  // namespace tern::router
