// JSON string literals: the one escaper for the JSON Tern writes by hand (log
// lines, answers written without a JSON tree).
#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace tern::base {

// Appends text as a JSON string literal, quotes included, escaped exactly as
// boost::json::serialize escapes it: '"', '\\' and bytes below 0x20 (\b \t
// \n \f \r in short form, others as \u00xx); every other byte as is.
void AppendJsonString(absl::string_view text, std::string* out);

}  // namespace tern::base
