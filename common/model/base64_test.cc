#include "common/model/base64.h"

#include <random>
#include <string>

#include "common/testing/testing.h"
#include "gtest/gtest.h"

namespace tern::model {
namespace {

using testing::IsOk;
using testing::StatusIs;

constexpr absl::string_view kBadLast = "Invalid last non-pad Base64 character dectected";

TEST(Base64Test, EncodesRfc4648Vectors) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foob"), "Zm9vYg==");
  EXPECT_EQ(Base64Encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64Encode(std::string("\xff\xfe\x00", 3)), "//4A");
  EXPECT_EQ(Base64Encode("\xfb\xff"), "+/8=");
}

TEST(Base64Test, DecodesRfc4648Vectors) {
  for (const auto& [text, bytes] :
       std::vector<std::pair<std::string, std::string>>{{"", ""},
                                                        {"Zg==", "f"},
                                                        {"Zm8=", "fo"},
                                                        {"Zm9v", "foo"},
                                                        {"Zm9vYg==", "foob"},
                                                        {"Zm9vYmE=", "fooba"},
                                                        {"Zm9vYmFy", "foobar"},
                                                        {"//4A", std::string("\xff\xfe\x00", 3)},
                                                        {"+/8=", "\xfb\xff"}}) {
    absl::StatusOr<std::string> decoded = Base64Decode(text);
    ASSERT_THAT(decoded, IsOk()) << text;
    EXPECT_EQ(*decoded, bytes) << text;
  }
}

TEST(Base64Test, EveryByteValueRoundTrips) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (size_t start = 0; start < 3; ++start) {
    std::string bytes = all.substr(start);
    absl::StatusOr<std::string> decoded = Base64Decode(Base64Encode(bytes));
    ASSERT_THAT(decoded, IsOk());
    EXPECT_EQ(*decoded, bytes);
  }
}

TEST(Base64Test, RandomBytesRoundTrip) {
  std::mt19937_64 rng(testing::SeedRandom());
  for (int round = 0; round < 2000; ++round) {
    std::string bytes(rng() % 64, '\0');
    for (char& c : bytes) c = static_cast<char>(rng());
    const std::string text = Base64Encode(bytes);
    EXPECT_EQ(text.size() % 4, 0u);
    absl::StatusOr<std::string> decoded = Base64Decode(text);
    ASSERT_THAT(decoded, IsOk()) << text;
    EXPECT_EQ(*decoded, bytes);
  }
}

TEST(Base64Test, RejectsLengthNotMultipleOfFour) {
  // DynamoDB's message (dynalite's tests against DynamoDB: '23456').
  EXPECT_THAT(Base64Decode("23456"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "Base64 encoded length is expected a multiple of 4 bytes but found: 5"));
  EXPECT_THAT(Base64Decode("Zg="),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "Base64 encoded length is expected a multiple of 4 bytes but found: 3"));
  EXPECT_THAT(Base64Decode("Zg"), StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
}

TEST(Base64Test, RejectsCharactersOutsideTheAlphabet) {
  EXPECT_THAT(Base64Decode("Zm9!"),
              StatusIs(absl::StatusCode::kInvalidArgument, "Invalid Base64 character: '!'"));
  // URL-safe alphabet and whitespace are not Base64 here.
  EXPECT_THAT(Base64Decode("-_8="),
              StatusIs(absl::StatusCode::kInvalidArgument, "Invalid Base64 character: '-'"));
  EXPECT_THAT(Base64Decode("Zm9v Zg=="),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
  EXPECT_THAT(Base64Decode("Zm9\n"),
              StatusIs(absl::StatusCode::kInvalidArgument, "Invalid Base64 character: '\n'"));
}

TEST(Base64Test, RejectsMisplacedPaddingAsDynamoDbDoes) {
  // Both from dynalite's tests against DynamoDB.
  EXPECT_THAT(Base64Decode("=+/="), StatusIs(absl::StatusCode::kInvalidArgument, kBadLast));
  EXPECT_THAT(Base64Decode("+/+="), StatusIs(absl::StatusCode::kInvalidArgument, kBadLast));
  EXPECT_THAT(Base64Decode("Zg=a"), StatusIs(absl::StatusCode::kInvalidArgument, kBadLast));
  EXPECT_THAT(Base64Decode("Z==="), StatusIs(absl::StatusCode::kInvalidArgument, kBadLast));
  EXPECT_THAT(Base64Decode("===="), StatusIs(absl::StatusCode::kInvalidArgument, kBadLast));
  EXPECT_THAT(Base64Decode("Zg==Zg=="), StatusIs(absl::StatusCode::kInvalidArgument, kBadLast));
}

TEST(Base64Test, RejectsNonZeroBitsAfterTheLastByte) {
  // "Zh==" carries the bits of "f" plus a stray 1 bit.
  EXPECT_THAT(Base64Decode("Zh=="), StatusIs(absl::StatusCode::kInvalidArgument, kBadLast));
  EXPECT_THAT(Base64Decode("Zm9="), StatusIs(absl::StatusCode::kInvalidArgument, kBadLast));
  EXPECT_THAT(Base64Decode("Zm8="), IsOk());
}

}  // namespace
}  // namespace tern::model
