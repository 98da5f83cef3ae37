#include "storage-node/partition/partition_store.h"

#include <set>

#include "common/base/error_details.h"
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
  // A put's new item is the request's own: not sent back.
  EXPECT_FALSE(second->has_new());
  EXPECT_TRUE(second->new_item().empty());

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

TEST_F(PartitionStoreTest, ConditionIsDecidedWithTheWrite) {
  model::Item v1 = {{"id", model::AttributeValue::S("a")}, {"n", model::AttributeValue::S("1")}};
  // attribute_not_exists(id): create-if-absent succeeds once, then fails.
  tern::v1::WriteItemRequest create = Put("a", v1);
  create.mutable_condition()->set_text("attribute_not_exists(id)");
  create.set_return_old_on_condition_failure(true);
  auto first = store_->WriteItem(create);
  ASSERT_THAT(first, IsOk());
  EXPECT_FALSE(first->condition_failed());
  auto second = store_->WriteItem(create);
  ASSERT_THAT(second, IsOk());
  EXPECT_TRUE(second->condition_failed());
  ASSERT_TRUE(second->had_old());
  EXPECT_EQ(*model::DecodeItem(second->old_item()), v1);

  // A value comparison with substitutions; a failed delete leaves the item.
  tern::v1::WriteItemRequest remove;
  *remove.mutable_partition() = ref_;
  remove.set_kind(tern::v1::WriteItemRequest::KIND_DELETE);
  remove.set_storage_key(Key("a"));
  remove.mutable_condition()->set_text("#n = :v");
  (*remove.mutable_condition()->mutable_names())["#n"] = "n";
  remove.mutable_condition()->set_values(
      model::EncodeItem({{":v", model::AttributeValue::S("2")}}));
  auto refused = store_->WriteItem(remove);
  ASSERT_THAT(refused, IsOk());
  EXPECT_TRUE(refused->condition_failed());
  EXPECT_FALSE(refused->had_old());  // not asked for
  EXPECT_EQ(store_->Stats(5)->item_count(), 1u);
  remove.mutable_condition()->set_values(
      model::EncodeItem({{":v", model::AttributeValue::S("1")}}));
  auto removed = store_->WriteItem(remove);
  ASSERT_THAT(removed, IsOk());
  EXPECT_FALSE(removed->condition_failed());
  EXPECT_EQ(store_->Stats(5)->item_count(), 0u);
}

TEST_F(PartitionStoreTest, RangeReadPagesFiltersAndProjects) {
  for (int i = 0; i < 10; ++i) {
    std::string id = std::string(1, static_cast<char>('a' + i));
    model::Item item = {{"id", model::AttributeValue::S(id)},
                        {"even", model::AttributeValue::Bool(i % 2 == 0)},
                        {"pad", model::AttributeValue::S(std::string(100, 'x'))}};
    ASSERT_THAT(store_->WriteItem(Put(id, item)), IsOk());
  }
  tern::v1::RangeReadRequest read;
  *read.mutable_partition() = ref_;
  read.set_start_key(model::TablePrefix(5));
  read.set_end_key(model::TableEnd(5));
  read.set_forward(true);
  read.set_limit(4);
  read.mutable_filter()->set_text("even = :t");
  read.mutable_filter()->set_values(model::EncodeItem({{":t", model::AttributeValue::Bool(true)}}));
  read.mutable_projection()->set_text("id");
  std::set<std::string> seen;
  int pages = 0;
  while (true) {
    auto page = store_->RangeRead(read);
    ASSERT_THAT(page, IsOk());
    ++pages;
    EXPECT_LE(page->scanned_count(), 4u);
    EXPECT_EQ(page->count(), static_cast<uint32_t>(page->items_size()));
    for (const std::string& encoded : page->items()) {
      model::Item item = *model::DecodeItem(encoded);
      ASSERT_EQ(item.size(), 1u);  // projected
      EXPECT_TRUE(seen.insert(item.at("id").s()).second);
    }
    if (page->last_evaluated_key().empty()) break;
    read.set_start_key(page->last_evaluated_key() + std::string(1, '\0'));
  }
  EXPECT_EQ(pages, 3);  // 4 + 4 + 2 evaluated
  EXPECT_EQ(seen, (std::set<std::string>{"a", "c", "e", "g", "i"}));

  // Backwards, counting only, with a byte budget that stops after 2 items.
  read.set_start_key(model::TablePrefix(5));
  read.set_forward(false);
  read.set_limit(0);
  read.set_max_bytes(150);
  read.clear_filter();
  read.set_count_only(true);
  auto page = store_->RangeRead(read);
  ASSERT_THAT(page, IsOk());
  EXPECT_EQ(page->scanned_count(), 2u);
  EXPECT_EQ(page->count(), 2u);
  EXPECT_EQ(page->items_size(), 0);
  std::set<std::string> keys;
  for (char c = 'a'; c < 'k'; ++c) keys.insert(Key(std::string(1, c)));
  EXPECT_EQ(page->last_evaluated_key(), *std::next(keys.rbegin()));
}

}  // namespace
}  // namespace tern::partition

