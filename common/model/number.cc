#include "common/model/number.h"

#include <algorithm>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace tern::model {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

absl::Status NotANumber(absl::string_view text) {
  return absl::InvalidArgumentError(
      absl::StrCat("The parameter cannot be converted to a numeric value: ", text));
}

// Order-preserving encoding: a class byte, then for non-zero numbers the
// exponent and the digits packed in pairs, then a terminator; negative
// numbers complement every byte after the class so that larger magnitudes
// sort first.
constexpr uint8_t kClassNegative = 0x01;
constexpr uint8_t kClassZero = 0x02;
constexpr uint8_t kClassPositive = 0x03;
constexpr uint8_t kTerminator = 0x00;

}  // namespace

absl::StatusOr<Number> Number::Parse(absl::string_view text) {
  size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
    negative = text[i] == '-';
    ++i;
  }
  // All mantissa digits in order, and how many of them precede the point.
  std::string mantissa;
  size_t integer_digits = 0;
  bool seen_point = false;
  bool seen_digit = false;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (IsDigit(c)) {
      mantissa.push_back(c);
      if (!seen_point) ++integer_digits;
      seen_digit = true;
    } else if (c == '.' && !seen_point) {
      seen_point = true;
    } else {
      break;
    }
  }
  if (!seen_digit) return NotANumber(text);
  int64_t exponent_part = 0;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool exponent_negative = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
      exponent_negative = text[i] == '-';
      ++i;
    }
    if (i == text.size()) return NotANumber(text);
    for (; i < text.size() && IsDigit(text[i]); ++i) {
      // Saturate: anything this large is out of range either way.
      exponent_part = std::min<int64_t>(exponent_part * 10 + (text[i] - '0'), 1'000'000'000);
    }
    if (exponent_negative) exponent_part = -exponent_part;
  }
  if (i != text.size()) return NotANumber(text);

  size_t first = mantissa.find_first_not_of('0');
  if (first == std::string::npos) return Number();  // zero, whatever the exponent
  size_t last = mantissa.find_last_not_of('0');
  std::string digits = mantissa.substr(first, last - first + 1);
  if (digits.size() > static_cast<size_t>(kMaxDigits)) {
    return absl::InvalidArgumentError(
        "Attempting to store more than 38 significant digits in a Number");
  }
  // value = 0.digits x 10^E, where E counts the integer digits after the
  // leading zeros are dropped.
  int64_t exponent =
      static_cast<int64_t>(integer_digits) - static_cast<int64_t>(first) + exponent_part;
  if (exponent > kMaxExponent) {
    return absl::InvalidArgumentError(
        "Number overflow. Attempting to store a number with magnitude larger than supported "
        "range");
  }
  if (exponent < kMinExponent) {
    return absl::InvalidArgumentError(
        "Number underflow. Attempting to store a number with magnitude smaller than supported "
        "range");
  }
  return Number(negative, std::move(digits), static_cast<int>(exponent));
}

std::string Number::ToString() const {
  if (is_zero()) return "0";
  std::string out = negative_ ? "-" : "";
  const int n = static_cast<int>(digits_.size());
  if (exponent_ <= 0) {
    out.append("0.");
    out.append(static_cast<size_t>(-exponent_), '0');
    out.append(digits_);
  } else if (exponent_ >= n) {
    out.append(digits_);
    out.append(static_cast<size_t>(exponent_ - n), '0');
  } else {
    out.append(digits_, 0, static_cast<size_t>(exponent_));
    out.push_back('.');
    out.append(digits_, static_cast<size_t>(exponent_), std::string::npos);
  }
  return out;
}

