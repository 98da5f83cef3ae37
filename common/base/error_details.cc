#include "common/base/error_details.h"

#include <array>

#include "absl/strings/cord.h"
#include "absl/strings/match.h"
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

constexpr std::array<KindInfo, 15> kKinds = {{
    {ErrorKind::kValidation, "validation", absl::StatusCode::kInvalidArgument},
    {ErrorKind::kSerialization, "serialization", absl::StatusCode::kInvalidArgument},
    {ErrorKind::kUnknownOperation, "unknown_operation", absl::StatusCode::kUnimplemented},
    {ErrorKind::kMissingAuthenticationToken,
     "missing_authentication_token",
     absl::StatusCode::kUnauthenticated},
    {ErrorKind::kIncompleteSignature, "incomplete_signature", absl::StatusCode::kUnauthenticated},
    {ErrorKind::kInvalidSignature, "invalid_signature", absl::StatusCode::kUnauthenticated},
    {ErrorKind::kUnrecognizedClient, "unrecognized_client", absl::StatusCode::kUnauthenticated},
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
constexpr absl::string_view kNotLeaderAddressInfix = " at ";
constexpr absl::string_view kWrongPartitionPrefix = "wrong partition: ";
constexpr absl::string_view kNotAppliedPrefix = "not applied: ";
constexpr absl::string_view kStorageErrorPayload = "tern/storage-error";
}  // namespace

absl::Status NotLeader(uint64_t leader_hint, absl::string_view leader_address) {
  if (leader_hint == 0 || leader_address.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(kNotLeaderPrefix, leader_hint));
  }
  return absl::FailedPreconditionError(
      absl::StrCat(kNotLeaderPrefix, leader_hint, kNotLeaderAddressInfix, leader_address));
}

absl::Status WrongPartition(absl::string_view why) {
  return absl::FailedPreconditionError(absl::StrCat(kWrongPartitionPrefix, why));
}

absl::Status NotApplied(absl::string_view why) {
  return absl::UnavailableError(absl::StrCat(kNotAppliedPrefix, why));
}

absl::Status StorageError(const absl::Status& cause) {
  absl::Status marked(cause.code(), cause.message());
  if (!marked.ok()) marked.SetPayload(kStorageErrorPayload, absl::Cord("1"));
  return marked;
}

bool IsStorageError(const absl::Status& status) {
  return status.GetPayload(kStorageErrorPayload).has_value();
}

bool IsNotApplied(const absl::Status& status) {
  return status.code() == absl::StatusCode::kUnavailable &&
         absl::StartsWith(status.message(), kNotAppliedPrefix);
}

bool IsWrongPartition(const absl::Status& status) {
  return status.code() == absl::StatusCode::kFailedPrecondition &&
         absl::StartsWith(status.message(), kWrongPartitionPrefix);
}

namespace {

// The hint's id and address parts; false when status is no NotLeader().
bool SplitNotLeader(const absl::Status& status, absl::string_view* id, absl::string_view* address) {
  absl::string_view message = status.message();
  if (status.code() != absl::StatusCode::kFailedPrecondition ||
      !absl::ConsumePrefix(&message, kNotLeaderPrefix)) {
    return false;
  }
  const size_t at = message.find(kNotLeaderAddressInfix);
  *id = message.substr(0, at);
  *address = at == absl::string_view::npos ? absl::string_view()
                                           : message.substr(at + kNotLeaderAddressInfix.size());
  return true;
}

}  // namespace

std::optional<uint64_t> NotLeaderHint(const absl::Status& status) {
  absl::string_view id;
  absl::string_view address;
  uint64_t hint = 0;
  if (!SplitNotLeader(status, &id, &address) || !absl::SimpleAtoi(id, &hint)) return std::nullopt;
  return hint;
}

std::string NotLeaderAddress(const absl::Status& status) {
  absl::string_view id;
  absl::string_view address;
  if (!SplitNotLeader(status, &id, &address)) return "";
  return std::string(address);
}

}  // namespace tern::base
