// The Raft core. Design notes (the rules themselves are in raft.h):
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
#include "common/replication/raft.h"

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

namespace tern::replication {
namespace {

constexpr size_t kMaxInflight = 4;

bool Contains(const std::vector<NodeId>& sorted, NodeId id) {
  return std::binary_search(sorted.begin(), sorted.end(), id);
}

bool ValidMembership(const Membership& m) {
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
bool IsSingleChange(const Membership& from, const Membership& to) {
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

size_t EntryBytes(const Entry& e) { return e.data.size() + 24; }

}  // namespace

class RaftCore::Impl {
 public:
  Impl(const Config& config, PersistedState state);

  void Tick();
  void Step(const Message& m);
  absl::StatusOr<Proposed> Propose(std::string command);
  absl::StatusOr<Proposed> ProposeMembership(const Membership& next);
  absl::Status ReadIndex(uint64_t request_id);
  bool LeaseValid() const;
  absl::Status TransferLeadership(NodeId target);
  absl::Status Compact(Index index);
  bool HasReady() const;
  Ready TakeReady();
  void Advance(const Ready& ready);

  NodeId id() const { return config_.id; }
  Role role() const { return role_; }
  Term term() const { return current_term_; }
  NodeId leader_hint() const { return leader_; }
  Index commit_index() const { return commit_index_; }
  Index applied_index() const { return applied_; }
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

RaftCore::Impl::Impl(const Config& config, PersistedState state)
    : config_(config), prng_(config.random_seed ^ (config.id * 0xd1b54a32d192ed03ULL)) {
  TERN_CHECK(config_.id != 0) << "node id 0 is reserved";
  TERN_CHECK(config_.election_ticks > 0 && config_.heartbeat_ticks > 0);
  TERN_CHECK(config_.lease_ticks < config_.election_ticks);
  if (config_.max_entries_per_message == 0) config_.max_entries_per_message = 1;

  current_term_ = state.hard_state.term;
  voted_for_ = state.hard_state.vote;
  snapshot_index_ = state.snapshot.index;
  snapshot_term_ = state.snapshot.term;
  const bool snapshot_has_membership =
      !state.snapshot.membership.voters.empty() || !state.snapshot.membership.learners.empty();
  base_membership_ = (snapshot_index_ > 0 && snapshot_has_membership) ? state.snapshot.membership
                                                                      : state.initial_membership;
  TERN_CHECK(ValidMembership(base_membership_)) << "corrupt membership";
  Index expect = snapshot_index_ + 1;
  for (Entry& e : state.entries) {
    if (e.index <= snapshot_index_) continue;  // covered by the snapshot
    TERN_CHECK(e.index == expect) << "persisted log not contiguous at " << expect;
    TERN_CHECK(e.term >= (log_.empty() ? snapshot_term_ : log_.back().term))
        << "persisted log terms decrease at " << e.index;
    ++expect;
    log_.push_back(std::move(e));
  }
  unstable_ = last_index() + 1;
  stable_index_ = last_index();
  applied_ = std::max(state.applied, snapshot_index_);
  TERN_CHECK(applied_ <= last_index()) << "applied index beyond the log";
  commit_index_ = std::max({state.hard_state.commit, snapshot_index_, applied_});
  TERN_CHECK(commit_index_ <= last_index()) << "commit index beyond the log";
  next_apply_ = applied_ + 1;
  emitted_hs_ = state.hard_state;
  RecomputeMembership();
  role_ = FollowerRole();
  ResetTimeout();
}

// ---------------------------------------------------------------------------
// Log

std::optional<Term> RaftCore::Impl::TermAt(Index i) const {
  if (i == snapshot_index_) return snapshot_term_;
  if (i < snapshot_index_ || i > last_index()) return std::nullopt;
  return EntryAt(i).term;
}

void RaftCore::Impl::TruncateFrom(Index i) {
  TERN_CHECK(i > snapshot_index_ && i > commit_index_) << "truncating committed entry " << i;
  if (i > last_index()) return;
  bool config_removed = config_index_ >= i;
  log_.resize(i - snapshot_index_ - 1);
  unstable_ = std::min(unstable_, i);
  stable_index_ = std::min(stable_index_, i - 1);
  if (config_removed) RecomputeMembership();
}

void RaftCore::Impl::AppendToLog(Entry e) {
  TERN_CHECK(e.index == last_index() + 1);
  bool is_config = e.type == EntryType::kConfig;
  Index index = e.index;
  log_.push_back(std::move(e));
  if (is_config) {
    absl::StatusOr<Membership> m = DecodeMembership(EntryAt(index).data);
    if (m.ok() && ValidMembership(*m)) {
      config_index_ = index;
      SetMembership(*m);
    }
  }
}

bool RaftCore::Impl::IsUpToDate(Index index, Term log_term) const {
  Term last_term = LastTerm();
  return log_term > last_term || (log_term == last_term && index >= last_index());
}

// ---------------------------------------------------------------------------
// Membership

Membership RaftCore::Impl::MembershipBefore(Index index) const {
  for (Index i = index; i > snapshot_index_ + 1; --i) {
    const Entry& e = EntryAt(i - 1);
    if (e.type != EntryType::kConfig) continue;
    absl::StatusOr<Membership> decoded = DecodeMembership(e.data);
    if (decoded.ok() && ValidMembership(*decoded)) return *decoded;
  }
  return base_membership_;
}

void RaftCore::Impl::RecomputeMembership() {
  config_index_ = 0;
  Membership m = base_membership_;
  for (auto it = log_.rbegin(); it != log_.rend(); ++it) {
    if (it->type != EntryType::kConfig) continue;
    absl::StatusOr<Membership> decoded = DecodeMembership(it->data);
    if (decoded.ok() && ValidMembership(*decoded)) {
      m = *decoded;
      config_index_ = it->index;
      break;
    }
  }
  SetMembership(m);
}

void RaftCore::Impl::SetMembership(const Membership& m) {
  membership_ = m;
  if (role_ == Role::kLeader) {
    // Drop peers that left; add new ones (probing from the end of the log).
    for (auto it = peers_.begin(); it != peers_.end();) {
      if (!IsVoter(it->first) && !IsLearner(it->first)) {
        it = peers_.erase(it);
      } else {
        ++it;
      }
    }
    auto add = [&](NodeId id) {
      if (id == config_.id || peers_.count(id) > 0) return;
      Peer p;
      p.next = last_index() + 1;
      p.last_heard_tick = now_;
      peers_[id] = p;
    };
    for (NodeId id : membership_.voters) add(id);
    for (NodeId id : membership_.learners) add(id);
    if (transfer_target_ != 0 && !IsVoter(transfer_target_)) AbortTransfer();
    return;
  }
  if (role_ == Role::kFollower || role_ == Role::kLearner) {
    role_ = FollowerRole();
  } else if (!Promotable()) {
    // A (pre)candidate that lost its vote gives up.
    role_ = FollowerRole();
    votes_.clear();
  }
}

// ---------------------------------------------------------------------------
// Roles

void RaftCore::Impl::ResetTimeout() {
  const uint64_t e = static_cast<uint64_t>(config_.election_ticks);
  randomized_timeout_ = config_.election_ticks + static_cast<int>(prng_.Next() % e);
}

void RaftCore::Impl::BecomeFollower(Term term, NodeId leader) {
  if (term > current_term_) {
    current_term_ = term;
    voted_for_ = 0;
  }
  role_ = FollowerRole();
  leader_ = leader;
  election_elapsed_ = 0;
  ResetTimeout();
  votes_.clear();
  peers_.clear();
  pending_reads_.clear();
  contexts_.clear();
  AbortTransfer();
}

void RaftCore::Impl::StartPreVote() {
  ++elections_started_;
  role_ = Role::kPreCandidate;
  leader_ = 0;
  election_elapsed_ = 0;
  ResetTimeout();
  votes_.clear();
  votes_[config_.id] = true;
  // Alone in its membership, a voter wins at once (a removed candidate's own
  // vote does not count).
  if (IsVoter(config_.id) && votes_.size() >= Quorum()) {
    StartElection(false);
    return;
  }
  for (NodeId v : membership_.voters) {
    if (v == config_.id) continue;
    Message m;
    m.type = MessageType::kPreVote;
    m.to = v;
    m.term = current_term_ + 1;
    m.index = last_index();
    m.log_term = LastTerm();
    Send(std::move(m));
  }
}

void RaftCore::Impl::StartElection(bool transfer) {
  if (transfer) ++elections_started_;
  ++current_term_;
  voted_for_ = config_.id;
  role_ = Role::kCandidate;
  leader_ = 0;
  election_elapsed_ = 0;
  ResetTimeout();
  votes_.clear();
  votes_[config_.id] = true;
  // Alone in its membership, a voter wins at once (a removed candidate's own
  // vote does not count).
  if (IsVoter(config_.id) && votes_.size() >= Quorum()) {
    BecomeLeader();
    return;
  }
  for (NodeId v : membership_.voters) {
    if (v == config_.id) continue;
    Message m;
    m.type = MessageType::kVote;
    m.to = v;
    m.term = current_term_;
    m.index = last_index();
    m.log_term = LastTerm();
    m.leadership_transfer = transfer;
    Send(std::move(m));
  }
}

void RaftCore::Impl::BecomeLeader() {
  role_ = Role::kLeader;
  leader_ = config_.id;
  votes_.clear();
  peers_.clear();
  pending_reads_.clear();
  contexts_.clear();
  became_leader_tick_ = now_;
  heartbeat_elapsed_ = 0;
  election_elapsed_ = 0;
  AbortTransfer();
  SetMembership(membership_);  // creates peers_
  for (auto& [id, peer] : peers_) {
    peer.next = last_index() + 1;
  }
  Entry noop;
  noop.term = current_term_;
  noop.index = last_index() + 1;
  noop.type = EntryType::kNoop;
  AppendToLog(std::move(noop));
  BroadcastAppend(true);
  // A single voter commits once its own entry is durable (see Advance).
}

bool RaftCore::Impl::InLease() const {
  if (role_ == Role::kLeader) return true;
  return leader_ != 0 && election_elapsed_ < config_.election_ticks;
}

void RaftCore::Impl::TallyVote(NodeId from, bool granted, bool pre) {
  if (!IsVoter(from)) return;
  votes_.emplace(from, granted);
  size_t yes = 0;
  size_t no = 0;
  for (const auto& [id, g] : votes_) {
    if (!IsVoter(id)) continue;
    (g ? yes : no) += 1;
  }
  if (yes >= Quorum()) {
    if (pre) {
      StartElection(false);
    } else {
      BecomeLeader();
    }
  } else if (no >= Quorum()) {
    BecomeFollower(current_term_, 0);
  }
}

// ---------------------------------------------------------------------------
// Sending

void RaftCore::Impl::Send(Message m) {
  m.from = config_.id;
  if (m.term == 0) m.term = current_term_;
  messages_.push_back(std::move(m));
}

void RaftCore::Impl::SendAppend(NodeId to, Peer& peer, bool allow_empty) {
  if (peer.state == PeerState::kSnapshot) return;
  if (peer.state == PeerState::kProbe && peer.probe_sent) return;
  if (peer.state == PeerState::kReplicate && peer.inflight.size() >= kMaxInflight) return;
  Index prev = peer.next - 1;
  std::optional<Term> prev_term = TermAt(prev);
  if (!prev_term) {
    if (prev > last_index()) {
      // Should not happen; resynchronize.
      peer.next = last_index() + 1;
      peer.state = PeerState::kProbe;
      return;
    }
    // Compacted away: the host sends its state machine.
    Message m;
    m.type = MessageType::kSnapshot;
    m.to = to;
    peer.state = PeerState::kSnapshot;
    peer.snapshot_sent_tick = now_;
    peer.inflight.clear();
    Send(std::move(m));
    return;
  }
  Message m;
  m.type = MessageType::kAppend;
  m.to = to;
  m.index = prev;
  m.log_term = *prev_term;
  m.commit = commit_index_;
  size_t bytes = 0;
  for (Index i = peer.next; i <= last_index(); ++i) {
    const Entry& e = EntryAt(i);
    if (!m.entries.empty() && (m.entries.size() >= config_.max_entries_per_message ||
                               bytes + EntryBytes(e) > config_.max_bytes_per_message)) {
      break;
    }
    bytes += EntryBytes(e);
    m.entries.push_back(e);
  }
  if (m.entries.empty() && !allow_empty) return;
  if (peer.state == PeerState::kReplicate) {
    if (!m.entries.empty()) {
      peer.next = m.entries.back().index + 1;
      peer.inflight.emplace_back(m.entries.back().index, now_);
    }
  } else {
    peer.probe_sent = true;
  }
  Send(std::move(m));
}

void RaftCore::Impl::BroadcastAppend(bool allow_empty) {
  for (auto& [id, peer] : peers_) SendAppend(id, peer, allow_empty);
}

uint64_t RaftCore::Impl::NextContext() {
  last_context_ = std::max(now_, last_context_ + 1);
  contexts_[last_context_] = now_;
  // Forget contexts too old to matter for the lease.
  while (!contexts_.empty() &&
         contexts_.begin()->second + static_cast<uint64_t>(config_.lease_ticks) <= now_) {
    contexts_.erase(contexts_.begin());
  }
  return last_context_;
}

void RaftCore::Impl::BroadcastHeartbeat(uint64_t context) {
  for (const auto& [id, peer] : peers_) {
    Message m;
    m.type = MessageType::kHeartbeat;
    m.to = id;
    m.commit = std::min(commit_index_, peer.match);
    m.context = context;
    Send(std::move(m));
  }
}

bool RaftCore::Impl::MaybeCommit() {
  if (role_ != Role::kLeader || membership_.voters.empty()) return false;
  std::vector<Index> matches;
  for (NodeId v : membership_.voters) {
    if (v == config_.id) {
      matches.push_back(stable_index_);
    } else {
      auto it = peers_.find(v);
      matches.push_back(it == peers_.end() ? 0 : it->second.match);
    }
  }
  std::sort(matches.begin(), matches.end(), std::greater<Index>());
  Index candidate = matches[Quorum() - 1];
  if (candidate <= commit_index_) return false;
  std::optional<Term> t = TermAt(candidate);
  if (!t || *t != current_term_) return false;  // Raft §5.4.2
  commit_index_ = candidate;
  AfterCommitAdvanced();
  return true;
}

void RaftCore::Impl::AfterCommitAdvanced() {
  if (role_ != Role::kLeader) return;
  if (!IsVoter(config_.id) && config_index_ <= commit_index_) {
    // Removed from the voters, and the removal is committed.
    BecomeFollower(current_term_, 0);
    return;
  }
  BroadcastAppend(true);
}

void RaftCore::Impl::CheckReads() {
  while (!pending_reads_.empty()) {
    const PendingRead& r = pending_reads_.front();
    size_t acks = 0;
    for (NodeId v : membership_.voters) {
      if (v == config_.id) {
        ++acks;
      } else {
        auto it = peers_.find(v);
        if (it != peers_.end() && it->second.acked_context >= r.context) ++acks;
      }
    }
    if (acks < Quorum()) return;
    reads_.push_back(ReadState{r.request_id, r.index});
    pending_reads_.pop_front();
  }
}

// ---------------------------------------------------------------------------
// Inputs

void RaftCore::Impl::Tick() {
  ++now_;
  if (role_ == Role::kLeader) {
    LeaderTick();
    return;
  }
  if (election_elapsed_ < (1 << 30)) ++election_elapsed_;
  if (Promotable() && election_elapsed_ >= randomized_timeout_) {
    StartPreVote();
  }
}

void RaftCore::Impl::LeaderTick() {
  if (transfer_target_ != 0 && ++transfer_elapsed_ >= config_.election_ticks) AbortTransfer();
  // Check-quorum (thesis §6.2): step down once a quorum has been silent for
  // election_ticks.
  size_t active = IsVoter(config_.id) ? 1 : 0;
  for (const auto& [id, peer] : peers_) {
    if (IsVoter(id) &&
        peer.last_heard_tick + static_cast<uint64_t>(config_.election_ticks) > now_) {
      ++active;
    }
  }
  if (active < Quorum()) {
    BecomeFollower(current_term_, 0);
    return;
  }
  if (++heartbeat_elapsed_ >= config_.heartbeat_ticks) {
    heartbeat_elapsed_ = 0;
    BroadcastHeartbeat(NextContext());
  }
}

bool RaftCore::Impl::Valid(const Message& m) const {
  if (m.to != config_.id || m.from == 0 || m.from == config_.id || m.term == 0) return false;
  if (static_cast<int>(m.type) < 0 || m.type > MessageType::kTimeoutNow) return false;
  if (m.type == MessageType::kAppend) {
    if (m.index > UINT64_MAX / 2 || m.entries.size() > UINT64_MAX / 4) return false;
    Term prev_term = m.log_term;
    for (size_t i = 0; i < m.entries.size(); ++i) {
      const Entry& e = m.entries[i];
      if (e.index != m.index + 1 + i || e.term < prev_term || e.term > m.term) return false;
      if (e.type != EntryType::kNormal && e.type != EntryType::kNoop &&
          e.type != EntryType::kConfig) {
        return false;
      }
      prev_term = e.term;
    }
  }
  if (m.type == MessageType::kSnapshot) {
    if (m.snapshot.index == 0 || m.snapshot.term == 0 || m.snapshot.index > UINT64_MAX / 2 ||
        m.snapshot.term > m.term || !ValidMembership(m.snapshot.membership)) {
      return false;
    }
  }
  return true;
}

void RaftCore::Impl::Step(const Message& m) {
  if (!Valid(m)) return;
  const bool vote_request = m.type == MessageType::kPreVote || m.type == MessageType::kVote;
  if (m.term > current_term_) {
    if (vote_request && !m.leadership_transfer && InLease()) {
      return;  // leader stickiness (thesis §9.6)
    }
    if (m.type == MessageType::kPreVote) {
      // Answered below without changing term.
    } else if (m.type == MessageType::kPreVoteResponse && !m.reject) {
      // A grant carries the term we would campaign with.
    } else {
      const bool from_leader = m.type == MessageType::kAppend ||
                               m.type == MessageType::kHeartbeat ||
                               m.type == MessageType::kSnapshot;
      BecomeFollower(m.term, from_leader ? m.from : 0);
    }
  } else if (m.term < current_term_) {
    if (m.type == MessageType::kAppend || m.type == MessageType::kHeartbeat ||
        m.type == MessageType::kSnapshot) {
      // Tell the stale leader about the newer term.
      Message r;
      r.type = MessageType::kAppendResponse;
      r.to = m.from;
      r.reject = true;
      r.reject_hint = last_index();
      Send(std::move(r));
    } else if (m.type == MessageType::kPreVote) {
      Message r;
      r.type = MessageType::kPreVoteResponse;
      r.to = m.from;
      r.reject = true;
      Send(std::move(r));
    }
    return;
  }

  switch (m.type) {
    case MessageType::kPreVote:
    case MessageType::kVote:
      HandleVoteRequest(m);
      return;
    case MessageType::kPreVoteResponse:
      if (role_ == Role::kPreCandidate && m.term == current_term_ + 1) {
        TallyVote(m.from, !m.reject, true);
      } else if (role_ == Role::kPreCandidate && m.reject && m.term == current_term_) {
        TallyVote(m.from, false, true);
      }
      return;
    case MessageType::kVoteResponse:
      if (role_ == Role::kCandidate) TallyVote(m.from, !m.reject, false);
      return;
    case MessageType::kAppend:
    case MessageType::kHeartbeat:
    case MessageType::kSnapshot:
      if (role_ == Role::kLeader) return;  // cannot happen in a correct group
      if (role_ == Role::kCandidate || role_ == Role::kPreCandidate) {
        BecomeFollower(current_term_, m.from);
      }
      leader_ = m.from;
      election_elapsed_ = 0;
      if (m.type == MessageType::kAppend) {
        HandleAppend(m);
      } else if (m.type == MessageType::kHeartbeat) {
        HandleHeartbeat(m);
      } else {
        HandleSnapshot(m);
      }
      return;
    case MessageType::kAppendResponse:
      if (role_ == Role::kLeader) HandleAppendResponse(m);
      return;
    case MessageType::kHeartbeatResponse:
      if (role_ == Role::kLeader) HandleHeartbeatResponse(m);
      return;
    case MessageType::kTimeoutNow:
      if (role_ != Role::kLeader && Promotable()) {
        leader_ = 0;
        StartElection(true);
      }
      return;
  }
}

void RaftCore::Impl::HandleVoteRequest(const Message& m) {
  const bool pre = m.type == MessageType::kPreVote;
  Message r;
  r.type = pre ? MessageType::kPreVoteResponse : MessageType::kVoteResponse;
  r.to = m.from;
  bool grant;
  if (pre) {
    // m.term > current_term_ unless the sender is behind (then reject).
    grant = m.term > current_term_ && IsUpToDate(m.index, m.log_term) &&
            (m.leadership_transfer || !InLease());
  } else {
    const bool can_vote =
        voted_for_ == m.from || (voted_for_ == 0 && (leader_ == 0 || m.leadership_transfer));
    grant = role_ != Role::kLeader && can_vote && IsUpToDate(m.index, m.log_term);
  }
  if (grant) {
    r.term = m.term;
    if (!pre) {
      voted_for_ = m.from;
      election_elapsed_ = 0;
    }
  } else {
    r.reject = true;
  }
  Send(std::move(r));
}

void RaftCore::Impl::HandleAppend(const Message& m) {
  Message r;
  r.type = MessageType::kAppendResponse;
  r.to = m.from;
  if (m.index < commit_index_) {
    // Everything up to commit matches the leader already.
    r.index = commit_index_;
    Send(std::move(r));
    return;
  }
  std::optional<Term> prev_term = TermAt(m.index);
  if (!prev_term || *prev_term != m.log_term) {
    r.reject = true;
    r.index = m.index;
    r.reject_hint = last_index();
    // The conflicting term lets the leader skip a whole term per round trip.
    std::optional<Term> conflict = TermAt(std::min(m.index, last_index()));
    r.log_term = conflict.value_or(0);
    Send(std::move(r));
    return;
  }
  // Find the first entry that is new or conflicts.
  size_t i = 0;
  for (; i < m.entries.size(); ++i) {
    const Entry& e = m.entries[i];
    std::optional<Term> t = TermAt(e.index);
    if (!t) break;  // beyond our log
    if (*t != e.term) {
      if (e.index <= commit_index_) return;  // a leader contradicting a commit: drop
      TruncateFrom(e.index);
      break;
    }
  }
  for (; i < m.entries.size(); ++i) AppendToLog(m.entries[i]);
  Index last_new = m.index + m.entries.size();
  Index new_commit = std::min(m.commit, last_new);
  if (new_commit > commit_index_) commit_index_ = new_commit;
  r.index = last_new;
  Send(std::move(r));
}

void RaftCore::Impl::HandleHeartbeat(const Message& m) {
  Index new_commit = std::min(m.commit, last_index());
  if (new_commit > commit_index_) commit_index_ = new_commit;
  Message r;
  r.type = MessageType::kHeartbeatResponse;
  r.to = m.from;
  r.context = m.context;
  Send(std::move(r));
}

void RaftCore::Impl::HandleSnapshot(const Message& m) {
  Message r;
  r.type = MessageType::kAppendResponse;
  r.to = m.from;
  const SnapshotMeta& s = m.snapshot;
  if (s.index <= commit_index_) {
    r.index = commit_index_;
    Send(std::move(r));
    return;
  }
  std::optional<Term> t = TermAt(s.index);
  if (t && *t == s.term) {
    log_.erase(log_.begin(), log_.begin() + static_cast<std::ptrdiff_t>(s.index - snapshot_index_));
  } else {
    log_.clear();
  }
  snapshot_index_ = s.index;
  snapshot_term_ = s.term;
  base_membership_ = s.membership;
  // The host replaces its log with the snapshot, so kept entries go out again.
  unstable_ = snapshot_index_ + 1;
  stable_index_ = std::min(stable_index_, snapshot_index_);
  commit_index_ = s.index;
  next_apply_ = s.index + 1;
  pending_snapshot_ = s;
  pending_snapshot_data_ = m.snapshot_data;
  RecomputeMembership();
  r.index = s.index;
  Send(std::move(r));
}

void RaftCore::Impl::HandleAppendResponse(const Message& m) {
  auto it = peers_.find(m.from);
  if (it == peers_.end()) return;
  Peer& peer = it->second;
  peer.last_heard_tick = now_;
  if (m.reject) {
    if (m.index <= peer.match || m.index > last_index()) return;              // stale
    if (peer.state == PeerState::kProbe && m.index != peer.next - 1) return;  // stale
    if (peer.state == PeerState::kSnapshot) return;
    Index next = std::min(m.index, m.reject_hint + 1);
    if (m.log_term != 0) {
      // Skip our entries whose term is above the follower's conflicting term.
      Index j = std::min(m.index, m.reject_hint);
      while (j > peer.match && j > snapshot_index_) {
        std::optional<Term> t = TermAt(j);
        if (t && *t <= m.log_term) break;
        --j;
      }
      next = std::min(next, j + 1);
    }
    peer.next = std::max(next, peer.match + 1);
    peer.state = PeerState::kProbe;
    peer.probe_sent = false;
    peer.inflight.clear();
    SendAppend(m.from, peer, true);
    return;
  }
  if (m.index > last_index()) return;  // malformed
  const bool progressed = m.index > peer.match;
  if (progressed) {
    peer.match = m.index;
    peer.next = std::max(peer.next, peer.match + 1);
  }
  while (!peer.inflight.empty() && peer.inflight.front().first <= m.index) {
    peer.inflight.pop_front();
  }
  if (peer.state == PeerState::kProbe || peer.state == PeerState::kSnapshot) {
    if (progressed || peer.state == PeerState::kSnapshot || peer.probe_sent) {
      peer.state = PeerState::kReplicate;
      peer.next = peer.match + 1;
      peer.probe_sent = false;
      peer.inflight.clear();
    }
  }
  if (progressed) MaybeCommit();
  if (role_ != Role::kLeader) return;  // stepped down after its removal committed
  auto again = peers_.find(m.from);
  if (again == peers_.end()) return;
  Peer& p = again->second;
  if (transfer_target_ == m.from && p.match == last_index()) SendTimeoutNow(m.from);
  // Fill the pipeline.
  for (size_t n = 0; n <= kMaxInflight && p.next <= last_index(); ++n) {
    size_t before = messages_.size();
    SendAppend(m.from, p, false);
    if (messages_.size() == before || p.state != PeerState::kReplicate) break;
  }
}

void RaftCore::Impl::HandleHeartbeatResponse(const Message& m) {
  auto it = peers_.find(m.from);
  if (it == peers_.end()) return;
  Peer& peer = it->second;
  peer.last_heard_tick = now_;
  if (m.context <= last_context_ && m.context > peer.acked_context) {
    peer.acked_context = m.context;
    auto c = contexts_.find(m.context);
    if (c != contexts_.end()) peer.ack_tick = c->second;
    CheckReads();
  }
  if (peer.match < last_index()) {
    if (peer.state == PeerState::kProbe) {
      peer.probe_sent = false;
    } else if (peer.state == PeerState::kReplicate && !peer.inflight.empty() &&
               peer.inflight.front().second + 2 * static_cast<uint64_t>(config_.heartbeat_ticks) <=
                   now_) {
      // An append unacknowledged for two heartbeat intervals while heartbeats
      // get through: assume it was lost and probe.
      peer.state = PeerState::kProbe;
      peer.probe_sent = false;
      peer.next = peer.match + 1;
      peer.inflight.clear();
    } else if (peer.state == PeerState::kSnapshot &&
               now_ - peer.snapshot_sent_tick >= static_cast<uint64_t>(config_.election_ticks)) {
      peer.state = PeerState::kProbe;
      peer.probe_sent = false;
      peer.next = peer.match + 1;
    }
    SendAppend(m.from, peer, false);
  }
}

absl::StatusOr<RaftCore::Proposed> RaftCore::Impl::Propose(std::string command) {
  if (role_ != Role::kLeader) return absl::FailedPreconditionError("not the leader");
  if (transfer_target_ != 0) {
    return absl::FailedPreconditionError("leadership transfer in progress");
  }
  Entry e;
  e.term = current_term_;
  e.index = last_index() + 1;
  e.type = EntryType::kNormal;
  e.data = std::move(command);
  Proposed p{e.index, e.term};
  AppendToLog(std::move(e));
  BroadcastAppend(false);
  return p;
}

absl::StatusOr<RaftCore::Proposed> RaftCore::Impl::ProposeMembership(const Membership& next) {
  if (role_ != Role::kLeader) return absl::FailedPreconditionError("not the leader");
  if (transfer_target_ != 0) {
    return absl::FailedPreconditionError("leadership transfer in progress");
  }
  if (config_index_ > commit_index_) {
    return absl::FailedPreconditionError("an earlier membership change is uncommitted");
  }
  if (!ValidMembership(next) || next.voters.empty() || !IsSingleChange(membership_, next)) {
    return absl::InvalidArgumentError("membership change must add, remove or promote one node");
  }
  Entry e;
  e.term = current_term_;
  e.index = last_index() + 1;
  e.type = EntryType::kConfig;
  e.data = EncodeMembership(next);
  Proposed p{e.index, e.term};
  AppendToLog(std::move(e));
  BroadcastAppend(false);
  return p;
}

absl::Status RaftCore::Impl::ReadIndex(uint64_t request_id) {
  if (role_ != Role::kLeader) return absl::FailedPreconditionError("not the leader");
  if (TermAt(commit_index_) != current_term_) {
    return absl::FailedPreconditionError("leader has not committed an entry of its term yet");
  }
  uint64_t context = NextContext();
  pending_reads_.push_back(PendingRead{request_id, commit_index_, context});
  if (!peers_.empty()) BroadcastHeartbeat(context);
  CheckReads();
  return absl::OkStatus();
}

bool RaftCore::Impl::LeaseValid() const {
  if (role_ != Role::kLeader) return false;
  // The transfer target may be elected without waiting out this lease.
  if (transfer_target_ != 0 || timeout_now_term_ == current_term_) return false;
  if (now_ < became_leader_tick_ + static_cast<uint64_t>(config_.election_ticks)) return false;
  if (TermAt(commit_index_) != current_term_) return false;
  size_t acks = 0;
  for (NodeId v : membership_.voters) {
    if (v == config_.id) {
      ++acks;
      continue;
    }
    auto it = peers_.find(v);
    if (it == peers_.end() || !it->second.ack_tick) continue;
    if (*it->second.ack_tick + static_cast<uint64_t>(config_.lease_ticks) > now_) ++acks;
  }
  return acks >= Quorum();
}

absl::Status RaftCore::Impl::TransferLeadership(NodeId target) {
  if (role_ != Role::kLeader) return absl::FailedPreconditionError("not the leader");
  if (target == config_.id) return absl::OkStatus();
  if (!IsVoter(target)) return absl::InvalidArgumentError("transfer target is not a voter");
  auto it = peers_.find(target);
  if (it == peers_.end()) return absl::InvalidArgumentError("unknown transfer target");
  transfer_target_ = target;
  transfer_elapsed_ = 0;
  Peer& peer = it->second;
  if (peer.match == last_index()) {
    SendTimeoutNow(target);
  } else if (peer.state != PeerState::kSnapshot) {
    // Catch the target up now, resending anything that may have been lost.
    peer.state = PeerState::kProbe;
    peer.probe_sent = false;
    peer.next = peer.match + 1;
    peer.inflight.clear();
    SendAppend(target, peer, false);
  }
  return absl::OkStatus();
}

absl::Status RaftCore::Impl::Compact(Index index) {
  if (index > applied_) {
    return absl::InvalidArgumentError("cannot compact beyond the applied index");
  }
  if (index <= snapshot_index_) return absl::OkStatus();
  // The membership as of index becomes the base.
  for (Index i = index; i > snapshot_index_; --i) {
    const Entry& e = EntryAt(i);
    if (e.type != EntryType::kConfig) continue;
    absl::StatusOr<Membership> m = DecodeMembership(e.data);
    if (m.ok() && ValidMembership(*m)) {
      base_membership_ = *m;
      break;
    }
  }
  Term t = EntryAt(index).term;
  log_.erase(log_.begin(), log_.begin() + static_cast<std::ptrdiff_t>(index - snapshot_index_));
  snapshot_index_ = index;
  snapshot_term_ = t;
  if (config_index_ <= index) config_index_ = 0;
  return absl::OkStatus();
}

bool RaftCore::Impl::HasReady() const {
  HardState hs{current_term_, voted_for_, commit_index_};
  return !(hs == emitted_hs_) || pending_snapshot_ || unstable_ <= last_index() ||
         next_apply_ <= commit_index_ || !messages_.empty() || !reads_.empty();
}

Ready RaftCore::Impl::TakeReady() {
  Ready ready;
  HardState hs{current_term_, voted_for_, commit_index_};
  if (!(hs == emitted_hs_)) {
    ready.hard_state = hs;
    emitted_hs_ = hs;
  }
  if (pending_snapshot_) {
    ready.snapshot = std::move(*pending_snapshot_);
    ready.snapshot_data = std::move(pending_snapshot_data_);
    pending_snapshot_.reset();
    pending_snapshot_data_.clear();
  }
  for (Index i = std::max(unstable_, first_index()); i <= last_index(); ++i) {
    ready.entries.push_back(EntryAt(i));
  }
  unstable_ = last_index() + 1;
  for (Index i = std::max(next_apply_, first_index()); i <= commit_index_; ++i) {
    ready.committed.push_back(EntryAt(i));
  }
  next_apply_ = std::max(next_apply_, commit_index_ + 1);
  ready.messages = std::move(messages_);
  messages_.clear();
  ready.reads = std::move(reads_);
  reads_.clear();
  return ready;
}

void RaftCore::Impl::Advance(const Ready& ready) {
  // Readys are handled in order, so everything below the first entry of this
  // one is durable already. A truncation after TakeReady lowered unstable_;
  // only the prefix below it is known to match what the host wrote.
  if (ready.snapshot) {
    applied_ = std::max(applied_, ready.snapshot->index);
    stable_index_ = std::max(stable_index_, std::min(ready.snapshot->index, unstable_ - 1));
  }
  if (!ready.entries.empty()) {
    stable_index_ = std::max(stable_index_, std::min(ready.entries.back().index, unstable_ - 1));
  }
  if (!ready.committed.empty()) {
    applied_ = std::max(applied_, ready.committed.back().index);
  }
  if (role_ == Role::kLeader) MaybeCommit();
}

std::vector<Progress> RaftCore::Impl::progress() const {
  std::vector<Progress> out;
  if (role_ != Role::kLeader) return out;
  Progress self;
  self.id = config_.id;
  self.match = stable_index_;
  self.next = last_index() + 1;
  self.learner = IsLearner(config_.id);
  out.push_back(self);
  for (const auto& [id, peer] : peers_) {
    Progress p;
    p.id = id;
    p.match = peer.match;
    p.next = peer.next;
    p.learner = IsLearner(id);
    out.push_back(p);
  }
  std::sort(
      out.begin(), out.end(), [](const Progress& a, const Progress& b) { return a.id < b.id; });
  return out;
}

// ---------------------------------------------------------------------------
// RaftCore forwards to Impl.

RaftCore::RaftCore(const Config& config, PersistedState state)
    : impl_(std::make_unique<Impl>(config, std::move(state))) {}
RaftCore::~RaftCore() = default;
void RaftCore::Tick() { impl_->Tick(); }
void RaftCore::Step(const Message& message) { impl_->Step(message); }
absl::StatusOr<RaftCore::Proposed> RaftCore::Propose(std::string command) {
  return impl_->Propose(std::move(command));
}
absl::StatusOr<RaftCore::Proposed> RaftCore::ProposeMembership(const Membership& next) {
  return impl_->ProposeMembership(next);
}
absl::Status RaftCore::ReadIndex(uint64_t request_id) { return impl_->ReadIndex(request_id); }
bool RaftCore::LeaseValid() const { return impl_->LeaseValid(); }
absl::Status RaftCore::TransferLeadership(NodeId target) {
  return impl_->TransferLeadership(target);
}
absl::Status RaftCore::Compact(Index index) { return impl_->Compact(index); }
bool RaftCore::HasReady() const { return impl_->HasReady(); }
Ready RaftCore::TakeReady() { return impl_->TakeReady(); }
void RaftCore::Advance(const Ready& ready) { impl_->Advance(ready); }
NodeId RaftCore::id() const { return impl_->id(); }
Role RaftCore::role() const { return impl_->role(); }
Term RaftCore::term() const { return impl_->term(); }
NodeId RaftCore::leader_hint() const { return impl_->leader_hint(); }
Index RaftCore::commit_index() const { return impl_->commit_index(); }
Index RaftCore::applied_index() const { return impl_->applied_index(); }
Index RaftCore::last_index() const { return impl_->last_index(); }
Index RaftCore::first_index() const { return impl_->first_index(); }
const Membership& RaftCore::membership() const { return impl_->membership(); }
std::vector<Progress> RaftCore::progress() const { return impl_->progress(); }
uint64_t RaftCore::elections_started() const { return impl_->elections_started(); }

}  // namespace tern::replication
