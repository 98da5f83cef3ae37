#include "common/replication/raft.h"

#include <algorithm>
#include <utility>

#include "common/base/check.h"
#include "common/replication/raft_impl.h"

namespace tern::replication {

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

absl::StatusOr<std::vector<RaftCore::Proposed>> RaftCore::Impl::ProposeAll(
    std::vector<std::string> commands) {
  if (role_ != Role::kLeader) return absl::FailedPreconditionError("not the leader");
  if (transfer_target_ != 0) {
    return absl::FailedPreconditionError("leadership transfer in progress");
  }
  std::vector<Proposed> proposed;
  proposed.reserve(commands.size());
  for (std::string& command : commands) {
    Entry e;
    e.term = current_term_;
    e.index = last_index() + 1;
    e.type = EntryType::kNormal;
    e.data = std::move(command);
    proposed.push_back(Proposed{e.index, e.term});
    AppendToLog(std::move(e));
  }
  // One append message per peer for the lot, not one per command.
  if (!proposed.empty()) BroadcastAppend(false);
  return proposed;
}

absl::StatusOr<RaftCore::Proposed> RaftCore::Impl::ProposeMembership(const Membership& next) {
  if (role_ != Role::kLeader) return absl::FailedPreconditionError("not the leader");
  if (transfer_target_ != 0) {
    return absl::FailedPreconditionError("leadership transfer in progress");
  }
  if (config_index_ > commit_index_) {
    return absl::FailedPreconditionError("an earlier membership change is uncommitted");
  }
  // A change an earlier leader appended on some replicas and did not commit
  // is not in this leader's log, so the check above does not see it. Both
  // changes are single ones from the same membership, but not from each
  // other: their majorities need not overlap, and each could commit. Once
  // an entry of this term commits, that older change never can (a log
  // holding it lacks the committed entry).
  if (TermAt(commit_index_) != current_term_) {
    return absl::FailedPreconditionError(
        "leader has not committed an entry of its term yet; retry the membership change");
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

bool RaftCore::Impl::ReadyNeedsSync() const {
  return current_term_ != emitted_hs_.term || voted_for_ != emitted_hs_.vote ||
         pending_snapshot_.has_value() || unstable_ <= last_index();
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
  // Readys with entries or a snapshot are handled in order, so everything
  // below the first entry of this one is durable already (one without may
  // be advanced before an earlier one: see ReadyNeedsSync). A truncation
  // after TakeReady lowered unstable_; only the prefix below it is known to
  // match what the host wrote.
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
  std::vector<std::string> commands;
  commands.push_back(std::move(command));
  absl::StatusOr<std::vector<Proposed>> proposed = impl_->ProposeAll(std::move(commands));
  if (!proposed.ok()) return proposed.status();
  return proposed->front();
}
absl::StatusOr<std::vector<RaftCore::Proposed>> RaftCore::ProposeAll(
    std::vector<std::string> commands) {
  return impl_->ProposeAll(std::move(commands));
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
bool RaftCore::ReadyNeedsSync() const { return impl_->ReadyNeedsSync(); }
Ready RaftCore::TakeReady() { return impl_->TakeReady(); }
void RaftCore::Advance(const Ready& ready) { impl_->Advance(ready); }
NodeId RaftCore::id() const { return impl_->id(); }
Role RaftCore::role() const { return impl_->role(); }
Term RaftCore::term() const { return impl_->term(); }
NodeId RaftCore::leader_hint() const { return impl_->leader_hint(); }
Index RaftCore::commit_index() const { return impl_->commit_index(); }
Index RaftCore::applied_index() const { return impl_->applied_index(); }
Index RaftCore::stable_index() const { return impl_->stable_index(); }
Index RaftCore::last_index() const { return impl_->last_index(); }
Index RaftCore::first_index() const { return impl_->first_index(); }
const Membership& RaftCore::membership() const { return impl_->membership(); }
std::vector<Progress> RaftCore::progress() const { return impl_->progress(); }
uint64_t RaftCore::elections_started() const { return impl_->elections_started(); }

}  // namespace tern::replication
