#include "router/api/wire.h"

#include <libdeflate.h>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"

namespace tern::router {
namespace bhttp = boost::beast::http;

std::string NewRequestId() {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  constexpr uint64_t kLetters = sizeof(kAlphabet) - 1;
  thread_local absl::BitGen gen;
  std::string id(52, 'A');
  // 36^12 < 2^64: twelve letters from each 64-bit draw (the bias is far below
  // anything a request id needs).
  uint64_t bits = 0;
  for (size_t i = 0; i < id.size(); ++i) {
    if (i % 12 == 0) bits = absl::Uniform<uint64_t>(gen);
    id[i] = kAlphabet[bits % kLetters];
    bits /= kLetters;
  }
  return id;
}

uint32_t Crc32(absl::string_view body) { return libdeflate_crc32(0, body.data(), body.size()); }

http::Response DynamoResponse(const http::Request& request,
                              bhttp::status status,
                              std::string body) {
  return DynamoResponse(request.version(), request.keep_alive(), status, std::move(body));
}

http::Response DynamoResponse(unsigned version,
                              bool keep_alive,
                              bhttp::status status,
                              std::string body) {
  http::Response response{status, version};
  response.set(bhttp::field::content_type, "application/x-amz-json-1.0");
  response.set("x-amzn-RequestId", NewRequestId());
  response.set("x-amz-crc32", absl::StrCat(Crc32(body)));
  response.keep_alive(keep_alive);
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

http::Response UnknownOperationXml(const http::Request& request) {
  http::Response response =
      DynamoResponse(request, bhttp::status::not_found, "<UnknownOperationException/>\n");
  response.set(bhttp::field::content_type, "text/xml");
  return response;
}

}  // namespace tern::router
