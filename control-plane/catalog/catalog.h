// Catalog: the tables of the cluster, their descriptors and partitions, and
// the nodes being drained, persisted in a StorageEngine (column family meta,
// keys "table/<name>", "draining/<node id>", "catalog/next_table_id").
//
// Every change is a CatalogCommand. Alone (tests, a single control replica
// without replication) the catalog applies commands itself; replicated
// (Replicate()), it proposes them to the control plane's catalog group and
// every replica applies them in log order through Apply (the group's
// StateMachine: CatalogMachine). Reads answer from this replica's state.
//
// A table's partitions cut its hash space into equal slices, each
// replicated on three nodes in three AZs when the cluster has them.
//
// Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/base/mutex.h"
#include "common/time/clock.h"
#include "storage-node/engine/storage_engine.h"
#include "tern/v1/control.pb.h"

namespace tern::control {

inline constexpr size_t kReplicasPerPartition = 3;
inline constexpr int kMaxPartitionsPerTable = 1024;
// A partition's id is its table's id shifted left by this, plus its index.
inline constexpr int kPartitionIdBits = 16;

// How many partitions a new table starts with: PROVISIONED tables by
// DynamoDB's sizing (3,000 RCU or 1,000 WCU per partition), on-demand tables
// default_partitions.
int PartitionCount(const tern::v1::TableDescriptor& table, int default_partitions);

// The first storage key of slice i of count equal slices of the table's hash
// space.
std::string HashBoundary(uint64_t table_id, int i, int count);

// Up to kReplicasPerPartition distinct nodes for a new partition: one per AZ
// while AZs last (3 AZs give 3 AZs), then more from AZs already used. salt
// (e.g. the table id) rotates the choice so partitions spread over nodes.
// Deterministic.
std::vector<tern::v1::NodeInfo> PlaceReplicas(const std::vector<tern::v1::NodeInfo>& nodes,
                                              uint64_t salt);

class Catalog {
 public:
  // Proposes a serialized CatalogCommand and returns what Apply returned
  // for it once applied (blocking), or the replication error.
  using Proposer = std::function<absl::StatusOr<std::string>(std::string command)>;

  // store and clock must outlive the catalog. New on-demand tables get
  // default_partitions partitions.
  Catalog(engine::StorageEngine* store, time::Clock* clock, int default_partitions = 1);

  // Reads every persisted entry. kDataLoss on an unreadable entry.
  absl::Status Load();

  // From now on changes go through proposer; serving tells whether this
  // replica leads the catalog group and is up to date (OK), or why not (a
  // base::NotLeader status naming the leader). Call before use.
  void Replicate(Proposer proposer, std::function<absl::Status()> serving);
  // OK when this replica may answer catalog reads and propose changes
  // (always when alone).
  absl::Status Serving() const;
  bool IsLeader() const { return Serving().ok(); }

  // The catalog group's state machine (see CatalogMachine).
  absl::StatusOr<std::string> Apply(const std::string& command, engine::WriteBatch* batch);
  absl::StatusOr<std::string> Export() const;
  absl::Status Import(const std::string& data, engine::WriteBatch* batch);

  // NOT_FOUND (as DynamoDB's ResourceNotFoundException) when absent.
  absl::StatusOr<tern::v1::CatalogEntry> Get(const std::string& name) const;

  // Table names after exclusive_start in name order, at most limit (0: all).
  tern::v1::ListTablesResponse List(const std::string& exclusive_start, uint32_t limit) const;

  // Adds the table in status CREATING with a fresh id, TableId and
  // PartitionCount partitions whose replicas PlaceReplicas chose among nodes
  // (ALIVE nodes).
  // ALREADY_EXISTS (ResourceInUse) when the name is taken; UNAVAILABLE when no
  // node is alive.
  absl::StatusOr<tern::v1::CatalogEntry> Create(tern::v1::TableDescriptor table,
                                                const std::vector<tern::v1::NodeInfo>& nodes);

