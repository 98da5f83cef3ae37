// Three ReplicaHosts in one process, each with its own RocksDB and gRPC
// server, replicating one partition over the real transport: writes commit
// on all three, and a replica that was away past a log compaction catches up
// through a snapshot sent in many chunks.
#include "storage-node/replica/replica_host.h"

#include <map>

#include "absl/time/clock.h"
#include "common/base/error_details.h"
#include "common/base/mutex.h"
#include "common/model/attribute_value.h"
#include "common/model/key_codec.h"
#include "common/rpc/rpc.h"
#include "common/testing/testing.h"
#include "gtest/gtest.h"
#include "storage-node/engine/rocksdb/rocksdb_engine.h"

namespace tern::replica {
namespace {

using testing::IsOk;

constexpr uint64_t kTable = 9;

struct Node {
  tern::testing::TempDir dir;
  std::unique_ptr<engine::StorageEngine> engine;
  std::unique_ptr<partition::PartitionStore> store;
  std::unique_ptr<ReplicaHost> host;
  std::unique_ptr<ReplicationService> service;
  std::optional<rpc::StartedServer> server;
};

class ReplicaHostTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (uint64_t id = 1; id <= 3; ++id) ASSERT_NO_FATAL_FAILURE(StartNode(id));
    partition_.set_partition_id(kTable);
    partition_.set_table_id(kTable);
    for (auto& [id, node] : nodes_) {
      tern::v1::ReplicaDescriptor* replica = partition_.add_replicas();
      replica->set_node_id(id);
      replica->set_address("127.0.0.1:" + std::to_string(node.server->port));
    }
    for (auto& [id, node] : nodes_) {
      ASSERT_THAT(node.store->Open(partition_), IsOk());
      ASSERT_THAT(node.host->OpenGroup(partition_), IsOk());
      node.host->Start();
    }
  }

  void StartNode(uint64_t id) {
    Node& node = nodes_[id];
    auto engine = engine::OpenRocksEngine(node.dir.path());
    ASSERT_THAT(engine, IsOk());
    node.engine = *std::move(engine);
    node.store = std::make_unique<partition::PartitionStore>(node.engine.get());
    HostOptions options;
    options.node_id = id;
    options.tick = std::chrono::milliseconds(50);
    options.compact_after = 10;
    // Generous timing: sanitizer builds on a busy machine are slow, and
    // elections under load would only slow the test down.
    options.raft.election_ticks = 20;
    options.raft.lease_ticks = 16;
    options.snapshot_chunk_bytes = 512;
    options.max_batch_bytes = 4096;
    options.raft.random_seed = 7;
    node.host = std::make_unique<ReplicaHost>(options, node.engine.get(), node.store.get());
    node.service = std::make_unique<ReplicationService>(node.host.get());
    auto server = rpc::StartServer(config::HostPort{"127.0.0.1", 0}, {node.service.get()});
    ASSERT_THAT(server, IsOk());
    node.server.emplace(*std::move(server));
  }

  void TearDown() override {
    for (auto& [id, node] : nodes_) node.host->Stop();
    for (auto& [id, node] : nodes_) {
      node.server->Shutdown();
      node.service->Drain();  // before the server goes: a reply may be on its way
    }
  }

  // The leader, waiting up to a minute for one (sanitizer builds on a loaded
  // machine are slow; no timing is asserted).
  uint64_t Leader() {
    for (int i = 0; i < 6000; ++i) {
      for (auto& [id, node] : nodes_) {
        std::shared_ptr<ReplicaGroup> group = node.host->Group(kTable);
        if (group != nullptr && group->Status().role == replication::Role::kLeader) return id;
      }
      absl::SleepFor(absl::Milliseconds(10));
    }
    return 0;
  }

  std::string Key(int i) {
    return model::EncodeStorageKey(
        kTable, model::AttributeValue::N(*model::Number::Parse(std::to_string(i))), nullptr);
  }

  tern::v1::WriteItemRequest PutRequest(uint64_t partition, int i) {
    tern::v1::WriteItemRequest request;
    request.mutable_partition()->set_partition_id(partition);
    request.set_kind(tern::v1::WriteItemRequest::KIND_PUT);
    request.set_storage_key(Key(i));
    request.set_item(model::EncodeItem(
        {{"id", model::AttributeValue::N(*model::Number::Parse(std::to_string(i)))},
         {"pad", model::AttributeValue::S(std::string(200, 'p'))}}));
    return request;
  }

