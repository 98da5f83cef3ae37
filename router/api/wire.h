// The DynamoDB protocol's reply envelope: request ids, the x-amz-crc32
// checksum and the headers every reply carries. Thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "common/http/server.h"

namespace tern::router {

// A fresh request id: 52 characters from [A-Z0-9], like DynamoDB's.
std::string NewRequestId();

// CRC32 (IEEE, as zlib computes it) of body, for the x-amz-crc32 header.
uint32_t Crc32(absl::string_view body);

// A DynamoDB-protocol reply: application/x-amz-json-1.0, x-amzn-RequestId,
// x-amz-crc32 and Content-Length set; keep-alive as the request asked.
http::Response DynamoResponse(const http::Request& request,
                              boost::beast::http::status status,
                              std::string body);
// The same for a request of HTTP version (10 or 11) that asked for keep_alive.
http::Response DynamoResponse(unsigned version,
                              bool keep_alive,
                              boost::beast::http::status status,
                              std::string body);

// DynamoDB's answer to a request that is not its protocol at all (another
// method, path or content type): 404 with body <UnknownOperationException/>.
http::Response UnknownOperationXml(const http::Request& request);

}  // namespace tern::router
