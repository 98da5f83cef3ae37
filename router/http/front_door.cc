#include "router/http/front_door.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "router/api/api.h"
#include "router/api/wire.h"

namespace tern::router {
namespace bhttp = boost::beast::http;

namespace {

absl::string_view ToView(boost::beast::string_view view) {
  return absl::string_view(view.data(), view.size());
}

}  // namespace

FrontDoor::FrontDoor(std::string endpoint_name,
                     const daemon::AdminEndpoints* admin,
                     const Api* api,
                     metrics::Registry* metrics)
    : endpoint_name_(std::move(endpoint_name)),
      admin_(admin),
      api_(api),
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
    std::move(respond)(UnknownOperationXml(request));
    return;
  }
  api_->Handle(std::move(request), std::move(respond));
}

}  // namespace tern::router
