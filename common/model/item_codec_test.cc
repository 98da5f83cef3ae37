#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/base/error_details.h"
#include "common/model/attribute_value.h"
#include "common/model/attribute_value_test_util.h"
#include "common/testing/testing.h"
#include "gtest/gtest.h"

namespace tern::model {
namespace {

using ::testing::HasSubstr;
using testing::IsOk;
using testing::StatusIs;

// --- Storage encoding ----------------------------------------------------------------

TEST(EncodingTest, KnownBytes) {
  EXPECT_EQ(EncodeItem({}), std::string("\x01", 1));
  // version, name length 1, "a", tag S, length 2, "hi"
  EXPECT_EQ(EncodeItem({{"a", AttributeValue::S("hi")}}),
            std::string("\x01\x01"
                        "a\x01\x02hi",
                        7));
  // BOOL and NULL are a tag alone.
  EXPECT_EQ(EncodeItem({{"t", AttributeValue::Bool(true)},
                        {"f", AttributeValue::Bool(false)},
                        {"z", AttributeValue::Null()}}),
            std::string("\x01\x01"
                        "f\x04\x01t\x05\x01z\x06",
                        10));
  // N is Number::EncodeOrdered().
  EXPECT_EQ(EncodeItem({{"n", AttributeValue::N(N("7"))}}),
            absl::StrCat(std::string("\x01\x01n\x02", 4), N("7").EncodeOrdered()));
  // L: tag, count, elements.
  EXPECT_EQ(
      EncodeItem({{"l", AttributeValue::L({AttributeValue::Null(), AttributeValue::Null()})}}),
      std::string("\x01\x01l\x07\x02\x06\x06", 7));
  // A long string takes a two-byte varint length.
  const std::string long_string(200, 'x');
  EXPECT_EQ(EncodeItem({{"s", AttributeValue::S(long_string)}}),
            absl::StrCat(std::string("\x01\x01s\x01\xc8\x01", 6), long_string));
}

TEST(EncodingTest, EveryTypeRoundTrips) {
  const std::string text =
      R"({"s":{"S":"héllo"},"e":{"S":""},"n":{"N":"-12.5"},"b":{"B":"AAEC/w=="},)"
      R"("t":{"BOOL":true},"f":{"BOOL":false},"z":{"NULL":true},)"
      R"("l":{"L":[{"S":"a"},{"N":"1"},{"L":[]},{"M":{}}]},)"
      R"("m":{"M":{"a":{"NULL":true},"b":{"M":{"c":{"BS":["AA=="]}}}}},)"
      R"("ss":{"SS":["b","a",""]},"ns":{"NS":["3","-1","0.5","0"]},"bs":{"BS":["Yg==","AA==",""]}})";
  absl::StatusOr<Item> item = ParseItem(Json(text));
  ASSERT_THAT(item, IsOk());
  const std::string bytes = EncodeItem(*item);
  absl::StatusOr<Item> decoded = DecodeItem(bytes);
  ASSERT_THAT(decoded, IsOk());
  EXPECT_EQ(*decoded, *item);
  // Exactly: sets keep their order.
  EXPECT_EQ(Serialize(ToJson(*decoded)), Serialize(ToJson(*item)));
  EXPECT_EQ(EncodeItem(*decoded), bytes);
}

TEST(EncodingTest, DeepestDocumentRoundTrips) {
  absl::StatusOr<Item> item = ParseItem(Json(absl::StrCat(R"({"a":)", DeepList(31), "}")));
  ASSERT_THAT(item, IsOk());
  absl::StatusOr<Item> decoded = DecodeItem(EncodeItem(*item));
  ASSERT_THAT(decoded, IsOk());
  EXPECT_EQ(*decoded, *item);
}

// Random values for the round-trip and corruption tests.
class RandomItems {
 public:
  explicit RandomItems(uint64_t seed) : rng_(seed) {}

  Item NextItem() {
    Item item;
    const int attributes = Uniform(0, 6);
    for (int i = 0; i < attributes; ++i) item.insert_or_assign(NextString(), NextValue(1));
    return item;
  }

