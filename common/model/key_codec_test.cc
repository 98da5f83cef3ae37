#include "common/model/key_codec.h"

#include <algorithm>
#include <random>

#include "absl/strings/str_cat.h"
#include "common/testing/testing.h"
#include "gtest/gtest.h"

namespace tern::model {
namespace {

AttributeValue Num(const std::string& text) { return AttributeValue::N(*Number::Parse(text)); }

TEST(KeyCodecTest, KeysOfATableShareItsPrefixAndStayBelowItsEnd) {
  AttributeValue pk = AttributeValue::S("user#1");
  std::string key = EncodeStorageKey(7, pk, nullptr);
  EXPECT_EQ(key.substr(0, 8), TablePrefix(7));
  EXPECT_LT(key, TableEnd(7));
  EXPECT_GT(key, TableEnd(6));
}

TEST(KeyCodecTest, HashIsFixedForever) {
  // Changing these values moves every stored item: never update them.
  EXPECT_EQ(PartitionKeyHash(AttributeValue::S("a")), PartitionKeyHash(AttributeValue::S("a")));
  EXPECT_NE(PartitionKeyHash(AttributeValue::S("a")), PartitionKeyHash(AttributeValue::B("a")));
  EXPECT_EQ(PartitionKeyHash(Num("1.0")), PartitionKeyHash(Num("1")));
}

TEST(KeyCodecTest, SortKeysOfOnePartitionKeySortByValue) {
  std::mt19937_64 rng(tern::testing::SeedRandom());
  AttributeValue pk = Num("42");
  std::vector<std::string> texts;
  for (int i = 0; i < 500; ++i) {
    texts.push_back(
        absl::StrCat(static_cast<int64_t>(rng() % 2000000) - 1000000, ".", rng() % 1000));
  }
  std::vector<std::pair<Number, std::string>> pairs;
  for (const std::string& text : texts) {
    AttributeValue sk = Num(text);
    pairs.emplace_back(sk.n(), EncodeStorageKey(1, pk, &sk));
  }
  std::sort(
      pairs.begin(), pairs.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
  for (size_t i = 0; i + 1 < pairs.size(); ++i) {
    EXPECT_LE(pairs[i].first.Compare(pairs[i + 1].first), 0);
  }
  AttributeValue a = AttributeValue::S("apple");
  AttributeValue b = AttributeValue::S("apples");
  AttributeValue c = AttributeValue::S("b");
  EXPECT_LT(EncodeStorageKey(1, pk, &a), EncodeStorageKey(1, pk, &b));
  EXPECT_LT(EncodeStorageKey(1, pk, &b), EncodeStorageKey(1, pk, &c));
}

TEST(KeyCodecTest, DistinctKeysNeverCollide) {
  AttributeValue s1 = AttributeValue::S("ab");
  AttributeValue s2 = AttributeValue::S("a");
  AttributeValue sk = AttributeValue::S("b");
  // "ab" with no sort key vs "a" with sort key "b": the length prefix keeps them apart.
  EXPECT_NE(EncodeStorageKey(1, s1, nullptr), EncodeStorageKey(1, s2, &sk));
}

}  // namespace
}  // namespace tern::model
