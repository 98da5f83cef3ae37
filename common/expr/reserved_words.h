// DynamoDB's reserved words: an attribute name that is one of them (in any
// letter case) cannot appear literally in an expression and must be written
// through an ExpressionAttributeNames placeholder. Thread-safe free functions.
#pragma once

#include <cstddef>

#include "absl/strings/string_view.h"

namespace tern::expr {

// Whether word, compared case-insensitively, is a DynamoDB reserved word.
bool IsReservedWord(absl::string_view word);

// The number of reserved words (573), for tests.
size_t ReservedWordCountForTesting();

}  // namespace tern::expr
