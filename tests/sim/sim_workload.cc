// Clients and the nemesis of the simulator.
#include "tests/sim/sim_internal.h"

namespace tern::sim::internal {

// ---------------------------------------------------------------- clients

void Simulation::StartOp(Client& c) {
  if (queue_.now() >= kWorkloadEnd) {
    c.finished = true;
    return;
  }
  std::vector<int> keys;
  for (int k = 0; k < kKeys; ++k) {
    if (key_ops_[k] < kMaxOpsPerKey) keys.push_back(k);
  }
  if (keys.empty()) {
    c.finished = true;
    return;
  }
  int k = keys[client_rng_.Uniform(keys.size())];
  ++key_ops_[k];
  Op op;
  op.id = next_op_id_++;
  op.client = c.id;
  op.key = absl::StrCat("k", k);
  op.invoke = queue_.now();
  uint64_t r = client_rng_.Uniform(100);
  if (r < 35) {
    op.type = OpType::kPut;
    op.value = absl::StrCat("v", op.id);
  } else if (r < 55) {
    op.type = OpType::kCas;
    op.value = absl::StrCat("v", op.id);
    op.expected = client_rng_.Chance(0.7) ? c.seen[op.key] : std::string();
  } else {
    op.type = OpType::kGet;
    uint64_t p = client_rng_.Uniform(3);
    op.path = p == 0 ? ReadPath::kLog : p == 1 ? ReadPath::kReadIndex : ReadPath::kLease;
    if (op.path == ReadPath::kLog) ++result_.log_reads;
  }
  history_.push_back(op);
  size_t index = history_.size() - 1;
  c.current = index;
  c.target = c.guess;
  Trace("invoke", static_cast<uint64_t>(c.id), op.id, static_cast<uint64_t>(op.type), c.target);
  uint64_t op_id = op.id;
  Client* cp = &c;
  queue_.After(kOpTimeout, [this, cp, op_id] {
    if (cp->current && history_[*cp->current].id == op_id) {
      cp->guess = static_cast<NodeId>(client_rng_.Range(1, nodes_));
      FinishOp(*cp, Outcome::kUnknown);
    }
  });
  SendAttempt(c);
}

void Simulation::SendAttempt(Client& c) {
  const Op& op = history_[*c.current];
  ClientRequest req;
  req.op_id = op.id;
  req.client = c.id;
  req.attempt = ++c.attempt;
  req.type = op.type;
  req.path = op.path;
  req.key = op.key;
  req.value = op.value;
  req.expected = op.expected;
  Host* h = &hosts_[c.target];
  queue_.After(client_rng_.Range(100, 2000), [this, h, req] {
    if (!h->core) return;
    Trace("request", h->id, req.op_id, req.attempt);
    Input(*h, [this, h, req] { HandleClient(*h, req); });
  });
}

void Simulation::OnResponse(Client& c, uint64_t op_id, uint64_t attempt, const Response& resp) {
  if (!c.current || history_[*c.current].id != op_id || c.attempt != attempt) return;
  Trace("response", static_cast<uint64_t>(c.id), op_id, static_cast<uint64_t>(resp.status));
  Op& op = history_[*c.current];
  if (resp.status == RespStatus::kOk) {
    op.result = resp.result;
    op.cas_ok = resp.cas_ok;
    if (op.type == OpType::kGet) c.seen[op.key] = resp.result;
    if (op.type == OpType::kPut || (op.type == OpType::kCas && resp.cas_ok)) {
      c.seen[op.key] = op.value;
    }
    FinishOp(c, Outcome::kOk);
    return;
  }
  // Definitely not executed: retry, at the hinted leader when there is one.
  NodeId next = resp.hint;
  if (next == 0 || next == c.target) {
    next = static_cast<NodeId>(client_rng_.Range(1, nodes_ - 1));
    if (next >= c.target) ++next;
  }
  c.target = next;
  c.guess = next;
  Client* cp = &c;
  queue_.After(client_rng_.Range(1, 10) * kMs, [this, cp, op_id] {
    if (cp->current && history_[*cp->current].id == op_id) SendAttempt(*cp);
  });
}

void Simulation::FinishOp(Client& c, Outcome outcome) {
  Op& op = history_[*c.current];
  op.outcome = outcome;
  if (outcome == Outcome::kOk) {
    op.complete = queue_.now();
    ++result_.ops_ok;
    c.guess = c.target;
  } else {
    ++result_.ops_unknown;
  }
  Trace("complete", static_cast<uint64_t>(c.id), op.id, static_cast<uint64_t>(outcome));
  c.current.reset();
  ++c.attempt;  // later responses to this op are stale
  Client* cp = &c;
  queue_.After(client_rng_.Range(1, 30) * kMs, [this, cp] { StartOp(*cp); });
}

// ---------------------------------------------------------------- nemesis

void Simulation::ScheduleNemesis() {
  Time t = kFaultStart;
  while (true) {
    t += nemesis_rng_.Range(30, 200) * kMs;
    if (t >= kFaultEnd) break;
    queue_.At(t, [this] { NemesisStep(); });
  }
  queue_.At(kFaultEnd, [this] { Heal(); });
}

void Simulation::NemesisStep() {
  if (healed_) return;
  uint64_t r = nemesis_rng_.Uniform(100);
  if (r < 20) {  // crash a node, restart it later
    NodeId id = static_cast<NodeId>(nemesis_rng_.Range(1, nodes_));
    if (nemesis_rng_.Chance(0.6)) {
      // Prefer a replica with unsynced writes, so that crashes lose some.
      for (int i = 1; i <= nodes_; ++i) {
        if (hosts_[i].core && hosts_[i].disk.unsynced() > 0) id = static_cast<NodeId>(i);
      }
    }
    Host* h = &hosts_[id];
    if (!h->core) return;
    Crash(*h);
    uint64_t incarnation = h->incarnation;
    queue_.After(nemesis_rng_.Range(10, 500) * kMs, [this, h, incarnation] {
      if (!h->core && h->incarnation == incarnation) Start(*h);
    });
  } else if (r < 30) {  // crash a node while its writes wait for fsync
    NodeId id = static_cast<NodeId>(nemesis_rng_.Range(1, nodes_));
    hosts_[id].crash_at_next_fsync = true;
    Trace("arm-crash", id);
  } else if (r < 44) {  // symmetric partition
    std::vector<NodeId> side;
    size_t size = nemesis_rng_.Range(1, nodes_ / 2);
    while (side.size() < size) {
      NodeId id = static_cast<NodeId>(nemesis_rng_.Range(1, nodes_));
      if (std::find(side.begin(), side.end(), id) == side.end()) side.push_back(id);
    }
    network_->HealAll();
    network_->Isolate(side);
    ++result_.partitions;
    Trace("partition", side[0], side.size() > 1 ? side[1] : 0);
    queue_.After(nemesis_rng_.Range(50, 600) * kMs, [this] {
      if (!healed_) {
        network_->HealAll();
        Trace("heal-network");
      }
    });
  } else if (r < 52) {  // asymmetric cuts
    int cuts = static_cast<int>(nemesis_rng_.Range(1, nodes_));
    for (int i = 0; i < cuts; ++i) {
      NodeId a = static_cast<NodeId>(nemesis_rng_.Range(1, nodes_));
      NodeId b = static_cast<NodeId>(nemesis_rng_.Range(1, nodes_));
      if (a == b) continue;
      network_->Cut(a, b);
      Trace("cut", a, b);
    }
    ++result_.partitions;
    queue_.After(nemesis_rng_.Range(50, 600) * kMs, [this] {
      if (!healed_) {
        network_->HealAll();
        Trace("heal-network");
      }
    });
  } else if (r < 63) {  // loss and duplication spike
    uint64_t drop = nemesis_rng_.Range(5, 50);
    uint64_t dup = nemesis_rng_.Range(0, 30);
    network_->SetLoss(static_cast<double>(drop) / 100, static_cast<double>(dup) / 100);
    Trace("loss", drop, dup);
    queue_.After(nemesis_rng_.Range(50, 400) * kMs, [this] {
      if (!healed_) network_->SetLoss(0, 0);
    });
  } else if (r < 68) {  // latency spike
    network_->SetExtraDelay(nemesis_rng_.Range(5, 40) * kMs);
    Trace("slow");
    queue_.After(nemesis_rng_.Range(50, 400) * kMs, [this] {
      if (!healed_) network_->SetExtraDelay(0);
    });
  } else if (r < 85) {  // leadership transfer
    Host* l = FindLeader();
    if (!l) return;
    const std::vector<NodeId>& voters = l->core->membership().voters;
    if (voters.size() < 2) return;
    NodeId target = voters[nemesis_rng_.Uniform(voters.size())];
    if (target == l->id) return;
    ++result_.transfers;
    Trace("transfer", l->id, target);
    Input(*l, [l, target] { (void)l->core->TransferLeadership(target); });
  } else {  // membership change: remove a voter, re-add it as learner, promote it
    if (membership_phase_ != 0) return;
    Host* l = FindLeader();
    if (!l) return;
    const std::vector<NodeId>& voters = l->core->membership().voters;
    if (voters.size() < 3) return;
    NodeId target = voters[nemesis_rng_.Uniform(voters.size())];
    if (target == l->id && !remove_leader_) return;
    membership_phase_ = 1;
    membership_target_ = target;
    learner_rounds_ = 0;
    Trace("membership-start", target);
    MembershipStep();
  }
}

void Simulation::MembershipStep() {
  if (membership_phase_ == 0 || failed_) return;
  queue_.After(30 * kMs, [this] { MembershipStep(); });
  Host* l = FindLeader();
  if (!l) return;
  Membership m = l->core->membership();
  NodeId v = membership_target_;
  bool voter = std::find(m.voters.begin(), m.voters.end(), v) != m.voters.end();
  bool learner = std::find(m.learners.begin(), m.learners.end(), v) != m.learners.end();
  Membership next = m;
  if (membership_phase_ == 1) {
    if (!voter && !learner) {
      membership_phase_ = 2;
      return;
    }
    if (v == l->id && !remove_leader_) {
      // The replica to remove leads now: hand leadership to another voter first.
      for (NodeId other : m.voters) {
        if (other == v) continue;
        Trace("transfer", l->id, other);
        Input(*l, [l, other] { (void)l->core->TransferLeadership(other); });
        break;
      }
      return;
    }
    next.voters.erase(std::remove(next.voters.begin(), next.voters.end(), v), next.voters.end());
    next.learners.erase(std::remove(next.learners.begin(), next.learners.end(), v),
                        next.learners.end());
  } else {
    if (voter) {
      membership_phase_ = 0;
      Trace("membership-done", v);
      return;
    }
    if (learner) {
      if (++learner_rounds_ < 3) return;  // let it catch up a little
      next.learners.erase(std::remove(next.learners.begin(), next.learners.end(), v),
                          next.learners.end());
      next.voters.push_back(v);
      std::sort(next.voters.begin(), next.voters.end());
    } else {
      next.learners.push_back(v);
      std::sort(next.learners.begin(), next.learners.end());
    }
  }
  Trace("membership-propose", l->id, next.voters.size(), next.learners.size(), v);
  Input(*l, [this, l, next] {
    if (l->core->ProposeMembership(next).ok()) ++result_.membership_changes;
  });
}

void Simulation::Heal() {
  healed_ = true;
  network_->HealAll();
  network_->SetLoss(0, 0);
  network_->SetExtraDelay(0);
  Trace("heal-all");
  for (int i = 1; i <= nodes_; ++i) {
    hosts_[i].crash_at_next_fsync = false;
    if (!hosts_[i].core) Start(hosts_[i]);
  }
}

}  // namespace tern::sim::internal
