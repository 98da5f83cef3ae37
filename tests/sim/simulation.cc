#include "tests/sim/simulation.h"

#include <algorithm>
#include <array>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "common/replication/raft.h"
#include "tests/sim/disk.h"
#include "tests/sim/event_queue.h"
#include "tests/sim/history.h"
#include "tests/sim/network.h"
#include "tests/sim/random.h"

namespace tern::sim {

std::string ReplayCommand(uint64_t seed) {
  return absl::StrCat("build/release/tests/sim_test --gtest_filter=SimTest.Seeds --seed=",
                      seed,
                      "   (or TERN_SIM_SEED=",
                      seed,
                      ")");
}

namespace {

using replication::EntryType;
using replication::Message;
using replication::MessageType;
using replication::RaftCore;
using replication::Ready;
using replication::Role;

// Timing, in virtual time. Replicas tick every kTick; with election_ticks 10
// and lease_ticks 8 a lease is 80 ms and elections start after 100-200 ms.
constexpr Time kTick = 10 * kMs;
constexpr Time kWorkloadStart = 50 * kMs;
constexpr Time kFaultStart = 250 * kMs;
constexpr Time kFaultEnd = 3500 * kMs;
constexpr Time kWorkloadEnd = 3700 * kMs;
constexpr Time kDeadline = 8000 * kMs;  // convergence must happen before this
constexpr Time kOpTimeout = 300 * kMs;
constexpr int kClients = 3;
constexpr int kKeys = 10;
constexpr int kMaxOpsPerKey = 30;
constexpr size_t kTraceTail = 60;

const char* Absent(const std::string& v) { return v.empty() ? "_" : v.c_str(); }
std::string FromWire(absl::string_view v) { return v == "_" ? std::string() : std::string(v); }

enum class RespStatus { kOk, kNotLeader, kLost };

struct ClientRequest {
  uint64_t op_id = 0;
  int client = 0;
  uint64_t attempt = 0;
  OpType type = OpType::kGet;
  ReadPath path = ReadPath::kLog;
  std::string key;
  std::string value;
  std::string expected;
};

struct Response {
  RespStatus status = RespStatus::kOk;
  replication::NodeId hint = 0;
  std::string result;
  bool cas_ok = false;
};

struct Pending {
  ClientRequest request;
  Term term = 0;
};

struct WaitingRead {
  ClientRequest request;
  Index index = 0;
  Index min_commit = 0;  // the highest commit anywhere when the read began
};

struct Host {
  replication::NodeId id = 0;
  SimDisk disk;
  std::unique_ptr<RaftCore> core;  // null while crashed
  uint64_t incarnation = 0;
  // The state machine: a register per key.
  std::map<std::string, std::string> kv;
  Index applied = 0;
  Term applied_term = 0;
  Membership membership;
  // A Ready whose writes wait for their fsync; inputs queue behind it.
  std::optional<Ready> inflight;
  std::deque<std::function<void()>> inbox;
  std::map<Index, std::vector<Pending>> pending;
  std::map<uint64_t, WaitingRead> read_index;  // by request id
  std::vector<WaitingRead> waiting;            // index known, waiting for apply
  Index last_commit = 0;
  Term completeness_checked_term = 0;
  uint64_t applies_since_compact = 0;
  uint64_t compact_every = 40;
  bool crash_at_next_fsync = false;  // nemesis: crash while a Ready waits for fsync
};

struct Client {
  int id = 0;
  replication::NodeId guess = 1;
  std::optional<size_t> current;  // index into history
  uint64_t attempt = 0;
  replication::NodeId target = 0;
  bool finished = false;
  std::map<std::string, std::string> seen;  // last value seen per key
};

struct CommittedEntry {
  Term term = 0;
  uint64_t data_hash = 0;
  uint64_t state_hash = 0;  // state machine after applying it
};

struct EntryId {
  uint64_t data_hash = 0;
  Term prev_term = 0;
  bool prev_known = false;
};

uint64_t HashEntry(const Entry& e) {
  Hasher h;
  h.Add(static_cast<uint64_t>(e.type));
  h.AddBytes(e.data);
  return h.value();
}

class Simulation {
 public:
  explicit Simulation(const SimOptions& options)
      : options_(options),
        rng_(Mix(options.seed, 0x5eed)),
        net_rng_(Mix(options.seed, 1)),
        nemesis_rng_(Mix(options.seed, 2)),
        client_rng_(Mix(options.seed, 3)),
        disk_rng_(Mix(options.seed, 4)) {
    result_.seed = options.seed;
    nodes_ = rng_.Chance(0.3) ? 5 : 3;
    result_.nodes = nodes_;
    crash_loss_probability_ = rng_.Chance(0.5) ? 0.8 : 0.3;
    async_sync_probability_ = rng_.Chance(0.7) ? 0.7 : 0.1;
    remove_leader_ = Rng(Mix(options.seed, 5)).Chance(0.5);
    Time max_delay = rng_.Range(2, 8) * kMs;
    network_ = std::make_unique<SimNetwork>(
        &queue_, net_rng_, nodes_, 200, max_delay, [this](const Message& m) { Deliver(m); });
    for (int i = 1; i <= nodes_; ++i) initial_.voters.push_back(static_cast<NodeId>(i));
    hosts_.resize(nodes_ + 1);
    for (int i = 1; i <= nodes_; ++i) {
      hosts_[i].id = static_cast<NodeId>(i);
      hosts_[i].compact_every = rng_.Range(15, 80);
    }
  }

