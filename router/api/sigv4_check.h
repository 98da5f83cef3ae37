// AWS Signature Version 4 on a DynamoDB request, in DynamoDB's order of
// checks and with its messages:
//  - CheckSigV4: the Authorization header is present and well formed (what
//    a router without a credentials file demands; any key is accepted);
//  - VerifySigV4: that, then the date, its freshness, the signed headers,
//    the credential scope, the access key and the signature itself, against
//    a CredentialStore (tern-router --credentials_file).
// Thread-safe (pure functions).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "router/api/credential_store.h"

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
// AWS4-* Authorization header; kIncompleteSignature when it lacks
// Credential, Signature or SignedHeaders, there is no date, the algorithm is
// not AWS4-HMAC-SHA256, or the credential scope does not have 5 parts.
absl::StatusOr<SigV4Credential> CheckSigV4(absl::string_view authorization, bool has_date);

// What a signature covers.
struct SigV4Request {
  absl::string_view method;                                  // e.g. "POST"
  absl::string_view target;                                  // the request target: path and query
  std::vector<std::pair<std::string, std::string>> headers;  // as received
  absl::string_view body;
};

// How far a request's date may lie from the router's clock.
struct SigV4Window {
  absl::Duration max_age = absl::Minutes(5);
  absl::Duration max_ahead = absl::Minutes(15);
};

// The whole check. Errors, in this order: those of CheckSigV4 (but a bad
// algorithm only after the date checks); kIncompleteSignature for a date
// (X-Amz-Date, else Date) not in ISO-8601 basic format; kInvalidSignature
// for a date outside `window` of `now`, an unsigned Host header, a scope
// with the wrong service, terminator, empty region or another day than the
// date (all named at once); kUnrecognizedClient for an access key `keys`
// does not hold; kInvalidSignature, with the canonical request and string
// to sign the router computed, when the signature differs; and
// kUnrecognizedClient for a session token (X-Amz-Security-Token: the store
// holds long-term keys only).
absl::StatusOr<SigV4Credential> VerifySigV4(const SigV4Request& request,
                                            const CredentialStore& keys,
                                            absl::Time now,
                                            const SigV4Window& window = {});

}  // namespace tern::router
