#include "control-plane/catalog/catalog.h"

#include <map>
#include <set>

#include "common/model/key_codec.h"
#include "common/testing/testing.h"
#include "control-plane/catalog/catalog_testing.h"
#include "gtest/gtest.h"
#include "storage-node/engine/rocksdb/rocksdb_engine.h"

namespace tern::control {
namespace {

using ::testing::HasSubstr;
using testing::IsOk;
using testing::StatusIs;

using catalog_testing::Nodes;
using catalog_testing::Table;

class CatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto engine = engine::OpenRocksEngine(dir_.path());
    ASSERT_THAT(engine, IsOk());
    engine_ = *std::move(engine);
    catalog_ = std::make_unique<Catalog>(engine_.get(), &clock_);
    ASSERT_THAT(catalog_->Load(), IsOk());
  }

  tern::testing::TempDir dir_;
  time::ManualClock clock_;
  std::unique_ptr<engine::StorageEngine> engine_;
  std::unique_ptr<Catalog> catalog_;
};

TEST(PlacementTest, ThreeReplicasInThreeAzsSpreadOverNodes) {
  std::vector<tern::v1::NodeInfo> nodes;
  for (int i = 0; i < 6; ++i) {  // two nodes in each of three AZs
    tern::v1::NodeInfo node;
    node.set_node_id(i + 1);
    node.set_az(std::string("az-") + static_cast<char>('a' + i % 3));
    nodes.push_back(node);
  }
  std::map<uint64_t, int> load;
  for (uint64_t salt = 0; salt < 60; ++salt) {
    std::vector<tern::v1::NodeInfo> chosen = PlaceReplicas(nodes, salt);
    ASSERT_EQ(chosen.size(), 3u);
    std::set<std::string> azs;
    for (const auto& node : chosen) {
      azs.insert(node.az());
      ++load[node.node_id()];
    }
    EXPECT_EQ(azs.size(), 3u) << salt;
  }
  for (const auto& [node, count] : load) EXPECT_EQ(count, 30) << node;
  // Fewer AZs than replicas: distinct nodes anyway; fewer nodes: all of them.
  nodes.resize(2);
  EXPECT_EQ(PlaceReplicas(nodes, 7).size(), 2u);
  nodes[1].set_az("az-a");
  nodes.push_back(nodes[0]);
  nodes.back().set_node_id(9);
  std::vector<tern::v1::NodeInfo> chosen = PlaceReplicas(nodes, 1);
  std::set<uint64_t> ids;
  for (const auto& node : chosen) ids.insert(node.node_id());
  EXPECT_EQ(ids.size(), 3u);
}

TEST(PartitionsTest, CountFollowsThroughputAndBoundariesCutTheHashSpace) {
  tern::v1::TableDescriptor table;
  table.set_billing_mode("PAY_PER_REQUEST");
  EXPECT_EQ(PartitionCount(table, 2), 2);
  table.set_billing_mode("PROVISIONED");
  table.mutable_throughput()->set_read_capacity_units(5);
  table.mutable_throughput()->set_write_capacity_units(5);
  EXPECT_EQ(PartitionCount(table, 2), 2);  // 1 for reads + 1 for writes, as DynamoDB
  table.mutable_throughput()->set_read_capacity_units(6001);
  table.mutable_throughput()->set_write_capacity_units(1000);
  EXPECT_EQ(PartitionCount(table, 2), 4);
  const std::string half = HashBoundary(7, 1, 2);
  EXPECT_EQ(half.substr(0, 8), model::TablePrefix(7));
  EXPECT_EQ(static_cast<unsigned char>(half[8]), 0x80);
  EXPECT_LT(HashBoundary(7, 1, 3), HashBoundary(7, 2, 3));
}

