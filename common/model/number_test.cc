#include "common/model/number.h"

#include <algorithm>
#include <random>
#include <vector>

#include "common/testing/testing.h"
#include "gtest/gtest.h"

namespace tern::model {
namespace {

using ::testing::HasSubstr;
using testing::IsOk;
using testing::StatusIs;

std::string Canonical(absl::string_view text) {
  absl::StatusOr<Number> n = Number::Parse(text);
  EXPECT_THAT(n, IsOk()) << text;
  return n.ok() ? n->ToString() : "<error>";
}

TEST(NumberTest, AcceptsWhatDynamoDbAccepts) {
  EXPECT_EQ(Canonical("3"), "3");
  EXPECT_EQ(Canonical("-7.1234"), "-7.1234");
  EXPECT_EQ(Canonical("-17e5"), "-1700000");
  EXPECT_EQ(Canonical("-17.4E37"), "-174000000000000000000000000000000000000");
  EXPECT_EQ(Canonical("+3"), "3");
  EXPECT_EQ(Canonical(".123"), "0.123");
  EXPECT_EQ(Canonical("0001.23"), "1.23");
  EXPECT_EQ(Canonical("1e+5"), "100000");
  EXPECT_EQ(Canonical("0e1000"), "0");
  EXPECT_EQ(Canonical("-0"), "0");
  EXPECT_EQ(Canonical("1.50"), "1.5");
  EXPECT_EQ(Canonical("1."), "1");
  EXPECT_EQ(Canonical("120"), "120");
  EXPECT_EQ(Canonical("0.000120"), "0.00012");
  EXPECT_EQ(Canonical("12.5e-3"), "0.0125");
}

TEST(NumberTest, RejectsNonNumbersWithDynamoDbMessage) {
  for (const char* bad : {"NaN",
                          "Infinity",
                          "-Infinity",
                          "-NaN",
                          "dog",
                          "-dog",
                          " 1",
                          "1 ",
                          "",
                          "-",
                          "+",
                          ".",
                          "1e",
                          "1e+",
                          "e5",
                          "1.2.3",
                          "0x10",
                          "1,5",
                          "--1"}) {
    EXPECT_THAT(
        Number::Parse(bad),
        StatusIs(absl::StatusCode::kInvalidArgument,
                 "The parameter cannot be converted to a numeric value: " + std::string(bad)))
        << bad;
  }
}

TEST(NumberTest, AcceptsTheWholeRange) {
  for (const char* ok : {"1e125",
                         "9.9999999999999999999999999999999999999E+125",
                         "1e-130",
                         "-1e-130",
                         "-9.99999999e125",
                         "3.1415926535897932384626433832795028841",
                         "31415926535897932384626433832795028841e30",
                         "0.00000000000000000000000000000000000001011"}) {
    EXPECT_THAT(Number::Parse(ok), IsOk()) << ok;
  }
  EXPECT_EQ(Canonical("1e-130"), "0." + std::string(129, '0') + "1");
  EXPECT_EQ(Canonical("1e125"), "1" + std::string(125, '0'));
}

TEST(NumberTest, RejectsOverflowUnderflowAndPrecision) {
  for (const char* big : {"1e126", "11e125", "-1e126", "1e100000000000000"}) {
    EXPECT_THAT(Number::Parse(big),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         "Number overflow. Attempting to store a number with magnitude larger "
                         "than supported range"))
        << big;
  }
  for (const char* small : {"1e-131", "0.9e-130", "-1e-131", "1e-99999999999999"}) {
    EXPECT_THAT(Number::Parse(small),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         "Number underflow. Attempting to store a number with magnitude smaller "
                         "than supported range"))
        << small;
  }
  for (const char* precise : {"3.14159265358979323846264338327950288419",
                              "314159265358979323846.264338327950288419",
                              "314159265358979323846264338327950288419e30"}) {
    EXPECT_THAT(Number::Parse(precise),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         "Attempting to store more than 38 significant digits in a Number"))
        << precise;
  }
  // Leading and trailing zeros are not significant.
  EXPECT_THAT(Number::Parse("000000000000000000001000000000000000000000000000000000000000"),
              IsOk());
}

TEST(NumberTest, ComparesNumerically) {
  auto n = [](const char* text) { return *Number::Parse(text); };
  EXPECT_LT(n("-10"), n("-9"));
  EXPECT_LT(n("-1"), n("0"));
  EXPECT_LT(n("0"), n("0.0001"));
  EXPECT_LT(n("9"), n("10"));
  EXPECT_LT(n("1.2"), n("1.23"));
  EXPECT_LT(n("-1.23"), n("-1.2"));
  EXPECT_EQ(n("1.0"), n("1"));
  EXPECT_EQ(n("100"), n("1e2"));
}

