// GroupStorage: the durable state of one replication group on a node, in the
// raft_log and raft_state column families (docs/formats/node-storage.md):
// log entries, hard state, snapshot position and applied index. Writes are
// added to a caller's engine::WriteBatch so that persisting a Ready, or
// applying entries together with the applied index, is one atomic write.
//
// Thread-compatible: one group's calls are serialized by its owner.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "common/replication/raft.h"
#include "storage-node/engine/storage_engine.h"

namespace tern::replica {

class GroupStorage {
 public:
  // engine must outlive the storage.
  GroupStorage(engine::StorageEngine* engine, uint64_t group_id);

  // Records founding as the group's founding membership (synced) unless one
  // is recorded already.
  absl::Status Found(const replication::Membership& founding);

  // What the group's replica recovers at start. The first Load of a group
  // records initial as its founding membership (Found); every later Load
  // returns the recorded one whatever initial says.
  absl::StatusOr<replication::PersistedState> Load(const replication::Membership& initial);

  // Adds to batch the durable part of ready: a snapshot position (which
  // drops the whole log), entries (replacing any at or after the first of
  // them) and the hard state. Returns whether the batch must be synced
  // before anything is sent: it holds a snapshot, entries, or a new term or
  // vote. A hard state that only moves the commit index need not be: a
  // replica that loses it on a crash learns the commit index again, and
  // whatever it applied is later in the log of writes than the commit
  // index that allowed it (so survives only with it).
  bool Persist(const replication::Ready& ready, engine::WriteBatch* batch);

  // True when ready records a term or vote other than the durable ones.
  bool ChangesTermOrVote(const replication::Ready& ready) const;

  // Adds the applied index to batch.
  void SetApplied(replication::Index applied, engine::WriteBatch* batch) const;

  // Adds the removal of entries up to and including through.index, recording
  // through as the position the state machine's durable state covers.
  void Compact(const replication::SnapshotMeta& through, engine::WriteBatch* batch) const;

  // Adds the state of a group born at position at (a split's child): its
  // founding membership and durable position are at.membership and at, its
  // log is empty after at.index, and the state machine's data is already in
  // place. A replica created later (with no state) is behind at.index and
  // gets a snapshot.
  void Initialize(const replication::SnapshotMeta& at, engine::WriteBatch* batch) const;

  // Adds the removal of everything the group stored.
  void Drop(engine::WriteBatch* batch) const;
  // Founds the group, in batch, as a replica that joins it: no membership
  // and no log, so it waits for the leader's snapshot (Found with an empty
  // membership, written with other changes). Nothing when already founded.
  absl::Status FoundJoining(engine::WriteBatch* batch) const;

  // Encodings, exposed for tests and tools.
  static std::string LogKey(uint64_t group_id, replication::Index index);
  static std::string EncodeEntry(const replication::Entry& entry);
  static absl::StatusOr<replication::Entry> DecodeEntry(replication::Index index,
                                                        const std::string& bytes);

 private:
  std::string StateKey(char kind) const;

  engine::StorageEngine* const engine_;
  const uint64_t group_id_;
  replication::Index last_index_ = 0;  // highest index persisted in the log
  // The term and vote last written (Load or Persist).
  uint64_t persisted_term_ = 0;
  replication::NodeId persisted_vote_ = 0;
};

}  // namespace tern::replica
