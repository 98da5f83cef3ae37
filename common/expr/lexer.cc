#include "common/expr/lexer.h"

#include <cstddef>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/string_view.h"

namespace tern::expr::internal {
namespace {

bool IsWordChar(char c) { return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// The length of the bad "character" at text[i]: a whole UTF-8 sequence when
// the bytes form one, otherwise one byte.
size_t BadCharLength(absl::string_view text, size_t i) {
  const auto lead = static_cast<unsigned char>(text[i]);
  size_t want = lead >= 0xF0 && lead < 0xF8 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
  if (lead >= 0xF8) want = 1;
  if (i + want > text.size()) return 1;
  for (size_t k = 1; k < want; ++k) {
    if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return 1;
  }
  return want;
}

}  // namespace

std::vector<Token> Lex(absl::string_view text) {
  std::vector<Token> tokens;
  size_t i = 0;
  auto push = [&](Tok type, size_t begin, size_t end) {
    tokens.push_back(Token{type, begin, end, text.substr(begin, end - begin)});
  };
  while (i < text.size()) {
    const char c = text[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      ++i;
      continue;
    }
    const size_t begin = i;
    if (absl::ascii_isalpha(static_cast<unsigned char>(c))) {
      while (i < text.size() && IsWordChar(text[i])) ++i;
      push(Tok::kName, begin, i);
    } else if (absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      while (i < text.size() && absl::ascii_isdigit(static_cast<unsigned char>(text[i]))) ++i;
      push(Tok::kNumber, begin, i);
    } else if (c == '#' || c == ':') {
      ++i;
      while (i < text.size() && IsWordChar(text[i])) ++i;
      push(i - begin > 1 ? (c == '#' ? Tok::kNameRef : Tok::kValueRef) : Tok::kInvalid, begin, i);
    } else if ((c == '<' || c == '>') && i + 1 < text.size() &&
               (text[i + 1] == '=' || (c == '<' && text[i + 1] == '>'))) {
      i += 2;
      push(Tok::kPunct, begin, i);
    } else if (absl::string_view("=<>()[],.+-").find(c) != absl::string_view::npos) {
      ++i;
      push(Tok::kPunct, begin, i);
    } else {
      i += BadCharLength(text, i);
      push(Tok::kInvalid, begin, i);
    }
  }
  const size_t end = tokens.empty() ? 0 : tokens.back().end;
  tokens.push_back(Token{Tok::kEof, end, end, absl::string_view()});
  return tokens;
}

}  // namespace tern::expr::internal