  AttributeValue NextValue(int depth) {
    // Documents get rarer with depth; at the limit only scalars and sets remain.
    int type = Uniform(0, 9);
    const bool document = type == 5 || type == 6;
    if (document && (depth >= kMaxNestingDepth || Uniform(0, depth) > 1)) type = Uniform(0, 4);
    switch (type) {
      case 0:
        return AttributeValue::S(NextString());
      case 1:
        return AttributeValue::N(NextNumber());
      case 2:
        return AttributeValue::B(NextString());
      case 3:
        return AttributeValue::Bool(Uniform(0, 1) == 1);
      case 4:
        return AttributeValue::Null();
      case 5: {
        std::vector<AttributeValue> values;
        const int n = Uniform(0, 4);
        for (int i = 0; i < n; ++i) values.push_back(NextValue(depth + 1));
        return AttributeValue::L(std::move(values));
      }
      case 6: {
        Item values;
        const int n = Uniform(0, 4);
        for (int i = 0; i < n; ++i) values.insert_or_assign(NextString(), NextValue(depth + 1));
        return AttributeValue::M(std::move(values));
      }
      case 7:
      case 9: {
        std::vector<std::string> values;
        const int n = Uniform(1, 5);
        for (int i = 0; i < n; ++i) {
          std::string s = NextString();
          if (std::find(values.begin(), values.end(), s) == values.end()) values.push_back(s);
        }
        return type == 7 ? AttributeValue::SS(std::move(values))
                         : AttributeValue::BS(std::move(values));
      }
      default: {
        std::vector<Number> values;
        const int n = Uniform(1, 5);
        for (int i = 0; i < n; ++i) {
          Number number = NextNumber();
          if (std::find(values.begin(), values.end(), number) == values.end()) {
            values.push_back(number);
          }
        }
        return AttributeValue::NS(std::move(values));
      }
    }
  }

  std::string NextString() {
    std::string s(static_cast<size_t>(Uniform(0, 6)), '\0');
    for (char& c : s) c = Uniform(0, 3) == 0 ? static_cast<char>(rng_()) : "abc"[Uniform(0, 2)];
    if (Uniform(0, 20) == 0) s = std::string(static_cast<size_t>(Uniform(100, 300)), 'y');
    return s;
  }

  Number NextNumber() {
    for (;;) {
      std::string text = Uniform(0, 1) == 0 ? "-" : "";
      const int digits = Uniform(1, 38);
      for (int i = 0; i < digits; ++i) text.push_back(static_cast<char>('0' + Uniform(0, 9)));
      absl::StrAppend(&text, "e", Uniform(-120, 80));
      absl::StatusOr<Number> number = Number::Parse(text);
      if (number.ok()) return *number;
    }
  }

  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  std::mt19937_64& rng() { return rng_; }

