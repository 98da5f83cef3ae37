// The Raft core's implementation class, shared by raft.cc (log, membership,
// roles, sending, the public calls) and raft_step.cc (ticks and message
// handling). Internal to common/replication. Design notes (the rules
// themselves are in raft.h):
//
// Log: entries after a compaction point (snapshot_index_, snapshot_term_)
// live in log_. unstable_ is the first index not yet handed to the host in a
// Ready; stable_index_ is the highest index the host has made durable (known
// at Advance). A leader counts itself towards commit only up to
// stable_index_ (thesis §10.2.1: the leader may send before it has synced,
// but must not count itself).
//
// Progress and flow control (per peer, on the leader), after etcd/raft:
//   probe:     at most one kAppend outstanding; a response or a heartbeat
//              response releases it. Used after a reject or when the peer's
//              log is unknown.
//   replicate: optimistic pipelining; next moves past what was sent, with at
//              most kMaxInflight appends unacknowledged. If a heartbeat
//              response arrives while an append has gone unacknowledged for
//              two heartbeat intervals, the peer falls back to probe (the
//              append or its response was probably lost).
//   snapshot:  a kSnapshot is out; nothing else is sent until the peer acks
//              or election_ticks pass, then probe again.
//
// Heartbeat contexts: every heartbeat round gets context max(now, previous
// context + 1), so contexts strictly increase and normally equal the send
// tick. contexts_ remembers the send tick of each recent context. A peer's
// acked_context (the highest context it echoed) completes ReadIndex rounds
// (acked_context >= the round's context means "acknowledged a heartbeat sent
// at or after the request"); its ack_tick (send tick of that context) dates
// quorum contact for the lease.
//
// Lease (thesis §6.4.1): a voter grants no (pre)vote while it heard from a
// leader less than election_ticks ago (leader stickiness), so a new leader is
// elected only after every voter of its quorum has gone election_ticks without
// hearing from the old leader. The old leader's lease needs a quorum of acks
// for heartbeats sent less than lease_ticks < election_ticks ago; the two
// quorums intersect, so the old lease ends before the new leader exists. A new
// leader additionally waits election_ticks from its election, which covers
// leaders elected through leadership transfer (which skips stickiness: the old
// leader stops serving when it hands over).
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/base/check.h"
#include "common/replication/raft.h"

namespace tern::replication {

inline constexpr size_t kMaxInflight = 4;

inline bool Contains(const std::vector<NodeId>& sorted, NodeId id) {
  return std::binary_search(sorted.begin(), sorted.end(), id);
}

inline bool ValidMembership(const Membership& m) {
  for (size_t i = 0; i < m.voters.size(); ++i) {
    if (m.voters[i] == 0 || (i > 0 && m.voters[i - 1] >= m.voters[i])) return false;
  }
  for (size_t i = 0; i < m.learners.size(); ++i) {
    if (m.learners[i] == 0 || (i > 0 && m.learners[i - 1] >= m.learners[i])) return false;
    if (Contains(m.voters, m.learners[i])) return false;
  }
  return true;
}

// Exactly one of: add a learner, add a voter, promote a learner, remove a
// voter or learner.
inline bool IsSingleChange(const Membership& from, const Membership& to) {
  std::vector<NodeId> all_from = from.voters;
  all_from.insert(all_from.end(), from.learners.begin(), from.learners.end());
  std::sort(all_from.begin(), all_from.end());
  std::vector<NodeId> all_to = to.voters;
  all_to.insert(all_to.end(), to.learners.begin(), to.learners.end());
  std::sort(all_to.begin(), all_to.end());
  if (all_to.size() == all_from.size() + 1) {
    // Added: every old member keeps its kind.
    return std::includes(
               to.voters.begin(), to.voters.end(), from.voters.begin(), from.voters.end()) &&
           std::includes(to.learners.begin(),
                         to.learners.end(),
                         from.learners.begin(),
                         from.learners.end()) &&
           std::includes(all_to.begin(), all_to.end(), all_from.begin(), all_from.end());
  }
  if (all_to.size() + 1 == all_from.size()) {
    return std::includes(
               from.voters.begin(), from.voters.end(), to.voters.begin(), to.voters.end()) &&
           std::includes(
               from.learners.begin(), from.learners.end(), to.learners.begin(), to.learners.end());
  }
  if (all_to == all_from && to.voters.size() == from.voters.size() + 1) {
    // Promotion: the new voter was a learner; nobody else moved.
    return std::includes(
        to.voters.begin(), to.voters.end(), from.voters.begin(), from.voters.end());
  }
  return false;
}

// splitmix64: small, fast, and fully determined by its seed.
class Prng {
 public:
  explicit Prng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

 private:
  uint64_t state_;
};

inline size_t EntryBytes(const Entry& e) { return e.data.size() + 24; }

class RaftCore::Impl {
 public:
  Impl(const Config& config, PersistedState state);

  void Tick();
  void Step(const Message& m);
  absl::StatusOr<std::vector<Proposed>> ProposeAll(std::vector<std::string> commands);
  absl::StatusOr<Proposed> ProposeMembership(const Membership& next);
  absl::Status ReadIndex(uint64_t request_id);
  bool LeaseValid() const;
  absl::Status TransferLeadership(NodeId target);
  absl::Status Compact(Index index);
  bool HasReady() const;
  bool ReadyNeedsSync() const;
  Ready TakeReady();
  void Advance(const Ready& ready);

