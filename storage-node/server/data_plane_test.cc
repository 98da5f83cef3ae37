// DataPlaneService.Batch on a real node (RocksDB, a one-replica group, the
// gRPC server): every op is served as its own call would be, and the results
// come back in op order, refusals included.
#include <optional>

#include "absl/time/clock.h"
#include "common/model/attribute_value.h"
#include "common/model/key_codec.h"
#include "common/rpc/rpc.h"
#include "common/testing/testing.h"
#include "gtest/gtest.h"
#include "storage-node/engine/rocksdb/rocksdb_engine.h"
#include "storage-node/server/node_services.h"

namespace tern::node {
namespace {

using testing::IsOk;

constexpr uint64_t kTable = 5;

class DataPlaneTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto engine = engine::OpenRocksEngine(dir_.path());
    ASSERT_THAT(engine, IsOk());
    engine_ = *std::move(engine);
    store_ = std::make_unique<partition::PartitionStore>(engine_.get());
    replica::HostOptions options;
    options.node_id = 1;
    options.tick = std::chrono::milliseconds(10);
    host_ = std::make_unique<replica::ReplicaHost>(options, engine_.get(), store_.get());
    load_ = std::make_unique<load::LoadSampler>(time::RealClock());
    data_ = std::make_unique<DataPlaneService>(store_.get(), host_.get(), load_.get());
    replication_ = std::make_unique<replica::ReplicationService>(host_.get());
    auto server =
        rpc::StartServer(config::HostPort{"127.0.0.1", 0}, {data_.get(), replication_.get()});
    ASSERT_THAT(server, IsOk());
    server_.emplace(*std::move(server));
    tern::v1::PartitionDescriptor partition;
    partition.set_partition_id(kTable);
    partition.set_table_id(kTable);
    tern::v1::ReplicaDescriptor* replica = partition.add_replicas();
    replica->set_node_id(1);
    replica->set_address("127.0.0.1:" + std::to_string(server_->port));
    ASSERT_THAT(store_->Open(partition), IsOk());
    ASSERT_THAT(host_->OpenGroup(partition), IsOk());
    host_->Start();
    // A group of one elects itself; wait (up to a minute: sanitizer builds
    // on a busy machine are slow).
    for (int i = 0; i < 6000; ++i) {
      std::shared_ptr<replica::ReplicaGroup> group = host_->Group(kTable);
      if (group != nullptr && group->Status().role == replication::Role::kLeader) break;
      absl::SleepFor(absl::Milliseconds(10));
    }
    stub_ = tern::v1::DataPlane::NewStub(
        rpc::MakeChannel(config::HostPort{"127.0.0.1", server_->port}));
  }

  void TearDown() override {
    if (host_ != nullptr) host_->Stop();
    if (server_.has_value()) server_->Shutdown();
    if (data_ != nullptr) data_->Drain();
    if (replication_ != nullptr) replication_->Drain();
  }

  static std::string Key(int i) {
    return model::EncodeStorageKey(
        kTable, model::AttributeValue::N(*model::Number::Parse(std::to_string(i))), nullptr);
  }

  static tern::v1::DataOp Put(int i, uint64_t partition_id = kTable) {
    tern::v1::DataOp op;
    tern::v1::WriteItemRequest* write = op.mutable_write();
    write->mutable_partition()->set_partition_id(partition_id);
    write->set_kind(tern::v1::WriteItemRequest::KIND_PUT);
    write->set_storage_key(Key(i));
    write->set_item(model::EncodeItem(
        {{"id", model::AttributeValue::N(*model::Number::Parse(std::to_string(i)))},
         {"v", model::AttributeValue::S("value " + std::to_string(i))}}));
    return op;
  }

  static tern::v1::DataOp Get(int i, bool consistent, uint64_t partition_id = kTable) {
    tern::v1::DataOp op;
    op.mutable_get()->mutable_partition()->set_partition_id(partition_id);
    op.mutable_get()->set_storage_key(Key(i));
    op.mutable_get()->set_consistent_read(consistent);
    return op;
  }

  absl::StatusOr<tern::v1::DataBatchResult> Call(const tern::v1::DataBatch& batch) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    tern::v1::DataBatchResult result;
    grpc::Status status = stub_->Batch(&context, batch, &result);
    if (!status.ok()) return rpc::FromGrpcStatus(status);
    return result;
  }

  tern::testing::TempDir dir_;
  std::unique_ptr<engine::StorageEngine> engine_;
  std::unique_ptr<partition::PartitionStore> store_;
  std::unique_ptr<replica::ReplicaHost> host_;
  std::unique_ptr<load::LoadSampler> load_;
  std::unique_ptr<DataPlaneService> data_;
  std::unique_ptr<replica::ReplicationService> replication_;
  std::optional<rpc::StartedServer> server_;
  std::unique_ptr<tern::v1::DataPlane::Stub> stub_;
};

