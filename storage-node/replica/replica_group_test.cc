// Three ReplicaGroups of one partition on three RocksDB engines, joined by an
// in-memory transport that the test pumps by hand: leader election, writes
// decided during apply on every replica, a replica restarting from its disk,
// and a replica far behind catching up through a snapshot.
#include "storage-node/replica/replica_group.h"

#include <algorithm>
#include <atomic>
#include <deque>
#include <map>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/base/error_details.h"
#include "common/model/attribute_value.h"
#include "common/model/key_codec.h"
#include "common/testing/testing.h"
#include "common/time/clock.h"
#include "gtest/gtest.h"
#include "storage-node/engine/rocksdb/rocksdb_engine.h"

namespace tern::replica {
namespace {

using ::testing::HasSubstr;
using testing::IsOk;
using testing::StatusIs;

constexpr uint64_t kTable = 3;

// Threads wait at a closed gate, as at a slow disk or network.
class Gate {
 public:
  void Close(bool closed) {
    base::MutexLock lock(&mu_);
    closed_ = closed;
  }
  void Pass() {
    base::MutexLock lock(&mu_);
    ++waiting_;
    mu_.Await([this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return !closed_; });
    --waiting_;
  }
  int waiting() {
    base::MutexLock lock(&mu_);
    return waiting_;
  }

 private:
  base::Mutex mu_;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  int waiting_ ABSL_GUARDED_BY(mu_) = 0;
};

class Network : public Transport {
 public:
  void Send(uint64_t group_id, replication::Message message) override {
    // Held: the sender (inside its group's Drive) waits.
    hold_.Pass();
    base::MutexLock lock(&mu_);
    if (message.type == replication::MessageType::kAppend) {
      max_append_entries_ = std::max(max_append_entries_, message.entries.size());
    }
    if (cut_.count(message.to) > 0 || cut_.count(message.from) > 0) return;
    queue_.push_back({group_id, std::move(message)});
  }
  void Hold(bool held) { hold_.Close(held); }
  // Senders waiting while held.
  int blocked() { return hold_.waiting(); }
  size_t max_append_entries() {
    base::MutexLock lock(&mu_);
    return max_append_entries_;
  }
  std::deque<std::pair<uint64_t, replication::Message>> Take() {
    base::MutexLock lock(&mu_);
    return std::exchange(queue_, {});
  }
  void Cut(replication::NodeId node) {
    base::MutexLock lock(&mu_);
    cut_.insert(node);
  }
  void Heal() {
    base::MutexLock lock(&mu_);
    cut_.clear();
  }

 private:
  base::Mutex mu_;
  std::deque<std::pair<uint64_t, replication::Message>> queue_ ABSL_GUARDED_BY(mu_);
  std::set<replication::NodeId> cut_ ABSL_GUARDED_BY(mu_);
  Gate hold_;
  size_t max_append_entries_ ABSL_GUARDED_BY(mu_) = 0;
};

// RocksDB whose item reads can be made to fail, as a failing disk would.
class FlakyEngine final : public engine::StorageEngine {
 public:
  explicit FlakyEngine(std::unique_ptr<engine::StorageEngine> engine)
      : engine_(std::move(engine)) {}

  void FailItemReads(bool fail) { fail_item_reads_ = fail; }
  // While held, synced writes wait (a slow disk sync).
  void HoldSyncedWrites(bool held) { hold_.Close(held); }
  int held_writes() { return hold_.waiting(); }
  // Batches written with and without a sync since the last reset.
  int synced_writes() const { return synced_writes_; }
  int unsynced_writes() const { return unsynced_writes_; }
  void ResetWrites() { synced_writes_ = unsynced_writes_ = 0; }

  absl::StatusOr<std::optional<std::string>> Get(engine::ColumnFamily cf,
                                                 absl::string_view key) override {
    if (fail_item_reads_ && cf == engine::ColumnFamily::kData) {
      return absl::UnavailableError("IO error: injected read failure");
    }
    return engine_->Get(cf, key);
  }
  absl::Status Put(engine::ColumnFamily cf,
                   absl::string_view key,
                   absl::string_view value,
                   bool sync) override {
    return engine_->Put(cf, key, value, sync);
  }
  absl::Status Delete(engine::ColumnFamily cf, absl::string_view key, bool sync) override {
    return engine_->Delete(cf, key, sync);
  }
  absl::Status Write(const engine::WriteBatch& batch, bool sync) override {
    ++(sync ? synced_writes_ : unsynced_writes_);
    if (sync) hold_.Pass();
    return engine_->Write(batch, sync);
  }
  absl::Status DeleteRange(engine::ColumnFamily cf,
                           absl::string_view begin,
                           absl::string_view end,
                           bool sync) override {
    return engine_->DeleteRange(cf, begin, end, sync);
  }
  absl::Status ForEach(
      engine::ColumnFamily cf,
      absl::string_view prefix,
      const std::function<bool(absl::string_view, absl::string_view)>& fn) override {
    return engine_->ForEach(cf, prefix, fn);
  }
  absl::Status ForEachInRange(
      engine::ColumnFamily cf,
      absl::string_view begin,
      absl::string_view end,
      bool reverse,
      const std::function<bool(absl::string_view, absl::string_view)>& fn) override {
    return engine_->ForEachInRange(cf, begin, end, reverse, fn);
  }
  uint64_t ApproximateSizeBytes() override { return engine_->ApproximateSizeBytes(); }

