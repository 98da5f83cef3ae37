// The simulator's own unit tests (event queue, network, disk, the
// linearizability checker on hand-made histories) and the seed runs.
//
// Seeds: TERN_SIM_SEEDS (default 2000) seeds from TERN_SIM_FIRST_SEED
// (default 1). Replay one seed with its full trace: `sim_test --seed=N` or
// TERN_SIM_SEED=N.
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/sim/disk.h"
#include "tests/sim/event_queue.h"
#include "tests/sim/history.h"
#include "tests/sim/network.h"
#include "tests/sim/random.h"
#include "tests/sim/simulation.h"

#ifndef TERN_SIM_DEFAULT_SEEDS
#define TERN_SIM_DEFAULT_SEEDS 2000
#endif

namespace tern::sim {
namespace {

using replication::Entry;
using replication::Message;

uint64_t EnvOr(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  uint64_t n = 0;
  if (v && absl::SimpleAtoi(v, &n)) return n;
  return fallback;
}

// --seed=N on the command line (gtest leaves unknown flags alone), else
// TERN_SIM_SEED; 0 when neither.
uint64_t ReplaySeed() {
  for (const std::string& arg : ::testing::internal::GetArgvs()) {
    uint64_t n = 0;
    if (arg.rfind("--seed=", 0) == 0 && absl::SimpleAtoi(arg.substr(7), &n)) return n;
  }
  return EnvOr("TERN_SIM_SEED", 0);
}

// The seed being run, for the abort handler: a TERN_CHECK in the core
// aborts the process, and the seed must still be printed.
volatile uint64_t g_current_seed = 0;

void OnAbort(int) {
  char buf[160];
  int n = std::snprintf(buf,
                        sizeof(buf),
                        "\nsim: aborted while running seed %llu; replay with "
                        "sim_test --seed=%llu\n",
                        static_cast<unsigned long long>(g_current_seed),
                        static_cast<unsigned long long>(g_current_seed));
  if (n > 0) (void)!write(2, buf, static_cast<size_t>(n));
  std::signal(SIGABRT, SIG_DFL);
  std::raise(SIGABRT);
}

// Runs one seed; a crash inside it still names the seed.
SimResult RunSeed(SimOptions options) {
  std::signal(SIGABRT, OnAbort);
  g_current_seed = options.seed;
  return RunSimulation(options);
}

// ------------------------------------------------------------------ pieces

TEST(RngTest, SameSeedSameStream) {
  Rng a(42), b(42), c(43);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    uint64_t x = a.Next();
    EXPECT_EQ(x, b.Next());
    differs |= x != c.Next();
  }
  EXPECT_TRUE(differs);
  for (int i = 0; i < 1000; ++i) {
    uint64_t r = a.Range(3, 7);
    EXPECT_GE(r, 3u);
    EXPECT_LE(r, 7u);
  }
}

TEST(EventQueueTest, OrdersByTimeThenSequence) {
  EventQueue q;
  std::vector<int> order;
  q.At(10, [&] { order.push_back(2); });
  q.At(5, [&] { order.push_back(1); });
  q.At(10, [&] { order.push_back(3); });
  q.At(20, [&] {
    order.push_back(4);
    q.After(0, [&] { order.push_back(5); });  // same time, runs after
  });
  while (q.RunNext()) {
  }
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3, 4, 5}));
  EXPECT_EQ(q.now(), 20u);
  EXPECT_EQ(q.executed(), 5u);
}

Message Msg(NodeId from, NodeId to, uint64_t index) {
  Message m;
  m.from = from;
  m.to = to;
  m.index = index;
  return m;
}

TEST(SimNetworkTest, DelaysWithinRangeAndReorders) {
  EventQueue q;
  std::vector<uint64_t> got;
  SimNetwork net(&q, Rng(7), 3, 100, 5000, [&](const Message& m) {
    EXPECT_GE(q.now(), 100u);
    EXPECT_LE(q.now(), 5000u);
    got.push_back(m.index);
  });
  for (uint64_t i = 0; i < 200; ++i) net.Send(Msg(1, 2, i));
  while (q.RunNext()) {
  }
  ASSERT_EQ(got.size(), 200u);
  bool reordered = false;
  for (size_t i = 1; i < got.size(); ++i) reordered |= got[i] < got[i - 1];
  EXPECT_TRUE(reordered);
}

