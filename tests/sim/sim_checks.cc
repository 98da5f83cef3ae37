// Invariants checked after every event, and the checks at the end of a seed.
#include "tests/sim/sim_internal.h"

namespace tern::sim::internal {

// ---------------------------------------------------------------- checks

void Simulation::OnAppend(Host& h, const std::vector<Entry>& entries) {
  const DiskState& d = h.disk.current();
  for (const Entry& e : entries) {
    EntryId id;
    id.data_hash = HashEntry(e);
    Index prev = e.index - 1;
    if (prev == 0 || prev >= d.snapshot.index) {
      id.prev_term = prev == 0 ? 0 : d.TermAt(prev);
      id.prev_known = true;
    }
    auto [it, inserted] = entries_.emplace(std::make_pair(e.index, e.term), id);
    if (inserted) continue;
    EntryId& known = it->second;
    if (known.data_hash != id.data_hash) {
      Fail("log matching",
           absl::StrCat("node ",
                        h.id,
                        " appended a different entry at index ",
                        e.index,
                        " term ",
                        e.term,
                        " ('",
                        e.data,
                        "') than another replica"));
      return;
    }
    if (known.prev_known && id.prev_known && known.prev_term != id.prev_term) {
      Fail("log matching",
           absl::StrCat("node ",
                        h.id,
                        ": entry ",
                        e.index,
                        " term ",
                        e.term,
                        " follows term ",
                        id.prev_term,
                        " here but term ",
                        known.prev_term,
                        " elsewhere"));
      return;
    }
    if (!known.prev_known && id.prev_known) known = id;
  }
}

void Simulation::RecordCommits(Host& h) {
  if (!h.core || h.core->role() != Role::kLeader) return;
  Index commit = h.core->commit_index();
  while (commit_terms_.size() < commit) commit_terms_.push_back(h.core->term());
}

void Simulation::OnApply(Host& h, const Entry& e) {
  RecordCommits(h);
  CommittedEntry c{e.term, HashEntry(e), StateHash(h)};
  auto [it, inserted] = committed_.emplace(e.index, c);
  if (!inserted) {
    if (it->second.term != c.term || it->second.data_hash != c.data_hash) {
      Fail("state machine safety",
           absl::StrCat("node ",
                        h.id,
                        " applied entry ",
                        e.index,
                        " term ",
                        e.term,
                        " but another replica applied term ",
                        it->second.term,
                        " (or different data) there"));
      return;
    }
    if (it->second.state_hash != c.state_hash) {
      Fail("state machine safety",
           absl::StrCat("node ",
                        h.id,
                        ": state after applying ",
                        e.index,
                        " differs from another replica's"));
      return;
    }
    return;
  }
  if (e.type == EntryType::kNormal) {
    std::vector<absl::string_view> parts = absl::StrSplit(e.data, ' ');
    if (parts.size() >= 2) {
      uint64_t id = 0;
      for (char ch : parts[1]) id = id * 10 + static_cast<uint64_t>(ch - '0');
      applied_ops_.insert(id);
    }
  }
  // A newly known committed entry must be in every settled leader of a term
  // after the one that committed it.
  Term commit_term = CommitTerm(e.index);
  for (int i = 1; i <= nodes_; ++i) {
    Host& l = hosts_[i];
    if (l.core && l.core->role() == Role::kLeader &&
        l.completeness_checked_term == l.core->term() && commit_term != 0 &&
        l.core->term() > commit_term) {
      CheckLeaderHas(l, e.index, c);
    }
  }
}

void Simulation::CheckLeaderHas(Host& h, Index index, const CommittedEntry& c) {
  const DiskState& d = h.disk.current();
  if (index <= d.snapshot.index) return;
  const Entry* e = d.EntryAt(index);
  if (!e || e->term != c.term || HashEntry(*e) != c.data_hash) {
    Fail("leader completeness",
         absl::StrCat("leader ",
                      h.id,
                      " of term ",
                      h.core->term(),
                      " lacks entry ",
                      index,
                      " (term ",
                      c.term,
                      ") committed in term ",
                      CommitTerm(index),
                      "; its log has ",
                      e ? absl::StrCat("term ", e->term) : std::string("nothing"),
                      " there"));
  }
}

// Raft thesis §4.2.2: a server removed by a membership entry that is not yet
// committed may still be elected (it may be needed to commit that entry).
// True when h's latest config entry is uncommitted and the membership before
// it had h as a voter.
bool RemovedButStillElectable(const Host& h, const Membership& initial) {
  const DiskState& disk = h.disk.current();
  std::vector<const Entry*> configs;
  for (auto it = disk.log.rbegin(); it != disk.log.rend() && configs.size() < 2; ++it) {
    if (it->type == replication::EntryType::kConfig) configs.push_back(&*it);
  }
  if (configs.empty() || configs[0]->index <= h.core->commit_index()) return false;
  Membership before = disk.snapshot.membership;
  if (configs.size() > 1) {
    absl::StatusOr<Membership> decoded = replication::DecodeMembership(configs[1]->data);
    if (!decoded.ok()) return false;
    before = *decoded;
  } else if (disk.snapshot.index == 0) {
    before = initial;
  }
  return std::find(before.voters.begin(), before.voters.end(), h.id) != before.voters.end();
}

void Simulation::CheckInvariants() {
  if (failed_) return;
  for (int i = 1; i <= nodes_; ++i) {
    if (hosts_[i].core) max_commit_ = std::max(max_commit_, hosts_[i].core->commit_index());
  }
  NodeId lease_holder = 0;
  for (int i = 1; i <= nodes_ && !failed_; ++i) {
    Host& h = hosts_[i];
    if (!h.core) continue;
    RaftCore& core = *h.core;
    Term term = core.term();
    bool leader = core.role() == Role::kLeader;
    RecordCommits(h);
    if (leader) {
      auto [it, inserted] = leaders_.emplace(term, h.id);
      if (inserted) {
        Trace("leader", h.id, term);
        const std::vector<NodeId>& voters = core.membership().voters;
        if (std::find(voters.begin(), voters.end(), h.id) == voters.end() &&
            !RemovedButStillElectable(h, initial_)) {
          Fail("election safety",
               absl::StrCat("node ", h.id, " leads term ", term, " but is not a voter"));
          return;
        }
      } else if (it->second != h.id) {
        Fail("election safety",
             absl::StrCat("nodes ", it->second, " and ", h.id, " both led term ", term));
        return;
      }
    }
    Index commit = core.commit_index();
    if (h.applied > commit) {
      Fail("monotonic commit",
           absl::StrCat("node ", h.id, " applied ", h.applied, " beyond its commit ", commit));
      return;
    }
    if (commit < h.last_commit) {
      Fail("monotonic commit",
           absl::StrCat("node ", h.id, ": commit index went from ", h.last_commit, " to ", commit));
      return;
    }
    h.last_commit = commit;
    max_commit_ = std::max(max_commit_, commit);
    if (core.LeaseValid()) {
      if (!leader) {
        Fail("lease safety", absl::StrCat("node ", h.id, " has a valid lease but is not leader"));
        return;
      }
      if (lease_holder != 0) {
        Fail("lease safety",
             absl::StrCat("nodes ", lease_holder, " and ", h.id, " both hold a valid lease"));
        return;
      }
      lease_holder = h.id;
      // A lease read is served at the holder's commit index: if anything
      // beyond it is committed (by a newer leader), that read would be stale.
      if (commit < max_commit_) {
        Fail("lease safety",
             absl::StrCat("node ",
                          h.id,
                          " holds a valid lease in term ",
                          term,
                          " at commit ",
                          commit,
                          " but index ",
                          max_commit_,
                          " is committed"));
        return;
      }
    }
    if (leader && h.completeness_checked_term != term && !h.inflight && !core.HasReady()) {
      h.completeness_checked_term = term;
      for (const auto& [index, c] : committed_) {
        Term commit_term = CommitTerm(index);
        if (commit_term != 0 && commit_term < term) CheckLeaderHas(h, index, c);
        if (failed_) return;
      }
    }
  }
}

std::string Simulation::DescribeReplicas() const {
  std::string s;
  for (int i = 1; i <= nodes_; ++i) {
    const Host& h = hosts_[i];
    absl::StrAppend(&s, "\n    node ", h.id, ": ");
    if (!h.core) {
      absl::StrAppend(&s, "down");
      continue;
    }
    const DiskState& d = h.disk.current();
    const Membership& m = h.core->membership();
    absl::StrAppend(&s,
                    replication::RoleName(h.core->role()),
                    " term ",
                    h.core->term(),
                    " vote ",
                    d.hard_state.vote,
                    " leader_hint ",
                    h.core->leader_hint(),
                    " commit ",
                    h.core->commit_index(),
                    " applied ",
                    h.applied,
                    " log (",
                    d.snapshot.index,
                    ", ",
                    d.last_index(),
                    "] last term ",
                    d.TermAt(d.last_index()),
                    " voters {",
                    absl::StrJoin(m.voters, ","),
                    "} learners {",
                    absl::StrJoin(m.learners, ","),
                    "}; tail:");
    Index from = d.last_index() > d.snapshot.index + 5 ? d.last_index() - 4 : d.snapshot.index + 1;
    for (Index i2 = from; i2 <= d.last_index(); ++i2) {
      const Entry* e = d.EntryAt(i2);
      absl::StrAppend(&s, " ", i2, "@", e->term);
      if (e->type == EntryType::kConfig) {
        absl::StatusOr<Membership> cm = replication::DecodeMembership(e->data);
        if (cm.ok()) {
          absl::StrAppend(
              &s, "{", absl::StrJoin(cm->voters, ","), "|", absl::StrJoin(cm->learners, ","), "}");
        }
      }
    }
  }
  return s;
}

bool Simulation::Converged() {
  if (membership_phase_ != 0) return false;
  for (const Client& c : clients_) {
    if (!c.finished) return false;
  }
  Host* l = FindLeader();
  if (!l || l->inflight || l->applied_term != l->core->term()) return false;
  Index commit = l->core->commit_index();
  if (l->applied != commit) return false;
  const Membership& m = l->core->membership();
  for (const std::vector<NodeId>* list : {&m.voters, &m.learners}) {
    for (NodeId id : *list) {
      Host& h = hosts_[id];
      if (!h.core || h.applied != commit || h.inflight) return false;
    }
  }
  return true;
}

void Simulation::FinalChecks() {
  // Every replica in the final membership holds the same state.
  Host* l = FindLeader();
  uint64_t want = StateHash(*l);
  const Membership& m = l->core->membership();
  for (const std::vector<NodeId>* list : {&m.voters, &m.learners}) {
    for (NodeId id : *list) {
      if (StateHash(hosts_[id]) != want) {
        Fail("convergence",
             absl::StrCat(
                 "node ", id, " differs from leader ", l->id, " at applied index ", l->applied));
        return;
      }
    }
  }
  // Every acknowledged write is in the log.
  for (const Op& op : history_) {
    if (op.outcome != Outcome::kOk || op.type == OpType::kGet) continue;
    if (!applied_ops_.count(op.id)) {
      Fail("durability", absl::StrCat("acknowledged ", OpString(op), " was never applied"));
      return;
    }
  }
  LinearizabilityResult lin = CheckLinearizable(history_);
  result_.ops_checked = lin.ops_checked;
  result_.lin_states = lin.states;
  if (!lin.ok) {
    Fail("linearizability", absl::StrCat("history of key ", lin.key, ":\n", lin.details));
  }
}

}  // namespace tern::sim::internal
