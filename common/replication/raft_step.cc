// Ticks and message handling of the Raft core (see raft_impl.h).
#include <algorithm>
#include <utility>

#include "common/base/check.h"
#include "common/replication/raft_impl.h"

namespace tern::replication {

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

}  // namespace tern::replication