TEST(SimNetworkTest, AsymmetricCutsPartitionsAndHeal) {
  EventQueue q;
  std::vector<std::pair<NodeId, NodeId>> got;
  SimNetwork net(&q, Rng(1), 3, 10, 20, [&](const Message& m) { got.emplace_back(m.from, m.to); });
  net.Cut(1, 2);
  net.Send(Msg(1, 2, 0));
  net.Send(Msg(2, 1, 0));
  while (q.RunNext()) {
  }
  EXPECT_EQ(got, (std::vector<std::pair<NodeId, NodeId>>{{2, 1}}));
  got.clear();
  net.HealAll();
  net.Isolate({3});
  net.Send(Msg(1, 3, 0));
  net.Send(Msg(3, 2, 0));
  net.Send(Msg(1, 2, 0));
  // A message in flight when the cut appears is lost too.
  net.HealAll();
  net.Send(Msg(2, 3, 0));
  net.Cut(2, 3);
  while (q.RunNext()) {
  }
  EXPECT_EQ(got, (std::vector<std::pair<NodeId, NodeId>>{{1, 2}}));
}

TEST(SimNetworkTest, DropsAndDuplicates) {
  EventQueue q;
  int got = 0;
  SimNetwork net(&q, Rng(3), 2, 10, 20, [&](const Message&) { ++got; });
  net.SetLoss(1.0, 0);
  for (int i = 0; i < 50; ++i) net.Send(Msg(1, 2, 0));
  while (q.RunNext()) {
  }
  EXPECT_EQ(got, 0);
  net.SetLoss(0, 1.0);
  for (int i = 0; i < 50; ++i) net.Send(Msg(1, 2, 0));
  while (q.RunNext()) {
  }
  EXPECT_EQ(got, 100);
}

Entry E(uint64_t term, uint64_t index) {
  Entry e;
  e.term = term;
  e.index = index;
  e.data = absl::StrCat("e", term, ".", index);
  return e;
}

TEST(SimDiskTest, SyncedWritesSurviveACrash) {
  SimDisk disk;
  Rng rng(1);
  ASSERT_TRUE(disk.Append({E(1, 1), E(1, 2)}));
  disk.SetHardState({1, 1, 2});
  disk.Sync();
  ASSERT_TRUE(disk.Append({E(1, 3)}));
  EXPECT_EQ(disk.current().last_index(), 3u);
  EXPECT_EQ(disk.Crash(rng, 1.0), 1u);  // the only unsynced write is lost
  PersistedState ps = disk.Load({{1, 2, 3}, {}});
  ASSERT_EQ(ps.entries.size(), 2u);
  EXPECT_EQ(ps.hard_state.commit, 2u);
  EXPECT_EQ(disk.current().last_index(), 2u);
}

TEST(SimDiskTest, CrashLosesARandomSuffixOfUnsyncedWrites) {
  bool some_partial = false;
  for (uint64_t seed = 1; seed < 50; ++seed) {
    SimDisk disk;
    Rng rng(seed);
    ASSERT_TRUE(disk.Append({E(1, 1), E(1, 2), E(1, 3), E(1, 4)}));
    size_t lost = disk.Crash(rng, 1.0);
    EXPECT_GE(lost, 1u);
    EXPECT_EQ(disk.durable().last_index(), 4 - lost);  // a prefix survives
    some_partial |= lost < 4;
  }
  EXPECT_TRUE(some_partial);
  SimDisk disk;
  Rng rng(1);
  ASSERT_TRUE(disk.Append({E(1, 1)}));
  EXPECT_EQ(disk.Crash(rng, 0.0), 0u);  // unlucky loss probability 0: all survive
  EXPECT_EQ(disk.durable().last_index(), 1u);
}