namespace tern::partition {
namespace {

TEST_F(PartitionStoreTest, ASplitRetiresThePartitionForGoodAndKeepsItsItemsForTheChildren) {
  for (const char* id : {"a", "b", "c", "d", "e", "f"}) {
    ASSERT_THAT(store_->WriteItem(Put(id, {{"id", model::AttributeValue::S(id)}})), IsOk());
  }
  absl::StatusOr<std::string> split_key = store_->FindSplitKey(5);
  ASSERT_THAT(split_key, IsOk());
  ASSERT_EQ(split_key->size(), 16u);  // table prefix and key hash
  tern::v1::SplitPlan plan;
  plan.set_split_key(*split_key);
  *plan.mutable_left() = partition_;
  plan.mutable_left()->set_partition_id(6);
  plan.mutable_left()->set_end_key(*split_key);
  *plan.mutable_right() = partition_;
  plan.mutable_right()->set_partition_id(7);
  plan.mutable_right()->set_start_key(*split_key);

  // A key that would cut an item collection is refused.
  tern::v1::SplitPlan inside = plan;
  inside.set_split_key(*split_key + "x");
  inside.mutable_left()->set_end_key(inside.split_key());
  inside.mutable_right()->set_start_key(inside.split_key());
  engine::WriteBatch refused;
  EXPECT_THAT(store_->DecideSplit(5, inside, &refused),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));

  engine::WriteBatch batch;
  auto children = store_->DecideSplit(5, plan, &batch);
  ASSERT_THAT(children, IsOk());
  EXPECT_EQ(children->size(), 2u);
  ASSERT_THAT(engine_->Write(batch, /*sync=*/true), IsOk());
  // The parent refuses requests; reopening it (a stale descriptor) does not
  // bring it back.
  tern::v1::GetItemRequest get;
  *get.mutable_partition() = ref_;
  get.set_storage_key(Key("a"));
  EXPECT_TRUE(base::IsWrongPartition(store_->GetItem(get).status()));
  ASSERT_THAT(store_->Open(partition_), IsOk());
  EXPECT_TRUE(store_->Descriptor(5)->retired());
  EXPECT_TRUE(base::IsWrongPartition(store_->GetItem(get).status()));
  // Applying the same split again does nothing.
  engine::WriteBatch again;
  EXPECT_TRUE(store_->DecideSplit(5, plan, &again)->empty());
  // Dropping the retired parent leaves every item to the children.
  ASSERT_THAT(store_->Drop(partition_), IsOk());
  int found = 0;
  for (const char* id : {"a", "b", "c", "d", "e", "f"}) {
    get.mutable_partition()->set_partition_id(Key(id) < *split_key ? 6 : 7);
    get.set_storage_key(Key(id));
    auto got = store_->GetItem(get);
    ASSERT_THAT(got, IsOk());
    found += got->found() ? 1 : 0;
  }
  EXPECT_EQ(found, 6);
}

}  // namespace
}  // namespace tern::partition
