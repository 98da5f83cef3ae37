#include "control-plane/server/leader_balancer.h"

#include "gtest/gtest.h"

namespace tern::control {
namespace {

PartitionLeadership On(std::vector<uint64_t> nodes, uint64_t leader) {
  PartitionLeadership p;
  for (uint64_t node : nodes) p.partition.add_replicas()->set_node_id(node);
  p.leader = leader;
  return p;
}

TEST(LeaderBalancerTest, MovesFromTheBusiestToTheIdlest) {
  // Node 1 leads three partitions, node 2 one, node 3 none.
  std::vector<PartitionLeadership> partitions = {
      On({1, 2, 3}, 1), On({1, 2, 3}, 1), On({1, 2, 3}, 1), On({1, 2, 3}, 2)};
  std::optional<LeaderMove> move = ChooseLeaderMove(partitions);
  ASSERT_TRUE(move.has_value());
  EXPECT_EQ(move->partition, 0u);
  EXPECT_EQ(move->from, 1u);
  EXPECT_EQ(move->to, 3u);
}

TEST(LeaderBalancerTest, LeavesBalancedOrUnfixableAlone) {
  // Differences of one are balanced enough.
  EXPECT_FALSE(ChooseLeaderMove({On({1, 2, 3}, 1), On({1, 2, 3}, 2)}).has_value());
  // Unknown leaders count for nobody.
  EXPECT_FALSE(ChooseLeaderMove({On({1, 2, 3}, 0), On({1, 2, 3}, 0)}).has_value());
  // Node 1 leads two partitions whose other replica (2) already leads one:
  // 4 (not a replica of them) leads nothing but cannot take them.
  EXPECT_FALSE(
      ChooseLeaderMove({On({1, 2}, 1), On({1, 2}, 1), On({2, 4}, 2), On({2, 4}, 4)}).has_value());
  EXPECT_FALSE(ChooseLeaderMove({}).has_value());
}

TEST(LeaderBalancerTest, RepeatedMovesConverge) {
  std::vector<PartitionLeadership> partitions;
  for (int i = 0; i < 9; ++i) partitions.push_back(On({1, 2, 3}, 1));
  int moves = 0;
  while (std::optional<LeaderMove> move = ChooseLeaderMove(partitions)) {
    partitions[move->partition].leader = move->to;
    ASSERT_LT(++moves, 20);
  }
  std::map<uint64_t, int> count;
  for (const auto& p : partitions) ++count[p.leader];
  EXPECT_EQ(count, (std::map<uint64_t, int>{{1, 3}, {2, 3}, {3, 3}}));
  EXPECT_EQ(moves, 6);
}

}  // namespace
}  // namespace tern::control
