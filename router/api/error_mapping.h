// The one place where an absl::Status becomes a DynamoDB error on the wire:
// HTTP status, "__type" (namespace#Name) and message. Domain code attaches a
// base::ErrorKind (common/base/error_details.h); plain statuses map by code.
// Thread-safe (pure functions).
#pragma once

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "boost/json/value.hpp"

namespace tern::router {

struct WireError {
  int http_status = 400;
  std::string type;  // e.g. "com.amazon.coral.validate#ValidationException"
  std::string message;
  bool has_message = true;  // UnknownOperationException carries none
  // ConditionalCheckFailedException with ReturnValuesOnConditionCheckFailure
  // ALL_OLD: the item, as DynamoDB JSON ("Item" in the body).
  std::optional<boost::json::value> item;
};

// Attaches item (DynamoDB JSON) to a ConditionalCheckFailed status.
void AttachItem(absl::Status* status, const boost::json::value& item);

// REQUIRES: !status.ok().
WireError MapError(const absl::Status& status);

// {"__type":"...","message":"..."} (no "message" when has_message is false;
// "Item" when there is one).
std::string ErrorBody(const WireError& error);

}  // namespace tern::router