 private:
  const std::unique_ptr<engine::StorageEngine> engine_;
  std::atomic<bool> fail_item_reads_{false};
  std::atomic<int> synced_writes_{0};
  std::atomic<int> unsynced_writes_{0};
  Gate hold_;  // synced writes
};

struct Node {
  tern::testing::TempDir dir;
  FlakyEngine* flaky = nullptr;  // engine
  std::unique_ptr<engine::StorageEngine> engine;
  std::unique_ptr<partition::PartitionStore> store;
  std::unique_ptr<ReplicaGroup> group;
};

class ReplicaGroupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    partition_.set_partition_id(kTable);
    partition_.set_table_id(kTable);
    partition_.set_epoch(1);
    for (uint64_t id = 1; id <= 3; ++id) {
      tern::v1::ReplicaDescriptor* replica = partition_.add_replicas();
      replica->set_node_id(id);
      replica->set_address("127.0.0.1:1");
    }
    for (uint64_t id = 1; id <= 3; ++id) {
      Node& node = nodes_[id];
      auto engine = engine::OpenRocksEngine(node.dir.path());
      ASSERT_THAT(engine, IsOk());
      auto flaky = std::make_unique<FlakyEngine>(*std::move(engine));
      node.flaky = flaky.get();
      node.engine = std::move(flaky);
      Open(id);
      ASSERT_THAT(node.store->Open(partition_), IsOk());
    }
  }

  void Open(uint64_t id) {
    Node& node = nodes_[id];
    node.store = std::make_unique<partition::PartitionStore>(node.engine.get());
    ASSERT_THAT(node.store->Load(), IsOk());
    replication::Config config;
    config.random_seed = 42;
    auto group = ReplicaGroup::Open(
        partition_,
        /*join=*/false,
        id,
        config,
        /*compact_after=*/20,
        node.engine.get(),
        std::make_unique<PartitionMachine>(node.engine.get(), node.store.get(), partition_),
        &network_);
    ASSERT_THAT(group, IsOk());
    node.group = *std::move(group);
  }

  // Delivers what is queued to every live replica, except the messages
  // skip names (none without it).
  void Deliver(const std::function<bool(const replication::Message&)>& skip = nullptr) {
    for (auto& [group_id, message] : network_.Take()) {
      if (skip && skip(message)) continue;
      auto it = nodes_.find(message.to);
      if (it != nodes_.end() && it->second.group != nullptr) it->second.group->Receive(message);
    }
  }

  // One round: deliver what is queued, then tick every live replica.
  void Pump(int rounds = 1) {
    for (int i = 0; i < rounds; ++i) {
      Deliver();
      for (auto& [id, node] : nodes_) {
        if (node.group != nullptr) node.group->Tick();
      }
    }
  }

  uint64_t Leader() {
    for (int i = 0; i < 200; ++i) {
      for (auto& [id, node] : nodes_) {
        if (node.group != nullptr && node.group->Status().role == replication::Role::kLeader) {
          return id;
        }
      }
      Pump();
    }
    return 0;
  }

  std::string Key(const std::string& id) {
    return model::EncodeStorageKey(kTable, model::AttributeValue::S(id), nullptr);
  }

  tern::v1::WriteItemRequest PutRequest(const std::string& id, const std::string& condition = "") {
    tern::v1::WriteItemRequest request;
    request.mutable_partition()->set_partition_id(kTable);
    request.set_kind(tern::v1::WriteItemRequest::KIND_PUT);
    request.set_storage_key(Key(id));
    request.set_item(model::EncodeItem({{"id", model::AttributeValue::S(id)}}));
    if (!condition.empty()) request.mutable_condition()->set_text(condition);
    return request;
  }

  absl::StatusOr<tern::v1::WriteItemResponse> Put(uint64_t via,
                                                  const std::string& id,
                                                  const std::string& condition = "") {
    return Write(via, PutRequest(id, condition));
  }