TEST_F(DataPlaneTest, ABatchServesEachOpAndAnswersInOrder) {
  tern::v1::DataBatch writes;
  for (int i = 0; i < 3; ++i) *writes.add_ops() = Put(i);
  absl::StatusOr<tern::v1::DataBatchResult> written = Call(writes);
  ASSERT_THAT(written, IsOk());
  ASSERT_EQ(written->results_size(), 3);
  for (const tern::v1::DataResult& result : written->results()) {
    EXPECT_EQ(result.code(), 0) << result.message();
    EXPECT_TRUE(result.has_write());
  }

  tern::v1::DataBatch mixed;
  *mixed.add_ops() = Get(1, /*consistent=*/false);
  *mixed.add_ops() = Get(2, /*consistent=*/true);
  *mixed.add_ops() = Get(9, /*consistent=*/false);  // no such item
  *mixed.add_ops() = Get(0, /*consistent=*/true, /*partition_id=*/99);
  *mixed.add_ops() = Put(7, /*partition_id=*/99);
  tern::v1::DataOp split = Put(8);
  split.mutable_write()->set_kind(tern::v1::WriteItemRequest::KIND_SPLIT);
  *mixed.add_ops() = split;
  mixed.add_ops();  // neither a get nor a write
  *mixed.add_ops() = Put(3);
  absl::StatusOr<tern::v1::DataBatchResult> answered = Call(mixed);
  ASSERT_THAT(answered, IsOk());
  ASSERT_EQ(answered->results_size(), 8);
  const auto& results = answered->results();
  ASSERT_EQ(results[0].code(), 0) << results[0].message();
  ASSERT_TRUE(results[0].get().found());
  EXPECT_EQ(model::DecodeItem(results[0].get().item())->at("v"),
            model::AttributeValue::S("value 1"));
  ASSERT_EQ(results[1].code(), 0) << results[1].message();
  EXPECT_EQ(model::DecodeItem(results[1].get().item())->at("v"),
            model::AttributeValue::S("value 2"));
  EXPECT_EQ(results[2].code(), 0) << results[2].message();
  EXPECT_FALSE(results[2].get().found());
  EXPECT_EQ(results[3].code(), static_cast<int>(absl::StatusCode::kNotFound));
  EXPECT_EQ(results[4].code(), static_cast<int>(absl::StatusCode::kNotFound));
  EXPECT_EQ(results[5].code(), static_cast<int>(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(results[6].code(), static_cast<int>(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(results[7].code(), 0) << results[7].message();
  EXPECT_TRUE(results[7].has_write());

  // The last put of the batch took effect.
  tern::v1::DataBatch read_back;
  *read_back.add_ops() = Get(3, /*consistent=*/true);
  absl::StatusOr<tern::v1::DataBatchResult> read = Call(read_back);
  ASSERT_THAT(read, IsOk());
  ASSERT_EQ(read->results_size(), 1);
  EXPECT_TRUE(read->results(0).get().found());
}

TEST_F(DataPlaneTest, WritesToOneItemInABatchApplyInOrder) {
  tern::v1::DataBatch batch;
  for (int i = 0; i < 2; ++i) {
    tern::v1::DataOp op = Put(4);
    op.mutable_write()->mutable_condition()->set_text("attribute_not_exists(id)");
    *batch.add_ops() = op;
  }
  absl::StatusOr<tern::v1::DataBatchResult> answered = Call(batch);
  ASSERT_THAT(answered, IsOk());
  ASSERT_EQ(answered->results_size(), 2);
  EXPECT_EQ(answered->results(0).code(), 0) << answered->results(0).message();
  EXPECT_FALSE(answered->results(0).write().condition_failed());
  EXPECT_EQ(answered->results(1).code(), 0) << answered->results(1).message();
  EXPECT_TRUE(answered->results(1).write().condition_failed());
}

TEST_F(DataPlaneTest, AnOversizedBatchIsRefused) {
  tern::v1::DataBatch batch;
  for (int i = 0; i < 1025; ++i) batch.add_ops();
  absl::StatusOr<tern::v1::DataBatchResult> answered = Call(batch);
  EXPECT_EQ(answered.status().code(), absl::StatusCode::kInvalidArgument) << answered.status();
}

TEST_F(DataPlaneTest, AnEmptyBatchIsAnsweredEmpty) {
  absl::StatusOr<tern::v1::DataBatchResult> answered = Call(tern::v1::DataBatch());
  ASSERT_THAT(answered, IsOk());
  EXPECT_EQ(answered->results_size(), 0);
}

}  // namespace
}  // namespace tern::node