  // Writes through node via's group of the request's partition and waits
  // for the answer.
  absl::Status WriteVia(uint64_t via, const tern::v1::WriteItemRequest& request) {
    auto done = std::make_shared<base::Notification>();
    auto result = std::make_shared<absl::Status>();
    nodes_[via]
        .host->Group(request.partition().partition_id())
        ->Write(request, [done, result](auto written) {
          *result = written.status();
          done->Notify();
        });
    if (!done->WaitForNotificationWithTimeout(absl::Seconds(10))) {
      return absl::DeadlineExceededError("no answer");
    }
    return *result;
  }

  absl::Status Put(uint64_t via, int i) { return WriteVia(via, PutRequest(kTable, i)); }

  // Put through whoever leads, again after an election got in the way (as
  // the router does; the test must not depend on timing).
  absl::Status PutToLeader(int i) {
    absl::Status status;
    for (int attempt = 0; attempt < 100; ++attempt) {
      const uint64_t leader = Leader();
      if (leader == 0) return absl::UnavailableError("no leader");
      status = Put(leader, i);
      if (status.code() != absl::StatusCode::kUnavailable &&
          status.code() != absl::StatusCode::kFailedPrecondition) {
        return status;
      }
      absl::SleepFor(absl::Milliseconds(20));
    }
    return status;
  }

  // Whether node's store holds item i, in the partition or, after a split,
  // in the child that owns it.
  bool Has(uint64_t node, int i) {
    for (uint64_t partition : {kTable, kTable + 1, kTable + 2}) {
      tern::v1::GetItemRequest get;
      get.mutable_partition()->set_partition_id(partition);
      get.set_storage_key(Key(i));
      auto got = nodes_[node].store->GetItem(get);
      if (got.ok()) return got->found();
    }
    return false;
  }

  // Splits the partition at split_key into kTable + 1 and kTable + 2
  // through its leader's log.
  absl::Status Split(const std::string& split_key) {
    tern::v1::SplitPlan plan;
    plan.set_split_key(split_key);
    *plan.mutable_left() = partition_;
    plan.mutable_left()->set_partition_id(kTable + 1);
    plan.mutable_left()->set_end_key(split_key);
    *plan.mutable_right() = partition_;
    plan.mutable_right()->set_partition_id(kTable + 2);
    plan.mutable_right()->set_start_key(split_key);
    tern::v1::WriteItemRequest split;
    split.mutable_partition()->set_partition_id(kTable);
    split.set_kind(tern::v1::WriteItemRequest::KIND_SPLIT);
    *split.mutable_split() = plan;
    auto done = std::make_shared<base::Notification>();
    auto result = std::make_shared<absl::Status>();
    nodes_[Leader()].host->Group(kTable)->Propose(split.SerializeAsString(),
                                                  [done, result](absl::StatusOr<std::string> got) {
                                                    *result = got.status();
                                                    done->Notify();
                                                  });
    if (!done->WaitForNotificationWithTimeout(absl::Seconds(30))) {
      return absl::DeadlineExceededError("the split was not applied");
    }
    return *result;
  }

  // Replicas that lead child (all must host it: 0 when one does not).
  int ChildLeaders(uint64_t child) {
    int leaders = 0;
    for (auto& [id, node] : nodes_) {
      std::shared_ptr<ReplicaGroup> group = node.host->Group(child);
      if (group == nullptr) return 0;
      if (group->Status().role == replication::Role::kLeader) ++leaders;
    }
    return leaders;
  }

