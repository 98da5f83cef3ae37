// Structural checks of AWS Signature Version 4 on a DynamoDB request: the
// Authorization header must be present and well formed, as DynamoDB demands
// before anything else. The signature itself is not verified yet (any key is
// accepted); that needs the key store.
// Thread-safe (pure functions).
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tern::router {

struct SigV4Credential {
  std::string access_key_id;
  std::string date;     // yyyymmdd
  std::string region;   // e.g. us-east-1
  std::string service;  // dynamodb
};

// authorization: the Authorization header ("" when absent); has_date: whether
// an X-Amz-Date or Date header is present.
// Errors (base::ErrorKind): kMissingAuthenticationToken when there is no
// AWS4-HMAC-SHA256 Authorization header; kIncompleteSignature when it lacks
// Credential, Signature or SignedHeaders, there is no date, or the credential
// scope does not have 5 parts.
absl::StatusOr<SigV4Credential> CheckSigV4(absl::string_view authorization, bool has_date);

}  // namespace tern::router
