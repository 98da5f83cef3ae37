#include "control-plane/placement/planner.h"

#include <ostream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tern::control {

// Readable failure messages.
void PrintTo(const ReplicaMove& move, std::ostream* os) {
  *os << "{partition " << move.partition_id << ": " << move.from << " -> " << move.to << ", "
      << move.reason << "}";
}

void PrintTo(const MembershipStep& step, std::ostream* os) {
  *os << "{" << StepKindName(step.kind) << " " << step.node << "}";
}

namespace {

using ::testing::ElementsAre;
using ::testing::Eq;
using ::testing::IsEmpty;
using ::testing::Optional;
using ::testing::SizeIs;

NodeView Alive(uint64_t id, std::string az) {
  NodeView node;
  node.node_id = id;
  node.az = std::move(az);
  node.address = "node" + std::to_string(id) + ":7100";
  node.alive = true;
  return node;
}

NodeView Dead(uint64_t id, std::string az) {
  NodeView node = Alive(id, std::move(az));
  node.alive = false;
  node.dead = true;
  return node;
}

NodeView Suspect(uint64_t id, std::string az) {
  NodeView node = Alive(id, std::move(az));
  node.alive = false;
  return node;
}

NodeView Draining(uint64_t id, std::string az) {
  NodeView node = Alive(id, std::move(az));
  node.draining = true;
  return node;
}

// A partition on `replicas`, each replica's AZ taken from `cluster` (empty
// when the node is not listed).
tern::v1::PartitionDescriptor Part(uint64_t id,
                                   const std::vector<uint64_t>& replicas,
                                   const std::vector<NodeView>& cluster) {
  tern::v1::PartitionDescriptor partition;
  partition.set_partition_id(id);
  partition.set_table_id(1);
  for (uint64_t node_id : replicas) {
    tern::v1::ReplicaDescriptor* replica = partition.add_replicas();
    replica->set_node_id(node_id);
    for (const NodeView& node : cluster) {
      if (node.node_id == node_id) replica->set_az(node.az);
    }
  }
  return partition;
}

// Partitions 1..count, each on `replicas`.
std::vector<tern::v1::PartitionDescriptor> Parts(int count,
                                                 const std::vector<uint64_t>& replicas,
                                                 const std::vector<NodeView>& cluster) {
  std::vector<tern::v1::PartitionDescriptor> partitions;
  for (int i = 1; i <= count; ++i) partitions.push_back(Part(i, replicas, cluster));
  return partitions;
}

// What the catalog would hold once `moves` are done.
void Apply(const std::vector<ReplicaMove>& moves,
           std::vector<tern::v1::PartitionDescriptor>* partitions) {
  for (const ReplicaMove& move : moves) {
    for (tern::v1::PartitionDescriptor& partition : *partitions) {
      if (partition.partition_id() != move.partition_id) continue;
      for (tern::v1::ReplicaDescriptor& replica : *partition.mutable_replicas()) {
        if (replica.node_id() == move.from) replica.set_node_id(move.to);
      }
    }
  }
}

std::map<uint64_t, int> Counts(const std::vector<tern::v1::PartitionDescriptor>& partitions) {
  std::map<uint64_t, int> counts;
  for (const auto& partition : partitions) {
    for (const auto& replica : partition.replicas()) ++counts[replica.node_id()];
  }
  return counts;
}

// ---- ChooseReplacement ----

TEST(ChooseReplacementTest, PrefersTheSameAz) {
  std::vector<NodeView> cluster = {
      Dead(1, "az-a"), Alive(2, "az-b"), Alive(3, "az-c"), Alive(4, "az-a"), Alive(5, "az-d")};
  // Node 4 is busier than 5 but shares node 1's AZ.
  EXPECT_THAT(ChooseReplacement(Part(1, {1, 2, 3}, cluster), 1, cluster, {{4, 10}, {5, 0}}),
              Optional(Eq(4u)));
}

TEST(ChooseReplacementTest, TakesTheAzFromTheDescriptorWhenTheNodeIsGone) {
  std::vector<NodeView> cluster = {
      Dead(1, "az-a"), Alive(2, "az-b"), Alive(3, "az-c"), Alive(4, "az-a"), Alive(5, "az-d")};
  tern::v1::PartitionDescriptor partition = Part(1, {1, 2, 3}, cluster);
  cluster.erase(cluster.begin());  // node 1 left the registry
  EXPECT_THAT(ChooseReplacement(partition, 1, cluster, {}), Optional(Eq(4u)));
}

TEST(ChooseReplacementTest, FallsBackToAnUnusedAzThenToAnyNode) {
  std::vector<NodeView> cluster = {
      Dead(1, "az-a"), Alive(2, "az-b"), Alive(3, "az-c"), Alive(5, "az-b"), Alive(6, "az-d")};
  tern::v1::PartitionDescriptor partition = Part(1, {1, 2, 3}, cluster);
  // No az-a node left: az-d (unused) beats az-b (holds node 2) despite the load.
  EXPECT_THAT(ChooseReplacement(partition, 1, cluster, {{5, 0}, {6, 7}}), Optional(Eq(6u)));
  cluster.pop_back();
  EXPECT_THAT(ChooseReplacement(partition, 1, cluster, {}), Optional(Eq(5u)));
}

TEST(ChooseReplacementTest, FewestReplicasThenLowestId) {
  std::vector<NodeView> cluster = {
      Dead(1, "az-a"), Alive(2, "az-b"), Alive(3, "az-c"), Alive(4, "az-a"), Alive(7, "az-a")};
  tern::v1::PartitionDescriptor partition = Part(1, {1, 2, 3}, cluster);
  EXPECT_THAT(ChooseReplacement(partition, 1, cluster, {{4, 3}, {7, 1}}), Optional(Eq(7u)));
  EXPECT_THAT(ChooseReplacement(partition, 1, cluster, {{4, 2}, {7, 2}}), Optional(Eq(4u)));
  EXPECT_THAT(ChooseReplacement(partition, 1, cluster, {}), Optional(Eq(4u)));
}

TEST(ChooseReplacementTest, NeverANodeAlreadyInThePartition) {
  // Node 2 shares node 1's AZ and is idle, but already holds a replica.
  std::vector<NodeView> cluster = {Dead(1, "az-a"), Alive(2, "az-a"), Alive(3, "az-b")};
  tern::v1::PartitionDescriptor partition = Part(1, {1, 2, 3}, cluster);
  EXPECT_EQ(ChooseReplacement(partition, 1, cluster, {{2, 0}}), std::nullopt);
  cluster.push_back(Alive(4, "az-c"));
  EXPECT_THAT(ChooseReplacement(partition, 1, cluster, {{2, 0}, {4, 9}}), Optional(Eq(4u)));
}

TEST(ChooseReplacementTest, OnlyAliveNodesThatAreNotDraining) {
  std::vector<NodeView> cluster = {Dead(1, "az-a"),
                                   Alive(2, "az-b"),
                                   Alive(3, "az-c"),
                                   Draining(4, "az-a"),
                                   Suspect(5, "az-a"),
                                   Dead(6, "az-a")};
  tern::v1::PartitionDescriptor partition = Part(1, {1, 2, 3}, cluster);
  EXPECT_EQ(ChooseReplacement(partition, 1, cluster, {}), std::nullopt);
  cluster.push_back(Alive(8, "az-b"));
  EXPECT_THAT(ChooseReplacement(partition, 1, cluster, {}), Optional(Eq(8u)));
}

// ---- PlanMoves: repair and drain ----

TEST(PlanMovesTest, RepairsReplicasOnDeadAndMissingNodes) {
  std::vector<NodeView> cluster = {Dead(1, "az-a"),
                                   Alive(2, "az-b"),
                                   Alive(3, "az-c"),
                                   Alive(4, "az-a"),
                                   Alive(5, "az-a"),
                                   Alive(9, "az-a")};
  std::vector<tern::v1::PartitionDescriptor> partitions = {Part(1, {1, 2, 3}, cluster),
                                                           Part(2, {9, 2, 3}, cluster)};
  cluster.pop_back();  // node 9 is gone from the registry: counts as dead
  // Partition 1 takes node 4 (idle, lowest id); partition 2 then takes node 5,
  // the count of node 4 having gone up.
  EXPECT_THAT(PlanMoves(partitions, cluster, {}, 10),
              ElementsAre(ReplicaMove{1, 1, 4, "repair"}, ReplicaMove{2, 9, 5, "repair"}));
}

TEST(PlanMovesTest, DrainsToTheSameAz) {
  std::vector<NodeView> cluster = {
      Draining(1, "az-a"), Alive(2, "az-b"), Alive(3, "az-c"), Alive(4, "az-a"), Alive(5, "az-d")};
  std::vector<tern::v1::PartitionDescriptor> partitions = Parts(2, {1, 2, 3}, cluster);
  EXPECT_THAT(PlanMoves(partitions, cluster, {}, 10),
              ElementsAre(ReplicaMove{1, 1, 4, "drain"}, ReplicaMove{2, 1, 4, "drain"}));
}

TEST(PlanMovesTest, RepairsComeBeforeDrains) {
  std::vector<NodeView> cluster = {
      Draining(1, "az-a"), Alive(2, "az-b"), Alive(3, "az-c"), Alive(4, "az-a"), Dead(5, "az-a")};
  std::vector<tern::v1::PartitionDescriptor> partitions = {Part(1, {1, 2, 3}, cluster),
                                                           Part(2, {5, 2, 3}, cluster)};
  EXPECT_THAT(PlanMoves(partitions, cluster, {}, 1), ElementsAre(ReplicaMove{2, 5, 4, "repair"}));
  EXPECT_THAT(PlanMoves(partitions, cluster, {}, 2),
              ElementsAre(ReplicaMove{2, 5, 4, "repair"}, ReplicaMove{1, 1, 4, "drain"}));
}

TEST(PlanMovesTest, AtMostOneMovePerPartition) {
  // Two replicas of partition 1 are on dead nodes; only the first moves now.
  std::vector<NodeView> cluster = {
      Dead(1, "az-a"), Dead(2, "az-b"), Alive(3, "az-c"), Alive(4, "az-a"), Alive(5, "az-b")};
  std::vector<tern::v1::PartitionDescriptor> partitions = {Part(1, {1, 2, 3}, cluster)};
  EXPECT_THAT(PlanMoves(partitions, cluster, {}, 10), ElementsAre(ReplicaMove{1, 1, 4, "repair"}));
  // Once that settled, the other replica follows.
  Apply(PlanMoves(partitions, cluster, {}, 10), &partitions);
  EXPECT_THAT(PlanMoves(partitions, cluster, {}, 10), ElementsAre(ReplicaMove{1, 2, 5, "repair"}));
}

TEST(PlanMovesTest, SkipsReplicasWithNoPossibleTarget) {
  std::vector<NodeView> cluster = {Dead(1, "az-a"), Alive(2, "az-b"), Alive(3, "az-c")};
  EXPECT_THAT(PlanMoves(Parts(3, {1, 2, 3}, cluster), cluster, {}, 10), IsEmpty());
  // Suspect nodes are left alone: neither repaired nor targets.
  cluster = {Suspect(1, "az-a"), Alive(2, "az-b"), Alive(3, "az-c"), Alive(4, "az-a")};
  EXPECT_THAT(PlanMoves(Parts(3, {1, 2, 3}, cluster), cluster, {}, 10), IsEmpty());
}

TEST(PlanMovesTest, LeavesBusyPartitionsAlone) {
  std::vector<NodeView> cluster = {
      Dead(1, "az-a"), Alive(2, "az-b"), Alive(3, "az-c"), Alive(4, "az-a")};
  std::vector<tern::v1::PartitionDescriptor> partitions = Parts(3, {1, 2, 3}, cluster);
  EXPECT_THAT(PlanMoves(partitions, cluster, {1, 3}, 10),
              ElementsAre(ReplicaMove{2, 1, 4, "repair"}));
  EXPECT_THAT(PlanMoves(partitions, cluster, {1, 2, 3}, 10), IsEmpty());
}

TEST(PlanMovesTest, RespectsMaxMoves) {
  std::vector<NodeView> cluster = {
      Dead(1, "az-a"), Alive(2, "az-b"), Alive(3, "az-c"), Alive(4, "az-a")};
  std::vector<tern::v1::PartitionDescriptor> partitions = Parts(5, {1, 2, 3}, cluster);
  EXPECT_THAT(PlanMoves(partitions, cluster, {}, 2),
              ElementsAre(ReplicaMove{1, 1, 4, "repair"}, ReplicaMove{2, 1, 4, "repair"}));
  EXPECT_THAT(PlanMoves(partitions, cluster, {}, 0), IsEmpty());
  cluster[0] = Alive(1, "az-a");  // now a rebalance
  EXPECT_THAT(PlanMoves(partitions, cluster, {}, 1),
              ElementsAre(ReplicaMove{1, 1, 4, "rebalance"}));
  EXPECT_THAT(PlanMoves(partitions, cluster, {}, 0), IsEmpty());
}

TEST(PlanMovesTest, ResultDoesNotDependOnInputOrder) {
  std::vector<NodeView> cluster = {
      Dead(1, "az-a"), Alive(2, "az-b"), Alive(3, "az-c"), Alive(4, "az-a"), Alive(5, "az-a")};
  std::vector<tern::v1::PartitionDescriptor> partitions = Parts(4, {1, 2, 3}, cluster);
  std::vector<ReplicaMove> forward = PlanMoves(partitions, cluster, {}, 3);
  std::reverse(partitions.begin(), partitions.end());
  std::reverse(cluster.begin(), cluster.end());
  EXPECT_EQ(PlanMoves(partitions, cluster, {}, 3), forward);
  EXPECT_THAT(forward,
              ElementsAre(ReplicaMove{1, 1, 4, "repair"},
                          ReplicaMove{2, 1, 5, "repair"},
                          ReplicaMove{3, 1, 4, "repair"}));
}

// ---- PlanMoves: rebalance ----

TEST(PlanMovesTest, RebalancesOntoANewNodeInTheSameAz) {
  std::vector<NodeView> cluster = {
      Alive(1, "az-a"), Alive(2, "az-b"), Alive(3, "az-c"), Alive(4, "az-a")};
  std::vector<tern::v1::PartitionDescriptor> partitions = Parts(12, {1, 2, 3}, cluster);
  std::vector<ReplicaMove> moves = PlanMoves(partitions, cluster, {}, 100);
  ASSERT_THAT(moves, SizeIs(6));
  std::set<uint64_t> moved;
  for (const ReplicaMove& move : moves) {
    EXPECT_EQ(move.from, 1u);
    EXPECT_EQ(move.to, 4u);
    EXPECT_EQ(move.reason, "rebalance");
    moved.insert(move.partition_id);
  }
  EXPECT_EQ(moved, (std::set<uint64_t>{1, 2, 3, 4, 5, 6}));  // lowest ids first
  Apply(moves, &partitions);
  EXPECT_EQ(Counts(partitions), (std::map<uint64_t, int>{{1, 6}, {2, 12}, {3, 12}, {4, 6}}));
  EXPECT_THAT(PlanMoves(partitions, cluster, {}, 100), IsEmpty());
}

TEST(PlanMovesTest, RebalanceSkipsBusyPartitions) {
  std::vector<NodeView> cluster = {
      Alive(1, "az-a"), Alive(2, "az-b"), Alive(3, "az-c"), Alive(4, "az-a")};
  std::vector<ReplicaMove> moves = PlanMoves(Parts(6, {1, 2, 3}, cluster), cluster, {1, 2}, 100);
  EXPECT_THAT(moves,
              ElementsAre(ReplicaMove{3, 1, 4, "rebalance"},
                          ReplicaMove{4, 1, 4, "rebalance"},
                          ReplicaMove{5, 1, 4, "rebalance"}));
}

TEST(PlanMovesTest, NoRebalanceWhenCountsDifferByOne) {
  std::vector<NodeView> cluster = {
      Alive(1, "az-a"), Alive(2, "az-b"), Alive(3, "az-c"), Alive(4, "az-a")};
  std::vector<tern::v1::PartitionDescriptor> partitions = Parts(2, {1, 2, 3}, cluster);
  partitions.push_back(Part(3, {4, 2, 3}, cluster));  // node 1: 2, node 4: 1
  EXPECT_THAT(PlanMoves(partitions, cluster, {}, 100), IsEmpty());
}

TEST(PlanMovesTest, RebalancesOnlyWithinAnAz) {
  // Node 4 is idle but alone in its AZ: filling it would take replicas out of
  // the AZs they spread over.
  std::vector<NodeView> cluster = {
      Alive(1, "az-a"), Alive(2, "az-b"), Alive(3, "az-c"), Alive(4, "az-d")};
  EXPECT_THAT(PlanMoves(Parts(12, {1, 2, 3}, cluster), cluster, {}, 100), IsEmpty());
}

TEST(PlanMovesTest, DrainingNodesAreNeitherRebalanceTargetsNorReplacements) {
  // Node 4 is draining and empty: never a target.
  std::vector<NodeView> cluster = {
      Alive(1, "az-a"), Alive(2, "az-b"), Alive(3, "az-c"), Draining(4, "az-a")};
  std::vector<tern::v1::PartitionDescriptor> partitions = Parts(4, {1, 2, 3}, cluster);
  EXPECT_THAT(PlanMoves(partitions, cluster, {}, 100), IsEmpty());
  cluster.push_back(Alive(5, "az-a"));
  EXPECT_THAT(PlanMoves(partitions, cluster, {}, 100),
              ElementsAre(ReplicaMove{1, 1, 5, "rebalance"}, ReplicaMove{2, 1, 5, "rebalance"}));
  // Repairing node 1 goes to node 5, not to the idle draining node 4.
  cluster[0] = Dead(1, "az-a");
  std::vector<ReplicaMove> moves = PlanMoves(partitions, cluster, {}, 100);
  ASSERT_THAT(moves, SizeIs(4));
  for (const ReplicaMove& move : moves) EXPECT_EQ(move.to, 5u);
}

TEST(PlanMovesTest, DrainingNodesAreNotRebalancedFrom) {
  // Node 1 drains but every partition is busy: nothing moves now, and node 1
  // is no rebalancing source either, however idle node 4 is.
  std::vector<NodeView> cluster = {
      Draining(1, "az-a"), Alive(2, "az-b"), Alive(3, "az-c"), Alive(4, "az-a")};
  std::vector<tern::v1::PartitionDescriptor> partitions = Parts(4, {1, 2, 3}, cluster);
  EXPECT_THAT(PlanMoves(partitions, cluster, {1, 2, 3}, 100),
              ElementsAre(ReplicaMove{4, 1, 4, "drain"}));
  EXPECT_THAT(PlanMoves(partitions, cluster, {1, 2, 3, 4}, 100), IsEmpty());
}

TEST(PlanMovesTest, TriesTheNextNodeWhenTheLeastLoadedHoldsEveryCandidate) {
  std::vector<NodeView> cluster = {
      Alive(1, "az-a"), Alive(2, "az-b"), Alive(3, "az-c"), Alive(4, "az-a"), Alive(5, "az-a")};
  // Node 1: 3 replicas (two busy), nodes 4 and 5: 1 each. The only movable
  // partition of node 1 already has a replica on node 4.
  std::vector<tern::v1::PartitionDescriptor> partitions = {Part(1, {1, 2, 3}, cluster),
                                                           Part(2, {1, 2, 3}, cluster),
                                                           Part(3, {1, 4, 2}, cluster),
                                                           Part(4, {5, 2, 3}, cluster)};
  EXPECT_THAT(PlanMoves(partitions, cluster, {1, 2}, 100),
              ElementsAre(ReplicaMove{3, 1, 5, "rebalance"}));
}

TEST(PlanMovesTest, AzsTakeTurns) {
  std::vector<NodeView> cluster = {
      Alive(1, "az-a"), Alive(2, "az-b"), Alive(3, "az-c"), Alive(4, "az-a"), Alive(5, "az-b")};
  EXPECT_THAT(PlanMoves(Parts(6, {1, 2, 3}, cluster), cluster, {}, 2),
              ElementsAre(ReplicaMove{1, 1, 4, "rebalance"}, ReplicaMove{2, 2, 5, "rebalance"}));
}

// ---- NextMembershipStep ----

TEST(NextMembershipStepTest, ReplacesANodeOneStepAtATime) {
  const std::vector<uint64_t> desired = {2, 3, 4};
  GroupView group;
  group.voters = {1, 2, 3};
  group.leader = 1;
  group.commit = 100;
  group.match = {{1, 100}, {2, 98}, {3, 100}};
  const uint64_t slack = 10;

  EXPECT_EQ(NextMembershipStep(desired, group, slack), (MembershipStep{StepKind::kAddLearner, 4}));

  group.learners = {4};
  group.match[4] = 0;
  EXPECT_EQ(NextMembershipStep(desired, group, slack), MembershipStep{});  // wait
  group.match[4] = 89;
  EXPECT_EQ(NextMembershipStep(desired, group, slack), MembershipStep{});
  group.match[4] = 90;
  EXPECT_EQ(NextMembershipStep(desired, group, slack), (MembershipStep{StepKind::kPromote, 4}));

  group.voters = {1, 2, 3, 4};
  group.learners.clear();
  group.match[4] = 99;
  // Node 1 leads and must go: hand leadership to the most up-to-date of 2, 3, 4.
  EXPECT_EQ(NextMembershipStep(desired, group, slack),
            (MembershipStep{StepKind::kTransferLeader, 3}));

  group.leader = 3;
  EXPECT_EQ(NextMembershipStep(desired, group, slack), (MembershipStep{StepKind::kRemove, 1}));

  group.voters = {2, 3, 4};
  group.match.erase(1);
  EXPECT_EQ(NextMembershipStep(desired, group, slack), MembershipStep{});
}

TEST(NextMembershipStepTest, TransferTiesGoToTheLowestId) {
  GroupView group;
  group.voters = {1, 2, 3, 4};
  group.leader = 1;
  group.commit = 50;
  group.match = {{1, 50}, {2, 50}, {3, 50}, {4, 50}};
  EXPECT_EQ(NextMembershipStep({4, 3, 2}, group, 0),
            (MembershipStep{StepKind::kTransferLeader, 2}));
}

TEST(NextMembershipStepTest, RemovesOtherLeaversBeforeTheLeader) {
  GroupView group;
  group.voters = {1, 2, 3, 4, 5};
  group.leader = 1;
  group.commit = 10;
  group.match = {{2, 10}, {3, 10}, {4, 10}};
  EXPECT_EQ(NextMembershipStep({2, 3, 4}, group, 0), (MembershipStep{StepKind::kRemove, 5}));
}

TEST(NextMembershipStepTest, RemovesAnUndesiredLearnerFirst) {
  GroupView group;
  group.voters = {1, 2, 3};
  group.learners = {7, 5};
  group.leader = 2;
  group.commit = 10;
  // Node 4 is missing too, but stray learners go first (lowest id).
  EXPECT_EQ(NextMembershipStep({2, 3, 4}, group, 5), (MembershipStep{StepKind::kRemove, 5}));
  group.learners = {7};
  EXPECT_EQ(NextMembershipStep({2, 3, 4}, group, 5), (MembershipStep{StepKind::kRemove, 7}));
  group.learners.clear();
  EXPECT_EQ(NextMembershipStep({2, 3, 4}, group, 5), (MembershipStep{StepKind::kAddLearner, 4}));
}

TEST(NextMembershipStepTest, AddsAndPromotesLowestIdFirst) {
  GroupView group;
  group.voters = {1};
  group.leader = 1;
  group.commit = 10;
  EXPECT_EQ(NextMembershipStep({1, 6, 5}, group, 0), (MembershipStep{StepKind::kAddLearner, 5}));
  group.learners = {6, 5};
  group.match = {{5, 3}, {6, 10}};
  // 5 is behind, 6 has caught up: promote 6 now rather than wait.
  EXPECT_EQ(NextMembershipStep({1, 6, 5}, group, 0), (MembershipStep{StepKind::kPromote, 6}));
  group.match[5] = 10;
  EXPECT_EQ(NextMembershipStep({1, 6, 5}, group, 0), (MembershipStep{StepKind::kPromote, 5}));
}

TEST(NextMembershipStepTest, WaitsWhileALearnerIsBehindBeforeRemovingAnything) {
  GroupView group;
  group.voters = {1, 2, 3};
  group.learners = {4};
  group.leader = 2;
  group.commit = 1000;
  group.match = {{4, 10}};
  EXPECT_EQ(NextMembershipStep({2, 3, 4}, group, 100), MembershipStep{});
  // A huge slack does not overflow.
  EXPECT_EQ(NextMembershipStep({2, 3, 4}, group, UINT64_MAX),
            (MembershipStep{StepKind::kPromote, 4}));
}

TEST(NextMembershipStepTest, NothingWithoutALeader) {
  GroupView group;
  group.voters = {1, 2, 3};
  group.learners = {9};
  EXPECT_EQ(NextMembershipStep({2, 3, 4}, group, 0), MembershipStep{});
  group.leader = 1;
  EXPECT_EQ(NextMembershipStep({}, group, 0), MembershipStep{});  // never empties a group
}

TEST(NextMembershipStepTest, StepKindNames) {
  EXPECT_STREQ(StepKindName(StepKind::kNone), "none");
  EXPECT_STREQ(StepKindName(StepKind::kAddLearner), "add-learner");
  EXPECT_STREQ(StepKindName(StepKind::kPromote), "promote");
  EXPECT_STREQ(StepKindName(StepKind::kTransferLeader), "transfer-leader");
  EXPECT_STREQ(StepKindName(StepKind::kRemove), "remove");
}

}  // namespace
}  // namespace tern::control

namespace tern::control {
namespace {

TEST(NextMembershipStepTest, ALearnerWithNothingAcknowledgedIsNotPromotedEvenInAYoungGroup) {
  GroupView group;
  group.voters = {1, 2, 3};
  group.learners = {4};
  group.leader = 1;
  group.commit = 5;  // a split's child: its log starts at 5
  EXPECT_EQ(NextMembershipStep({1, 2, 4}, group, 16), MembershipStep{});
  group.match = {{4, 5}};  // the snapshot arrived
  EXPECT_EQ(NextMembershipStep({1, 2, 4}, group, 16), (MembershipStep{StepKind::kPromote, 4}));
}

}  // namespace
}  // namespace tern::control
