#include "storage-node/replica/link_faults.h"

#include "gtest/gtest.h"

namespace tern::replica {
namespace {

using std::chrono::milliseconds;

TEST(LinkFaultsTest, NothingIsDroppedOrDelayedWithoutRules) {
  LinkFaults faults;
  for (int i = 0; i < 100; ++i) {
    EXPECT_FALSE(faults.DropOutgoing(2));
    EXPECT_EQ(faults.Incoming(2), milliseconds(0));
  }
  EXPECT_TRUE(faults.Rules().empty());
}

TEST(LinkFaultsTest, APeersRuleOverridesTheDefaultRule) {
  LinkFaults faults;
  faults.Set(LinkFaults::kEveryPeer, LinkRule{1.0, 1.0, milliseconds(0)});
  faults.Set(3, LinkRule{0.0, 0.0, milliseconds(25)});
  EXPECT_TRUE(faults.DropOutgoing(2));
  EXPECT_EQ(faults.Incoming(2), std::nullopt);
  EXPECT_FALSE(faults.DropOutgoing(3));
  EXPECT_EQ(faults.Incoming(3), milliseconds(25));
  EXPECT_EQ(faults.Rules().size(), 2u);
}

TEST(LinkFaultsTest, OneDirectionOnlyMakesAnAsymmetricCut) {
  LinkFaults faults;
  faults.Set(2, LinkRule{1.0, 0.0, milliseconds(0)});
  EXPECT_TRUE(faults.DropOutgoing(2));
  EXPECT_EQ(faults.Incoming(2), milliseconds(0));
}

TEST(LinkFaultsTest, DropsAboutTheShareAskedFor) {
  const uint64_t seed = 42;
  std::printf("seed=%llu\n", static_cast<unsigned long long>(seed));
  LinkFaults faults(seed);
  faults.Set(2, LinkRule{0.25, 0.0, milliseconds(0)});
  int dropped = 0;
  for (int i = 0; i < 10000; ++i) dropped += faults.DropOutgoing(2) ? 1 : 0;
  EXPECT_GT(dropped, 2200);
  EXPECT_LT(dropped, 2800);
}

TEST(LinkFaultsTest, ClearingOrSettingAnEmptyRuleHeals) {
  LinkFaults faults;
  faults.Set(2, LinkRule{1.0, 1.0, milliseconds(5)});
  faults.Set(2, LinkRule{});
  EXPECT_TRUE(faults.Rules().empty());
  EXPECT_FALSE(faults.DropOutgoing(2));
  faults.Set(LinkFaults::kEveryPeer, LinkRule{1.0, 0.0, milliseconds(0)});
  faults.Clear();
  EXPECT_FALSE(faults.DropOutgoing(2));
}

}  // namespace
}  // namespace tern::replica