TEST(SimDiskTest, TruncatesConflictsAndKeepsSnapshots) {
  SimDisk disk;
  ASSERT_TRUE(disk.Append({E(1, 1), E(1, 2), E(1, 3)}));
  ASSERT_TRUE(disk.Append({E(2, 2)}));
  EXPECT_EQ(disk.current().last_index(), 2u);
  EXPECT_EQ(disk.current().TermAt(2), 2u);
  EXPECT_FALSE(disk.Append({E(2, 4)}));  // a gap
  SnapshotMeta meta;
  meta.index = 2;
  meta.term = 2;
  ASSERT_TRUE(disk.SaveLocalSnapshot(meta, "2\n"));
  ASSERT_TRUE(disk.Append({E(2, 3)}));
  disk.Sync();
  PersistedState ps = disk.Load({});
  EXPECT_EQ(ps.snapshot.index, 2u);
  EXPECT_EQ(ps.applied, 2u);
  ASSERT_EQ(ps.entries.size(), 1u);
  EXPECT_EQ(ps.entries[0].index, 3u);
  EXPECT_FALSE(disk.Append({E(3, 2)}));  // below the snapshot
  meta.index = 10;
  meta.term = 3;
  ASSERT_TRUE(disk.InstallSnapshot(meta, "10\n"));
  EXPECT_EQ(disk.current().last_index(), 10u);
  EXPECT_TRUE(disk.current().log.empty());
}

// ------------------------------------------------------------------ linearizability

Op Put(uint64_t id, Time a, Time b, std::string v, Outcome o = Outcome::kOk) {
  Op op;
  op.id = id;
  op.type = OpType::kPut;
  op.key = "k";
  op.value = std::move(v);
  op.invoke = a;
  op.complete = o == Outcome::kOk ? b : kNever;
  op.outcome = o;
  return op;
}
Op Get(uint64_t id, Time a, Time b, std::string result, Outcome o = Outcome::kOk) {
  Op op = Put(id, a, b, "", o);
  op.type = OpType::kGet;
  op.result = std::move(result);
  return op;
}
Op Cas(uint64_t id,
       Time a,
       Time b,
       std::string expected,
       std::string v,
       bool swapped,
       Outcome o = Outcome::kOk) {
  Op op = Put(id, a, b, std::move(v), o);
  op.type = OpType::kCas;
  op.expected = std::move(expected);
  op.cas_ok = swapped;
  return op;
}

TEST(LinearizabilityTest, SequentialHistory) {
  EXPECT_TRUE(CheckLinearizable({Put(1, 0, 1, "a"),
                                 Get(2, 2, 3, "a"),
                                 Cas(3, 4, 5, "a", "b", true),
                                 Cas(4, 6, 7, "a", "c", false),
                                 Get(5, 8, 9, "b")})
                  .ok);
  EXPECT_TRUE(CheckLinearizable({Get(1, 0, 1, "")}).ok);
}

TEST(LinearizabilityTest, StaleReadIsCaught) {
  LinearizabilityResult r =
      CheckLinearizable({Put(1, 0, 1, "a"), Put(2, 2, 3, "b"), Get(3, 4, 5, "a")});
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.key, "k");
}

TEST(LinearizabilityTest, ConcurrentOpsMayOrderEitherWay) {
  // The get overlaps the put of b: a or b are both fine, c is not.
  EXPECT_TRUE(CheckLinearizable({Put(1, 0, 1, "a"), Put(2, 2, 6, "b"), Get(3, 3, 5, "a")}).ok);
  EXPECT_TRUE(CheckLinearizable({Put(1, 0, 1, "a"), Put(2, 2, 6, "b"), Get(3, 3, 5, "b")}).ok);
  EXPECT_FALSE(CheckLinearizable({Put(1, 0, 1, "a"), Put(2, 2, 6, "b"), Get(3, 3, 5, "c")}).ok);
  // Two reads that see the values in opposite orders.
  EXPECT_FALSE(CheckLinearizable({Put(1, 0, 10, "a"),
                                  Put(2, 0, 10, "b"),
                                  Get(3, 1, 2, "a"),
                                  Get(4, 3, 4, "b"),
                                  Get(5, 5, 6, "a")})
                   .ok);
}

