#include "common/base/error_details.h"

#include <array>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace tern::base {
namespace {

struct KindInfo {
  ErrorKind kind;
  absl::string_view name;
  absl::StatusCode code;
};

constexpr std::array<KindInfo, 13> kKinds = {{
    {ErrorKind::kValidation, "validation", absl::StatusCode::kInvalidArgument},
    {ErrorKind::kSerialization, "serialization", absl::StatusCode::kInvalidArgument},
    {ErrorKind::kUnknownOperation, "unknown_operation", absl::StatusCode::kUnimplemented},
    {ErrorKind::kMissingAuthenticationToken,
     "missing_authentication_token",
     absl::StatusCode::kUnauthenticated},
    {ErrorKind::kIncompleteSignature, "incomplete_signature", absl::StatusCode::kUnauthenticated},
    {ErrorKind::kResourceNotFound, "resource_not_found", absl::StatusCode::kNotFound},
    {ErrorKind::kResourceInUse, "resource_in_use", absl::StatusCode::kAlreadyExists},
    {ErrorKind::kConditionalCheckFailed,
     "conditional_check_failed",
     absl::StatusCode::kFailedPrecondition},
    {ErrorKind::kLimitExceeded, "limit_exceeded", absl::StatusCode::kResourceExhausted},
    {ErrorKind::kProvisionedThroughputExceeded,
     "provisioned_throughput_exceeded",
     absl::StatusCode::kResourceExhausted},
    {ErrorKind::kThrottling, "throttling", absl::StatusCode::kResourceExhausted},
    {ErrorKind::kInternal, "internal", absl::StatusCode::kInternal},
    {ErrorKind::kServiceUnavailable, "service_unavailable", absl::StatusCode::kUnavailable},
}};

const KindInfo& Info(ErrorKind kind) {
  for (const KindInfo& info : kKinds) {
    if (info.kind == kind) return info;
  }
  return kKinds[0];
}

}  // namespace

absl::Status Error(ErrorKind kind, absl::string_view message) {
  const KindInfo& info = Info(kind);
  absl::Status status(info.code, message);
  status.SetPayload(kErrorKindPayload, absl::Cord(info.name));
  return status;
}

std::optional<ErrorKind> GetErrorKind(const absl::Status& status) {
  auto payload = status.GetPayload(kErrorKindPayload);
  if (!payload.has_value()) return std::nullopt;
  std::string name(*payload);
  for (const KindInfo& info : kKinds) {
    if (info.name == name) return info.kind;
  }
  return std::nullopt;
}

absl::string_view ErrorKindName(ErrorKind kind) { return Info(kind).name; }

namespace {
constexpr absl::string_view kNotLeaderPrefix = "not leader; leader: ";
}  // namespace

absl::Status NotLeader(uint64_t leader_hint) {
  return absl::FailedPreconditionError(absl::StrCat(kNotLeaderPrefix, leader_hint));
}

std::optional<uint64_t> NotLeaderHint(const absl::Status& status) {
  absl::string_view message = status.message();
  if (status.code() != absl::StatusCode::kFailedPrecondition ||
      !absl::ConsumePrefix(&message, kNotLeaderPrefix)) {
    return std::nullopt;
  }
  uint64_t hint = 0;
  if (!absl::SimpleAtoi(message, &hint)) return std::nullopt;
  return hint;
}

}  // namespace tern::base