  SimResult Run();

 private:
  // ---- tracing ----
  struct TraceRecord {
    Time time = 0;
    const char* what = "";
    std::array<uint64_t, 5> args{};
  };
  void Trace(const char* what,
             uint64_t a = 0,
             uint64_t b = 0,
             uint64_t c = 0,
             uint64_t d = 0,
             uint64_t e = 0);
  std::string FormatRecord(const TraceRecord& r) const;
  void Fail(absl::string_view invariant, absl::string_view details);

  // ---- hosts ----
  void Start(Host& h);
  void Crash(Host& h);
  void Input(Host& h, std::function<void()> fn);
  void Pump(Host& h);
  bool Persist(Host& h, const Ready& rd);
  void Finish(Host& h, Ready& rd, bool synced_io);
  void Apply(Host& h, const Ready& rd);
  std::string Execute(Host& h, const Entry& e);
  void ServeWaiting(Host& h);
  void MaybeCompact(Host& h);
  std::string Serialize(const Host& h) const;
  bool Deserialize(Host& h, const std::string& data, Index expected_index);
  uint64_t StateHash(const Host& h) const;
  void Deliver(const Message& m);
  void HandleClient(Host& h, const ClientRequest& req);
  void Respond(Host& h, const ClientRequest& req, const Response& resp);
  Host* FindLeader();

  // ---- checks ----
  void CheckInvariants();
  void CheckLeaderHas(Host& h, Index index, const CommittedEntry& c);
  void OnAppend(Host& h, const std::vector<Entry>& entries);
  void OnApply(Host& h, const Entry& e);
  void RecordCommits(Host& h);
  Term CommitTerm(Index index) const {
    return index <= commit_terms_.size() ? commit_terms_[index - 1] : 0;
  }
  bool Converged();
  std::string DescribeReplicas() const;
  void FinalChecks();

  // ---- clients ----
  void StartOp(Client& c);
  void SendAttempt(Client& c);
  void OnResponse(Client& c, uint64_t op_id, uint64_t attempt, const Response& resp);
  void FinishOp(Client& c, Outcome outcome);

  // ---- nemesis ----
  void ScheduleNemesis();
  void NemesisStep();
  void MembershipStep();
  void Heal();

  SimOptions options_;
  Rng rng_;
  Rng net_rng_;
  Rng nemesis_rng_;
  Rng client_rng_;
  Rng disk_rng_;
  int nodes_ = 3;
  double crash_loss_probability_ = 0.5;
  double async_sync_probability_ = 0.5;
  EventQueue queue_;
  std::unique_ptr<SimNetwork> network_;
  Membership initial_;
  std::vector<Host> hosts_;  // 1-based
  std::vector<Client> clients_;
  std::vector<Op> history_;
  std::array<int, kKeys> key_ops_{};
  uint64_t next_op_id_ = 1;
  uint64_t next_read_id_ = 1;

  // Checker state.
  std::map<Term, NodeId> leaders_;
  std::map<std::pair<Index, Term>, EntryId> entries_;
  std::map<Index, CommittedEntry> committed_;
  // commit_terms_[i - 1]: the term of the leader that committed index i (all
  // leaders of later terms must hold entry i).
  std::vector<Term> commit_terms_;
  std::set<uint64_t> applied_ops_;
  Index max_commit_ = 0;

  // Nemesis state.
  int membership_phase_ = 0;  // 0 idle, 1 removing, 2 re-adding
  NodeId membership_target_ = 0;
  int learner_rounds_ = 0;
  // Whether membership changes may remove the leader itself (otherwise the
  // nemesis transfers leadership away first).
  bool remove_leader_ = false;
  bool healed_ = false;
  bool done_ = false;

  bool failed_ = false;
  Hasher trace_hash_;
  std::vector<TraceRecord> tail_;
  size_t tail_pos_ = 0;
  SimResult result_;
};

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

}  // namespace

SimResult RunSimulation(const SimOptions& options) {
  Simulation sim(options);
  return sim.Run();
}

}  // namespace tern::sim