  NodeId id() const { return config_.id; }
  Role role() const { return role_; }
  Term term() const { return current_term_; }
  NodeId leader_hint() const { return leader_; }
  Index commit_index() const { return commit_index_; }
  Index applied_index() const { return applied_; }
  Index stable_index() const { return stable_index_; }
  Index last_index() const { return snapshot_index_ + log_.size(); }
  Index first_index() const { return snapshot_index_ + 1; }
  const Membership& membership() const { return membership_; }
  std::vector<Progress> progress() const;
  uint64_t elections_started() const { return elections_started_; }

 private:
  enum class PeerState { kProbe, kReplicate, kSnapshot };
  struct Peer {
    Index match = 0;
    Index next = 1;
    PeerState state = PeerState::kProbe;
    bool probe_sent = false;
    // Unacknowledged appends: (last index, send tick).
    std::deque<std::pair<Index, uint64_t>> inflight;
    uint64_t snapshot_sent_tick = 0;
    uint64_t last_heard_tick = 0;      // for check-quorum
    uint64_t acked_context = 0;        // highest heartbeat context echoed
    std::optional<uint64_t> ack_tick;  // send tick of acked_context, if known
  };
  struct PendingRead {
    uint64_t request_id;
    Index index;
    uint64_t context;
  };

  // Log access.
  std::optional<Term> TermAt(Index i) const;
  Term LastTerm() const { return *TermAt(last_index()); }
  const Entry& EntryAt(Index i) const { return log_[i - snapshot_index_ - 1]; }
  void TruncateFrom(Index i);
  void AppendToLog(Entry e);
  bool IsUpToDate(Index index, Term log_term) const;

  // Membership.
  bool IsVoter(NodeId id) const { return Contains(membership_.voters, id); }
  bool IsLearner(NodeId id) const { return Contains(membership_.learners, id); }
  // May campaign: a voter of the latest membership, or — while the entry
  // that removed it is not committed — of the one before (Raft thesis
  // §4.2.2: it may still be needed to elect the leader that commits it).
  bool Promotable() const {
    if (IsVoter(config_.id)) return true;
    return config_index_ > commit_index_ &&
           Contains(MembershipBefore(config_index_).voters, config_.id);
  }
  // The membership in effect just before index (an index in log_).
  Membership MembershipBefore(Index index) const;
  size_t Quorum() const { return membership_.voters.size() / 2 + 1; }
  void SetMembership(const Membership& m);
  void RecomputeMembership();

  // Roles.
  Role FollowerRole() const { return IsLearner(config_.id) ? Role::kLearner : Role::kFollower; }
  void ResetTimeout();
  void BecomeFollower(Term term, NodeId leader);
  void StartPreVote();
  void StartElection(bool transfer);
  void BecomeLeader();
  bool InLease() const;
  void TallyVote(NodeId from, bool granted, bool pre);

  // Sending.
  void Send(Message m);
  void SendAppend(NodeId to, Peer& peer, bool allow_empty);
  void BroadcastAppend(bool allow_empty);
  void BroadcastHeartbeat(uint64_t context);
  uint64_t NextContext();
  bool MaybeCommit();
  void AfterCommitAdvanced();
  void CheckReads();
  void AbortTransfer() { transfer_target_ = 0; }
  void SendTimeoutNow(NodeId target) {
    timeout_now_term_ = current_term_;
    Message t;
    t.type = MessageType::kTimeoutNow;
    t.to = target;
    Send(std::move(t));
  }

  // Handlers.
  bool Valid(const Message& m) const;
  void HandleAppend(const Message& m);
  void HandleHeartbeat(const Message& m);
  void HandleSnapshot(const Message& m);
  void HandleVoteRequest(const Message& m);
  void HandleAppendResponse(const Message& m);
  void HandleHeartbeatResponse(const Message& m);
  void LeaderTick();

  Config config_;
  Prng prng_;
  uint64_t now_ = 0;

  // Persistent state and its last handed-out copy.
  Term current_term_ = 0;
  NodeId voted_for_ = 0;
  Index commit_index_ = 0;
  HardState emitted_hs_;

  // Log.
  Index snapshot_index_ = 0;
  Term snapshot_term_ = 0;
  std::vector<Entry> log_;
  Index unstable_ = 1;
  Index stable_index_ = 0;
  Index applied_ = 0;
  Index next_apply_ = 1;  // first committed index not yet handed out
  std::optional<SnapshotMeta> pending_snapshot_;
  std::string pending_snapshot_data_;

  // Membership: base_membership_ is as of snapshot_index_; membership_ adds
  // the kConfig entries of log_.
  Membership base_membership_;
  Membership membership_;
  Index config_index_ = 0;  // index of the last kConfig entry in log_, 0 if none

  // Role state.
  Role role_ = Role::kFollower;
  NodeId leader_ = 0;
  int election_elapsed_ = 0;
  int randomized_timeout_ = 0;
  std::map<NodeId, bool> votes_;
  uint64_t elections_started_ = 0;

  // Leader state.
  std::map<NodeId, Peer> peers_;
  uint64_t became_leader_tick_ = 0;
  int heartbeat_elapsed_ = 0;
  NodeId transfer_target_ = 0;
  // The term in which this leader last sent TimeoutNow: its target may be
  // elected by votes that ignore leader stickiness, so this leader holds no
  // lease for the rest of that term, even if the transfer is abandoned.
  Term timeout_now_term_ = 0;
  int transfer_elapsed_ = 0;
  uint64_t last_context_ = 0;
  std::map<uint64_t, uint64_t> contexts_;  // heartbeat context -> send tick
  std::deque<PendingRead> pending_reads_;

  // Outputs.
  std::vector<Message> messages_;
  std::vector<ReadState> reads_;
};

}  // namespace tern::replication