 private:
  std::mt19937_64 rng_;
};

TEST(EncodingTest, RandomItemsRoundTrip) {
  RandomItems random(testing::SeedRandom());
  for (int round = 0; round < 2000; ++round) {
    const Item item = random.NextItem();
    const std::string bytes = EncodeItem(item);
    absl::StatusOr<Item> decoded = DecodeItem(bytes);
    ASSERT_THAT(decoded, IsOk()) << "round " << round;
    ASSERT_EQ(*decoded, item) << "round " << round;
    ASSERT_EQ(EncodeItem(*decoded), bytes) << "round " << round;
    ASSERT_EQ(ItemSize(*decoded), ItemSize(item));
    // The JSON path agrees too.
    absl::StatusOr<Item> via_json = ParseItem(ToJson(item));
    ASSERT_THAT(via_json, IsOk()) << "round " << round;
    ASSERT_EQ(*via_json, item) << "round " << round;
    // And the JSON written without a tree is the tree's, byte for byte, also
    // when written straight from the encoding.
    std::string text = "prefix";
    AppendJson(item, &text);
    ASSERT_EQ(text, "prefix" + Serialize(ToJson(item))) << "round " << round;
    std::string walked = "prefix";
    int64_t size = -1;
    ASSERT_THAT(AppendEncodedItemJson(bytes, &walked, &size), IsOk()) << "round " << round;
    ASSERT_EQ(walked, text) << "round " << round;
    ASSERT_EQ(size, ItemSize(item)) << "round " << round;
    const absl::StatusOr<int64_t> sized = EncodedItemSize(bytes);
    ASSERT_THAT(sized, IsOk()) << "round " << round;
    ASSERT_EQ(*sized, ItemSize(item)) << "round " << round;
  }
}

TEST(EncodingTest, AppendJsonEscapesEveryByteAsTheSerializerDoes) {
  std::string every_byte;
  for (int c = 0; c < 256; ++c) every_byte.push_back(static_cast<char>(c));
  Item item;
  item.emplace(every_byte, AttributeValue::S(every_byte));
  item.emplace("ss", AttributeValue::SS({every_byte, "\"\\"}));
  item.emplace("l", AttributeValue::L({AttributeValue::Null(), AttributeValue::Bool(false)}));
  std::string text;
  AppendJson(item, &text);
  EXPECT_EQ(text, Serialize(ToJson(item)));
  EXPECT_NE(text.find(R"(\u0000\u0001)"), std::string::npos);

  // Longer strings with the bytes that need escaping (or nearly do) anywhere
  // in a sixteen- or eight-byte block, densely or after long clean runs.
  const uint64_t seed = testing::SeedRandom();
  std::mt19937_64 rng(seed);
  const std::string alphabet("ab\"\\\n\x1f\x20\x7f\x80\xff\x00\x21\x5b\x5d", 14);
  for (int round = 0; round < 4000; ++round) {
    std::string s(rng() % 80, 'a');
    const uint64_t sparseness = 1 + rng() % 40;
    for (char& c : s) c = rng() % sparseness == 0 ? alphabet[rng() % alphabet.size()] : 'x';
    const AttributeValue value = AttributeValue::S(s);
    std::string written;
    AppendJson(value, &written);
    ASSERT_EQ(written, Serialize(ToJson(value))) << "seed " << seed << " round " << round;
  }
}

TEST(EncodingTest, RejectsCorruptInput) {
  const auto corrupt = [] {
    return StatusIs(absl::StatusCode::kDataLoss, HasSubstr("corrupt item encoding"));
  };
  EXPECT_THAT(DecodeItem(""), corrupt());
  EXPECT_THAT(DecodeItem(std::string("\x02", 1)),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("unknown version 2")));
  // Unknown tag.
  EXPECT_THAT(DecodeItem(std::string("\x01\x01"
                                     "a\x0c",
                                     4)),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("unknown type tag 12")));
  EXPECT_THAT(DecodeItem(std::string("\x01\x01"
                                     "a\x00",
                                     4)),
              corrupt());
  // Truncated name, value, and missing value.
  EXPECT_THAT(DecodeItem(std::string("\x01\x05"
                                     "ab",
                                     4)),
              corrupt());
  EXPECT_THAT(DecodeItem(std::string("\x01\x01"
                                     "a\x01\x05hi",
                                     7)),
              corrupt());
  EXPECT_THAT(DecodeItem(std::string("\x01\x01"
                                     "a",
                                     3)),
              corrupt());
  // Names out of order, or repeated.
  EXPECT_THAT(DecodeItem(std::string("\x01\x01"
                                     "b\x06\x01"
                                     "a\x06",
                                     7)),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("out of order")));
  EXPECT_THAT(DecodeItem(std::string("\x01\x01"
                                     "a\x06\x01"
                                     "a\x06",
                                     7)),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("out of order")));
  EXPECT_THAT(DecodeItem(std::string("\x01\x01m\x08\x02\x01"
                                     "b\x06\x01"
                                     "a\x06",
                                     11)),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("out of order")));
  // Empty and repeated set elements.
  EXPECT_THAT(DecodeItem(std::string("\x01\x01s\x09\x00", 5)),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("empty set")));
  EXPECT_THAT(DecodeItem(std::string("\x01\x01s\x0b\x02\x01x\x01x", 9)),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("duplicate set element")));
  const std::string one = N("1").EncodeOrdered();
  EXPECT_THAT(DecodeItem(absl::StrCat(std::string("\x01\x01s\x0a\x02", 5), one, one)),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("duplicate set element")));
  // Counts and lengths beyond the input never allocate.
  EXPECT_THAT(DecodeItem(std::string("\x01\x01l\x07\xff\xff\xff\xff\x0f", 9)),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("count exceeds input")));
  EXPECT_THAT(DecodeItem(std::string("\x01\x01s\x01\xff\xff\xff\xff\xff\xff\xff\xff\x7f", 13)),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("length exceeds input")));
  // Over-long and overflowing varints.
  EXPECT_THAT(DecodeItem(std::string("\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02", 11)),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("varint overflow")));
  EXPECT_THAT(DecodeItem(std::string("\x01\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01", 12)),
              corrupt());
  // A bad number.
  EXPECT_THAT(DecodeItem(std::string("\x01\x01n\x02\x07", 5)),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("number")));
}

