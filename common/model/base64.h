// Base64 as DynamoDB's wire JSON carries B and BS values: RFC 4648 section 4
// (standard alphabet "A-Za-z0-9+/", '=' padding to a multiple of 4 characters).
//
// Decoding is strict: it accepts exactly the strings Base64Encode produces (no
// whitespace, no URL-safe alphabet, no missing or misplaced padding, no
// non-zero bits after the last byte), and its messages are the ones DynamoDB
// returns in a SerializationException for such input.
//
// Thread-safe free functions.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tern::model {

// The padded Base64 text of bytes.
std::string Base64Encode(absl::string_view bytes);

// The bytes that text encodes. kInvalidArgument, with DynamoDB's message, when
// text is not canonical padded Base64:
//   length not a multiple of 4: "Base64 encoded length is expected a multiple
//     of 4 bytes but found: <length>"
//   a character outside the alphabet: "Invalid Base64 character: '<c>'"
//   '=' anywhere but the last one or two places, or non-zero bits after the
//     last byte: "Invalid last non-pad Base64 character dectected" (sic)
absl::StatusOr<std::string> Base64Decode(absl::string_view text);

}  // namespace tern::model