TEST(LinearizabilityTest, UnknownOutcomesMayOrMayNotTakeEffect) {
  // A timed-out put may show up, even long after it was invoked...
  EXPECT_TRUE(CheckLinearizable({Put(1, 0, 0, "a", Outcome::kUnknown), Get(2, 50, 51, "a")}).ok);
  // ...or never.
  EXPECT_TRUE(CheckLinearizable({Put(1, 0, 0, "a", Outcome::kUnknown), Get(2, 50, 51, "")}).ok);
  // But not before it was invoked.
  EXPECT_FALSE(CheckLinearizable({Get(1, 0, 1, "a"), Put(2, 5, 0, "a", Outcome::kUnknown)}).ok);
  // And only once: a -> b -> a needs a second write of a.
  EXPECT_FALSE(CheckLinearizable({Put(1, 0, 0, "a", Outcome::kUnknown),
                                  Get(2, 10, 11, "a"),
                                  Put(3, 12, 13, "b"),
                                  Get(4, 14, 15, "a")})
                   .ok);
  // A failed op never took effect.
  EXPECT_FALSE(CheckLinearizable({Put(1, 0, 1, "a", Outcome::kFail), Get(2, 2, 3, "a")}).ok);
  // An unknown cas takes effect only if it matched.
  EXPECT_TRUE(CheckLinearizable({Put(1, 0, 1, "a"),
                                 Cas(2, 2, 0, "a", "b", false, Outcome::kUnknown),
                                 Get(3, 10, 11, "b")})
                  .ok);
  EXPECT_FALSE(CheckLinearizable({Put(1, 0, 1, "x"),
                                  Cas(2, 2, 0, "a", "b", false, Outcome::kUnknown),
                                  Get(3, 10, 11, "b")})
                   .ok);
}

TEST(LinearizabilityTest, CasResultMustMatchTheRegister) {
  EXPECT_FALSE(CheckLinearizable({Put(1, 0, 1, "a"), Cas(2, 2, 3, "a", "b", false)}).ok);
  EXPECT_FALSE(CheckLinearizable({Put(1, 0, 1, "a"), Cas(2, 2, 3, "x", "b", true)}).ok);
}

TEST(LinearizabilityTest, ManyConcurrentOpsStayFast) {
  std::vector<Op> h;
  for (uint64_t i = 0; i < 30; ++i) {
    Time t = i * 10;
    if (i % 3 == 0) h.push_back(Put(i, t, t + 25, absl::StrCat("v", i)));
    if (i % 3 == 1) h.push_back(Put(i, t, 0, absl::StrCat("v", i), Outcome::kUnknown));
    if (i % 3 == 2) h.push_back(Get(i, t, t + 25, absl::StrCat("v", i - 2)));
  }
  LinearizabilityResult r = CheckLinearizable(h);
  EXPECT_TRUE(r.ok) << r.details;
  EXPECT_LT(r.states, 100000u);
}

// ------------------------------------------------------------------ simulation

TEST(SimTest, SameSeedSameTrace) {
  for (uint64_t seed : {3, 11}) {
    SimResult a = RunSeed({seed});
    SimResult b = RunSeed({seed});
    EXPECT_EQ(a.trace_hash, b.trace_hash) << "seed " << seed;
    EXPECT_EQ(a.events, b.events);
    EXPECT_GT(a.events, 1000u);
    SimResult c = RunSeed({seed + 1000});
    EXPECT_NE(a.trace_hash, c.trace_hash);
  }
}

