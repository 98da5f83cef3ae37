#include "storage-node/partition/partition_store.h"

#include "common/model/attribute_value.h"
#include "common/model/key_codec.h"
#include "common/testing/testing.h"
#include "gtest/gtest.h"
#include "storage-node/engine/rocksdb/rocksdb_engine.h"

namespace tern::partition {
namespace {

using ::testing::HasSubstr;
using testing::IsOk;
using testing::StatusIs;

class PartitionStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto engine = engine::OpenRocksEngine(dir_.path());
    ASSERT_THAT(engine, IsOk());
    engine_ = *std::move(engine);
    store_ = std::make_unique<PartitionStore>(engine_.get());
    partition_.set_partition_id(5);
    partition_.set_table_id(5);
    ASSERT_THAT(store_->Open(partition_), IsOk());
    ref_.set_partition_id(5);
  }

  std::string Key(const std::string& id) {
    return model::EncodeStorageKey(5, model::AttributeValue::S(id), nullptr);
  }

  tern::v1::WriteItemRequest Put(const std::string& id, const model::Item& item) {
    tern::v1::WriteItemRequest request;
    *request.mutable_partition() = ref_;
    request.set_kind(tern::v1::WriteItemRequest::KIND_PUT);
    request.set_storage_key(Key(id));
    request.set_item(model::EncodeItem(item));
    return request;
  }

  tern::testing::TempDir dir_;
  std::unique_ptr<engine::StorageEngine> engine_;
  std::unique_ptr<PartitionStore> store_;
  tern::v1::PartitionDescriptor partition_;
  tern::v1::PartitionRef ref_;
};

TEST_F(PartitionStoreTest, PutGetDeleteReturnOldAndNew) {
  model::Item v1 = {{"id", model::AttributeValue::S("a")}, {"n", model::AttributeValue::S("1")}};
  auto first = store_->WriteItem(Put("a", v1));
  ASSERT_THAT(first, IsOk());
  EXPECT_FALSE(first->had_old());
  model::Item v2 = {{"id", model::AttributeValue::S("a")}, {"n", model::AttributeValue::S("2")}};
  auto second = store_->WriteItem(Put("a", v2));
  ASSERT_THAT(second, IsOk());
  ASSERT_TRUE(second->had_old());
  EXPECT_EQ(*model::DecodeItem(second->old_item()), v1);

  tern::v1::GetItemRequest get;
  *get.mutable_partition() = ref_;
  get.set_storage_key(Key("a"));
  auto got = store_->GetItem(get);
  ASSERT_THAT(got, IsOk());
  ASSERT_TRUE(got->found());
  EXPECT_EQ(*model::DecodeItem(got->item()), v2);

  auto stats = store_->Stats(5);
  ASSERT_THAT(stats, IsOk());
  EXPECT_EQ(stats->item_count(), 1u);
  EXPECT_EQ(stats->size_bytes(), static_cast<uint64_t>(model::ItemSize(v2)));

  tern::v1::WriteItemRequest del;
  *del.mutable_partition() = ref_;
  del.set_kind(tern::v1::WriteItemRequest::KIND_DELETE);
  del.set_storage_key(Key("a"));
  auto deleted = store_->WriteItem(del);
  ASSERT_THAT(deleted, IsOk());
  EXPECT_TRUE(deleted->had_old());
  EXPECT_FALSE(deleted->has_new());
  EXPECT_FALSE(store_->GetItem(get)->found());
}

TEST_F(PartitionStoreTest, UpdateCreatesFromKeyAndAppliesActions) {
  tern::v1::WriteItemRequest update;
  *update.mutable_partition() = ref_;
  update.set_kind(tern::v1::WriteItemRequest::KIND_UPDATE);
  update.set_storage_key(Key("u"));
  update.set_item(model::EncodeItem({{"id", model::AttributeValue::S("u")}}));
  tern::v1::AttributeAction* action = update.add_actions();
  action->set_name("count");
  action->set_action(tern::v1::AttributeAction::ACTION_ADD);
  action->set_has_value(true);
  update.set_action_values(
      model::EncodeItem({{"count", model::AttributeValue::N(*model::Number::Parse("2"))}}));
  ASSERT_THAT(store_->WriteItem(update), IsOk());
  auto again = store_->WriteItem(update);
  ASSERT_THAT(again, IsOk());
  model::Item item = *model::DecodeItem(again->new_item());
  EXPECT_EQ(item.at("count").n().ToString(), "4");
  EXPECT_EQ(item.at("id").s(), "u");
}

TEST_F(PartitionStoreTest, UpdatesMayNotGrowAnItemPast400KB) {
  tern::v1::WriteItemRequest update;
  *update.mutable_partition() = ref_;
  update.set_kind(tern::v1::WriteItemRequest::KIND_UPDATE);
  update.set_storage_key(Key("big"));
  update.set_item(model::EncodeItem({{"id", model::AttributeValue::S("big")}}));
  tern::v1::AttributeAction* action = update.add_actions();
  action->set_name("blob");
  action->set_has_value(true);
  update.set_action_values(
      model::EncodeItem({{"blob", model::AttributeValue::S(std::string(400 * 1024, 'x'))}}));
  EXPECT_THAT(store_->WriteItem(update),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "Item size to update has exceeded the maximum allowed size"));
  tern::v1::GetItemRequest get;
  *get.mutable_partition() = ref_;
  get.set_storage_key(Key("big"));
  EXPECT_FALSE(store_->GetItem(get)->found());
}

TEST_F(PartitionStoreTest, RefusesForeignPartitionsAndKeys) {
  tern::v1::WriteItemRequest request = Put("a", {{"id", model::AttributeValue::S("a")}});
  request.mutable_partition()->set_partition_id(99);
  EXPECT_THAT(store_->WriteItem(request),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("not hosted")));
  request = Put("a", {{"id", model::AttributeValue::S("a")}});
  request.set_storage_key(model::EncodeStorageKey(6, model::AttributeValue::S("a"), nullptr));
  EXPECT_THAT(store_->WriteItem(request),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("outside")));
}

TEST_F(PartitionStoreTest, DropRemovesDataAndSurvivesReload) {
  ASSERT_THAT(store_->WriteItem(Put("a", {{"id", model::AttributeValue::S("a")}})), IsOk());
  store_ = std::make_unique<PartitionStore>(engine_.get());
  ASSERT_THAT(store_->Load(), IsOk());
  EXPECT_EQ(store_->partition_count(), 1u);
  ASSERT_THAT(store_->Drop(partition_), IsOk());
  EXPECT_EQ(store_->partition_count(), 0u);
  EXPECT_TRUE(engine_->Scan(engine::ColumnFamily::kData, "")->empty());
}

}  // namespace
}  // namespace tern::partition
