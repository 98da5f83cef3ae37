#include "router/api/item_common.h"

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/testing/testing.h"
#include "gtest/gtest.h"

namespace tern::router::items {
namespace {

// A table whose partitions start at the given keys ("" for the first: the
// table's start).
Target TableCutAt(const std::vector<std::string>& starts) {
  auto entry = std::make_shared<tern::v1::CatalogEntry>();
  for (size_t i = 0; i < starts.size(); ++i) {
    tern::v1::PartitionDescriptor* partition = entry->add_partitions();
    partition->set_partition_id(100 + i);
    partition->set_start_key(starts[i]);
    if (i + 1 < starts.size()) partition->set_end_key(starts[i + 1]);
  }
  return Target{entry, KeySchema{}};
}

TEST(PartitionForTest, OnePartitionHoldsEveryKey) {
  const Target target = TableCutAt({""});
  EXPECT_EQ(PartitionFor(target, "").partition_id(), 100u);
  EXPECT_EQ(PartitionFor(target, "anything").partition_id(), 100u);
}

TEST(PartitionForTest, EachKeyGoesToTheLastPartitionStartingAtOrBeforeIt) {
  const Target target = TableCutAt({"", "d", "k", "q"});
  EXPECT_EQ(PartitionFor(target, "a").partition_id(), 100u);
  EXPECT_EQ(PartitionFor(target, "c\xff").partition_id(), 100u);
  EXPECT_EQ(PartitionFor(target, "d").partition_id(), 101u);
  EXPECT_EQ(PartitionFor(target, "j").partition_id(), 101u);
  EXPECT_EQ(PartitionFor(target, "k").partition_id(), 102u);
  EXPECT_EQ(PartitionFor(target, "q").partition_id(), 103u);
  EXPECT_EQ(PartitionFor(target, "zzz").partition_id(), 103u);
}

TEST(PartitionForTest, AgreesWithAScanOverTheRanges) {
  const uint64_t seed = testing::SeedRandom();
  std::mt19937_64 rng(seed);
  for (int round = 0; round < 200; ++round) {
    std::vector<std::string> starts = {""};
    const int cuts = static_cast<int>(rng() % 20);
    for (int i = 0; i < cuts; ++i) starts.push_back(absl::StrCat(starts.back(), "k", rng() % 10));
    const Target target = TableCutAt(starts);
    for (int probe = 0; probe < 50; ++probe) {
      std::string key;
      const int length = static_cast<int>(rng() % 12);
      for (int i = 0; i < length; ++i) key.push_back("k0123456789"[rng() % 11]);
      size_t expected = 0;
      for (size_t i = 0; i < starts.size(); ++i) {
        if (starts[i] <= key) expected = i;
      }
      ASSERT_EQ(PartitionFor(target, key).partition_id(), 100 + expected)
          << "seed " << seed << " round " << round << " key " << key;
    }
  }
}

}  // namespace
}  // namespace tern::router::items