TEST(EncodingTest, RejectsNestingBeyondTheLimit) {
  // EncodeItem does not check its precondition; DecodeItem does.
  AttributeValue value = AttributeValue::Null();
  for (int i = 0; i < kMaxNestingDepth; ++i) value = AttributeValue::L({value});
  EXPECT_THAT(DecodeItem(EncodeItem({{"a", value}})),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("nesting too deep")));
  AttributeValue deepest = AttributeValue::Null();
  for (int i = 0; i < kMaxNestingDepth - 1; ++i) deepest = AttributeValue::L({deepest});
  EXPECT_THAT(DecodeItem(EncodeItem({{"a", deepest}})), IsOk());
  // A long run of L tags is refused at the limit, not by running out of stack.
  std::string bytes(
      "\x01\x01"
      "a",
      3);
  for (int i = 0; i < 100000; ++i) bytes.append("\x07\x01", 2);
  EXPECT_THAT(DecodeItem(bytes), StatusIs(absl::StatusCode::kDataLoss, ::testing::_));
  std::string text;
  int64_t size = 0;
  EXPECT_THAT(AppendEncodedItemJson(bytes, &text, &size),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("nesting too deep")));
  EXPECT_THAT(AppendEncodedItemJson(EncodeItem({{"a", value}}), &text, &size),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("nesting too deep")));
  EXPECT_THAT(EncodedItemSize(bytes),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("nesting too deep")));
}

// Whatever DecodeItem accepts must be an item that encodes and decodes again;
// the JSON walk accepts exactly the same bytes and writes that item's JSON,
// and EncodedItemSize accepts them too and sizes the item.
void ExpectDecodesSafely(absl::string_view bytes) {
  absl::StatusOr<Item> item = DecodeItem(bytes);
  std::string text;
  int64_t size = -1;
  const absl::Status walked = AppendEncodedItemJson(bytes, &text, &size);
  const absl::StatusOr<int64_t> sized = EncodedItemSize(bytes);
  EXPECT_EQ(walked.ok(), item.ok()) << walked << " / " << item.status();
  EXPECT_EQ(sized.ok(), item.ok()) << sized.status() << " / " << item.status();
  if (!item.ok()) {
    EXPECT_EQ(item.status().code(), absl::StatusCode::kDataLoss);
    EXPECT_EQ(walked.code(), absl::StatusCode::kDataLoss);
    EXPECT_EQ(sized.status().code(), absl::StatusCode::kDataLoss);
    return;
  }
  ASSERT_THAT(sized, IsOk());
  EXPECT_EQ(*sized, ItemSize(*item));
  std::string expected;
  AppendJson(*item, &expected);
  EXPECT_EQ(text, expected);
  EXPECT_EQ(size, ItemSize(*item));
  absl::StatusOr<Item> again = DecodeItem(EncodeItem(*item));
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(*again, *item);
}

TEST(EncodingTest, TruncatedAndFlippedBytesNeverCrash) {
  RandomItems random(testing::SeedRandom());
  for (int round = 0; round < 1000; ++round) {
    const std::string bytes = EncodeItem(random.NextItem());
    for (size_t length = 0; length < bytes.size(); ++length) {
      ExpectDecodesSafely(absl::string_view(bytes).substr(0, length));
    }
    for (int flip = 0; flip < 30; ++flip) {
      std::string damaged = bytes;
      const size_t at = static_cast<size_t>(random.Uniform(0, static_cast<int>(bytes.size()) - 1));
      if (random.Uniform(0, 1) == 0) {
        damaged[at] = static_cast<char>(damaged[at] ^ (1 << random.Uniform(0, 7)));
      } else {
        damaged[at] = static_cast<char>(random.rng()());
      }
      ExpectDecodesSafely(damaged);
    }
  }
}

TEST(EncodingTest, RandomGarbageNeverCrashes) {
  RandomItems random(testing::SeedRandom());
  for (int round = 0; round < 20000; ++round) {
    std::string bytes(1, '\x01');
    const int length = random.Uniform(0, 40);
    for (int i = 0; i < length; ++i) {
      // Mostly small bytes, so that tags and short lengths come up often.
      bytes.push_back(
          static_cast<char>(random.Uniform(0, 3) == 0 ? random.rng()() : random.Uniform(0, 12)));
    }
    ExpectDecodesSafely(bytes);
  }
}

}  // namespace
}  // namespace tern::model