  // Replaces the descriptor when the entry is still at expected_version.
  // NOT_FOUND; ABORTED when the version moved on.
  absl::StatusOr<tern::v1::CatalogEntry> Update(const tern::v1::TableDescriptor& table,
                                                uint64_t expected_version);

  // Sets the table's status (CREATING -> ACTIVE, ... -> DELETING). NOT_FOUND.
  absl::StatusOr<tern::v1::CatalogEntry> SetStatus(const std::string& name,
                                                   const std::string& status);

  // Forgets the table. NOT_FOUND.
  absl::Status Remove(const std::string& name);

  // Entries whose table status is status, in name order.
  std::vector<tern::v1::CatalogEntry> InStatus(const std::string& status) const;

  // True when this catalog assigned table_id (the table may be gone since).
  bool Assigned(uint64_t table_id) const;

  // Changes applied so far (the partition map's version).
  uint64_t version() const;
  // Every ACTIVE table's entry, at version().
  tern::v1::PartitionMap Map() const;

  // The entry of the table partition_id belongs to, or nullopt.
  std::optional<tern::v1::CatalogEntry> TableOfPartition(uint64_t partition_id) const;

  // Records that partition_id's replica on node from is replaced by one on
  // node to (the repair loop then moves the data): bumps the partition's
  // epoch and the entry's version. NOT_FOUND; FAILED_PRECONDITION when from
  // holds no replica of it or to holds one already.
  absl::StatusOr<tern::v1::PartitionDescriptor> MoveReplica(uint64_t partition_id,
                                                            uint64_t from,
                                                            const tern::v1::NodeInfo& to);

  // Records the decision to split partition_id at split_key (a storage key
  // strictly inside it): the children's ids and descriptors go into its
  // pending_split, which the partition's group then applies. Idempotent for
  // the same key. NOT_FOUND; INVALID_ARGUMENT (key outside);
  // FAILED_PRECONDITION (another split planned).
  absl::StatusOr<tern::v1::PartitionDescriptor> PlanSplit(uint64_t partition_id,
                                                          const std::string& split_key);
  // The group applied the planned split: the children replace the partition,
  // which moves to the entry's retired list (stream lineage). Idempotent.
  absl::StatusOr<tern::v1::CatalogEntry> FinishSplit(uint64_t partition_id);

  // Nodes an operator asked to drain (persisted, keys "draining/<id>").
  absl::Status SetDraining(uint64_t node_id, bool draining);
  std::set<uint64_t> Draining() const;

 private:
  absl::StatusOr<std::string> Execute(const tern::v1::CatalogCommand& command);
  template <typename Message>
  absl::StatusOr<Message> ExecuteFor(const tern::v1::CatalogCommand& command);
  // Records entry in the state and adds it to batch.
  void Put(const tern::v1::CatalogEntry& entry, engine::WriteBatch* batch)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  tern::v1::CatalogEntry* EntryOfTable(uint64_t table_id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<std::string> ApplyLocked(const tern::v1::CatalogCommand& command,
                                          engine::WriteBatch* batch)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<std::string> ApplyPlanSplit(const tern::v1::PlanSplitCommand& plan_split,
                                             engine::WriteBatch* batch)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<std::string> ApplyFinishSplit(const tern::v1::FinishSplitCommand& finish,
                                               engine::WriteBatch* batch)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<std::string> ApplyMove(const tern::v1::MoveReplicaCommand& move,
                                        engine::WriteBatch* batch)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  Proposer proposer_;
  std::function<absl::Status()> serving_;

  engine::StorageEngine* const store_;
  time::Clock* const clock_;
  mutable base::Mutex mu_;
  std::map<std::string, tern::v1::CatalogEntry> tables_ ABSL_GUARDED_BY(mu_);
  uint64_t next_table_id_ ABSL_GUARDED_BY(mu_) = 1;
  uint64_t version_ ABSL_GUARDED_BY(mu_) = 0;
  std::set<uint64_t> draining_ ABSL_GUARDED_BY(mu_);
  const int default_partitions_;
};

}  // namespace tern::control