TEST_F(CatalogTest, CreateAssignsIdsAndPlacesOnePartition) {
  auto entry = catalog_->Create(Table("Music"), Nodes());
  ASSERT_THAT(entry, IsOk());
  EXPECT_EQ(entry->table().table_id(), 1u);
  EXPECT_EQ(entry->table().status(), "CREATING");
  EXPECT_EQ(entry->table().table_uuid().size(), 36u);
  ASSERT_EQ(entry->partitions_size(), 1);
  EXPECT_EQ(entry->partitions(0).replicas_size(), 3);
  EXPECT_THAT(catalog_->Create(Table("Music"), Nodes()),
              StatusIs(absl::StatusCode::kAlreadyExists, "Table already exists: Music"));
  EXPECT_THAT(catalog_->Create(Table("Other"), {}),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("no storage node")));
}

TEST_F(CatalogTest, SurvivesARestart) {
  ASSERT_THAT(catalog_->Create(Table("A"), Nodes()), IsOk());
  ASSERT_THAT(catalog_->SetStatus("A", "ACTIVE"), IsOk());
  catalog_ = std::make_unique<Catalog>(engine_.get(), &clock_);
  ASSERT_THAT(catalog_->Load(), IsOk());
  auto entry = catalog_->Get("A");
  ASSERT_THAT(entry, IsOk());
  EXPECT_EQ(entry->table().status(), "ACTIVE");
  auto second = catalog_->Create(Table("B"), Nodes());
  ASSERT_THAT(second, IsOk());
  EXPECT_EQ(second->table().table_id(), 2u);  // ids are never reused
}

TEST_F(CatalogTest, ListPagesInNameOrder) {
  for (const char* name : {"c", "a", "d", "b"}) {
    ASSERT_THAT(catalog_->Create(Table(name), Nodes()), IsOk());
  }
  tern::v1::ListTablesResponse first = catalog_->List("", 3);
  EXPECT_EQ(std::vector<std::string>(first.table_names().begin(), first.table_names().end()),
            (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(first.last_evaluated_table_name(), "c");
  tern::v1::ListTablesResponse rest = catalog_->List("c", 3);
  EXPECT_EQ(rest.table_names_size(), 1);
  EXPECT_EQ(rest.last_evaluated_table_name(), "");
  EXPECT_EQ(catalog_->List("", 4).last_evaluated_table_name(), "");
}

TEST_F(CatalogTest, UpdateIsCompareAndSet) {
  auto entry = catalog_->Create(Table("T"), Nodes());
  ASSERT_THAT(entry, IsOk());
  tern::v1::TableDescriptor changed = entry->table();
  changed.set_deletion_protection(true);
  auto updated = catalog_->Update(changed, entry->version());
  ASSERT_THAT(updated, IsOk());
  EXPECT_TRUE(updated->table().deletion_protection());
  EXPECT_THAT(catalog_->Update(changed, entry->version()),
              StatusIs(absl::StatusCode::kAborted, HasSubstr("retry")));
  ASSERT_THAT(catalog_->Remove("T"), IsOk());
  EXPECT_THAT(catalog_->Get("T"), StatusIs(absl::StatusCode::kNotFound, HasSubstr("T")));
}

}  // namespace
}  // namespace tern::control

namespace tern::control {
namespace {

TEST_F(CatalogTest, MoveReplicaRecordsTheNewReplicaWithANewEpochDurably) {
  auto created = catalog_->Create(Table("Moved"), Nodes());
  ASSERT_THAT(created, IsOk());
  const tern::v1::PartitionDescriptor& before = created->partitions(0);
  tern::v1::NodeInfo fourth;
  fourth.set_node_id(4);
  fourth.set_az("az-a");
  fourth.set_address("127.0.0.1:7103");

  auto moved = catalog_->MoveReplica(before.partition_id(), 1, fourth);
  ASSERT_THAT(moved, IsOk());
  EXPECT_EQ(moved->epoch(), before.epoch() + 1);
  std::set<uint64_t> ids;
  for (const auto& replica : moved->replicas()) ids.insert(replica.node_id());
  EXPECT_EQ(ids, (std::set<uint64_t>{2, 3, 4}));
  EXPECT_NE(moved->leader_hint_node_id(), 1u);

  // Refused: a node already holding it; a node holding none; unknown ids.
  EXPECT_THAT(catalog_->MoveReplica(before.partition_id(), 2, fourth),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("already holds")));
  fourth.set_node_id(5);
  EXPECT_THAT(catalog_->MoveReplica(before.partition_id(), 1, fourth),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("holds no replica")));
  EXPECT_THAT(catalog_->MoveReplica(before.partition_id() + 100, 2, fourth),
              StatusIs(absl::StatusCode::kNotFound, ::testing::_));

