#include "common/replication/raft.h"

#include <algorithm>
#include <deque>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/testing/testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tern::replication {
namespace {

using ::tern::testing::IsOk;
using ::tern::testing::StatusIs;
using ::testing::_;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr int kElection = 10;
constexpr int kHeartbeat = 2;
constexpr int kLease = 8;

std::string Serialize(const std::vector<std::string>& cmds) {
  std::string out;
  for (const std::string& c : cmds) out += c + "\n";
  return out;
}

std::vector<std::string> Deserialize(const std::string& data) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t i = 0; i < data.size(); ++i) {
    if (data[i] == '\n') {
      out.push_back(data.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

// One replica and the host around it: a durable log, hard state and snapshot
// (kept in memory), and a state machine that records applied commands.
struct Node {
  std::unique_ptr<RaftCore> core;
  Config config;
  Membership initial;
  // Durable.
  HardState hard_state;
  SnapshotMeta snapshot;
  std::string snapshot_data;
  std::vector<Entry> log;  // after snapshot.index
  // State machine (volatile: rebuilt from the snapshot on restart).
  std::vector<std::string> applied;
  Index applied_index = 0;
  Term applied_term = 0;
  Membership sm_membership;
  std::vector<ReadState> reads;
};

// Delivers messages synchronously, in order, between RaftCore instances.
class Cluster {
 public:
  explicit Cluster(const std::vector<NodeId>& voters, uint64_t seed = 1) {
    Membership m;
    m.voters = voters;
    for (NodeId id : voters) Add(id, m, seed);
  }

  void Add(NodeId id, const Membership& initial, uint64_t seed = 1) {
    Node& n = nodes_[id];
    n.config.id = id;
    n.config.election_ticks = kElection;
    n.config.heartbeat_ticks = kHeartbeat;
    n.config.lease_ticks = kLease;
    n.config.max_entries_per_message = 3;
    n.config.random_seed = seed;
    n.initial = initial;
    n.sm_membership = initial;
    PersistedState ps;
    ps.initial_membership = initial;
    n.core = std::make_unique<RaftCore>(n.config, ps);
  }

  RaftCore& core(NodeId id) { return *nodes_.at(id).core; }
  Node& node(NodeId id) { return nodes_.at(id); }

  void Cut(NodeId a, NodeId b) {
    cut_.insert({a, b});
    cut_.insert({b, a});
  }
  void Isolate(NodeId id) {
    for (const auto& [other, n] : nodes_) {
      if (other != id) Cut(id, other);
    }
  }
  void Heal() { cut_.clear(); }
  // Messages for which drop is true are lost (none when it is empty).
  void DropIf(std::function<bool(const Message&)> drop) { drop_ = std::move(drop); }

  void Process(NodeId id) {
    while (nodes_.at(id).core->HasReady()) HandleReady(id, nodes_.at(id).core->TakeReady());
  }

  // Persists, applies and sends what ready holds, as a host does.
  void HandleReady(NodeId id, Ready ready) {
    Node& n = nodes_.at(id);
    trace_.push_back(id);
    if (ready.snapshot) {
      n.snapshot = *ready.snapshot;
      n.snapshot_data = ready.snapshot_data;
      n.log.clear();
      n.applied = Deserialize(ready.snapshot_data);
      n.applied_index = ready.snapshot->index;
      n.applied_term = ready.snapshot->term;
      n.sm_membership = ready.snapshot->membership;
    }
    if (!ready.entries.empty()) {
      Index first = ready.entries.front().index;
      while (!n.log.empty() && n.log.back().index >= first) n.log.pop_back();
      for (const Entry& e : ready.entries) {
        EXPECT_EQ(e.index, n.snapshot.index + n.log.size() + 1);
        n.log.push_back(e);
      }
    }
    if (ready.hard_state) n.hard_state = *ready.hard_state;
    for (const Entry& e : ready.committed) {
      EXPECT_EQ(e.index, n.applied_index + 1) << "node " << id;
      n.applied_index = e.index;
      n.applied_term = e.term;
      if (e.type == EntryType::kNormal) n.applied.push_back(e.data);
      if (e.type == EntryType::kConfig) n.sm_membership = *DecodeMembership(e.data);
    }
    for (Message m : ready.messages) {
      trace_.push_back(static_cast<uint64_t>(m.type) * 1000 + m.to);
      if (m.type == MessageType::kSnapshot) {
        m.snapshot.index = n.applied_index;
        m.snapshot.term = n.applied_term;
        m.snapshot.membership = n.sm_membership;
        m.snapshot_data = Serialize(n.applied);
      }
      if (cut_.count({m.from, m.to}) == 0 && nodes_.count(m.to) > 0 && !drop_all_) {
        net_.push_back(std::move(m));
      }
    }
    for (const ReadState& r : ready.reads) n.reads.push_back(r);
    n.core->Advance(ready);
  }

  void Run() {
    for (int steps = 0; steps < 100000; ++steps) {
      for (auto& [id, n] : nodes_) Process(id);
      if (net_.empty()) return;
      size_t pick = chaos_ ? static_cast<size_t>(NextRandom() % net_.size()) : 0;
      Message m = std::move(net_[pick]);
      net_.erase(net_.begin() + static_cast<std::ptrdiff_t>(pick));
      if (chaos_ && NextRandom() % 10 == 0) continue;  // dropped
      if (drop_ && drop_(m)) continue;
      if (cut_.count({m.from, m.to}) == 0 && nodes_.count(m.to) > 0) {
        nodes_.at(m.to).core->Step(m);
      }
    }
    FAIL() << "network did not quiesce";
  }

  void Tick(int ticks = 1) {
    for (int i = 0; i < ticks; ++i) {
      for (auto& [id, n] : nodes_) n.core->Tick();
      Run();
    }
  }

  void TickOnly(NodeId id, int ticks) {
    for (int i = 0; i < ticks; ++i) {
      nodes_.at(id).core->Tick();
      Run();
    }
  }

  // Makes id the leader of a fresh cluster by letting only it time out.
  void Elect(NodeId id) {
    for (int i = 0; i < 3 * kElection && core(id).role() != Role::kLeader; ++i) TickOnly(id, 1);
    ASSERT_EQ(core(id).role(), Role::kLeader);
  }

  std::vector<NodeId> Leaders() {
    std::vector<NodeId> out;
    for (auto& [id, n] : nodes_) {
      if (n.core->role() == Role::kLeader) out.push_back(id);
    }
    return out;
  }

  void Restart(NodeId id) {
    Node& n = nodes_.at(id);
    PersistedState ps;
    ps.hard_state = n.hard_state;
    ps.snapshot = n.snapshot;
    ps.entries = n.log;
    ps.initial_membership = n.initial;
    ps.applied = n.snapshot.index;
    // The state machine is volatile: rebuild it from the snapshot.
    n.applied = Deserialize(n.snapshot_data);
    n.applied_index = n.snapshot.index;
    n.applied_term = n.snapshot.term;
    n.sm_membership = n.snapshot.index > 0 ? n.snapshot.membership : n.initial;
    n.core = std::make_unique<RaftCore>(n.config, ps);
    net_.erase(
        std::remove_if(net_.begin(), net_.end(), [id](const Message& m) { return m.to == id; }),
        net_.end());
  }

  // The host compacts at its applied index, saving a snapshot first.
  void CompactAtApplied(NodeId id) {
    Node& n = nodes_.at(id);
    Index at = n.applied_index;
    ASSERT_THAT(n.core->Compact(at), IsOk());
    n.snapshot.index = at;
    n.snapshot.term = n.applied_term;
    n.snapshot.membership = n.sm_membership;
    n.snapshot_data = Serialize(n.applied);
    n.log.erase(n.log.begin(), std::find_if(n.log.begin(), n.log.end(), [at](const Entry& e) {
                  return e.index > at;
                }));
  }

  void set_drop_all(bool drop) { drop_all_ = drop; }
  // Reorders and drops messages, driven by seed.
  void set_chaos(uint64_t seed) {
    chaos_ = true;
    rng_ = seed;
  }
  void set_calm() { chaos_ = false; }
  uint64_t NextRandom() {
    rng_ ^= rng_ << 13;
    rng_ ^= rng_ >> 7;
    rng_ ^= rng_ << 17;
    return rng_;
  }
  std::vector<NodeId> ids() const {
    std::vector<NodeId> out;
    for (const auto& [id, n] : nodes_) out.push_back(id);
    return out;
  }
  const std::vector<uint64_t>& trace() const { return trace_; }

 private:
  std::map<NodeId, Node> nodes_;
  std::set<std::pair<NodeId, NodeId>> cut_;
  std::function<bool(const Message&)> drop_;
  std::deque<Message> net_;
  std::vector<uint64_t> trace_;
  bool drop_all_ = false;
  bool chaos_ = false;
  uint64_t rng_ = 1;
};

TEST(RaftTest, ElectsOneLeader) {
  Cluster c({1, 2, 3});
  c.Tick(3 * kElection);
  std::vector<NodeId> leaders = c.Leaders();
  ASSERT_EQ(leaders.size(), 1u);
  NodeId leader = leaders[0];
  for (NodeId id : {1, 2, 3}) {
    EXPECT_EQ(c.core(id).leader_hint(), leader);
    EXPECT_EQ(c.core(id).term(), c.core(leader).term());
  }
  // The no-op of the new term is committed everywhere.
  EXPECT_EQ(c.core(leader).commit_index(), 1u);
  c.Tick(kHeartbeat);
  for (NodeId id : {1, 2, 3}) EXPECT_EQ(c.core(id).applied_index(), 1u);
}

TEST(RaftTest, SingleVoterCommitsAlone) {
  Cluster c({1});
  c.Elect(1);
  ASSERT_THAT(c.core(1).Propose("a"), IsOk());
  c.Run();
  EXPECT_EQ(c.core(1).commit_index(), 2u);
  EXPECT_THAT(c.node(1).applied, ElementsAre("a"));
  ASSERT_THAT(c.core(1).ReadIndex(7), IsOk());
  c.Run();
  ASSERT_EQ(c.node(1).reads.size(), 1u);
  EXPECT_EQ(c.node(1).reads[0].request_id, 7u);
}

TEST(RaftTest, ReplicatesAndCommits) {
  Cluster c({1, 2, 3});
  c.Elect(1);
  EXPECT_THAT(c.core(2).Propose("x"), StatusIs(absl::StatusCode::kFailedPrecondition, _));
  for (const char* cmd : {"a", "b", "c", "d", "e"}) {
    absl::StatusOr<RaftCore::Proposed> p = c.core(1).Propose(cmd);
    ASSERT_THAT(p, IsOk());
    EXPECT_EQ(p->term, c.core(1).term());
  }
  c.Run();
  c.Tick(kHeartbeat);
  for (NodeId id : {1, 2, 3}) {
    EXPECT_EQ(c.core(id).commit_index(), 6u) << id;
    EXPECT_THAT(c.node(id).applied, ElementsAre("a", "b", "c", "d", "e")) << id;
    EXPECT_EQ(c.core(id).applied_index(), 6u);
  }
}

TEST(RaftTest, ProposeAllAppendsTogetherAndSendsOneMessagePerPeer) {
  Cluster c({1, 2, 3});
  c.Elect(1);
  const Index last = c.core(1).last_index();
  EXPECT_THAT(c.core(2).ProposeAll({"x", "y"}), StatusIs(absl::StatusCode::kFailedPrecondition, _));
  EXPECT_EQ(c.core(2).last_index(), last);
  absl::StatusOr<std::vector<RaftCore::Proposed>> proposed = c.core(1).ProposeAll({"a", "b", "c"});
  ASSERT_THAT(proposed, IsOk());
  ASSERT_EQ(proposed->size(), 3u);
  for (size_t i = 0; i < proposed->size(); ++i) {
    EXPECT_EQ((*proposed)[i].index, last + 1 + i);
    EXPECT_EQ((*proposed)[i].term, c.core(1).term());
  }
  Ready ready = c.core(1).TakeReady();
  EXPECT_EQ(ready.entries.size(), 3u);
  std::map<NodeId, int> appends;
  for (const Message& m : ready.messages) {
    if (m.type != MessageType::kAppend) continue;
    ++appends[m.to];
    EXPECT_EQ(m.entries.size(), 3u) << m.to;
  }
  EXPECT_EQ(appends, (std::map<NodeId, int>{{2, 1}, {3, 1}}));
  // The host handles the Ready as usual; everything commits in order.
  c.HandleReady(1, std::move(ready));
  c.Run();
  c.Tick(kHeartbeat);
  for (NodeId id : {1, 2, 3}) {
    EXPECT_EQ(c.core(id).commit_index(), last + 3) << id;
    EXPECT_THAT(c.node(id).applied, ElementsAre("a", "b", "c")) << id;
  }
  ASSERT_THAT(c.core(1).ProposeAll({}), IsOk());
  EXPECT_EQ(c.core(1).last_index(), last + 3);
}

TEST(RaftTest, ALeaderMayCommitAheadOfItsOwnSyncAndOnlyNewEntriesNeedOne) {
  Cluster c({1, 2, 3});
  c.Elect(1);
  RaftCore& leader = c.core(1);
  EXPECT_FALSE(leader.ReadyNeedsSync());
  ASSERT_THAT(leader.Propose("a"), IsOk());
  const Index a = leader.last_index();
  EXPECT_TRUE(leader.ReadyNeedsSync());
  Ready write = leader.TakeReady();  // the leader's write of "a" is still going
  EXPECT_FALSE(leader.ReadyNeedsSync());
  EXPECT_LT(leader.stable_index(), a);
  // Both followers append "a" and answer before the leader's write is done.
  for (const Message& m : write.messages) {
    if (m.type != MessageType::kAppend) continue;
    c.core(m.to).Step(m);
    EXPECT_TRUE(c.core(m.to).ReadyNeedsSync()) << m.to;
    Ready follower = c.core(m.to).TakeReady();
    const std::vector<Message> answers = std::move(follower.messages);
    follower.messages.clear();
    c.HandleReady(m.to, std::move(follower));
    for (const Message& answer : answers) leader.Step(answer);
  }
  // Committed by the followers alone: the leader's Ready now holds "a" to
  // apply and needs no sync, but "a" is not durable on the leader yet.
  EXPECT_EQ(leader.commit_index(), a);
  EXPECT_LT(leader.stable_index(), a);
  EXPECT_TRUE(leader.HasReady());
  EXPECT_FALSE(leader.ReadyNeedsSync());
  c.HandleReady(1, std::move(write));
  EXPECT_EQ(leader.stable_index(), a);
  c.Run();
  EXPECT_THAT(c.node(1).applied, ElementsAre("a"));
  EXPECT_FALSE(leader.ReadyNeedsSync());
}

TEST(RaftTest, LaggingFollowerCatchesUp) {
  Cluster c({1, 2, 3});
  c.Elect(1);
  c.Isolate(3);
  for (int i = 0; i < 20; ++i) ASSERT_THAT(c.core(1).Propose("v" + std::to_string(i)), IsOk());
  c.Run();
  EXPECT_EQ(c.core(1).commit_index(), 21u);  // 1 and 2 form a quorum
  EXPECT_EQ(c.core(3).last_index(), 1u);
  c.Heal();
  c.Tick(2 * kHeartbeat);
  EXPECT_EQ(c.core(3).last_index(), 21u);
  EXPECT_EQ(c.core(3).commit_index(), 21u);
  EXPECT_EQ(c.node(3).applied, c.node(1).applied);
  std::vector<Progress> progress = c.core(1).progress();
  ASSERT_EQ(progress.size(), 3u);
  for (const Progress& p : progress) EXPECT_EQ(p.match, 21u);
}

TEST(RaftTest, PartitionedLeaderStepsDown) {
  Cluster c({1, 2, 3});
  c.Elect(1);
  Term old_term = c.core(1).term();
  c.Isolate(1);
  c.Tick(kElection);
  EXPECT_NE(c.core(1).role(), Role::kLeader);  // check-quorum
  c.Tick(3 * kElection);
  std::vector<NodeId> leaders = c.Leaders();
  ASSERT_EQ(leaders.size(), 1u);
  EXPECT_NE(leaders[0], 1u);
  EXPECT_GT(c.core(leaders[0]).term(), old_term);
  EXPECT_EQ(c.core(1).term(), old_term);  // pre-vote kept it from inflating
  c.Heal();
  c.Tick(kHeartbeat);
  EXPECT_EQ(c.core(1).leader_hint(), leaders[0]);
  EXPECT_EQ(c.core(1).term(), c.core(leaders[0]).term());
}

TEST(RaftTest, PreVotePreventsTermInflation) {
  Cluster c({1, 2, 3});
  c.Elect(1);
  Term term = c.core(1).term();
  c.Isolate(3);
  c.Tick(10 * kElection);
  EXPECT_GT(c.core(3).elections_started(), 0u);
  EXPECT_EQ(c.core(3).term(), term);
  EXPECT_EQ(c.core(3).role(), Role::kPreCandidate);
  c.Heal();
  c.Tick(kHeartbeat);
  // The leader was not disrupted.
  EXPECT_EQ(c.core(1).role(), Role::kLeader);
  EXPECT_EQ(c.core(1).term(), term);
  EXPECT_EQ(c.core(3).role(), Role::kFollower);
  EXPECT_EQ(c.core(3).leader_hint(), 1u);
}

TEST(RaftTest, StickyVotersIgnoreDisruptiveCandidates) {
  Cluster c({1, 2, 3});
  c.Elect(1);
  Term term = c.core(1).term();
  // Node 3 cannot hear the leader, but the others can: node 3's (pre)votes
  // are ignored by 2, which hears from the leader.
  c.Cut(1, 3);
  c.Tick(5 * kElection);
  EXPECT_EQ(c.core(1).role(), Role::kLeader);
  EXPECT_EQ(c.core(1).term(), term);
  EXPECT_EQ(c.core(2).term(), term);
}

TEST(RaftTest, ConflictingSuffixIsTruncated) {
  Cluster c({1, 2, 3});
  c.Elect(1);
  c.Isolate(1);
  // Uncommitted entries on the old leader only.
  for (int i = 0; i < 5; ++i) ASSERT_THAT(c.core(1).Propose("old" + std::to_string(i)), IsOk());
  c.Run();
  EXPECT_EQ(c.core(1).last_index(), 6u);
  EXPECT_EQ(c.core(1).commit_index(), 1u);
  c.Tick(4 * kElection);
  std::vector<NodeId> leaders = c.Leaders();
  ASSERT_EQ(leaders.size(), 1u);
  NodeId leader = leaders[0];
  ASSERT_NE(leader, 1u);
  for (int i = 0; i < 2; ++i)
    ASSERT_THAT(c.core(leader).Propose("new" + std::to_string(i)), IsOk());
  c.Run();
  c.Heal();
  c.Tick(2 * kHeartbeat);
  EXPECT_EQ(c.core(1).last_index(), c.core(leader).last_index());
  EXPECT_EQ(c.core(1).commit_index(), c.core(leader).commit_index());
  EXPECT_THAT(c.node(1).applied, ElementsAre("new0", "new1"));
  // The durable log was overwritten too.
  for (const Entry& e : c.node(1).log) EXPECT_NE(e.data.substr(0, 3), "old");
}

TEST(RaftTest, LeaseTiming) {
  Cluster c({1, 2, 3});
  c.Elect(1);
  EXPECT_FALSE(c.core(1).LeaseValid());  // a previous leader's lease may live on
  c.Tick(kElection - 1);
  EXPECT_FALSE(c.core(1).LeaseValid());
  c.Tick(1);
  EXPECT_TRUE(c.core(1).LeaseValid());
  EXPECT_FALSE(c.core(2).LeaseValid());
  c.Tick(3);
  EXPECT_TRUE(c.core(1).LeaseValid());
  c.Isolate(1);
  // The last acknowledged heartbeat was sent at most kHeartbeat ticks ago.
  c.Tick(kLease - kHeartbeat);
  c.Tick(kHeartbeat);
  EXPECT_FALSE(c.core(1).LeaseValid());
}

TEST(RaftTest, LeaseNeedsOneFollower) {
  Cluster c({1, 2, 3});
  c.Elect(1);
  c.Tick(kElection);
  c.Isolate(3);
  c.Tick(3 * kLease);
  EXPECT_EQ(c.core(1).role(), Role::kLeader);
  EXPECT_TRUE(c.core(1).LeaseValid());
}

TEST(RaftTest, ReadIndex) {
  Cluster c({1, 2, 3});
  c.Tick(0);
  c.TickOnly(1, kElection - 1);
  EXPECT_THAT(c.core(1).ReadIndex(1), StatusIs(absl::StatusCode::kFailedPrecondition, _));
  c.Elect(1);
  ASSERT_THAT(c.core(1).Propose("a"), IsOk());
  c.Run();
  Index commit = c.core(1).commit_index();
  EXPECT_THAT(c.core(2).ReadIndex(5), StatusIs(absl::StatusCode::kFailedPrecondition, _));
  ASSERT_THAT(c.core(1).ReadIndex(42), IsOk());
  c.Run();
  ASSERT_EQ(c.node(1).reads.size(), 1u);
  EXPECT_EQ(c.node(1).reads[0].request_id, 42u);
  EXPECT_EQ(c.node(1).reads[0].index, commit);
  // Without a quorum the read never completes.
  c.Isolate(1);
  ASSERT_THAT(c.core(1).ReadIndex(43), IsOk());
  c.Run();
  EXPECT_EQ(c.node(1).reads.size(), 1u);
  // One follower is enough.
  c.Heal();
  c.Cut(1, 3);
  ASSERT_THAT(c.core(1).ReadIndex(44), IsOk());
  c.Run();
  ASSERT_EQ(c.node(1).reads.size(), 3u);  // 43 completes with 44
  EXPECT_EQ(c.node(1).reads[1].request_id, 43u);
  EXPECT_EQ(c.node(1).reads[2].request_id, 44u);
}

TEST(RaftTest, LeadershipTransfer) {
  Cluster c({1, 2, 3});
  c.Elect(1);
  Term term = c.core(1).term();
  c.Isolate(2);
  ASSERT_THAT(c.core(1).Propose("a"), IsOk());
  c.Run();
  c.Heal();
  // Node 2 lags: the leader catches it up first, then sends TimeoutNow.
  ASSERT_THAT(c.core(1).TransferLeadership(2), IsOk());
  EXPECT_THAT(c.core(1).Propose("b"), StatusIs(absl::StatusCode::kFailedPrecondition, _));
  c.Run();
  EXPECT_EQ(c.core(2).role(), Role::kLeader);
  EXPECT_EQ(c.core(2).term(), term + 1);
  EXPECT_EQ(c.core(1).role(), Role::kFollower);
  EXPECT_EQ(c.core(1).leader_hint(), 2u);
  ASSERT_THAT(c.core(2).Propose("c"), IsOk());
  c.Run();
  c.Tick(kHeartbeat);
  EXPECT_THAT(c.node(1).applied, ElementsAre("a", "c"));
}

TEST(RaftTest, LeadershipTransferTimesOut) {
  Cluster c({1, 2, 3});
  c.Elect(1);
  c.Isolate(2);
  ASSERT_THAT(c.core(1).Propose("a"), IsOk());
  c.Run();
  ASSERT_THAT(c.core(1).TransferLeadership(2), IsOk());
  EXPECT_THAT(c.core(1).Propose("b"), StatusIs(absl::StatusCode::kFailedPrecondition, _));
  c.Tick(kElection);
  EXPECT_EQ(c.core(1).role(), Role::kLeader);
  EXPECT_THAT(c.core(1).Propose("b"), IsOk());
  EXPECT_THAT(c.core(1).TransferLeadership(9), StatusIs(absl::StatusCode::kInvalidArgument, _));
}

TEST(RaftTest, SnapshotToLaggingFollower) {
  Cluster c({1, 2, 3});
  c.Elect(1);
  c.Isolate(3);
  for (int i = 0; i < 10; ++i) ASSERT_THAT(c.core(1).Propose("v" + std::to_string(i)), IsOk());
  c.Run();
  c.Tick(kHeartbeat);
  ASSERT_EQ(c.core(1).applied_index(), 11u);
  EXPECT_THAT(c.core(1).Compact(12), StatusIs(absl::StatusCode::kInvalidArgument, _));
  c.CompactAtApplied(1);
  EXPECT_EQ(c.core(1).first_index(), 12u);
  ASSERT_THAT(c.core(1).Propose("after"), IsOk());
  c.Run();
  c.Heal();
  c.Tick(3 * kHeartbeat);
  // The host filled the snapshot at its applied index, 12.
  EXPECT_EQ(c.core(3).commit_index(), 12u);
  EXPECT_EQ(c.core(3).applied_index(), 12u);
  EXPECT_EQ(c.core(3).first_index(), 13u);
  EXPECT_EQ(c.node(3).applied, c.node(1).applied);
  EXPECT_EQ(c.node(3).applied.back(), "after");
  // The follower restarts from its snapshot.
  c.Restart(3);
  c.Tick(kHeartbeat);
  EXPECT_EQ(c.core(3).applied_index(), 12u);
  EXPECT_EQ(c.node(3).applied, c.node(1).applied);
}

// Raft's single-server change needs the leader to have committed an entry
// of its term first: an earlier leader's change, uncommitted and missing
// from this leader's log, could otherwise commit alongside this one with a
// majority that does not overlap it.
TEST(RaftTest, ALeaderChangesMembershipOnlyOnceAnEntryOfItsTermCommitted) {
  Cluster c({1, 2, 3});
  c.Add(4, Membership{});
  // The followers' answers to appends are lost: the leader's no-op does
  // not commit.
  c.DropIf([](const Message& m) { return m.type == MessageType::kAppendResponse; });
  c.Elect(1);
  ASSERT_NE(c.core(1).commit_index(), c.core(1).last_index());
  EXPECT_THAT(c.core(1).ProposeMembership(Membership{{1, 2, 3}, {4}}),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("entry of its term")));
  c.DropIf(nullptr);
  for (int i = 0; i < 10 && c.core(1).commit_index() != c.core(1).last_index(); ++i) c.Tick();
  ASSERT_EQ(c.core(1).commit_index(), c.core(1).last_index());
  EXPECT_THAT(c.core(1).ProposeMembership(Membership{{1, 2, 3}, {4}}), IsOk());
}

TEST(RaftTest, AddLearnerThenPromote) {
  Cluster c({1, 2, 3});
  c.Add(4, Membership{});
  c.Elect(1);
  for (int i = 0; i < 5; ++i) ASSERT_THAT(c.core(1).Propose("v" + std::to_string(i)), IsOk());
  c.Run();
  // Not a single change.
  EXPECT_THAT(c.core(1).ProposeMembership(Membership{{1, 2}, {4}}),
              StatusIs(absl::StatusCode::kInvalidArgument, _));
  ASSERT_THAT(c.core(1).ProposeMembership(Membership{{1, 2, 3}, {4}}), IsOk());
  EXPECT_THAT(c.core(1).ProposeMembership(Membership{{1, 2, 3, 4}, {}}),
              StatusIs(absl::StatusCode::kFailedPrecondition, _));
  c.Run();
  c.Tick(2 * kHeartbeat);
  EXPECT_EQ(c.core(4).role(), Role::kLearner);
  EXPECT_EQ(c.core(4).membership(), (Membership{{1, 2, 3}, {4}}));
  EXPECT_EQ(c.node(4).applied, c.node(1).applied);
  // A learner never campaigns and does not count: with 2 and 3 down the
  // leader cannot commit.
  c.Isolate(2);
  c.Isolate(3);
  Index commit = c.core(1).commit_index();
  ASSERT_THAT(c.core(1).Propose("x"), IsOk());
  c.Run();
  EXPECT_EQ(c.core(1).commit_index(), commit);
  c.Heal();
  c.Tick(kHeartbeat);
  EXPECT_EQ(c.core(4).elections_started(), 0u);
  ASSERT_THAT(c.core(1).ProposeMembership(Membership{{1, 2, 3, 4}, {}}), IsOk());
  c.Run();
  c.Tick(kHeartbeat);
  EXPECT_EQ(c.core(4).role(), Role::kFollower);
  for (NodeId id : {1, 2, 3, 4}) {
    EXPECT_EQ(c.core(id).membership(), (Membership{{1, 2, 3, 4}, {}})) << id;
  }
  // Now 4 counts: 1 and 4 alone are not a quorum of 4, but 1, 2 and 4 are.
  c.Isolate(3);
  ASSERT_THAT(c.core(1).Propose("y"), IsOk());
  c.Run();
  EXPECT_EQ(c.core(1).commit_index(), c.core(1).last_index());
}

TEST(RaftTest, RemoveVoter) {
  Cluster c({1, 2, 3});
  c.Elect(1);
  ASSERT_THAT(c.core(1).ProposeMembership(Membership{{1, 2}, {}}), IsOk());
  c.Run();
  c.Tick(kHeartbeat);
  EXPECT_EQ(c.core(2).membership(), (Membership{{1, 2}, {}}));
  c.Isolate(3);
  ASSERT_THAT(c.core(1).Propose("a"), IsOk());
  c.Run();
  EXPECT_EQ(c.core(1).commit_index(), c.core(1).last_index());
  // Node 3 is out of the group: it never campaigns.
  c.Tick(5 * kElection);
  EXPECT_EQ(c.core(1).role(), Role::kLeader);
}

TEST(RaftTest, RemovedLeaderStepsDown) {
  Cluster c({1, 2, 3});
  c.Elect(1);
  ASSERT_THAT(c.core(1).ProposeMembership(Membership{{2, 3}, {}}), IsOk());
  c.Run();
  EXPECT_NE(c.core(1).role(), Role::kLeader);
  uint64_t started = c.core(1).elections_started();
  c.Tick(4 * kElection);
  std::vector<NodeId> leaders = c.Leaders();
  ASSERT_EQ(leaders.size(), 1u);
  EXPECT_NE(leaders[0], 1u);
  EXPECT_EQ(c.core(1).elections_started(), started);
  ASSERT_THAT(c.core(leaders[0]).Propose("a"), IsOk());
  c.Run();
  c.Tick(kHeartbeat);
  EXPECT_EQ(c.core(leaders[0]).commit_index(), c.core(leaders[0]).last_index());
}

TEST(RaftTest, MembershipRollsBackWhenTruncated) {
  Cluster c({1, 2, 3});
  c.Elect(1);
  c.Isolate(1);
  ASSERT_THAT(c.core(1).ProposeMembership(Membership{{1, 2, 3}, {7}}), IsOk());
  EXPECT_EQ(c.core(1).membership(), (Membership{{1, 2, 3}, {7}}));
  c.Tick(4 * kElection);
  NodeId leader = c.Leaders().at(0);
  ASSERT_NE(leader, 1u);
  c.Heal();
  c.Tick(2 * kHeartbeat);
  EXPECT_EQ(c.core(1).membership(), (Membership{{1, 2, 3}, {}}));
}

TEST(RaftTest, RestartFromPersistedState) {
  Cluster c({1, 2, 3});
  c.Elect(1);
  for (int i = 0; i < 4; ++i) ASSERT_THAT(c.core(1).Propose("v" + std::to_string(i)), IsOk());
  c.Run();
  c.Tick(kHeartbeat);
  Term term = c.core(2).term();
  c.Restart(2);
  EXPECT_EQ(c.core(2).role(), Role::kFollower);
  EXPECT_EQ(c.core(2).term(), term);
  EXPECT_EQ(c.core(2).last_index(), 5u);
  EXPECT_EQ(c.core(2).commit_index(), 5u);
  EXPECT_EQ(c.core(2).applied_index(), 0u);
  c.Run();  // committed entries are applied again
  EXPECT_THAT(c.node(2).applied, ElementsAre("v0", "v1", "v2", "v3"));
  // The whole group restarts and elects again.
  for (NodeId id : {1, 2, 3}) c.Restart(id);
  c.Tick(4 * kElection);
  ASSERT_EQ(c.Leaders().size(), 1u);
  EXPECT_GT(c.core(c.Leaders()[0]).term(), term);
  EXPECT_THAT(c.node(3).applied, ElementsAre("v0", "v1", "v2", "v3"));
}

TEST(RaftTest, MembershipEncoding) {
  Membership m{{1, 5, 9}, {2, 7}};
  absl::StatusOr<Membership> decoded = DecodeMembership(EncodeMembership(m));
  ASSERT_THAT(decoded, IsOk());
  EXPECT_EQ(*decoded, m);
  EXPECT_FALSE(DecodeMembership("").ok());
  EXPECT_FALSE(DecodeMembership(EncodeMembership(m) + "x").ok());
  EXPECT_FALSE(DecodeMembership(EncodeMembership(Membership{{3, 1}, {}})).ok());
  EXPECT_FALSE(DecodeMembership(EncodeMembership(Membership{{1}, {1}})).ok());
}

TEST(RaftTest, MalformedMessagesDoNotCrash) {
  Cluster c({1, 2, 3});
  c.Elect(1);
  uint64_t x = 12345;
  auto next = [&x]() {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  for (int i = 0; i < 20000; ++i) {
    Message m;
    m.type = static_cast<MessageType>(next() % 11);
    m.from = next() % 5;
    m.to = next() % 4;
    m.term = next() % 6;
    m.index = (next() % 4 == 0) ? next() : next() % 30;
    m.log_term = next() % 6;
    m.commit = (next() % 4 == 0) ? next() : next() % 30;
    m.reject = next() % 2;
    m.reject_hint = next() % 30;
    m.context = next() % 100;
    m.leadership_transfer = next() % 2;
    size_t n = next() % 4;
    for (size_t j = 0; j < n; ++j) {
      Entry e;
      e.index = (next() % 2 == 0) ? m.index + 1 + j : next() % 30;
      e.term = next() % 6;
      e.type = static_cast<EntryType>(next() % 3);
      if (e.type == EntryType::kConfig) e.data = EncodeMembership(Membership{{1, 2, 3}, {}});
      m.entries.push_back(e);
    }
    m.snapshot.index = next() % 30;
    m.snapshot.term = next() % 6;
    m.snapshot.membership.voters = {1, 2, 3};
    for (NodeId id : {1, 2, 3}) {
      m.to = id;
      c.core(id).Step(m);
    }
    if (i % 50 == 0) c.Tick(1);
  }
  c.Heal();
  c.Tick(10 * kElection);
}

bool IsPrefix(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  return a.size() <= b.size() && std::equal(a.begin(), a.end(), b.begin());
}

// Drops, reorders, partitions and restarts, checking election safety, that
// commit never goes down and that applied histories are prefixes of each other.
TEST(RaftTest, RandomizedFaultsKeepSafety) {
  int config_changes = 0;
  int transfers = 0;
  uint64_t elections = 0;
  for (uint64_t seed = 1; seed <= 60; ++seed) {
    SCOPED_TRACE(seed);
    Cluster c({1, 2, 3, 4, 5}, seed);
    c.set_chaos(seed * 7919);
    std::map<Term, NodeId> leader_of_term;
    std::map<NodeId, Index> commit;
    int proposals = 0;
    for (int tick = 0; tick < 600; ++tick) {
      uint64_t r = c.NextRandom();
      if (r % 40 == 0) c.Isolate(1 + c.NextRandom() % 5);
      if (r % 40 == 1) c.Heal();
      if (r % 97 == 2) {
        NodeId id = 1 + c.NextRandom() % 5;
        c.Restart(id);
        commit[id] = c.core(id).commit_index();
      }
      if (r % 53 == 3) {
        NodeId id = 1 + c.NextRandom() % 5;
        if (c.node(id).applied_index > c.node(id).snapshot.index) c.CompactAtApplied(id);
      }
      for (NodeId id : c.Leaders()) {
        if (c.NextRandom() % 2 == 0) {
          (void)c.core(id).Propose("p" + std::to_string(proposals++));
        }
        if (c.NextRandom() % 5 == 0) (void)c.core(id).ReadIndex(c.NextRandom());
        if (c.NextRandom() % 30 == 0 &&
            c.core(id).TransferLeadership(1 + c.NextRandom() % 5).ok()) {
          ++transfers;
        }
        if (c.NextRandom() % 20 == 0) {
          // Cycle node 5: voter -> removed -> learner -> voter.
          Membership m = c.core(id).membership();
          if (std::binary_search(m.voters.begin(), m.voters.end(), 5u)) {
            m.voters.erase(std::find(m.voters.begin(), m.voters.end(), 5u));
          } else if (std::binary_search(m.learners.begin(), m.learners.end(), 5u)) {
            m.learners.erase(std::find(m.learners.begin(), m.learners.end(), 5u));
            m.voters.push_back(5);
          } else {
            m.learners.push_back(5);
          }
          if (c.core(id).ProposeMembership(m).ok()) ++config_changes;
        }
      }
      c.Tick(1);
      for (NodeId id : c.ids()) {
        RaftCore& core = c.core(id);
        if (core.role() == Role::kLeader) {
          auto [it, inserted] = leader_of_term.emplace(core.term(), id);
          ASSERT_EQ(it->second, id) << "two leaders in term " << core.term();
        }
        ASSERT_GE(core.commit_index(), commit[id]) << id;
        commit[id] = core.commit_index();
        ASSERT_LE(core.commit_index(), core.last_index());
      }
      for (NodeId a : c.ids()) {
        for (NodeId b : c.ids()) {
          const auto& x = c.node(a).applied;
          const auto& y = c.node(b).applied;
          ASSERT_TRUE(IsPrefix(x, y) || IsPrefix(y, x)) << a << " vs " << b;
        }
      }
    }
    // Once healed and calm, the group converges.
    c.Heal();
    c.set_calm();
    c.Tick(10 * kElection);
    ASSERT_EQ(c.Leaders().size(), 1u);
    NodeId leader = c.Leaders()[0];
    ASSERT_THAT(c.core(leader).Propose("final"), IsOk());
    c.Run();
    c.Tick(2 * kHeartbeat);
    Membership members = c.core(leader).membership();
    std::vector<NodeId> ids = members.voters;
    ids.insert(ids.end(), members.learners.begin(), members.learners.end());
    for (NodeId id : ids) {
      EXPECT_EQ(c.node(id).applied, c.node(leader).applied) << id;
      EXPECT_EQ(c.node(id).applied.back(), "final");
    }
    EXPECT_GT(c.node(leader).applied.size(), 20u);
    for (NodeId id : c.ids()) elections += c.core(id).elections_started();
  }
  std::cout << "config changes " << config_changes << ", transfers " << transfers << ", elections "
            << elections << "\n";
  EXPECT_GT(config_changes, 50);
  EXPECT_GT(transfers, 50);
}

TEST(RaftTest, SameSeedSameTrace) {
  auto run = [](uint64_t seed) {
    Cluster c({1, 2, 3}, seed);
    c.Tick(3 * kElection);
    for (NodeId id : c.Leaders()) (void)c.core(id).Propose("a");
    c.Isolate(c.Leaders().at(0));
    c.Tick(5 * kElection);
    c.Heal();
    c.Tick(2 * kElection);
    return c.trace();
  };
  EXPECT_EQ(run(7), run(7));
  EXPECT_NE(run(7), run(8));
}

}  // namespace
}  // namespace tern::replication
