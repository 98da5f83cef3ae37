#include "storage-node/replica/group_storage.h"

#include "common/testing/testing.h"
#include "gtest/gtest.h"
#include "storage-node/engine/rocksdb/rocksdb_engine.h"

namespace tern::replica {
namespace {

using replication::Entry;
using replication::EntryType;
using testing::IsOk;

Entry E(uint64_t term, uint64_t index, std::string data = "") {
  return Entry{term, index, EntryType::kNormal, std::move(data)};
}

class GroupStorageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto engine = engine::OpenRocksEngine(dir_.path());
    ASSERT_THAT(engine, IsOk());
    engine_ = *std::move(engine);
  }

  void Persist(GroupStorage* storage, const replication::Ready& ready) {
    engine::WriteBatch batch;
    storage->Persist(ready, &batch);
    ASSERT_THAT(engine_->Write(batch, /*sync=*/true), IsOk());
  }

  tern::testing::TempDir dir_;
  std::unique_ptr<engine::StorageEngine> engine_;
  replication::Membership members_{{1, 2, 3}, {}};
};

TEST_F(GroupStorageTest, OnlyACommitIndexMoveNeedsNoSync) {
  GroupStorage storage(engine_.get(), 7);
  ASSERT_THAT(storage.Load(members_), IsOk());
  engine::WriteBatch batch;
  replication::Ready entries;
  entries.entries = {E(1, 1, "a")};
  entries.hard_state = replication::HardState{1, 2, 0};  // new term and vote too
  EXPECT_TRUE(storage.Persist(entries, &batch));
  replication::Ready commit;
  commit.hard_state = replication::HardState{1, 2, 1};
  EXPECT_FALSE(storage.Persist(commit, &batch));
  replication::Ready vote;
  vote.hard_state = replication::HardState{1, 3, 1};
  EXPECT_TRUE(storage.Persist(vote, &batch));
  replication::Ready term;
  term.hard_state = replication::HardState{2, 3, 1};
  EXPECT_TRUE(storage.Persist(term, &batch));
  ASSERT_THAT(engine_->Write(batch, /*sync=*/true), IsOk());

  // After a reload the persisted term and vote are known: the same again
  // needs no sync.
  GroupStorage reloaded(engine_.get(), 7);
  ASSERT_THAT(reloaded.Load(members_), IsOk());
  engine::WriteBatch again;
  replication::Ready same;
  same.hard_state = replication::HardState{2, 3, 1};
  EXPECT_FALSE(reloaded.Persist(same, &again));
}

TEST_F(GroupStorageTest, AppliedIndexRaisesALostCommitIndex) {
  {
    GroupStorage storage(engine_.get(), 7);
    ASSERT_THAT(storage.Load(members_), IsOk());
    replication::Ready ready;
    ready.entries = {E(1, 1, "a"), E(1, 2, "b")};
    ready.hard_state = replication::HardState{1, 2, 1};
    Persist(&storage, ready);
    engine::WriteBatch applied;
    storage.SetApplied(2, &applied);  // the commit of 2 was lost, its apply not
    ASSERT_THAT(engine_->Write(applied, /*sync=*/true), IsOk());
  }
  GroupStorage storage(engine_.get(), 7);
  auto state = storage.Load(members_);
  ASSERT_THAT(state, IsOk());
  EXPECT_EQ(state->applied, 2u);
  EXPECT_EQ(state->hard_state.commit, 2u);
}

TEST_F(GroupStorageTest, NewGroupIsEmpty) {
  GroupStorage storage(engine_.get(), 7);
  auto state = storage.Load(members_);
  ASSERT_THAT(state, IsOk());
  EXPECT_TRUE(state->entries.empty());
  EXPECT_EQ(state->hard_state.term, 0u);
  EXPECT_EQ(state->initial_membership, members_);
}

TEST_F(GroupStorageTest, EntriesHardStateAndOverwrittenSuffixSurviveReload) {
  {
    GroupStorage storage(engine_.get(), 7);
    ASSERT_THAT(storage.Load(members_), IsOk());
    replication::Ready ready;
    ready.entries = {E(1, 1, "a"), E(1, 2, "b"), E(1, 3, "c")};
    ready.hard_state = replication::HardState{1, 2, 1};
    Persist(&storage, ready);
    // A new leader replaces index 2 onwards with a shorter suffix.
    replication::Ready overwrite;
    overwrite.entries = {E(2, 2, "B")};
    Persist(&storage, overwrite);
    // Another group's log sits next to it and is untouched.
    GroupStorage other(engine_.get(), 8);
    ASSERT_THAT(other.Load(members_), IsOk());
    replication::Ready mine;
    mine.entries = {E(5, 1, "x")};
    Persist(&other, mine);
  }
  GroupStorage reloaded(engine_.get(), 7);
  auto state = reloaded.Load(members_);
  ASSERT_THAT(state, IsOk());
  ASSERT_EQ(state->entries.size(), 2u);
  EXPECT_EQ(state->entries[0], E(1, 1, "a"));
  EXPECT_EQ(state->entries[1], E(2, 2, "B"));
  EXPECT_EQ(state->hard_state, (replication::HardState{1, 2, 1}));
}

TEST_F(GroupStorageTest, CompactionAndSnapshotMovePosition) {
  GroupStorage storage(engine_.get(), 7);
  ASSERT_THAT(storage.Load(members_), IsOk());
  replication::Ready ready;
  for (uint64_t i = 1; i <= 5; ++i) ready.entries.push_back(E(1, i));
  Persist(&storage, ready);
  engine::WriteBatch batch;
  storage.SetApplied(4, &batch);
  storage.Compact(replication::SnapshotMeta{3, 1, members_}, &batch);
  ASSERT_THAT(engine_->Write(batch, true), IsOk());
  auto state = GroupStorage(engine_.get(), 7).Load(members_);
  ASSERT_THAT(state, IsOk());
  EXPECT_EQ(state->snapshot.index, 3u);
  EXPECT_EQ(state->applied, 4u);
  ASSERT_EQ(state->entries.size(), 2u);
  EXPECT_EQ(state->entries.front().index, 4u);

  // An installed snapshot drops the whole log.
  replication::Ready install;
  install.snapshot = replication::SnapshotMeta{9, 3, members_};
  Persist(&storage, install);
  state = GroupStorage(engine_.get(), 7).Load(members_);
  ASSERT_THAT(state, IsOk());
  EXPECT_EQ(state->snapshot.index, 9u);
  EXPECT_EQ(state->applied, 9u);
  EXPECT_TRUE(state->entries.empty());

  engine::WriteBatch drop;
  storage.Drop(&drop);
  ASSERT_THAT(engine_->Write(drop, true), IsOk());
  state = GroupStorage(engine_.get(), 7).Load(members_);
  ASSERT_THAT(state, IsOk());
  EXPECT_EQ(state->snapshot.index, 0u);
}

}  // namespace
}  // namespace tern::replica