  // Survives a restart, with the entry's version bumped.
  Catalog reloaded(engine_.get(), &clock_);
  ASSERT_THAT(reloaded.Load(), IsOk());
  auto entry = reloaded.TableOfPartition(before.partition_id());
  ASSERT_TRUE(entry.has_value());
  EXPECT_EQ(entry->version(), created->version() + 1);
  EXPECT_EQ(entry->partitions(0).epoch(), before.epoch() + 1);
  EXPECT_TRUE(reloaded.Assigned(created->table().table_id()));
  EXPECT_FALSE(reloaded.Assigned(created->table().table_id() + 1));
  EXPECT_FALSE(reloaded.TableOfPartition(before.partition_id() + (1 << kPartitionIdBits)));
}

TEST_F(CatalogTest, DrainingNodesArePersisted) {
  ASSERT_THAT(catalog_->SetDraining(2, true), IsOk());
  ASSERT_THAT(catalog_->SetDraining(3, true), IsOk());
  ASSERT_THAT(catalog_->SetDraining(3, false), IsOk());
  EXPECT_EQ(catalog_->Draining(), (std::set<uint64_t>{2}));
  Catalog reloaded(engine_.get(), &clock_);
  ASSERT_THAT(reloaded.Load(), IsOk());
  EXPECT_EQ(reloaded.Draining(), (std::set<uint64_t>{2}));
}

}  // namespace
}  // namespace tern::control

namespace tern::control {
namespace {

TEST_F(CatalogTest, ASnapshotCarriesTheWholeCatalogToAnotherReplica) {
  ASSERT_THAT(catalog_->Create(Table("One"), Nodes()), IsOk());
  ASSERT_THAT(catalog_->Create(Table("Two"), Nodes()), IsOk());
  ASSERT_THAT(catalog_->SetStatus("Two", "ACTIVE"), IsOk());
  ASSERT_THAT(catalog_->SetDraining(3, true), IsOk());
  auto snapshot = catalog_->Export();
  ASSERT_THAT(snapshot, IsOk());

  tern::testing::TempDir other_dir;
  auto other_engine = engine::OpenRocksEngine(other_dir.path());
  ASSERT_THAT(other_engine, IsOk());
  Catalog other(other_engine->get(), &clock_);
  ASSERT_THAT(other.Load(), IsOk());
  ASSERT_THAT(other.Create(Table("Stale"), Nodes()), IsOk());  // replaced by the snapshot
  engine::WriteBatch batch;
  ASSERT_THAT(other.Import(*snapshot, &batch), IsOk());
  ASSERT_THAT((*other_engine)->Write(batch, /*sync=*/true), IsOk());

  Catalog reloaded(other_engine->get(), &clock_);
  ASSERT_THAT(reloaded.Load(), IsOk());
  for (Catalog* copy : {&other, &reloaded}) {
    EXPECT_EQ(copy->List("", 0).table_names_size(), 2);
    EXPECT_THAT(copy->Get("Stale"), StatusIs(absl::StatusCode::kNotFound, ::testing::_));
    auto two = copy->Get("Two");
    ASSERT_THAT(two, IsOk());
    EXPECT_EQ(two->table().status(), "ACTIVE");
    EXPECT_EQ(copy->Draining(), (std::set<uint64_t>{3}));
    // The next table gets a fresh id.
    auto three = copy->Create(Table("Three"), Nodes());
    ASSERT_THAT(three, IsOk());
    EXPECT_GT(three->table().table_id(), two->table().table_id());
  }
  // Commands that do not fit the state are refused the same way everywhere.
  engine::WriteBatch ignored;
  EXPECT_THAT(other.Apply("not a command", &ignored),
              StatusIs(absl::StatusCode::kDataLoss, ::testing::_));
}

}  // namespace
}  // namespace tern::control

