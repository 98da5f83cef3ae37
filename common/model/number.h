// Number: DynamoDB's N type, an exact decimal with up to 38 significant
// digits and a magnitude of 1E-130 to 9.9999999999999999999999999999999999999E+125
// (or zero). Never a double.
//
// Representation: sign, the significant digits with no leading or trailing
// zeros, and an exponent E such that value = 0.d1d2...dn x 10^E. Zero has no
// digits. Value type, thread-compatible.
//
// Text in: what DynamoDB accepts ("3", "-7.1234", "+3", ".123", "0001.23",
// "1e+5", "-17.4E37", "0e1000"); no spaces, NaN or Infinity.
// Text out: the canonical plain form DynamoDB returns ("100000", "1.23",
// "-0.5"): no exponent, no leading or trailing zeros.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tern::model {

class Number {
 public:
  static constexpr int kMaxDigits = 38;
  // Bounds of E (value = 0.d1... x 10^E) for non-zero numbers.
  static constexpr int kMinExponent = -129;  // 1E-130 = 0.1 x 10^-129
  static constexpr int kMaxExponent = 126;   // 9.99...E+125 = 0.999... x 10^126

  // Zero.
  Number() = default;

  // Parses text. kInvalidArgument with DynamoDB's message (the caller adds
  // no prefix) when it is not a number, has more than 38 significant digits,
  // or is out of range.
  static absl::StatusOr<Number> Parse(absl::string_view text);

  // The canonical plain form.
  std::string ToString() const;

  bool is_zero() const { return digits_.empty(); }
  bool negative() const { return negative_; }
  // Significant digits, '1'..'9' first and last; empty for zero.
  const std::string& digits() const { return digits_; }
  int exponent() const { return exponent_; }

  // -1, 0 or 1 as this is less than, equal to or greater than other.
  int Compare(const Number& other) const;
  bool operator==(const Number& other) const { return Compare(other) == 0; }
  bool operator<(const Number& other) const { return Compare(other) < 0; }

  // Bytes whose lexicographic (memcmp) order is the numeric order, for sort
  // keys. Self-delimiting: a decoder knows where the encoding ends.
  std::string EncodeOrdered() const;
  // Decodes an EncodeOrdered() prefix of *input and advances *input past it.
  // kDataLoss when the bytes are not a valid encoding.
  static absl::StatusOr<Number> DecodeOrdered(absl::string_view* input);

  // The bytes this number counts for in DynamoDB's item size.
  int64_t SizeBytes() const;

  // this + other, exactly. kInvalidArgument with DynamoDB's overflow or
  // underflow message when the sum leaves the range or needs more than 38
  // significant digits (DynamoDB reports the latter as an overflow too).
  absl::StatusOr<Number> Add(const Number& other) const;
  Number Negated() const;

 private:
  Number(bool negative, std::string digits, int exponent)
      : negative_(negative), digits_(std::move(digits)), exponent_(exponent) {}

  bool negative_ = false;
  std::string digits_;
  int exponent_ = 0;
};

}  // namespace tern::model
