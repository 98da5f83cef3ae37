// The deterministic simulation of one replication group: RaftCore replicas
// driven through the Ready contract by simulated hosts over SimNetwork and
// SimDisk, a register workload from simulated clients, a nemesis (crashes
// with loss of unsynced writes, partitions, message loss and duplication,
// latency spikes, leadership transfers, membership changes), Raft invariants
// checked after every event and, at the end, convergence, durability of
// acknowledged writes and linearizability of the client history. Everything
// follows from SimOptions::seed.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

namespace tern::sim {

struct SimOptions {
  uint64_t seed = 1;
  // Deliberately broken host: acknowledges a put when it is appended to the
  // leader's log instead of when it is applied. The checkers must catch it.
  bool ack_on_append = false;
  // Deliberately broken host: serves lease-path reads from whichever replica
  // receives them, from its local state, with no lease or ReadIndex.
  bool local_reads = false;
  // When set, every event is printed here as it happens.
  std::ostream* trace = nullptr;
};

struct SimResult {
  uint64_t seed = 0;
  bool ok = true;
  std::string failure;  // the seed, the violation, the replay command and a trace tail
  uint64_t trace_hash = 0;
  uint64_t events = 0;
  int nodes = 0;
  uint64_t leaders = 0;            // distinct terms that had a leader
  uint64_t elections_started = 0;  // summed over replica incarnations
  uint64_t ops = 0;                // client operations invoked
  uint64_t ops_ok = 0;
  uint64_t ops_unknown = 0;
  uint64_t ops_checked = 0;  // operations given to the linearizability checker
  uint64_t lin_states = 0;
  uint64_t crashes = 0;
  uint64_t writes_lost = 0;  // unsynced disk writes lost in crashes
  uint64_t partitions = 0;
  uint64_t transfers = 0;
  uint64_t membership_changes = 0;  // accepted ProposeMembership calls
  uint64_t snapshots_sent = 0;
  uint64_t compactions = 0;
  uint64_t lease_reads = 0;
  uint64_t read_index_reads = 0;
  uint64_t log_reads = 0;
  uint64_t virtual_ms = 0;
};

SimResult RunSimulation(const SimOptions& options);

// "TERN_SIM_SEED=<seed> <binary> --gtest_filter=..." style replay hint.
std::string ReplayCommand(uint64_t seed);

}  // namespace tern::sim