  // Puts item i through the leader of the child owning it, again after an
  // election got in the way.
  absl::Status PutToChild(int i, const std::string& split_key) {
    const uint64_t child = Key(i) < split_key ? kTable + 1 : kTable + 2;
    absl::Status status = absl::UnavailableError("no leader");
    for (int attempt = 0; attempt < 200; ++attempt) {
      uint64_t child_leader = 0;
      for (auto& [id, node] : nodes_) {
        std::shared_ptr<ReplicaGroup> group = node.host->Group(child);
        if (group != nullptr && group->Status().role == replication::Role::kLeader) {
          child_leader = id;
        }
      }
      if (child_leader == 0) {
        absl::SleepFor(absl::Milliseconds(20));
        continue;
      }
      status = WriteVia(child_leader, PutRequest(child, i));
      if (status.ok()) return status;  // puts are idempotent: any failure may go again
      absl::SleepFor(absl::Milliseconds(20));
    }
    return status;
  }

  // Every node's groups, for failure messages.
  std::string Describe() {
    std::string out;
    for (auto& [id, node] : nodes_) {
      for (const GroupStatus& status : node.host->Statuses()) {
        out += "node " + std::to_string(id) + " group " + std::to_string(status.group_id) + ": " +
               replication::RoleName(status.role) + " term " + std::to_string(status.term) +
               " leader " + std::to_string(status.leader) + " commit " +
               std::to_string(status.commit) + " applied " + std::to_string(status.applied) +
               " last " + std::to_string(status.last) + "\n";
      }
    }
    return out;
  }

  bool Eventually(const std::function<bool()>& condition) {
    for (int i = 0; i < 6000; ++i) {
      if (condition()) return true;
      absl::SleepFor(absl::Milliseconds(10));
    }
    return condition();
  }

  std::map<uint64_t, Node> nodes_;
  tern::v1::PartitionDescriptor partition_;
};

TEST_F(ReplicaHostTest, AwayReplicaCatchesUpThroughAChunkedSnapshot) {
  const uint64_t leader = Leader();
  ASSERT_NE(leader, 0u);
  ASSERT_THAT(PutToLeader(0), IsOk());
  EXPECT_TRUE(Eventually([&] { return Has(1, 0) && Has(2, 0) && Has(3, 0); }));
  // The followers' acknowledgements came back in the answers to the
  // leader's batches, not in calls of their own.
  EXPECT_GT(nodes_[leader].host->messages_in_answers(), 0u);

  // One follower goes away; the others go on far past a compaction.
  const uint64_t away = leader % 3 + 1;
  nodes_[away].host->CloseGroup(kTable);
  for (int i = 1; i <= 40; ++i) ASSERT_THAT(PutToLeader(i), IsOk()) << i;
  ASSERT_FALSE(Has(away, 40));

  // Back: the leader's log starts after what it has, so it gets the
  // partition (~10 KB) in 512-byte chunks.
  ASSERT_THAT(nodes_[away].host->OpenGroup(partition_), IsOk());
  EXPECT_TRUE(Eventually([&] { return Has(away, 40); }));
  for (int i = 0; i <= 40; ++i) EXPECT_TRUE(Has(away, i)) << i;
  EXPECT_GE(nodes_[away].host->snapshots_assembled(), 1u);

  // Dropping the group removes its log and state, not just the group.
  ASSERT_THAT(nodes_[away].host->DropGroup(kTable), IsOk());
  EXPECT_EQ(nodes_[away].host->Group(kTable), nullptr);
  std::string prefix = GroupStorage::LogKey(kTable, 0).substr(0, 8);
  EXPECT_TRUE(nodes_[away].engine->Scan(engine::ColumnFamily::kRaftLog, prefix)->empty());
  EXPECT_TRUE(nodes_[away].engine->Scan(engine::ColumnFamily::kRaftState, prefix)->empty());
}