namespace tern::control {
namespace {

TEST_F(CatalogTest, ASplitIsPlannedThenReplacesThePartitionByItsChildren) {
  tern::v1::TableDescriptor table = Table("Split");
  table.set_billing_mode("PROVISIONED");
  table.mutable_throughput()->set_write_capacity_units(2000);  // two partitions
  auto created = catalog_->Create(table, Nodes());
  ASSERT_THAT(created, IsOk());
  ASSERT_EQ(created->partitions_size(), 2);
  const tern::v1::PartitionDescriptor parent = created->partitions(0);
  const std::string key = HashBoundary(created->table().table_id(), 1, 4);  // inside slice 0 of 2

  auto planned = catalog_->PlanSplit(parent.partition_id(), key);
  ASSERT_THAT(planned, IsOk());
  const tern::v1::SplitPlan& plan = planned->pending_split();
  EXPECT_EQ(plan.left().start_key(), parent.start_key());
  EXPECT_EQ(plan.left().end_key(), key);
  EXPECT_EQ(plan.right().start_key(), key);
  EXPECT_EQ(plan.right().end_key(), parent.end_key());
  EXPECT_EQ(plan.left().epoch(), parent.epoch() + 1);
  EXPECT_EQ(plan.left().replicas_size(), 3);
  const std::set<uint64_t> ids = {parent.partition_id(),
                                  created->partitions(1).partition_id(),
                                  plan.left().partition_id(),
                                  plan.right().partition_id()};
  EXPECT_EQ(ids.size(), 4u);  // fresh ids
  // Planned twice with the same key: the same plan; another key: refused.
  EXPECT_EQ(catalog_->PlanSplit(parent.partition_id(), key)->pending_split().left().partition_id(),
            plan.left().partition_id());
  EXPECT_THAT(catalog_->PlanSplit(parent.partition_id(), key + "x"),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("being split")));
  EXPECT_THAT(catalog_->PlanSplit(created->partitions(1).partition_id(), key),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not inside")));
  tern::v1::NodeInfo fourth;
  fourth.set_node_id(4);
  EXPECT_THAT(catalog_->MoveReplica(parent.partition_id(), 1, fourth),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("being split")));

  auto finished = catalog_->FinishSplit(parent.partition_id());
  ASSERT_THAT(finished, IsOk());
  ASSERT_EQ(finished->partitions_size(), 3);
  EXPECT_EQ(finished->partitions(0).partition_id(), plan.left().partition_id());
  EXPECT_EQ(finished->partitions(1).partition_id(), plan.right().partition_id());
  ASSERT_EQ(finished->retired_size(), 1);
  EXPECT_TRUE(finished->retired(0).retired());
  EXPECT_EQ(finished->retired(0).child_ids(0), plan.left().partition_id());
  EXPECT_FALSE(finished->retired(0).has_pending_split());
  // Finishing again changes nothing.
  EXPECT_EQ(catalog_->FinishSplit(parent.partition_id())->version(), finished->version());
  // A child splits again with ids never used before.
  auto again = catalog_->PlanSplit(plan.right().partition_id(),
                                   HashBoundary(created->table().table_id(), 3, 8));
  ASSERT_THAT(again, IsOk());
  EXPECT_GT(again->pending_split().left().partition_id(), plan.right().partition_id());
}

}  // namespace
}  // namespace tern::control
