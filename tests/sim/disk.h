// SimDisk: one node's durable storage (log entries, hard state, snapshot meta
// and data). Every write is first "unsynced"; Sync() makes everything written
// so far durable. Crash() keeps the durable state and, with the given
// probability, loses a random suffix of the unsynced writes (otherwise they
// happen to survive, as when the OS flushed them). Load() builds the
// PersistedState a restarted replica recovers from.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/replication/raft.h"
#include "tests/sim/random.h"

namespace tern::sim {

using replication::Entry;
using replication::HardState;
using replication::Index;
using replication::Membership;
using replication::PersistedState;
using replication::SnapshotMeta;
using replication::Term;

// What is on disk at one moment.
struct DiskState {
  HardState hard_state;
  SnapshotMeta snapshot;  // index 0: none
  std::string snapshot_data;
  std::vector<Entry> log;  // contiguous, starting at snapshot.index + 1

  Index last_index() const { return snapshot.index + log.size(); }
  // Term of the entry at index: the snapshot's term at snapshot.index, 0 when
  // the index is not covered.
  Term TermAt(Index index) const;
  const Entry* EntryAt(Index index) const;
};

class SimDisk {
 public:
  // Each write returns false (and changes nothing) when it breaks the log's
  // shape; the caller reports that as a host contract violation.
  // Replaces the log and snapshot (a snapshot from the leader).
  bool InstallSnapshot(const SnapshotMeta& meta, const std::string& data);
  // Removes entries at or after entries.front().index, then appends.
  bool Append(const std::vector<Entry>& entries);
  void SetHardState(const HardState& hard_state);
  // A local snapshot of the state machine at meta.index; drops log entries up
  // to meta.index.
  bool SaveLocalSnapshot(const SnapshotMeta& meta, const std::string& data);

  // Makes every write so far durable.
  void Sync();
  size_t unsynced() const { return unsynced_.size(); }

  // A crash: with probability loss_probability a random non-empty suffix of
  // the unsynced writes is lost; the rest becomes durable. Returns the number
  // of writes lost.
  size_t Crash(Rng& rng, double loss_probability);

  // What a restarted replica recovers (durable state only).
  PersistedState Load(const Membership& initial_membership) const;

  // The state including unsynced writes (what the running host sees).
  const DiskState& current() const { return current_; }
  const DiskState& durable() const { return durable_; }

  // Highest durable commit ever seen on this disk.
  Index max_durable_commit() const { return max_durable_commit_; }
  // Set when a write made durable lowered the durable commit.
  bool commit_regressed() const { return commit_regressed_; }

 private:
  enum class OpType { kSnapshot, kTruncate, kAppend, kHardState, kLocalSnapshot };
  struct Op {
    OpType type;
    Entry entry;      // kAppend
    Index index = 0;  // kTruncate: first index removed
    HardState hard_state;
    SnapshotMeta meta;  // kSnapshot, kLocalSnapshot
    std::string data;
  };
  static bool ApplyOp(const Op& op, DiskState* state);
  bool Write(Op op);
  void MakeDurable(const Op& op);

  DiskState durable_;
  DiskState current_;
  std::vector<Op> unsynced_;
  Index max_durable_commit_ = 0;
  bool commit_regressed_ = false;
};

}  // namespace tern::sim