// A replica moves to a fourth node the way repair does it: the new node
// joins with no membership, the leader adds it as a learner (it catches up
// through a snapshot, the log being compacted), promotes it, and removes the
// old replica; writes go on and the new replica holds every item.
TEST_F(ReplicaHostTest, ReplicaMovesToANewNodeThroughLearnerPromoteRemove) {
  for (int i = 0; i < 30; ++i) ASSERT_THAT(PutToLeader(i), IsOk()) << i;
  ASSERT_NO_FATAL_FAILURE(StartNode(4));
  tern::v1::PartitionDescriptor moved = partition_;
  tern::v1::ReplicaDescriptor* added = moved.add_replicas();
  added->set_node_id(4);
  added->set_address("127.0.0.1:" + std::to_string(nodes_[4].server->port));
  Node& fresh = nodes_[4];
  ASSERT_THAT(fresh.host->FoundGroup(moved, /*join=*/true), IsOk());
  ASSERT_THAT(fresh.store->Open(moved), IsOk());
  ASSERT_THAT(fresh.host->OpenGroup(moved, /*join=*/true), IsOk());
  fresh.host->Start();
  // A joining replica knows no voters, so it never campaigns.
  EXPECT_TRUE(fresh.host->Group(kTable)->Status().membership.voters.empty());

  // Retries a change on whoever leads (an election may get in the way).
  auto change = [&](ReplicaGroup::Change kind, uint64_t node) {
    absl::Status status;
    for (int attempt = 0; attempt < 200; ++attempt) {
      const uint64_t leader = Leader();
      ASSERT_THAT(nodes_[leader].host->OpenGroup(moved), IsOk());
      status = nodes_[leader].host->Group(kTable)->ChangeMembership(kind, node);
      if (status.ok()) return;
      absl::SleepFor(absl::Milliseconds(20));
    }
    FAIL() << status;
  };
  auto leader_membership = [&] {
    return nodes_[Leader()].host->Group(kTable)->Status().membership;
  };

  ASSERT_NO_FATAL_FAILURE(change(ReplicaGroup::Change::kAddLearner, 4));
  EXPECT_TRUE(Eventually([&] { return Has(4, 29); }));
  EXPECT_EQ(fresh.host->Group(kTable)->Status().role, replication::Role::kLearner);
  ASSERT_THAT(PutToLeader(30), IsOk());
  ASSERT_NO_FATAL_FAILURE(change(ReplicaGroup::Change::kPromote, 4));
  EXPECT_TRUE(Eventually([&] { return leader_membership().voters.size() == 4; }));

  // Remove a follower that is not the leader (repair transfers leadership
  // away from a replica before removing it).
  uint64_t leaving = 1;
  while (leaving == Leader() || leaving == 4) ++leaving;
  ASSERT_NO_FATAL_FAILURE(change(ReplicaGroup::Change::kRemove, leaving));
  EXPECT_TRUE(Eventually([&] {
    replication::Membership m = leader_membership();
    return m.voters.size() == 3 && m.learners.empty();
  }));
  // Changes that do not fit the membership are refused.
  EXPECT_EQ(nodes_[Leader()]
                .host->Group(kTable)
                ->ChangeMembership(ReplicaGroup::Change::kPromote, leaving)
                .code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(nodes_[Leader()]
                .host->Group(kTable)
                ->ChangeMembership(ReplicaGroup::Change::kAddLearner, 4)
                .code(),
            absl::StatusCode::kFailedPrecondition);

  nodes_[leaving].host->Stop();
  for (int i = 31; i < 40; ++i) ASSERT_THAT(PutToLeader(i), IsOk()) << i;
  EXPECT_TRUE(Eventually([&] { return Has(4, 39); }));
  for (int i = 0; i < 40; ++i) EXPECT_TRUE(Has(4, i)) << i;

  // A restart of the new replica keeps its founding (empty) membership and
  // recovers the group's from its log or snapshot.
  fresh.host->CloseGroup(kTable);
  ASSERT_THAT(fresh.host->OpenGroup(moved), IsOk());
  EXPECT_EQ(fresh.host->Group(kTable)->Status().membership.voters.size(), 3u);
}

// A split in the partition's own log: every replica retires the partition
// and founds both children over the items it has (no data copied); the
// children elect leaders and take writes; the parent refuses them.
TEST_F(ReplicaHostTest, ASplitFoundsTwoChildGroupsOverTheSameItems) {
  for (int i = 0; i < 40; ++i) ASSERT_THAT(PutToLeader(i), IsOk()) << i;
  absl::StatusOr<std::string> split_key = nodes_[Leader()].store->FindSplitKey(kTable);
  ASSERT_THAT(split_key, IsOk());
  ASSERT_THAT(Split(*split_key), IsOk());

  // Every replica hosts both children, each with a leader.
  for (uint64_t child : {kTable + 1, kTable + 2}) {
    ASSERT_TRUE(Eventually([&] { return ChildLeaders(child) == 1; })) << child << "\n"
                                                                      << Describe();
  }
  // The parent refuses writes: the router must refresh its map.
  absl::Status refused = Put(Leader(), 0);
  EXPECT_TRUE(base::IsWrongPartition(refused)) << refused;
  for (auto& [id, node] : nodes_) {
    EXPECT_TRUE(node.store->Descriptor(kTable)->retired());
    // Items stay where they were, now owned by the children. (A replica
    // that fell behind a compaction of the parent's log caught up through
    // the retired parent's snapshot instead: it gets them from the
    // children's snapshots.)
    EXPECT_TRUE(Eventually([&, id = id] {
      for (int i = 0; i < 40; ++i) {
        if (!Has(id, i)) return false;
      }
      return true;
    })) << id;
  }
  // Each key is written through the child that owns it.
  for (int i = 40; i < 60; ++i) ASSERT_THAT(PutToChild(i, *split_key), IsOk()) << i;
  // Followers apply once they learn the commit index (each child's own).
  EXPECT_TRUE(Eventually([&] {
    for (int i = 40; i < 60; ++i) {
      if (!Has(1, i) || !Has(2, i) || !Has(3, i)) return false;
    }
    return true;
  }));
  // Dropping the retired parent leaves the children's items alone.
  for (auto& [id, node] : nodes_) {
    ASSERT_THAT(node.host->DropGroup(kTable), IsOk());
    ASSERT_THAT(node.store->Drop(*node.store->Descriptor(kTable)), IsOk());
    for (int i = 0; i < 60; ++i) EXPECT_TRUE(Has(id, i)) << id << " " << i;
  }
}

// A follower away during a split, past a compaction of the parent's log,
// gets the retired parent as its snapshot: it founds the children's groups
// as a joining replica, and their leaders fill them with their own
// snapshots (its own items in their ranges are as old as it fell behind).
TEST_F(ReplicaHostTest, AReplicaThatMissedASplitJoinsTheChildren) {
  ASSERT_THAT(PutToLeader(0), IsOk());
  const uint64_t away = Leader() % 3 + 1;
  EXPECT_TRUE(Eventually([&] { return Has(away, 0); }));
  nodes_[away].host->CloseGroup(kTable);
  for (int i = 1; i < 40; ++i) ASSERT_THAT(PutToLeader(i), IsOk()) << i;
  // Item 0 goes while it is away: its old copy must not come back.
  tern::v1::WriteItemRequest remove;
  remove.mutable_partition()->set_partition_id(kTable);
  remove.set_kind(tern::v1::WriteItemRequest::KIND_DELETE);
  remove.set_storage_key(Key(0));
  ASSERT_THAT(WriteVia(Leader(), remove), IsOk());
  absl::StatusOr<std::string> split_key = nodes_[Leader()].store->FindSplitKey(kTable);
  ASSERT_THAT(split_key, IsOk());
  ASSERT_THAT(Split(*split_key), IsOk());
  for (int i = 40; i < 50; ++i) ASSERT_THAT(PutToChild(i, *split_key), IsOk()) << i;
  ASSERT_EQ(nodes_[away].host->Group(kTable + 1), nullptr);

  ASSERT_THAT(nodes_[away].host->OpenGroup(partition_), IsOk());
  EXPECT_TRUE(Eventually([&] {
    const auto parent = nodes_[away].store->Descriptor(kTable);
    return parent.has_value() && parent->retired();
  })) << Describe();
  for (uint64_t child : {kTable + 1, kTable + 2}) {
    ASSERT_TRUE(Eventually([&] {
      std::shared_ptr<ReplicaGroup> group = nodes_[away].host->Group(child);
      return group != nullptr && group->Status().membership.voters.size() == 3;
    })) << child
        << "\n"
        << Describe();
  }
  for (int i = 50; i < 60; ++i) ASSERT_THAT(PutToChild(i, *split_key), IsOk()) << i;
  EXPECT_TRUE(Eventually([&] {
    for (int i = 1; i < 60; ++i) {
      if (!Has(away, i)) return false;
    }
    return true;
  })) << Describe();
  EXPECT_FALSE(Has(away, 0));
}

}  // namespace
}  // namespace tern::replica
