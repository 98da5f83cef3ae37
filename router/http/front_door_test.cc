#include "router/http/front_door.h"

#include <zlib.h>

#include <optional>
#include <random>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/string_view.h"
#include "boost/json/parse.hpp"
#include "common/testing/testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "router/api/api.h"
#include "router/api/wire.h"

namespace tern::router {
namespace {

namespace bhttp = boost::beast::http;
using ::testing::HasSubstr;

class FrontDoorTest : public ::testing::Test {
 protected:
  http::Response Call(bhttp::verb verb,
                      const std::string& target,
                      const std::string& amz_target = "",
                      const std::string& body = "") {
    http::Request request{verb, target, 11};
    if (!amz_target.empty()) request.set("X-Amz-Target", amz_target);
    request.set(bhttp::field::content_type, "application/x-amz-json-1.0");
    request.body() = body;
    request.prepare_payload();
    std::optional<http::Response> captured;
    door_.Handle(std::move(request),
                 [&captured](http::Response response) { captured = std::move(response); });
    EXPECT_TRUE(captured.has_value());
    return captured.value_or(http::Response{});
  }

  static void ExpectDynamoHeaders(const http::Response& response) {
    EXPECT_EQ(response["x-amzn-RequestId"].size(), 52u);
    uint32_t crc = 0;
    ASSERT_TRUE(absl::SimpleAtoi(
        absl::string_view(response["x-amz-crc32"].data(), response["x-amz-crc32"].size()), &crc));
    EXPECT_EQ(crc, Crc32(response.body()));
  }

  metrics::Registry metrics_;
  daemon::AdminEndpoints admin_{"tern-router", &metrics_, nullptr};
  Api api_{"000000000000", &metrics_};
  FrontDoor door_{"127.0.0.1:8000", &admin_, &api_, &metrics_};
};

TEST_F(FrontDoorTest, GetRootAnswersHealthy) {
  http::Response response = Call(bhttp::verb::get, "/");
  EXPECT_EQ(response.result(), bhttp::status::ok);
  EXPECT_EQ(response.body(), "healthy: 127.0.0.1:8000");
  EXPECT_EQ(Call(bhttp::verb::get, "/?x=1").body(), "healthy: 127.0.0.1:8000");
}

TEST_F(FrontDoorTest, ServesMetricsAndHealthz) {
  Call(bhttp::verb::get, "/");
  http::Response metrics = Call(bhttp::verb::get, "/metrics");
  EXPECT_EQ(metrics.result(), bhttp::status::ok);
  EXPECT_THAT(metrics.body(),
              HasSubstr("tern_router_http_requests_total{code=\"200\",kind=\"health\"} 1"));
  http::Response health = Call(bhttp::verb::get, "/healthz");
  EXPECT_EQ(boost::json::parse(health.body()).as_object().at("status").as_string(), "SERVING");
}

TEST_F(FrontDoorTest, UnknownPathIs404UnknownOperation) {
  http::Response response = Call(bhttp::verb::put, "/");
  EXPECT_EQ(response.result(), bhttp::status::not_found);
  EXPECT_EQ(response.body(), "<UnknownOperationException/>\n");
  ExpectDynamoHeaders(response);
  EXPECT_EQ(Call(bhttp::verb::post, "/tables").result(), bhttp::status::not_found);
}

TEST_F(FrontDoorTest, PostGoesToTheApi) {
  http::Response response = Call(bhttp::verb::post, "/", "DynamoDB_20120810.Nothing", "{}");
  EXPECT_EQ(response.result(), bhttp::status::bad_request);
  ExpectDynamoHeaders(response);
  boost::json::object body = boost::json::parse(response.body()).as_object();
  EXPECT_EQ(body.at("__type").as_string(), "com.amazon.coral.service#UnknownOperationException");
}

TEST(WireTest, Crc32MatchesKnownValue) {
  // The standard check value of CRC-32/IEEE.
  EXPECT_EQ(Crc32("123456789"), 0xCBF43926u);
  EXPECT_EQ(Crc32(""), 0u);
}

// The same CRC as zlib's crc32 (what SDKs check the header with), for every
// length up to a few blocks and at every alignment.
TEST(WireTest, Crc32MatchesZlib) {
  const uint64_t seed = testing::SeedRandom();
  std::mt19937_64 rng(seed);
  std::string bytes(5000, '\0');
  for (char& c : bytes) c = static_cast<char>(rng());
  for (size_t offset = 0; offset < 16; ++offset) {
    for (size_t size = 0; offset + size <= bytes.size(); size += 1 + size / 8) {
      const absl::string_view piece(bytes.data() + offset, size);
      const uLong expected =
          crc32(0L, reinterpret_cast<const Bytef*>(piece.data()), static_cast<uInt>(piece.size()));
      ASSERT_EQ(Crc32(piece), static_cast<uint32_t>(expected))
          << "seed " << seed << " offset " << offset << " size " << size;
    }
  }
}

TEST(WireTest, RequestIdsAreFreshAndWellFormed) {
  std::string a = NewRequestId();
  std::string b = NewRequestId();
  EXPECT_NE(a, b);
  for (char c : a) EXPECT_TRUE((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) << c;
}

}  // namespace
}  // namespace tern::router