  absl::StatusOr<tern::v1::WriteItemResponse> Write(uint64_t via,
                                                    const tern::v1::WriteItemRequest& request) {
    // Shared: unanswered here, the write is answered as its group closes.
    auto result = std::make_shared<std::optional<absl::StatusOr<tern::v1::WriteItemResponse>>>();
    nodes_[via].group->Write(request, [result](auto written) { *result = std::move(written); });
    for (int i = 0; i < 200 && !result->has_value(); ++i) Pump();
    if (!result->has_value()) return absl::DeadlineExceededError("no answer");
    return **result;
  }

  bool Has(uint64_t node, const std::string& id) { return Stored(node, id).has_value(); }

  // The item's stored bytes on node; nullopt when absent or unreadable.
  std::optional<std::string> Stored(uint64_t node, const std::string& id) {
    tern::v1::GetItemRequest get;
    get.mutable_partition()->set_partition_id(kTable);
    get.set_storage_key(Key(id));
    auto got = nodes_[node].store->GetItem(get);
    if (!got.ok() || !got->found()) return std::nullopt;
    return got->item();
  }

  tern::v1::PartitionDescriptor partition_;
  Network network_;
  std::map<uint64_t, Node> nodes_;
};

TEST_F(ReplicaGroupTest, WritesCommitOnEveryReplicaAndConditionsAgree) {
  const uint64_t leader = Leader();
  ASSERT_NE(leader, 0u);
  ASSERT_THAT(Put(leader, "a", "attribute_not_exists(id)"), IsOk());
  auto second = Put(leader, "a", "attribute_not_exists(id)");
  ASSERT_THAT(second, IsOk());
  EXPECT_TRUE(second->condition_failed());
  Pump(5);
  for (uint64_t id = 1; id <= 3; ++id) EXPECT_TRUE(Has(id, "a")) << id;

  // A follower refuses writes and names the leader.
  const uint64_t follower = leader % 3 + 1;
  auto refused = Put(follower, "b");
  EXPECT_EQ(base::NotLeaderHint(refused.status()), std::optional<uint64_t>(leader));
}

