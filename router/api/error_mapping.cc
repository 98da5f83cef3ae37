#include "router/api/error_mapping.h"

#include "boost/json/object.hpp"
#include "boost/json/parse.hpp"
#include "boost/json/serialize.hpp"
#include "common/base/error_details.h"
#include "common/log/log.h"

namespace tern::router {
namespace {

constexpr char kDynamo[] = "com.amazonaws.dynamodb.v20120810#";
constexpr char kCoral[] = "com.amazon.coral.service#";
constexpr char kItemPayload[] = "tern/item";

WireError Make(int http_status, std::string type, std::string message, bool has_message = true) {
  WireError error;
  error.http_status = http_status;
  error.type = std::move(type);
  error.message = std::move(message);
  error.has_message = has_message;
  return error;
}

}  // namespace

void AttachItem(absl::Status* status, const boost::json::value& item) {
  status->SetPayload(kItemPayload, absl::Cord(boost::json::serialize(item)));
}

WireError MapError(const absl::Status& status) {
  std::string message(status.message());
  std::optional<base::ErrorKind> kind = base::GetErrorKind(status);
  if (kind.has_value()) {
    switch (*kind) {
      case base::ErrorKind::kValidation:
        return Make(400, "com.amazon.coral.validate#ValidationException", message);
      case base::ErrorKind::kSerialization:
        return Make(400, std::string(kCoral) + "SerializationException", message, !message.empty());
      case base::ErrorKind::kUnknownOperation:
        return Make(400, std::string(kCoral) + "UnknownOperationException", "", false);
      case base::ErrorKind::kMissingAuthenticationToken:
        return Make(400, std::string(kCoral) + "MissingAuthenticationTokenException", message);
      case base::ErrorKind::kIncompleteSignature:
        return Make(400, std::string(kCoral) + "IncompleteSignatureException", message);
      case base::ErrorKind::kInvalidSignature:
        return Make(400, std::string(kCoral) + "InvalidSignatureException", message);
      case base::ErrorKind::kUnrecognizedClient:
        return Make(400, std::string(kCoral) + "UnrecognizedClientException", message);
      case base::ErrorKind::kResourceNotFound:
        return Make(400, std::string(kDynamo) + "ResourceNotFoundException", message);
      case base::ErrorKind::kResourceInUse:
        return Make(400, std::string(kDynamo) + "ResourceInUseException", message);
      case base::ErrorKind::kConditionalCheckFailed: {
        WireError error =
            Make(400, std::string(kDynamo) + "ConditionalCheckFailedException", message);
        if (absl::optional<absl::Cord> item = status.GetPayload(kItemPayload); item.has_value()) {
          boost::system::error_code ec;
          boost::json::value parsed = boost::json::parse(std::string(*item), ec);
          if (!ec) error.item = std::move(parsed);
        }
        return error;
      }
      case base::ErrorKind::kLimitExceeded:
        return Make(400, std::string(kDynamo) + "LimitExceededException", message);
      case base::ErrorKind::kProvisionedThroughputExceeded:
        return Make(400, std::string(kDynamo) + "ProvisionedThroughputExceededException", message);
      case base::ErrorKind::kThrottling:
        return Make(400, "com.amazon.coral.availability#ThrottlingException", message);
      case base::ErrorKind::kInternal:
        break;
      case base::ErrorKind::kServiceUnavailable:
        return Make(503, "com.amazon.coral.availability#ServiceUnavailableException", message);
    }
  }
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
      return Make(400, "com.amazon.coral.validate#ValidationException", message);
    case absl::StatusCode::kNotFound:
      return Make(400, std::string(kDynamo) + "ResourceNotFoundException", message);
    case absl::StatusCode::kAlreadyExists:
      return Make(400, std::string(kDynamo) + "ResourceInUseException", message);
    case absl::StatusCode::kFailedPrecondition:
      return Make(400,
                  std::string(kDynamo) + "ConditionalCheckFailedException",
                  "The conditional request failed");
    case absl::StatusCode::kResourceExhausted:
      return Make(400, std::string(kDynamo) + "ProvisionedThroughputExceededException", message);
    case absl::StatusCode::kAborted:
      return Make(400, std::string(kDynamo) + "TransactionConflictException", message);
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
      return Make(503,
                  "com.amazon.coral.availability#ServiceUnavailableException",
                  "Service unavailable, please retry");
    default:
      break;
  }
  // Internal details stay in our log, never in the client's answer.
  TERN_LOG(Error, "internal error answered as InternalServerError")
      .With("error", status.ToString());
  return Make(500, std::string(kDynamo) + "InternalServerError", "Internal server error");
}

std::string ErrorBody(const WireError& error) {
  boost::json::object body;
  body["__type"] = error.type;
  if (error.has_message) body["message"] = error.message;
  if (error.item.has_value()) body["Item"] = *error.item;
  return boost::json::serialize(body);
}

}  // namespace tern::router