TEST(SimTest, Seeds) {
  uint64_t replay = ReplaySeed();
  uint64_t first = replay ? replay : EnvOr("TERN_SIM_FIRST_SEED", 1);
  uint64_t count = replay ? 1 : EnvOr("TERN_SIM_SEEDS", TERN_SIM_DEFAULT_SEEDS);
  // Stop after this many failing seeds (each prints its own replay command).
  uint64_t max_failures = EnvOr("TERN_SIM_MAX_FAILURES", 5);
  auto start = std::chrono::steady_clock::now();  // for the summary only
  SimResult total;
  std::vector<std::string> failures;
  for (uint64_t seed = first; seed < first + count; ++seed) {
    SimOptions options;
    options.seed = seed;
    if (replay) options.trace = &std::cout;
    SimResult r = RunSeed(options);
    total.events += r.events;
    total.leaders += r.leaders;
    total.elections_started += r.elections_started;
    total.ops += r.ops;
    total.ops_ok += r.ops_ok;
    total.ops_unknown += r.ops_unknown;
    total.ops_checked += r.ops_checked;
    total.crashes += r.crashes;
    total.writes_lost += r.writes_lost;
    total.partitions += r.partitions;
    total.transfers += r.transfers;
    total.membership_changes += r.membership_changes;
    total.snapshots_sent += r.snapshots_sent;
    total.compactions += r.compactions;
    total.lease_reads += r.lease_reads;
    total.read_index_reads += r.read_index_reads;
    total.log_reads += r.log_reads;
    total.nodes += r.nodes == 5 ? 1 : 0;
    if (!r.ok) {
      failures.push_back(r.failure);
      ADD_FAILURE() << r.failure;
      if (failures.size() >= max_failures && !replay) break;
    }
    if (replay) {
      std::cout << "seed " << seed << ": " << (r.ok ? "ok" : "FAILED") << ", " << r.nodes
                << " nodes, " << r.events << " events, " << r.virtual_ms << " virtual ms, " << r.ops
                << " ops, trace hash " << r.trace_hash << "\n";
    }
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "sim: seeds " << first << ".." << first + count - 1 << " (" << total.nodes
            << " with 5 nodes): " << failures.size() << " failed; " << total.events << " events, "
            << total.leaders << " leaders elected (" << total.elections_started
            << " elections started), " << total.ops << " ops (" << total.ops_ok << " ok, "
            << total.ops_unknown << " unknown), " << total.ops_checked
            << " checked for linearizability; reads: " << total.lease_reads << " lease, "
            << total.read_index_reads << " ReadIndex, " << total.log_reads << " log; "
            << total.crashes << " crashes (" << total.writes_lost << " unsynced writes lost), "
            << total.partitions << " partitions, " << total.transfers << " transfers, "
            << total.membership_changes << " membership changes, " << total.snapshots_sent
            << " snapshots sent, " << total.compactions << " compactions; " << seconds << " s\n";
}

// Seeds that once failed, kept as regression cases (docs/style.md §6). A
// change to the core changes its traces, so a seed may stop reproducing its
// original scenario; it stays as extra coverage.
//   9734, 17284, 36186, 67797, 84198, 105388, 112373 (first raft.cc): lease
//   safety. TransferLeadership() makes LeaseValid() false, but the transfer
//   is aborted election_ticks leader ticks after TransferLeadership() was
//   called, even when TimeoutNow already went out (it goes out only once the
//   target caught up, possibly ticks later). The target, elected with
//   leadership_transfer votes that skip the voters' lease check, commits
//   and acknowledges writes, while the old leader (usually cut off right
//   after sending TimeoutNow) sees LeaseValid() true again after the abort,
//   on heartbeat acks younger than lease_ticks.
//   122792, 214282 (first raft.cc): liveness. Leader 3 proposes its own removal
//   (voters {1,2}, appended at 50@2, so in effect on node 3) and crashes
//   before it commits. After healing, node 3 holds the most up-to-date log
//   but is no voter in its own latest configuration, so it never campaigns;
//   node 1 (51@1, a stale uncommitted config {1,3}) needs node 3's vote and
//   node 2 (47@1) is behind both: no leader, ever.
TEST(SimTest, RegressionSeeds) {
  for (uint64_t seed : {9734, 17284, 36186, 67797, 84198, 105388, 112373, 122792, 214282}) {
    SimResult r = RunSeed({seed});
    EXPECT_TRUE(r.ok) << r.failure;
  }
}

// Runs seeds 1..300 with a deliberately broken host (break_host sets the
// bug) until a checker notices; returns how many seeds it took (0: never) and
// the first failure line.
std::pair<uint64_t, std::string> SeedsUntilCaught(void (*break_host)(SimOptions*)) {
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    SimOptions options;
    options.seed = seed;
    break_host(&options);
    SimResult r = RunSeed(options);
    if (!r.ok) return {seed, r.failure.substr(0, r.failure.find('\n'))};
  }
  return {0, ""};
}

TEST(SimTest, BrokenHostIsCaught) {
  // Acknowledging puts at append time loses acknowledged writes when a leader
  // dies or is cut off before commit: the checkers must notice.
  auto [seeds, example] = SeedsUntilCaught([](SimOptions* o) { o->ack_on_append = true; });
  EXPECT_GT(seeds, 0u) << "the broken host went unnoticed in 300 seeds";
  std::cout << "broken host caught within " << seeds << " seeds; first: " << example << "\n";
}

TEST(SimTest, LocalReadsAreCaught) {
  // Serving reads from any replica's local state is not linearizable: stale
  // followers answer. The linearizability checker must notice.
  auto [seeds, example] = SeedsUntilCaught([](SimOptions* o) { o->local_reads = true; });
  EXPECT_GT(seeds, 0u) << "stale local reads went unnoticed in 300 seeds";
  std::cout << "local reads caught within " << seeds << " seeds; first: " << example << "\n";
}

}  // namespace
}  // namespace tern::sim