int Number::Compare(const Number& other) const {
  auto sign = [](const Number& x) { return x.is_zero() ? 0 : (x.negative_ ? -1 : 1); };
  int a = sign(*this);
  int b = sign(other);
  if (a != b) return a < b ? -1 : 1;
  if (a == 0) return 0;
  int magnitude = 0;
  if (exponent_ != other.exponent_) {
    magnitude = exponent_ < other.exponent_ ? -1 : 1;
  } else {
    // Same exponent: the digit strings compare as decimal fractions.
    int c = digits_.compare(other.digits_);
    magnitude = c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  return a > 0 ? magnitude : -magnitude;
}

std::string Number::EncodeOrdered() const {
  if (is_zero()) return std::string(1, static_cast<char>(kClassZero));
  std::string out;
  out.reserve(3 + digits_.size() / 2 + 1);
  out.push_back(static_cast<char>(negative_ ? kClassNegative : kClassPositive));
  std::string body;
  body.push_back(static_cast<char>(exponent_ - kMinExponent));  // 0..255
  for (size_t i = 0; i < digits_.size(); i += 2) {
    int high = digits_[i] - '0';
    int low = i + 1 < digits_.size() ? digits_[i + 1] - '0' : 0;
    body.push_back(static_cast<char>(high * 10 + low + 1));  // 1..100, never the terminator
  }
  body.push_back(static_cast<char>(kTerminator));
  if (negative_) {
    for (char& c : body) c = static_cast<char>(~static_cast<uint8_t>(c));
  }
  out.append(body);
  return out;
}

absl::StatusOr<Number> Number::DecodeOrdered(absl::string_view* input) {
  absl::string_view in = *input;
  auto corrupt = [] { return absl::DataLossError("invalid ordered number encoding"); };
  if (in.empty()) return corrupt();
  uint8_t cls = static_cast<uint8_t>(in[0]);
  in.remove_prefix(1);
  if (cls == kClassZero) {
    *input = in;
    return Number();
  }
  if (cls != kClassNegative && cls != kClassPositive) return corrupt();
  const bool negative = cls == kClassNegative;
  auto next = [&]() -> int {
    if (in.empty()) return -1;
    uint8_t b = static_cast<uint8_t>(in[0]);
    in.remove_prefix(1);
    return negative ? static_cast<uint8_t>(~b) : b;
  };
  int exponent_byte = next();
  if (exponent_byte < 0) return corrupt();
  std::string digits;
  for (;;) {
    int b = next();
    if (b < 0) return corrupt();
    if (b == kTerminator) break;
    if (b > 100) return corrupt();
    digits.push_back(static_cast<char>('0' + (b - 1) / 10));
    digits.push_back(static_cast<char>('0' + (b - 1) % 10));
  }
  while (!digits.empty() && digits.back() == '0') digits.pop_back();
  if (digits.empty() || digits[0] == '0' || digits.size() > static_cast<size_t>(kMaxDigits)) {
    return corrupt();
  }
  int exponent = exponent_byte + kMinExponent;
  if (exponent > kMaxExponent) return corrupt();
  *input = in;
  return Number(negative, std::move(digits), exponent);
}

int64_t Number::SizeBytes() const {
  // DynamoDB stores numbers as base-100 digit pairs aligned on the decimal
  // point, plus an exponent byte and, for negatives, a terminator; this is the
  // size it reports for them.
  if (is_zero()) return 1;
  const int64_t n = static_cast<int64_t>(digits_.size());
  // In scientific notation (d.ddd x 10^s) the exponent s is E - 1.
  const int64_t scientific_exponent = exponent_ - 1;
  const bool unaligned = n % 2 == 0 && scientific_exponent % 2 == 0;
  return 1 + (n + 1) / 2 + (unaligned ? 1 : 0) + (negative_ ? 1 : 0);
}

namespace {

// |a| >= |b| for equal-length digit strings (most significant first).
bool GreaterOrEqual(const std::string& a, const std::string& b) { return a >= b; }

// Adds or subtracts two non-negative integers given as equal-length decimal
// strings; for subtraction REQUIRES a >= b.
std::string AddDigits(const std::string& a, const std::string& b, bool subtract) {
  std::string out(a.size() + 1, '0');
  int carry = 0;
  for (size_t i = a.size(); i-- > 0;) {
    int x = a[i] - '0';
    int y = b[i] - '0';
    int d = subtract ? x - y - carry : x + y + carry;
    carry = 0;
    if (d < 0) {
      d += 10;
      carry = 1;
    } else if (d >= 10) {
      d -= 10;
      carry = 1;
    }
    out[i + 1] = static_cast<char>('0' + d);
  }
  out[0] = static_cast<char>('0' + carry);
  return out;
}

}  // namespace

Number Number::Negated() const {
  if (is_zero()) return *this;
  return Number(!negative_, digits_, exponent_);
}

absl::StatusOr<Number> Number::Add(const Number& other) const {
  if (is_zero()) return other;
  if (other.is_zero()) return *this;
  // Write both as integers times 10^scale, where scale is the power of ten of
  // the last digit: value = digits x 10^(E - n).
  const int scale_a = exponent_ - static_cast<int>(digits_.size());
  const int scale_b = other.exponent_ - static_cast<int>(other.digits_.size());
  const int scale = std::min(scale_a, scale_b);
  std::string a = digits_ + std::string(static_cast<size_t>(scale_a - scale), '0');
  std::string b = other.digits_ + std::string(static_cast<size_t>(scale_b - scale), '0');
  const size_t width = std::max(a.size(), b.size());
  a.insert(0, width - a.size(), '0');
  b.insert(0, width - b.size(), '0');
  std::string magnitude;
  bool negative = negative_;
  if (negative_ == other.negative_) {
    magnitude = AddDigits(a, b, /*subtract=*/false);
  } else if (GreaterOrEqual(a, b)) {
    magnitude = AddDigits(a, b, /*subtract=*/true);
  } else {
    magnitude = AddDigits(b, a, /*subtract=*/true);
    negative = other.negative_;
  }
  std::string text = absl::StrCat(negative ? "-" : "", magnitude, "e", scale);
  absl::StatusOr<Number> sum = Number::Parse(text);
  if (!sum.ok() && absl::StrContains(sum.status().message(), "significant digits")) {
    return absl::InvalidArgumentError(
        "Number overflow. Attempting to store a number with magnitude larger than supported "
        "range");
  }
  return sum;
}

}  // namespace tern::model