// Group commit: writes proposed while the leader is busy handling an
// earlier one (here: stuck sending its append) are queued at once, and
// proposed together by the writer that is proposing once it is done, as one
// log write and one append per peer.
TEST_F(ReplicaGroupTest, WritesProposedWhileBusyGoOutTogether) {
  const uint64_t leader = Leader();
  ASSERT_NE(leader, 0u);
  // Settled: the leader sends appends as soon as it has entries.
  ASSERT_THAT(Put(leader, "settle"), IsOk());
  ReplicaGroup* group = nodes_[leader].group.get();
  constexpr int kLater = 3;
  base::Mutex mu;
  int answered = 0;
  int ok = 0;
  auto done = [&](absl::StatusOr<tern::v1::WriteItemResponse> written) {
    base::MutexLock lock(&mu);
    ++answered;
    if (written.ok()) ++ok;
  };
  network_.Hold(true);
  std::vector<std::thread> writers;
  writers.emplace_back([&] { group->Write(PutRequest("first"), done); });
  // The first writer holds the group while its Send waits; the others queue
  // and return.
  // Bounded waits: a broken queue fails the test instead of hanging it.
  const absl::Time give_up = absl::Now() + absl::Seconds(10);
  while (network_.blocked() == 0 && absl::Now() < give_up) absl::SleepFor(absl::Milliseconds(1));
  for (int i = 0; i < kLater; ++i) {
    writers.emplace_back([&, i] { group->Write(PutRequest("later" + std::to_string(i)), done); });
  }
  while (group->QueuedProposalsForTesting() < kLater && absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  EXPECT_EQ(group->QueuedProposalsForTesting(), static_cast<size_t>(kLater));
  network_.Hold(false);
  for (std::thread& writer : writers) writer.join();
  for (int i = 0; i < 200; ++i) {
    {
      base::MutexLock lock(&mu);
      if (answered == kLater + 1) break;
    }
    Pump();
  }
  base::MutexLock lock(&mu);
  EXPECT_EQ(answered, kLater + 1);
  EXPECT_EQ(ok, kLater + 1);
  EXPECT_EQ(network_.max_append_entries(), static_cast<size_t>(kLater));
  Pump(5);  // the followers learn the commit index
  for (uint64_t id = 1; id <= 3; ++id) {
    for (int i = 0; i < kLater; ++i) EXPECT_TRUE(Has(id, "later" + std::to_string(i))) << id;
  }
}

// A leader writes its log without holding its group: the followers'
// acknowledgements of an earlier write commit, apply and answer it while
// the leader's sync of the next one is still going. That next one, though
// the followers hold it already, is applied and answered only once the
// leader's own write of it is done.
// And a strongly consistent read meanwhile is served at once under the
// lease: the store holds every acknowledged write, and the entry committed
// on the followers' acknowledgements before the leader's own write of it is
// done was acknowledged to no one.
TEST_F(ReplicaGroupTest, AcknowledgementsAnswerWritesAndReadsDuringTheLeadersNextSync) {
  const uint64_t leader = Leader();
  ASSERT_NE(leader, 0u);
  ASSERT_THAT(Put(leader, "settle"), IsOk());
  ReplicaGroup* group = nodes_[leader].group.get();
  for (int i = 0; i < 30 && !group->Status().lease_valid; ++i) Pump();
  ASSERT_TRUE(group->Status().lease_valid);
  // Shared with the callbacks (the writes' and the read's): after a failure
  // they may run as the groups close, after this test.
  struct Answers {
    base::Mutex mu;
    std::map<std::string, absl::Status> by_id;
  };
  auto answers = std::make_shared<Answers>();
  auto answer = [answers](const std::string& id) {
    return [answers, id](absl::StatusOr<tern::v1::WriteItemResponse> written) {
      base::MutexLock lock(&answers->mu);
      answers->by_id[id] = written.status();
    };
  };
  auto answered = [answers](const std::string& id) {
    base::MutexLock lock(&answers->mu);
    return answers->by_id.count(id) > 0;
  };
  // "first" is durable on the leader; its appends wait in the network.
  group->Write(PutRequest("first"), answer("first"));
  FlakyEngine* disk = nodes_[leader].flaky;
  disk->HoldSyncedWrites(true);
  std::thread second([&] { group->Write(PutRequest("second"), answer("second")); });
  // Bounded waits: without the change the acknowledgements wait for the
  // group, which the held sync keeps; the test then fails, not hangs.
  const absl::Time give_up = absl::Now() + absl::Seconds(10);
  while (disk->held_writes() == 0 && absl::Now() < give_up) absl::SleepFor(absl::Milliseconds(1));
  ASSERT_EQ(disk->held_writes(), 1);
  // The followers append both and answer; the leader hears them.
  std::atomic<bool> delivered{false};
  std::thread deliver([&] {
    Deliver();
    Deliver();
    delivered = true;
  });
  const absl::Time deadline = absl::Now() + absl::Seconds(2);
  while (!(delivered && answered("first")) && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  EXPECT_TRUE(delivered);  // every acknowledgement stepped
  EXPECT_TRUE(answered("first"));
  EXPECT_FALSE(answered("second"));
  EXPECT_FALSE(Has(leader, "second"));
  EXPECT_EQ(disk->held_writes(), 1);
  GroupStatus during = group->Status();
  EXPECT_GT(during.commit, during.applied);  // "second", committed on the followers' acks
  group->AwaitConsistentRead([answers](absl::Status s) {
    base::MutexLock lock(&answers->mu);
    answers->by_id["read"] = s;
  });
  EXPECT_TRUE(answered("read")) << "waited for the leader's sync";
  EXPECT_THAT(group->CheckServing(), IsOk());
  disk->HoldSyncedWrites(false);
  second.join();
  deliver.join();
  for (int i = 0; i < 200 && !answered("second"); ++i) Pump();
  base::MutexLock lock(&answers->mu);
  EXPECT_THAT(answers->by_id["first"], IsOk());
  EXPECT_THAT(answers->by_id["read"], IsOk());
  EXPECT_THAT(answers->by_id["second"], IsOk());
  EXPECT_TRUE(Has(leader, "first"));
  EXPECT_TRUE(Has(leader, "second"));
}

// Writes a deposed leader proposed, whose entries a later leader's
// replaced, are answered as soon as the replica applies an entry of the
// later term: the write at that entry's index because another entry is
// there, the writes above it because entries of an earlier term never
// commit after it. NotApplied either way: a retry is safe.
TEST_F(ReplicaGroupTest, WritesOfADeposedLeaderAreAnsweredOnceALaterTermApplies) {
  const uint64_t old_leader = Leader();
  ASSERT_NE(old_leader, 0u);
  ASSERT_THAT(Put(old_leader, "settle"), IsOk());
  constexpr int kLost = 8;
  // Shared: after a failure the writes are answered as the groups close.
  auto lost =
      std::make_shared<std::vector<std::optional<absl::StatusOr<tern::v1::WriteItemResponse>>>>(
          kLost);
  network_.Cut(old_leader);
  for (int i = 0; i < kLost; ++i) {
    nodes_[old_leader].group->Write(PutRequest(absl::StrCat("lost", i)),
                                    [lost, i](auto written) { (*lost)[i] = std::move(written); });
  }
  uint64_t next_leader = 0;
  for (int i = 0; i < 300 && next_leader == 0; ++i) {
    Pump();
    for (auto& [id, node] : nodes_) {
      if (id != old_leader && node.group->Status().role == replication::Role::kLeader) {
        next_leader = id;
      }
    }
  }
  ASSERT_NE(next_leader, 0u);
  ASSERT_THAT(Put(next_leader, "other"), IsOk());  // one entry after its no-op
  network_.Heal();
  for (int i = 0; i < 200 && !Has(old_leader, "other"); ++i) Pump();
  ASSERT_TRUE(Has(old_leader, "other"));
  for (int i = 0; i < kLost; ++i) {
    ASSERT_TRUE((*lost)[i].has_value()) << "lost" << i << " not answered";
    EXPECT_THAT(*(*lost)[i], StatusIs(absl::StatusCode::kUnavailable, HasSubstr("leadership")))
        << "lost" << i;
    EXPECT_FALSE(Has(old_leader, absl::StrCat("lost", i)));
  }
}

// A write a deposed leader proposed, whose index one of its own new writes
// takes (it leads again) before it applied anything of the term that
// replaced the write's entry: its outcome is not known here, as the entry
// it lost may be on other replicas still, so it is answered
// DEADLINE_EXCEEDED at once instead of waiting for the caller to give up.
TEST_F(ReplicaGroupTest, AWriteWhoseIndexItsReplicaTakesAgainHasAnUnknownOutcome) {
  const uint64_t old_leader = Leader();
  ASSERT_NE(old_leader, 0u);
  ASSERT_THAT(Put(old_leader, "settle"), IsOk());
  Pump(5);
  constexpr int kLost = 4;
  auto lost =
      std::make_shared<std::vector<std::optional<absl::StatusOr<tern::v1::WriteItemResponse>>>>(
          kLost);
  for (int i = 0; i < kLost; ++i) {
    nodes_[old_leader].group->Write(PutRequest(absl::StrCat("lost", i)),
                                    [lost, i](auto written) { (*lost)[i] = std::move(written); });
  }
  // The others elect a leader without the old one: it neither ticks nor is
  // heard, and what is sent to it is held.
  std::vector<replication::Message> held;
  const auto without_old = [&](const replication::Message& message) {
    if (message.to == old_leader) held.push_back(message);
    return message.from == old_leader || message.to == old_leader;
  };
  uint64_t next_leader = 0;
  for (int i = 0; i < 300 && next_leader == 0; ++i) {
    Deliver(without_old);
    for (auto& [id, node] : nodes_) {
      if (id == old_leader) continue;
      node.group->Tick();
      if (node.group->Status().role == replication::Role::kLeader) next_leader = id;
    }
  }
  ASSERT_NE(next_leader, 0u);
  Deliver(without_old);  // what it sent as it won
  // The new leader's first append to the old one, its no-op, sent before
  // the no-op committed: the old leader follows, its lost writes' entries
  // replaced, and applies nothing.
  auto first = std::find_if(held.begin(), held.end(), [&](const replication::Message& message) {
    return message.from == next_leader && message.type == replication::MessageType::kAppend &&
           !message.entries.empty();
  });
  ASSERT_NE(first, held.end());
  ASSERT_LT(first->commit, first->entries.front().index);
  nodes_[old_leader].group->Receive(*first);
  // Leadership goes back to it; of the new leader's messages only the
  // transfer reaches it (no commit index).
  const auto no_commit_for_old = [&](const replication::Message& message) {
    return message.from == next_leader && message.to == old_leader &&
           message.type != replication::MessageType::kTimeoutNow;
  };
  Deliver(no_commit_for_old);  // its acknowledgement
  ASSERT_THAT(nodes_[next_leader].group->TransferLeadership(old_leader), IsOk());
  for (int i = 0; i < 200 && !nodes_[old_leader].group->IsLeader(); ++i) {
    Deliver(no_commit_for_old);
    if (nodes_[old_leader].group->IsLeader()) break;
    for (auto& [id, node] : nodes_) node.group->Tick();
  }
  ASSERT_TRUE(nodes_[old_leader].group->IsLeader());
  for (int i = 0; i < kLost; ++i) EXPECT_FALSE((*lost)[i].has_value()) << "lost" << i;
  // Its no-op took lost1's index; its next write takes lost2's.
  ASSERT_THAT(Put(old_leader, "again"), IsOk());
  for (int i = 0; i < kLost; ++i) {
    ASSERT_TRUE((*lost)[i].has_value()) << "lost" << i << " not answered";
    EXPECT_FALSE(Has(old_leader, absl::StrCat("lost", i)));
  }
  // lost0: next_leader's no-op applied at its index; lost1: the replica's
  // own no-op; lost3: above entries of a later term.
  EXPECT_THAT(*(*lost)[0], StatusIs(absl::StatusCode::kUnavailable, HasSubstr("leadership")));
  EXPECT_THAT(*(*lost)[1], StatusIs(absl::StatusCode::kUnavailable, HasSubstr("leadership")));
  EXPECT_THAT(*(*lost)[2],
              StatusIs(absl::StatusCode::kDeadlineExceeded, HasSubstr("took the write's index")));
  EXPECT_THAT(*(*lost)[3], StatusIs(absl::StatusCode::kUnavailable, HasSubstr("leadership")));
}

// Entries committed together are applied in one write, each deciding on
// the item as the entries before it left it, on every replica alike.
TEST_F(ReplicaGroupTest, WritesAppliedTogetherSeeEachOther) {
  const uint64_t leader = Leader();
  ASSERT_NE(leader, 0u);
  tern::v1::WriteItemRequest first = PutRequest("a", "attribute_not_exists(id)");
  tern::v1::WriteItemRequest again = PutRequest("a", "attribute_not_exists(id)");
  tern::v1::WriteItemRequest remove = PutRequest("a");
  remove.set_kind(tern::v1::WriteItemRequest::KIND_DELETE);
  remove.clear_item();
  tern::v1::WriteItemRequest after = PutRequest("a", "attribute_not_exists(id)");
  std::vector<std::optional<absl::StatusOr<tern::v1::WriteItemResponse>>> results(4);
  std::vector<ReplicaGroup::WriteDone> dones;
  for (size_t i = 0; i < results.size(); ++i) {
    dones.push_back([&results, i](auto written) { results[i] = std::move(written); });
  }
  nodes_[leader].group->WriteAll({&first, &again, &remove, &after}, std::move(dones));
  for (int i = 0; i < 200 && !results.back().has_value(); ++i) Pump();
  for (const auto& result : results) {
    ASSERT_TRUE(result.has_value());
    ASSERT_THAT(*result, IsOk());
  }
  EXPECT_FALSE((*results[0])->condition_failed());
  EXPECT_TRUE((*results[1])->condition_failed());
  EXPECT_TRUE((*results[2])->had_old());
  EXPECT_FALSE((*results[3])->condition_failed());
  EXPECT_FALSE((*results[3])->had_old());
  Pump(5);
  for (uint64_t id = 1; id <= 3; ++id) EXPECT_TRUE(Has(id, "a")) << id;
}

// A follower's append that also carries the commit of earlier entries is
// persisted and applied in one synced write, not a synced write and then an
// unsynced one.
TEST_F(ReplicaGroupTest, AFollowerAppliesInTheSyncedWriteOfItsNextAppend) {
  const uint64_t leader = Leader();
  ASSERT_NE(leader, 0u);
  ASSERT_THAT(Put(leader, "settle"), IsOk());
  Pump(5);
  const uint64_t follower = leader % 3 + 1;
  // Messages are delivered by hand from here on, without ticks (so no
  // heartbeats).
  std::optional<absl::StatusOr<tern::v1::WriteItemResponse>> b;
  nodes_[leader].group->Write(PutRequest("b"), [&b](auto written) { b = std::move(written); });
  Deliver();  // b's appends reach the followers, which persist it
  // Their acknowledgements commit b on the leader; what it then tells the
  // follower (b's commit) is lost.
  const auto to_follower = [follower](const replication::Message& m) { return m.to == follower; };
  for (int i = 0; i < 5 && !b.has_value(); ++i) Deliver(to_follower);
  Deliver(to_follower);
  ASSERT_TRUE(b.has_value());
  ASSERT_THAT(*b, IsOk());
  ASSERT_FALSE(Has(follower, "b"));

  std::optional<absl::StatusOr<tern::v1::WriteItemResponse>> c;
  nodes_[follower].flaky->ResetWrites();
  nodes_[leader].group->Write(PutRequest("c"), [&c](auto written) { c = std::move(written); });
  // c's append to the follower carries b's commit.
  Deliver([follower](const replication::Message& m) { return m.to != follower; });
  EXPECT_TRUE(Has(follower, "b"));
  EXPECT_FALSE(Has(follower, "c"));
  EXPECT_EQ(nodes_[follower].flaky->synced_writes(), 1);
  EXPECT_EQ(nodes_[follower].flaky->unsynced_writes(), 0);

  for (int i = 0; i < 200 && !c.has_value(); ++i) Pump();
  ASSERT_TRUE(c.has_value());
  ASSERT_THAT(*c, IsOk());
  Pump(5);
  for (uint64_t id = 1; id <= 3; ++id) EXPECT_TRUE(Has(id, "c")) << id;
}

// A replica whose storage fails while it decides a committed write stops,
// the entry unapplied there, instead of taking the failure for the write's
// outcome (which would leave it without the write for good); reopened with
// its disk back, it applies the write like the others did.
TEST_F(ReplicaGroupTest, AStorageFailureInApplyStopsTheReplica) {
  const uint64_t leader = Leader();
  ASSERT_NE(leader, 0u);
  ASSERT_THAT(Put(leader, "a"), IsOk());
  Pump(5);
  const uint64_t follower = leader % 3 + 1;
  ASSERT_TRUE(Has(follower, "a"));
  nodes_[follower].flaky->FailItemReads(true);
  // Committed by the leader and the other follower; conditional, so that
  // every replica reads the stored item to decide it.
  ASSERT_THAT(Put(leader, "b", "attribute_not_exists(id)"), IsOk());
  Pump(5);
  EXPECT_LT(nodes_[follower].group->Status().applied, nodes_[leader].group->Status().applied);
  nodes_[follower].flaky->FailItemReads(false);
  EXPECT_FALSE(Has(follower, "b"));
  nodes_[follower].group.reset();
  Open(follower);
  for (int i = 0; i < 200 && !Has(follower, "b"); ++i) Pump();
  EXPECT_TRUE(Has(follower, "b"));
  EXPECT_TRUE(Has(follower, "a"));
}

// Only the replica that answers a put reads the item it replaces: the
// followers, which nobody asks, write an unconditional put without reading.
TEST_F(ReplicaGroupTest, FollowersDoNotReadTheItemAnUnconditionalPutReplaces) {
  const uint64_t leader = Leader();
  ASSERT_NE(leader, 0u);
  ASSERT_THAT(Put(leader, "a"), IsOk());
  Pump(5);
  for (uint64_t id = 1; id <= 3; ++id) {
    if (id != leader) nodes_[id].flaky->FailItemReads(true);
  }
  tern::v1::WriteItemRequest replace = PutRequest("a");
  const std::string item = model::EncodeItem(
      {{"id", model::AttributeValue::S("a")}, {"v", model::AttributeValue::S("2")}});
  replace.set_item(item);
  absl::StatusOr<tern::v1::WriteItemResponse> again = Write(leader, replace);
  ASSERT_THAT(again, IsOk());
  EXPECT_TRUE(again->had_old());  // read by the leader
  Pump(5);
  for (uint64_t id = 1; id <= 3; ++id) {
    EXPECT_EQ(nodes_[id].group->Status().applied, nodes_[leader].group->Status().applied) << id;
    nodes_[id].flaky->FailItemReads(false);
    EXPECT_EQ(Stored(id, "a"), item) << id;
    nodes_[id].flaky->FailItemReads(id != leader);
  }
  // A conditional put needs the item on every replica: the followers stop.
  ASSERT_THAT(Put(leader, "a", "attribute_exists(id)"), IsOk());
  Pump(5);
  for (uint64_t id = 1; id <= 3; ++id) {
    if (id == leader) continue;
    EXPECT_LT(nodes_[id].group->Status().applied, nodes_[leader].group->Status().applied) << id;
  }
}

TEST_F(ReplicaGroupTest, RestartedReplicaCatchesUpThroughLogAndSnapshot) {
  const uint64_t leader = Leader();
  ASSERT_NE(leader, 0u);
  const uint64_t down = leader % 3 + 1;
  network_.Cut(down);
  nodes_[down].group.reset();
  // Far more writes than compact_after: the leader's log moves past what the
  // stopped replica has.
  for (int i = 0; i < 60; ++i) ASSERT_THAT(Put(leader, "k" + std::to_string(i)), IsOk()) << i;
  network_.Heal();
  Open(down);
  for (int i = 0; i < 300 && !Has(down, "k59"); ++i) Pump();
  for (int i = 0; i < 60; ++i) EXPECT_TRUE(Has(down, "k" + std::to_string(i))) << i;
  EXPECT_EQ(nodes_[down].group->Status().applied, nodes_[leader].group->Status().applied);
}

TEST_F(ReplicaGroupTest, ConsistentReadsNeedTheLeader) {
  const uint64_t leader = Leader();
  ASSERT_NE(leader, 0u);
  ASSERT_THAT(Put(leader, "r"), IsOk());
  std::optional<absl::Status> confirmed;
  nodes_[leader].group->AwaitConsistentRead([&](absl::Status s) { confirmed = s; });
  for (int i = 0; i < 100 && !confirmed.has_value(); ++i) Pump();
  ASSERT_TRUE(confirmed.has_value());
  EXPECT_THAT(*confirmed, IsOk());
  std::optional<absl::Status> refused;
  nodes_[leader % 3 + 1].group->AwaitConsistentRead([&](absl::Status s) { refused = s; });
  ASSERT_TRUE(refused.has_value());
  EXPECT_TRUE(base::NotLeaderHint(*refused).has_value());
}

// A read waiting for its ReadIndex round when the leader is deposed is told
// to go to the new leader, not left waiting (the core drops the round).
TEST_F(ReplicaGroupTest, AReadWaitingOnADeposedLeaderIsRefused) {
  const uint64_t leader = Leader();
  ASSERT_NE(leader, 0u);
  ASSERT_THAT(Put(leader, "r"), IsOk());
  network_.Cut(leader);
  nodes_[leader].group->NoteStall();  // no lease: the read needs a round
  std::optional<absl::Status> answer;
  nodes_[leader].group->AwaitConsistentRead([&](absl::Status s) { answer = s; });
  EXPECT_FALSE(answer.has_value());
  // Cut off, the leader steps down once it misses a quorum (check-quorum).
  for (int i = 0; i < 200 && !answer.has_value(); ++i) Pump();
  ASSERT_TRUE(answer.has_value());
  EXPECT_NE(nodes_[leader].group->Status().role, replication::Role::kLeader);
  EXPECT_TRUE(base::NotLeaderHint(*answer).has_value()) << *answer;
}

// The lease counts the leader's ticks. A leader whose ticker stalled (its
// process paused while its peers' clocks went on) must not serve under it.
TEST_F(ReplicaGroupTest, AStalledTickerVoidsTheLease) {
  const uint64_t leader = Leader();
  ASSERT_NE(leader, 0u);
  ASSERT_THAT(Put(leader, "r"), IsOk());
  time::ManualClock clock;
  ReplicaGroup& group = *nodes_[leader].group;
  group.SetTickClock(&clock, std::chrono::milliseconds(100));
  for (int i = 0; i < 30 && !group.Status().lease_valid; ++i) Pump();
  ASSERT_TRUE(group.Status().lease_valid);
  EXPECT_THAT(group.CheckServing(), IsOk());

  clock.Advance(std::chrono::milliseconds(101));  // no tick for longer than the gap
  EXPECT_FALSE(group.Status().lease_valid);
  EXPECT_THAT(group.CheckServing(), StatusIs(absl::StatusCode::kUnavailable, HasSubstr("lease")));
  // A consistent read falls back to a ReadIndex round with the peers.
  std::optional<absl::Status> confirmed;
  group.AwaitConsistentRead([&](absl::Status status) { confirmed = status; });
  EXPECT_FALSE(confirmed.has_value());
  for (int i = 0; i < 100 && !confirmed.has_value(); ++i) Pump();
  ASSERT_TRUE(confirmed.has_value());
  EXPECT_THAT(*confirmed, IsOk());
  // Ticking again restores it.
  Pump(3);
  EXPECT_TRUE(group.Status().lease_valid);

  // A ticker that dropped the ticks it owed: acknowledgements from before
  // the stall no longer count, for lease_ticks more ticks.
  group.NoteStall();
  EXPECT_FALSE(group.Status().lease_valid);
  const int lease_ticks = replication::Config().lease_ticks;
  for (int i = 0; i < lease_ticks; ++i) {
    Pump();
    EXPECT_FALSE(group.Status().lease_valid) << "after tick " << i + 1;
  }
  for (int i = 0; i < 30 && !group.Status().lease_valid; ++i) Pump();
  EXPECT_TRUE(group.Status().lease_valid);
}

// TEST ONLY behaviour that the chaos checkers must catch: a write answered
// as soon as the leader appended it, though it never commits.
TEST_F(ReplicaGroupTest, AckBeforeCommitAnswersWritesThatNeverCommit) {
  const uint64_t leader = Leader();
  ASSERT_NE(leader, 0u);
  nodes_[leader].group->SetAckBeforeCommitForTesting(true);
  for (uint64_t id = 1; id <= 3; ++id) {
    if (id != leader) network_.Cut(id);  // the followers hear nothing
  }
  tern::v1::WriteItemRequest request;
  request.mutable_partition()->set_partition_id(kTable);
  request.set_kind(tern::v1::WriteItemRequest::KIND_PUT);
  request.set_storage_key(Key("lost"));
  request.set_item(model::EncodeItem({{"id", model::AttributeValue::S("lost")}}));
  std::optional<absl::StatusOr<tern::v1::WriteItemResponse>> result;
  nodes_[leader].group->Write(request, [&result](auto written) { result = std::move(written); });
  ASSERT_TRUE(result.has_value());
  EXPECT_THAT(*result, IsOk());
  Pump(5);
  EXPECT_FALSE(Has(leader, "lost"));  // acknowledged, never applied
}

}  // namespace
}  // namespace tern::replica
