// The lexer of DynamoDB's expression language, internal to common/expr: splits
// an expression into tokens (names, #name and :value references, numbers,
// punctuation) for the recursive-descent parser in parser.cc. Whitespace
// separates tokens; an unknown byte is a kInvalid token of one character (a
// whole UTF-8 sequence when it starts one); the vector ends with kEof.
#pragma once

#include <cstddef>
#include <vector>

#include "absl/strings/string_view.h"

namespace tern::expr::internal {

enum class Tok { kName, kNameRef, kValueRef, kNumber, kPunct, kInvalid, kEof };

struct Token {
  Tok type = Tok::kEof;
  size_t begin = 0;
  size_t end = 0;
  absl::string_view text;
};

// The tokens of text, in order, followed by a kEof token at the end of the
// last token (0 when there is none). Token texts point into text.
std::vector<Token> Lex(absl::string_view text);

}  // namespace tern::expr::internal
