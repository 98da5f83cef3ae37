// Domain error kinds carried on absl::Status as a payload, so that the edge
// (router/api/error_mapping) can answer with the exact DynamoDB error type
// while everything in between handles plain absl::Status values.
//
//   return base::Error(base::ErrorKind::kResourceNotFound, "Requested resource not found");
//   ...
//   std::optional<ErrorKind> kind = base::GetErrorKind(status);
//
// Each kind has a fixed absl::StatusCode (kValidation -> kInvalidArgument,
// kResourceNotFound -> kNotFound, ...), so code that only looks at codes
// still behaves. Thread-compatible free functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace tern::base {

enum class ErrorKind {
  kValidation,        // ValidationException
  kSerialization,     // SerializationException (request JSON of the wrong shape)
  kUnknownOperation,  // UnknownOperationException
  kMissingAuthenticationToken,
  kIncompleteSignature,
  kInvalidSignature,    // InvalidSignatureException (wrong, expired or misscoped)
  kUnrecognizedClient,  // UnrecognizedClientException (unknown access key)
  kResourceNotFound,
  kResourceInUse,
  kConditionalCheckFailed,
  kLimitExceeded,
  kProvisionedThroughputExceeded,
  kThrottling,
  kInternal,
  kServiceUnavailable,
};

// The payload's type URL.
inline constexpr absl::string_view kErrorKindPayload = "tern/error-kind";

// A status of the kind's code, carrying the kind and message.
absl::Status Error(ErrorKind kind, absl::string_view message);

// The kind attached by Error(), if any.
std::optional<ErrorKind> GetErrorKind(const absl::Status& status);

// The kind's stable name ("validation", "resource_not_found", ...).
absl::string_view ErrorKindName(ErrorKind kind);

// "This replica is not the leader": FAILED_PRECONDITION whose message names
// the leader this replica knows of (0 when none), so that the hint survives
// a gRPC hop (status code and message are all that cross it).
// With the leader's address when known ("not leader; leader: 4 at
// 127.0.0.1:7103"): a leader that only just joined the group (a replica
// move) is not in the caller's partition descriptor yet.
absl::Status NotLeader(uint64_t leader_hint, absl::string_view leader_address = "");

// A request routed with a stale partition map: the partition was split (or
// the key is not its own any more). FAILED_PRECONDITION; nothing was done,
// so the router refreshes its map and sends the request again.
absl::Status WrongPartition(absl::string_view why);
bool IsWrongPartition(const absl::Status& status);

// A write refused before it could take effect anywhere (the replica never
// appended it, or another leader's entry took its log index): UNAVAILABLE,
// and the router may send it again. Any other failure of a write that
// reached a replica leaves its outcome unknown, and a retry could apply it
// twice.
absl::Status NotApplied(absl::string_view why);
bool IsNotApplied(const absl::Status& status);

// The storage engine failed (an I/O error, corruption) while a replica
// decided a write from its log: not the write's outcome, which every
// replica reaches alike, but this replica's own trouble (it stops; the
// entry stays unapplied there). cause's code and message, marked with a
// payload: it never crosses a gRPC hop.
absl::Status StorageError(const absl::Status& cause);
bool IsStorageError(const absl::Status& status);

// The hint of a NotLeader() status; nullopt for any other status.
std::optional<uint64_t> NotLeaderHint(const absl::Status& status);
// The leader's address in a NotLeader() status; "" when absent.
std::string NotLeaderAddress(const absl::Status& status);

}  // namespace tern::base
