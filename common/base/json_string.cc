#include "common/base/json_string.h"

#include <array>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace tern::base {

void AppendJsonString(absl::string_view text, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  static constexpr std::array<bool, 256> kEscaped = [] {
    std::array<bool, 256> escaped{};
    for (int c = 0; c < 0x20; ++c) escaped[c] = true;
    escaped['"'] = true;
    escaped['\\'] = true;
    return escaped;
  }();
  // The first byte at or after p that needs escaping, or end: eight bytes at
  // a time while none of them does (any byte < 0x20, '"' or '\\').
  auto next_escaped = [](const char* p, const char* end) {
#if defined(__SSE2__)
    // Sixteen bytes at a time: a byte needs escaping when it equals '"' or
    // '\\', or when max(byte, 0x1f) is 0x1f (unsigned: a control byte).
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    const __m128i last_control = _mm_set1_epi8(0x1f);
    while (end - p >= 16) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
      const __m128i hits =
          _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                       _mm_cmpeq_epi8(_mm_max_epu8(v, last_control), last_control));
      const int mask = _mm_movemask_epi8(hits);
      if (mask != 0) return p + __builtin_ctz(static_cast<unsigned>(mask));
      p += 16;
    }
#endif
    constexpr uint64_t kOnes = 0x0101010101010101ull;
    constexpr uint64_t kHighs = 0x8080808080808080ull;
    auto has_zero = [](uint64_t w) { return ((w - kOnes) & ~w & kHighs) != 0; };
    while (end - p >= 8) {
      uint64_t w;
      std::memcpy(&w, p, 8);
      const bool control = ((w - 0x20 * kOnes) & ~w & kHighs) != 0;
      if (control || has_zero(w ^ ('"' * kOnes)) || has_zero(w ^ ('\\' * kOnes))) break;
      p += 8;
    }
    while (p != end && !kEscaped[static_cast<unsigned char>(*p)]) ++p;
    return p;
  };
  out->push_back('"');
  const char* p = text.data();
  const char* const end = p + text.size();
  for (;;) {
    const char* const run = p;
    p = next_escaped(p, end);
    out->append(run, static_cast<size_t>(p - run));
    if (p == end) break;
    const unsigned char c = static_cast<unsigned char>(*p++);
    out->push_back('\\');
    switch (c) {
      case '"':
      case '\\':
        out->push_back(static_cast<char>(c));
        break;
      case '\b':
        out->push_back('b');
        break;
      case '\t':
        out->push_back('t');
        break;
      case '\n':
        out->push_back('n');
        break;
      case '\f':
        out->push_back('f');
        break;
      case '\r':
        out->push_back('r');
        break;
      default:
        out->append("u00");
        out->push_back(kHex[c >> 4]);
        out->push_back(kHex[c & 0xf]);
    }
  }
  out->push_back('"');
}

}  // namespace tern::base
