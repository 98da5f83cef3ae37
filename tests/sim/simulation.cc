#include "tests/sim/simulation.h"

#include "tests/sim/sim_internal.h"

namespace tern::sim {

std::string ReplayCommand(uint64_t seed) {
  return absl::StrCat("build/release/tests/sim_test --gtest_filter=SimTest.Seeds --seed=",
                      seed,
                      "   (or TERN_SIM_SEED=",
                      seed,
                      ")");
}

namespace internal {

// ---------------------------------------------------------------- tracing

void Simulation::Trace(
    const char* what, uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e) {
  TraceRecord r{queue_.now(), what, {a, b, c, d, e}};
  trace_hash_.Add(r.time);
  trace_hash_.AddBytes(absl::string_view(what));
  for (uint64_t v : r.args) trace_hash_.Add(v);
  if (tail_.size() < kTraceTail) {
    tail_.push_back(r);
  } else {
    tail_[tail_pos_] = r;
  }
  tail_pos_ = (tail_pos_ + 1) % kTraceTail;
  if (options_.trace) *options_.trace << FormatRecord(r) << "\n";
}

std::string Simulation::FormatRecord(const TraceRecord& r) const {
  std::string s = absl::StrCat("  t=", r.time / 1000, ".", r.time % 1000 / 100, "ms ", r.what);
  if (absl::string_view(r.what) == "deliver") {
    // from, to, type, term, index * 1000 + number of entries
    absl::StrAppend(&s,
                    " ",
                    r.args[0],
                    "->",
                    r.args[1],
                    " ",
                    replication::MessageTypeName(static_cast<MessageType>(r.args[2])),
                    " term=",
                    r.args[3],
                    " index=",
                    r.args[4] / 1000,
                    " entries=",
                    r.args[4] % 1000);
    return s;
  }
  static const std::map<absl::string_view, const char*> kArgs = {
      {"tick", "node"},
      {"start", "node incarnation term commit snapshot*1e6+entries"},
      {"crash", "node unsynced_writes_lost"},
      {"fsync", "node"},
      {"install-snapshot", "node index term"},
      {"send-snapshot", "from to index term"},
      {"compact", "node index"},
      {"leader", "node term"},
      {"propose", "node op index term"},
      {"lease-read", "node op read_index max_commit"},
      {"read-index", "node op request_id max_commit"},
      {"respond", "node op status(0ok,1notleader,2lost)"},
      {"request", "node op attempt"},
      {"invoke", "client op type(0put,1cas,2get) target"},
      {"response", "client op status"},
      {"complete", "client op outcome(0ok,1fail,2unknown)"},
      {"transfer", "leader target"},
      {"cut", "from to"},
      {"partition", "isolated isolated"},
      {"loss", "drop% dup%"},
      {"arm-crash", "node"},
      {"membership-start", "node"},
      {"membership-propose", "leader voters learners node"},
      {"membership-done", "node"},
  };
  auto it = kArgs.find(r.what);
  std::vector<absl::string_view> names;
  if (it != kArgs.end()) names = absl::StrSplit(it->second, ' ');
  for (size_t i = 0; i < r.args.size(); ++i) {
    if (i >= names.size()) {
      if (r.args[i] != 0) absl::StrAppend(&s, " ", r.args[i]);
      continue;
    }
    absl::StrAppend(&s, " ", names[i], "=", r.args[i]);
  }
  return s;
}

void Simulation::Fail(absl::string_view invariant, absl::string_view details) {
  if (failed_) return;
  failed_ = true;
  std::string s = absl::StrCat("seed ",
                               options_.seed,
                               ": ",
                               invariant,
                               " violated at t=",
                               queue_.now() / 1000,
                               "ms: ",
                               details,
                               "\n  replay: ",
                               ReplayCommand(options_.seed),
                               "\n  last events:\n");
  size_t n = tail_.size();
  for (size_t i = 0; i < n; ++i) {
    const TraceRecord& r = tail_[(tail_pos_ + i) % n];
    absl::StrAppend(&s, FormatRecord(r), "\n");
  }
  result_.ok = false;
  result_.failure = s;
}

// ---------------------------------------------------------------- hosts

void Simulation::Start(Host& h) {
  PersistedState ps = h.disk.Load(initial_);
  replication::Config config;
  config.id = h.id;
  config.election_ticks = 10;
  config.heartbeat_ticks = 2;
  config.lease_ticks = 8;
  config.max_entries_per_message = rng_.Range(1, 64);
  config.max_bytes_per_message = 1 << 20;
  config.random_seed = Mix(options_.seed, h.id * 1000 + h.incarnation + 17);
  ++h.incarnation;
  h.kv.clear();
  h.applied = ps.snapshot.index;
  h.applied_term = ps.snapshot.term;
  h.membership = ps.snapshot.index > 0 ? ps.snapshot.membership : initial_;
  if (ps.snapshot.index > 0 && !Deserialize(h, h.disk.durable().snapshot_data, ps.snapshot.index)) {
    Fail("host", absl::StrCat("node ", h.id, ": durable snapshot does not decode"));
    return;
  }
  Trace("start",
        h.id,
        h.incarnation,
        ps.hard_state.term,
        ps.hard_state.commit,
        ps.snapshot.index * 1000000 + ps.entries.size());
  h.core = std::make_unique<RaftCore>(config, std::move(ps));
  h.last_commit = h.core->commit_index();
  h.completeness_checked_term = 0;
  Pump(h);
}

void Simulation::Crash(Host& h) {
  if (!h.core) return;
  result_.elections_started += h.core->elections_started();
  h.core.reset();
  h.inflight.reset();
  h.inbox.clear();
  h.pending.clear();
  h.read_index.clear();
  h.waiting.clear();
  h.kv.clear();
  ++h.incarnation;
  size_t lost = h.disk.Crash(disk_rng_, crash_loss_probability_);
  result_.writes_lost += lost;
  ++result_.crashes;
  Trace("crash", h.id, lost);
}

void Simulation::Input(Host& h, std::function<void()> fn) {
  if (!h.core || failed_) return;
  if (h.inflight) {
    h.inbox.push_back(std::move(fn));
    return;
  }
  fn();
  Pump(h);
}

void Simulation::Pump(Host& h) {
  while (h.core && !h.inflight && !failed_) {
    if (h.core->HasReady()) {
      Ready rd = h.core->TakeReady();
      bool io = rd.snapshot || !rd.entries.empty() || rd.hard_state;
      if (!Persist(h, rd)) return;
      if (io && disk_rng_.Chance(async_sync_probability_)) {
        // The fsync completes later; everything else waits for it.
        h.inflight = std::move(rd);
        uint64_t incarnation = h.incarnation;
        Host* hp = &h;
        Time latency = disk_rng_.Range(100, 3000);
        if (h.crash_at_next_fsync) {
          h.crash_at_next_fsync = false;
          queue_.After(disk_rng_.Uniform(latency), [this, hp, incarnation] {
            if (hp->incarnation != incarnation || healed_) return;
            Crash(*hp);
            uint64_t down = hp->incarnation;
            queue_.After(nemesis_rng_.Range(10, 300) * kMs, [this, hp, down] {
              if (!hp->core && hp->incarnation == down) Start(*hp);
            });
          });
        }
        queue_.After(latency, [this, hp, incarnation] {
          if (hp->incarnation != incarnation || !hp->inflight || failed_) return;
          Trace("fsync", hp->id);
          Ready ready = std::move(*hp->inflight);
          hp->inflight.reset();
          Finish(*hp, ready, true);
          Pump(*hp);
        });
        return;
      }
      Finish(h, rd, io);
      continue;
    }
    if (!h.inbox.empty()) {
      std::function<void()> fn = std::move(h.inbox.front());
      h.inbox.pop_front();
      fn();
      continue;
    }
    return;
  }
}

bool Simulation::Persist(Host& h, const Ready& rd) {
  if (rd.snapshot) {
    if (!h.disk.InstallSnapshot(*rd.snapshot, rd.snapshot_data)) {
      Fail("host contract", absl::StrCat("node ", h.id, ": bad snapshot"));
      return false;
    }
    Trace("install-snapshot", h.id, rd.snapshot->index, rd.snapshot->term);
  }
  if (!rd.entries.empty()) {
    if (!h.disk.Append(rd.entries)) {
      const DiskState& d = h.disk.current();
      Fail("host contract",
           absl::StrCat("node ",
                        h.id,
                        ": Ready.entries [",
                        rd.entries.front().index,
                        ", ",
                        rd.entries.back().index,
                        "] do not fit the log (snapshot ",
                        d.snapshot.index,
                        ", last ",
                        d.last_index(),
                        ")"));
      return false;
    }
    OnAppend(h, rd.entries);
  }
  if (rd.hard_state) h.disk.SetHardState(*rd.hard_state);
  return true;
}

void Simulation::Finish(Host& h, Ready& rd, bool synced_io) {
  if (synced_io) h.disk.Sync();
  if (h.disk.commit_regressed()) {
    Fail("monotonic commit", absl::StrCat("node ", h.id, ": durable commit went down"));
    return;
  }
  Apply(h, rd);
  if (failed_ || !h.core) return;
  for (Message& m : rd.messages) {
    if (m.from != h.id) {
      Fail("host contract", absl::StrCat("node ", h.id, ": message from ", m.from));
      return;
    }
    if (m.type == MessageType::kSnapshot) {
      m.snapshot.index = h.applied;
      m.snapshot.term = h.applied_term;
      m.snapshot.membership = h.membership;
      m.snapshot_data = Serialize(h);
      ++result_.snapshots_sent;
      Trace("send-snapshot", h.id, m.to, h.applied, h.applied_term);
    }
    network_->Send(m);
  }
  for (const replication::ReadState& rs : rd.reads) {
    auto it = h.read_index.find(rs.request_id);
    if (it == h.read_index.end()) continue;
    WaitingRead w = std::move(it->second);
    h.read_index.erase(it);
    if (rs.index < w.min_commit) {
      Fail("read safety",
           absl::StrCat("node ",
                        h.id,
                        ": ReadIndex for op ",
                        w.request.op_id,
                        " returned index ",
                        rs.index,
                        " but index ",
                        w.min_commit,
                        " was committed when the read began"));
      return;
    }
    w.index = rs.index;
    h.waiting.push_back(std::move(w));
  }
  ServeWaiting(h);
  h.core->Advance(rd);
  MaybeCompact(h);
}

void Simulation::Apply(Host& h, const Ready& rd) {
  if (rd.snapshot) {
    if (rd.snapshot->index < h.applied) {
      Fail("host contract",
           absl::StrCat("node ",
                        h.id,
                        ": Ready.snapshot at ",
                        rd.snapshot->index,
                        " would roll the state machine back from ",
                        h.applied));
      return;
    }
    if (!Deserialize(h, rd.snapshot_data, rd.snapshot->index)) {
      Fail("host contract",
           absl::StrCat(
               "node ", h.id, ": snapshot data does not match meta index ", rd.snapshot->index));
      return;
    }
    h.applied = rd.snapshot->index;
    h.applied_term = rd.snapshot->term;
    h.membership = rd.snapshot->membership;
    auto it = committed_.find(h.applied);
    if (it != committed_.end() && it->second.state_hash != StateHash(h)) {
      Fail("state machine safety",
           absl::StrCat("node ",
                        h.id,
                        ": installed snapshot at ",
                        h.applied,
                        " differs from the state other replicas applied"));
      return;
    }
  }
  for (const Entry& e : rd.committed) {
    if (e.index != h.applied + 1) {
      Fail("host contract",
           absl::StrCat("node ",
                        h.id,
                        ": committed entry ",
                        e.index,
                        " does not follow applied index ",
                        h.applied));
      return;
    }
    std::string result = Execute(h, e);
    h.applied = e.index;
    h.applied_term = e.term;
    ++h.applies_since_compact;
    OnApply(h, e);
    if (failed_) return;
    auto it = h.pending.find(e.index);
    if (it == h.pending.end()) continue;
    std::vector<Pending> pending = std::move(it->second);
    h.pending.erase(it);
    for (const Pending& p : pending) {
      Response resp;
      if (p.term == e.term) {
        resp.status = RespStatus::kOk;
        resp.result = result;
        resp.cas_ok = result == "1";
      } else {
        resp.status = RespStatus::kLost;
        resp.hint = h.core->leader_hint();
      }
      Respond(h, p.request, resp);
    }
  }
}

std::string Simulation::Execute(Host& h, const Entry& e) {
  if (e.type == EntryType::kConfig) {
    absl::StatusOr<Membership> m = replication::DecodeMembership(e.data);
    if (!m.ok()) {
      Fail("host", absl::StrCat("node ", h.id, ": undecodable config entry ", e.index));
      return "";
    }
    h.membership = *m;
    return "";
  }
  if (e.type != EntryType::kNormal) return "";
  std::vector<absl::string_view> parts = absl::StrSplit(e.data, ' ');
  if (parts.size() < 3) {
    Fail("host", absl::StrCat("node ", h.id, ": bad command '", e.data, "'"));
    return "";
  }
  std::string key(parts[2]);
  if (parts[0] == "P" && parts.size() == 4) {
    h.kv[key] = std::string(parts[3]);
    return "ok";
  }
  if (parts[0] == "C" && parts.size() == 5) {
    auto it = h.kv.find(key);
    std::string current = it == h.kv.end() ? std::string() : it->second;
    if (current != FromWire(parts[3])) return "0";
    h.kv[key] = std::string(parts[4]);
    return "1";
  }
  if (parts[0] == "G") {
    auto it = h.kv.find(key);
    return it == h.kv.end() ? std::string() : it->second;
  }
  Fail("host", absl::StrCat("node ", h.id, ": bad command '", e.data, "'"));
  return "";
}

void Simulation::ServeWaiting(Host& h) {
  for (size_t i = 0; i < h.waiting.size();) {
    if (h.waiting[i].index > h.applied) {
      ++i;
      continue;
    }
    WaitingRead w = std::move(h.waiting[i]);
    h.waiting.erase(h.waiting.begin() + static_cast<ptrdiff_t>(i));
    auto it = h.kv.find(w.request.key);
    Response resp;
    resp.result = it == h.kv.end() ? std::string() : it->second;
    Respond(h, w.request, resp);
  }
}

void Simulation::MaybeCompact(Host& h) {
  if (!h.core || h.applies_since_compact < h.compact_every) return;
  if (h.applied <= h.disk.current().snapshot.index) return;
  h.applies_since_compact = 0;
  SnapshotMeta meta;
  meta.index = h.applied;
  meta.term = h.applied_term;
  meta.membership = h.membership;
  if (!h.disk.SaveLocalSnapshot(meta, Serialize(h))) {
    Fail(
        "host",
        absl::StrCat("node ", h.id, ": local snapshot at ", h.applied, " outside the log on disk"));
    return;
  }
  h.disk.Sync();
  Index keep = rng_.Uniform(8);
  Index index = h.applied > keep ? h.applied - keep : h.applied;
  if (index < h.core->first_index()) return;
  absl::Status s = h.core->Compact(index);
  ++result_.compactions;
  Trace("compact", h.id, index);
  if (!s.ok()) {
    Fail("core",
         absl::StrCat("node ",
                      h.id,
                      ": Compact(",
                      index,
                      ") with applied ",
                      h.applied,
                      " failed: ",
                      s.ToString()));
  }
}

std::string Simulation::Serialize(const Host& h) const {
  std::string s = absl::StrCat(h.applied, "\n");
  for (const auto& [k, v] : h.kv) absl::StrAppend(&s, k, "=", v, "\n");
  return s;
}

bool Simulation::Deserialize(Host& h, const std::string& data, Index expected_index) {
  std::vector<absl::string_view> lines = absl::StrSplit(data, '\n', absl::SkipEmpty());
  if (lines.empty() || lines[0] != absl::StrCat(expected_index)) return false;
  h.kv.clear();
  for (size_t i = 1; i < lines.size(); ++i) {
    std::pair<absl::string_view, absl::string_view> kv = absl::StrSplit(lines[i], '=');
    h.kv[std::string(kv.first)] = std::string(kv.second);
  }
  return true;
}

uint64_t Simulation::StateHash(const Host& h) const {
  Hasher hash;
  for (const auto& [k, v] : h.kv) {
    hash.AddBytes(k);
    hash.AddBytes(v);
  }
  return hash.value();
}

void Simulation::Deliver(const Message& m) {
  Host& h = hosts_[m.to];
  if (!h.core) return;
  Trace("deliver",
        m.from,
        m.to,
        static_cast<uint64_t>(m.type),
        m.term,
        m.index * 1000 + m.entries.size());
  Input(h, [&h, m] { h.core->Step(m); });
}

Host* Simulation::FindLeader() {
  Host* best = nullptr;
  for (int i = 1; i <= nodes_; ++i) {
    Host& h = hosts_[i];
    if (!h.core || h.core->role() != Role::kLeader) continue;
    if (!best || h.core->term() > best->core->term()) best = &h;
  }
  return best;
}

// ---------------------------------------------------------------- client side of hosts

void Simulation::HandleClient(Host& h, const ClientRequest& req) {
  if (!h.core) return;
  Response not_leader;
  not_leader.status = RespStatus::kNotLeader;
  not_leader.hint = h.core->leader_hint();
  bool via_log = req.type != OpType::kGet || req.path == ReadPath::kLog;
  if (via_log) {
    std::string cmd;
    switch (req.type) {
      case OpType::kPut:
        cmd = absl::StrCat("P ", req.op_id, " ", req.key, " ", req.value);
        break;
      case OpType::kCas:
        cmd =
            absl::StrCat("C ", req.op_id, " ", req.key, " ", Absent(req.expected), " ", req.value);
        break;
      case OpType::kGet:
        cmd = absl::StrCat("G ", req.op_id, " ", req.key);
        break;
    }
    absl::StatusOr<RaftCore::Proposed> p = h.core->Propose(cmd);
    if (!p.ok()) {
      Respond(h, req, not_leader);
      return;
    }
    Trace("propose", h.id, req.op_id, p->index, p->term);
    h.pending[p->index].push_back(Pending{req, p->term});
    if (options_.ack_on_append && req.type == OpType::kPut) Respond(h, req, Response{});
    return;
  }
  if (options_.local_reads && req.path == ReadPath::kLease) {
    h.waiting.push_back(WaitingRead{req, 0, 0});
    ServeWaiting(h);
    return;
  }
  if (req.path == ReadPath::kLease && h.core->LeaseValid()) {
    Index index = h.core->commit_index();
    ++result_.lease_reads;
    Trace("lease-read", h.id, req.op_id, index, max_commit_);
    if (index < max_commit_) {
      Fail("lease safety",
           absl::StrCat("node ",
                        h.id,
                        " serves a lease read at commit ",
                        index,
                        " but index ",
                        max_commit_,
                        " is committed"));
      return;
    }
    h.waiting.push_back(WaitingRead{req, index, max_commit_});
    ServeWaiting(h);
    return;
  }
  uint64_t id = next_read_id_++;
  absl::Status s = h.core->ReadIndex(id);
  if (!s.ok()) {
    Respond(h, req, not_leader);
    return;
  }
  ++result_.read_index_reads;
  Trace("read-index", h.id, req.op_id, id, max_commit_);
  h.read_index[id] = WaitingRead{req, 0, max_commit_};
}

void Simulation::Respond(Host& h, const ClientRequest& req, const Response& resp) {
  Client* c = &clients_[req.client];
  uint64_t op_id = req.op_id;
  uint64_t attempt = req.attempt;
  Trace("respond", h.id, op_id, static_cast<uint64_t>(resp.status));
  queue_.After(client_rng_.Range(100, 2000),
               [this, c, op_id, attempt, resp] { OnResponse(*c, op_id, attempt, resp); });
}

// ---------------------------------------------------------------- run

SimResult Simulation::Run() {
  for (int i = 1; i <= nodes_; ++i) Start(hosts_[i]);
  // Ticks: each node every kTick, each with its own phase.
  for (int i = 1; i <= nodes_; ++i) {
    Host* h = &hosts_[i];
    Time offset = rng_.Uniform(kTick) + 1;
    struct Ticker {
      static void Schedule(Simulation* sim, Host* host, Time at) {
        sim->queue_.At(at, [sim, host, at] {
          if (sim->done_) return;
          if (host->core) {
            sim->Trace("tick", host->id);
            sim->Input(*host, [host] { host->core->Tick(); });
          }
          Schedule(sim, host, at + kTick);
        });
      }
    };
    Ticker::Schedule(this, h, offset);
  }
  clients_.resize(kClients);
  for (int c = 0; c < kClients; ++c) {
    clients_[c].id = c;
    clients_[c].guess = static_cast<NodeId>(client_rng_.Range(1, nodes_));
    Client* cp = &clients_[c];
    queue_.At(kWorkloadStart + client_rng_.Uniform(20 * kMs), [this, cp] { StartOp(*cp); });
  }
  ScheduleNemesis();
  struct Monitor {
    static void Schedule(Simulation* sim, Time at) {
      sim->queue_.At(at, [sim, at] {
        if (sim->Converged()) {
          sim->done_ = true;
          return;
        }
        if (at >= kDeadline) {
          Host* l = sim->FindLeader();
          sim->Fail("convergence",
                    absl::StrCat("the healed cluster did not converge within ",
                                 kDeadline / kMs,
                                 "ms (leader ",
                                 l ? l->id : 0,
                                 ", membership phase ",
                                 sim->membership_phase_,
                                 ")",
                                 sim->DescribeReplicas()));
          sim->done_ = true;
          return;
        }
        Schedule(sim, at + 20 * kMs);
      });
    }
  };
  Monitor::Schedule(this, kWorkloadEnd);

  while (!failed_ && !done_ && queue_.RunNext()) CheckInvariants();
  if (!failed_) FinalChecks();

  for (int i = 1; i <= nodes_; ++i) {
    if (hosts_[i].core) result_.elections_started += hosts_[i].core->elections_started();
  }
  result_.events = queue_.executed();
  result_.leaders = leaders_.size();
  result_.ops = history_.size();
  result_.virtual_ms = queue_.now() / kMs;
  result_.trace_hash = trace_hash_.value();
  return result_;
}

}  // namespace internal

SimResult RunSimulation(const SimOptions& options) {
  internal::Simulation sim(options);
  return sim.Run();
}

}  // namespace tern::sim