TEST(NumberTest, SizeFollowsDynamoDb) {
  auto size = [](const char* text) { return Number::Parse(text)->SizeBytes(); };
  EXPECT_EQ(size("0"), 1);
  EXPECT_EQ(size("1"), 2);
  EXPECT_EQ(size("-1"), 3);
  // Base-100 digit pairs aligned on the decimal point, plus one byte.
  EXPECT_EQ(size("12"), 2);     // |12|
  EXPECT_EQ(size("1.2"), 3);    // |01|.|20|
  EXPECT_EQ(size("123"), 3);    // |01|23|
  EXPECT_EQ(size("1234"), 3);   // |12|34|
  EXPECT_EQ(size("12.34"), 3);  // |12|.|34|
  EXPECT_EQ(size("-12"), 3);    // negatives carry one more byte
  EXPECT_EQ(size("1234567890123456789012345678901234567.8"), 21);
}

// Random numbers: ordered encodings sort like the numbers, and every
// encoding and canonical string round-trips.
TEST(NumberTest, OrderedEncodingMatchesNumericOrder) {
  std::mt19937_64 rng(tern::testing::SeedRandom());
  std::vector<Number> numbers;
  for (int i = 0; i < 3000; ++i) {
    int digits = std::uniform_int_distribution<int>(1, 38)(rng);
    std::string text = rng() % 2 ? "-" : "";
    for (int d = 0; d < digits; ++d) text.push_back(static_cast<char>('0' + rng() % 10));
    int exponent = std::uniform_int_distribution<int>(-120, 80)(rng);
    absl::StrAppend(&text, "e", exponent);
    absl::StatusOr<Number> parsed = Number::Parse(text);
    ASSERT_THAT(parsed, IsOk()) << text;
    numbers.push_back(*parsed);
  }
  numbers.push_back(Number());
  numbers.push_back(*Number::Parse("1e-130"));
  numbers.push_back(*Number::Parse("-9.9999999999999999999999999999999999999E+125"));
  for (const Number& number : numbers) {
    std::string encoded = number.EncodeOrdered() + "tail";
    absl::string_view view = encoded;
    absl::StatusOr<Number> decoded = Number::DecodeOrdered(&view);
    ASSERT_THAT(decoded, IsOk()) << number.ToString();
    EXPECT_EQ(*decoded, number);
    EXPECT_EQ(view, "tail");
    EXPECT_EQ(Number::Parse(number.ToString())->ToString(), number.ToString());
  }
  for (size_t i = 0; i + 1 < numbers.size(); ++i) {
    const Number& a = numbers[i];
    const Number& b = numbers[i + 1];
    int by_value = a.Compare(b);
    int by_bytes = a.EncodeOrdered().compare(b.EncodeOrdered());
    by_bytes = by_bytes < 0 ? -1 : (by_bytes > 0 ? 1 : 0);
    EXPECT_EQ(by_value, by_bytes) << a.ToString() << " vs " << b.ToString();
  }
}

TEST(NumberTest, AddsExactly) {
  auto sum = [](const char* a, const char* b) {
    absl::StatusOr<Number> result = Number::Parse(a)->Add(*Number::Parse(b));
    return result.ok() ? result->ToString() : std::string(result.status().message());
  };
  EXPECT_EQ(sum("1", "10000000000000000000000"), "10000000000000000000001");
  EXPECT_EQ(sum("10000000000000000000000", "-1"), "9999999999999999999999");
  EXPECT_EQ(sum("0.1", "0.2"), "0.3");
  EXPECT_EQ(sum("-5", "3"), "-2");
  EXPECT_EQ(sum("5", "-5"), "0");
  EXPECT_EQ(sum("0", "-1.5"), "-1.5");
  EXPECT_EQ(sum("99", "1"), "100");
  EXPECT_EQ(sum("1e-130", "1e-130"), "0." + std::string(129, '0') + "2");
  const std::string overflow =
      "Number overflow. Attempting to store a number with magnitude larger than supported range";
  EXPECT_EQ(sum("9e125", "9e125"), overflow);
  EXPECT_EQ(sum("1e50", "1"), overflow);  // 51 significant digits
  EXPECT_EQ(Number::Parse("2")->Negated().ToString(), "-2");
}

TEST(NumberTest, DecodeRejectsGarbage) {
  for (std::string bad : {std::string(""),
                          std::string("\x07"),
                          std::string("\x03\x80"),
                          std::string("\x03\x80\x65\x00", 4)}) {
    absl::string_view view = bad;
    EXPECT_THAT(Number::DecodeOrdered(&view), StatusIs(absl::StatusCode::kDataLoss, HasSubstr("")))
        << bad.size();
  }
}

}  // namespace
}  // namespace tern::model
