// The simulator's internals shared by simulation.cc (tracing, hosts, the run
// loop), sim_checks.cc (invariants and final checks) and sim_workload.cc
// (clients and the nemesis). Internal to tests/sim.
#pragma once

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
#include "tests/sim/simulation.h"

namespace tern::sim::internal {

using replication::EntryType;
using replication::Message;
using replication::MessageType;
using replication::RaftCore;
using replication::Ready;
using replication::Role;

// Timing, in virtual time. Replicas tick every kTick; with election_ticks 10
// and lease_ticks 8 a lease is 80 ms and elections start after 100-200 ms.
inline constexpr Time kTick = 10 * kMs;
inline constexpr Time kWorkloadStart = 50 * kMs;
inline constexpr Time kFaultStart = 250 * kMs;
inline constexpr Time kFaultEnd = 3500 * kMs;
inline constexpr Time kWorkloadEnd = 3700 * kMs;
inline constexpr Time kDeadline = 8000 * kMs;  // convergence must happen before this
inline constexpr Time kOpTimeout = 300 * kMs;
inline constexpr int kClients = 3;
inline constexpr int kKeys = 10;
inline constexpr int kMaxOpsPerKey = 30;
inline constexpr size_t kTraceTail = 60;

inline const char* Absent(const std::string& v) { return v.empty() ? "_" : v.c_str(); }
inline std::string FromWire(absl::string_view v) {
  return v == "_" ? std::string() : std::string(v);
}

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

inline uint64_t HashEntry(const Entry& e) {
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

}  // namespace tern::sim::internal
