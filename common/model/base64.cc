#include "common/model/base64.h"

#include <array>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace tern::model {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr int8_t kInvalid = -1;
constexpr int8_t kPad = -2;

constexpr std::array<int8_t, 256> MakeDecodeTable() {
  std::array<int8_t, 256> table{};
  for (int8_t& entry : table) entry = kInvalid;
  for (int i = 0; i < 64; ++i) table[static_cast<uint8_t>(kAlphabet[i])] = static_cast<int8_t>(i);
  table[static_cast<uint8_t>('=')] = kPad;
  return table;
}

constexpr std::array<int8_t, 256> kDecodeTable = MakeDecodeTable();

absl::Status BadLastCharacter() {
  // DynamoDB's own spelling.
  return absl::InvalidArgumentError("Invalid last non-pad Base64 character dectected");
}

}  // namespace

std::string Base64Encode(absl::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t group = (static_cast<uint32_t>(static_cast<uint8_t>(bytes[i])) << 16) |
                           (static_cast<uint32_t>(static_cast<uint8_t>(bytes[i + 1])) << 8) |
                           static_cast<uint32_t>(static_cast<uint8_t>(bytes[i + 2]));
    out.push_back(kAlphabet[(group >> 18) & 0x3f]);
    out.push_back(kAlphabet[(group >> 12) & 0x3f]);
    out.push_back(kAlphabet[(group >> 6) & 0x3f]);
    out.push_back(kAlphabet[group & 0x3f]);
  }
  const size_t rest = bytes.size() - i;
  if (rest == 1) {
    const uint32_t group = static_cast<uint32_t>(static_cast<uint8_t>(bytes[i])) << 16;
    out.push_back(kAlphabet[(group >> 18) & 0x3f]);
    out.push_back(kAlphabet[(group >> 12) & 0x3f]);
    out.append("==");
  } else if (rest == 2) {
    const uint32_t group = (static_cast<uint32_t>(static_cast<uint8_t>(bytes[i])) << 16) |
                           (static_cast<uint32_t>(static_cast<uint8_t>(bytes[i + 1])) << 8);
    out.push_back(kAlphabet[(group >> 18) & 0x3f]);
    out.push_back(kAlphabet[(group >> 12) & 0x3f]);
    out.push_back(kAlphabet[(group >> 6) & 0x3f]);
    out.push_back('=');
  }
  return out;
}

absl::StatusOr<std::string> Base64Decode(absl::string_view text) {
  if (text.size() % 4 != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Base64 encoded length is expected a multiple of 4 bytes but found: ", text.size()));
  }
  // Padding may only be the last one or two characters of the text.
  size_t pad = 0;
  while (pad < text.size() && text[text.size() - 1 - pad] == '=') ++pad;
  const size_t data_chars = text.size() - pad;
  for (size_t i = 0; i < data_chars; ++i) {
    const int8_t sextet = kDecodeTable[static_cast<uint8_t>(text[i])];
    if (sextet == kInvalid) {
      return absl::InvalidArgumentError(
          absl::StrCat("Invalid Base64 character: '", text.substr(i, 1), "'"));
    }
    // DynamoDB reports a misplaced '=' as a bad last character.
    if (sextet == kPad) return BadLastCharacter();
  }
  if (pad > 2) return BadLastCharacter();

  std::string out;
  out.reserve(data_chars / 4 * 3 + 2);
  uint32_t bits = 0;
  int bit_count = 0;
  for (size_t i = 0; i < data_chars; ++i) {
    bits = (bits << 6) | static_cast<uint32_t>(kDecodeTable[static_cast<uint8_t>(text[i])]);
    bit_count += 6;
    if (bit_count >= 8) {
      bit_count -= 8;
      out.push_back(static_cast<char>((bits >> bit_count) & 0xff));
    }
  }
  // A lone final character (pad == 3 is rejected above, so bit_count is 0, 2
  // or 4 here) or leftover bits that are not zero make a non-canonical text.
  if (bit_count != 0 && (bits & ((1u << bit_count) - 1)) != 0) return BadLastCharacter();
  return out;
}

}  // namespace tern::model
