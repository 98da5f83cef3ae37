#include "router/api/api.h"

#include <optional>

#include "boost/json/parse.hpp"
#include "common/base/error_details.h"
#include "gtest/gtest.h"
#include "router/api/validation.h"

namespace tern::router {
namespace {

namespace bhttp = boost::beast::http;

constexpr char kAuth[] =
    "AWS4-HMAC-SHA256 Credential=AKID/20261126/eu-west-1/dynamodb/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=00ff";

class ApiTest : public ::testing::Test {
 protected:
  ApiTest() {
    api_.Register(
        "Echo",
        [](const RequestContext& context, const boost::json::object& request, OperationDone done) {
          boost::json::object response;
          response["Request"] = request;
          response["Region"] = context.region;
          response["Account"] = context.account_id;
          std::move(done)(std::move(response));
        });
    api_.Register(
        "Fail", [](const RequestContext&, const boost::json::object& request, OperationDone done) {
          std::string kind(request.at("Kind").as_string());
          if (kind == "not_found") {
            std::move(done)(
                base::Error(base::ErrorKind::kResourceNotFound, "Requested resource not found"));
          } else if (kind == "validation") {
            ValidationErrors errors;
            errors.AddConstraint(
                "x", "tableName", "Member must have length greater than or equal to 3");
            std::move(done)(errors.ToStatus());
          } else {
            std::move(done)(absl::InternalError("disk on fire"));
          }
        });
  }

  http::Response Post(const std::string& target,
                      const std::string& body,
                      const std::string& content_type = "application/x-amz-json-1.0",
                      const char* auth = kAuth) {
    http::Request request{bhttp::verb::post, "/", 11};
    request.set(bhttp::field::content_type, content_type);
    if (!target.empty()) request.set("X-Amz-Target", "DynamoDB_20120810." + target);
    if (auth != nullptr) request.set(bhttp::field::authorization, auth);
    request.set("X-Amz-Date", "20261126T120000Z");
    request.body() = body;
    request.prepare_payload();
    std::optional<http::Response> answer;
    api_.Handle(std::move(request), [&](http::Response r) { answer = std::move(r); });
    EXPECT_TRUE(answer.has_value());
    return answer.value_or(http::Response{});
  }

  static boost::json::object Body(const http::Response& response) {
    return boost::json::parse(response.body()).as_object();
  }

  metrics::Registry metrics_;
  Api api_{"123456789012", &metrics_};
};

TEST_F(ApiTest, RunsTheOperationWithTheCallersRegion) {
  http::Response response = Post("Echo", R"({"TableName":"T"})");
  EXPECT_EQ(response.result(), bhttp::status::ok);
  EXPECT_EQ(response[bhttp::field::content_type], "application/x-amz-json-1.0");
  boost::json::object body = Body(response);
  EXPECT_EQ(body.at("Region").as_string(), "eu-west-1");
  EXPECT_EQ(body.at("Account").as_string(), "123456789012");
  EXPECT_EQ(body.at("Request").at("TableName").as_string(), "T");
  EXPECT_EQ(response["x-amzn-RequestId"].size(), 52u);
}

TEST_F(ApiTest, AnswersInTheRequestsJsonContentType) {
  http::Response response = Post("Echo", "{}", "application/json; charset=utf-8");
  EXPECT_EQ(response.result(), bhttp::status::ok);
  EXPECT_EQ(response[bhttp::field::content_type], "application/json");
}

TEST_F(ApiTest, OtherContentTypesAreNotTheProtocol) {
  http::Response response = Post("Echo", "{}", "text/plain");
  EXPECT_EQ(response.result(), bhttp::status::not_found);
  EXPECT_EQ(response.body(), "<UnknownOperationException/>\n");
}

TEST_F(ApiTest, UnknownTargetIsUnknownOperation) {
  for (const char* target : {"Nothing", ""}) {
    http::Response response = Post(target, "{}");
    EXPECT_EQ(response.result(), bhttp::status::bad_request);
    EXPECT_EQ(response.body(),
              R"({"__type":"com.amazon.coral.service#UnknownOperationException"})");
  }
}

TEST_F(ApiTest, MissingOrBrokenSignature) {
  http::Response missing = Post("Echo", "{}", "application/x-amz-json-1.0", nullptr);
  EXPECT_EQ(missing.result(), bhttp::status::bad_request);
  EXPECT_EQ(Body(missing).at("__type").as_string(),
            "com.amazon.coral.service#MissingAuthenticationTokenException");
  EXPECT_EQ(Body(missing).at("message").as_string(), "Request is missing Authentication Token");
  http::Response broken = Post("Echo", "{}", "application/x-amz-json-1.0", "AWS4-HMAC-SHA256 x");
  EXPECT_EQ(Body(broken).at("__type").as_string(),
            "com.amazon.coral.service#IncompleteSignatureException");
}

TEST_F(ApiTest, UnparsableJsonIsSerializationException) {
  for (const char* body : {"{", "[]", "\"x\"", ""}) {
    http::Response response = Post("Echo", body);
    EXPECT_EQ(response.result(), bhttp::status::bad_request) << body;
    EXPECT_EQ(Body(response).at("__type").as_string(),
              "com.amazon.coral.service#SerializationException")
        << body;
  }
}

TEST_F(ApiTest, ErrorsAreMappedOnce) {
  http::Response not_found = Post("Fail", R"({"Kind":"not_found"})");
  EXPECT_EQ(not_found.result(), bhttp::status::bad_request);
  EXPECT_EQ(not_found.body(),
            R"({"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException",)"
            R"("message":"Requested resource not found"})");
  http::Response validation = Post("Fail", R"({"Kind":"validation"})");
  EXPECT_EQ(Body(validation).at("__type").as_string(),
            "com.amazon.coral.validate#ValidationException");
  EXPECT_EQ(Body(validation).at("message").as_string(),
            "1 validation error detected: Value 'x' at 'tableName' failed to satisfy constraint: "
            "Member must have length greater than or equal to 3");
  http::Response internal = Post("Fail", R"({"Kind":"boom"})");
  EXPECT_EQ(internal.result(), bhttp::status::internal_server_error);
  EXPECT_EQ(Body(internal).at("message").as_string(), "Internal server error");
}

}  // namespace
}  // namespace tern::router
