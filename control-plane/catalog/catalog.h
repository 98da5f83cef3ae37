// Catalog: the tables of the cluster, their descriptors and partitions,
// persisted in a StorageEngine (column family meta, keys "table/<name>").
//
// Until the control plane is replicated (issue 6) each tern-control replica
// keeps its own catalog and the routers use the first replica's; one
// partition per table, placed on one storage node, until replication groups
// exist.
//
// Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/base/mutex.h"
#include "common/time/clock.h"
#include "storage-node/engine/storage_engine.h"
#include "tern/v1/control.pb.h"

namespace tern::control {

class Catalog {
 public:
  // store and clock must outlive the catalog.
  Catalog(engine::StorageEngine* store, time::Clock* clock);

  // Reads every persisted entry. kDataLoss on an unreadable entry.
  absl::Status Load();

  // NOT_FOUND (as DynamoDB's ResourceNotFoundException) when absent.
  absl::StatusOr<tern::v1::CatalogEntry> Get(const std::string& name) const;

  // Table names after exclusive_start in name order, at most limit (0: all).
  tern::v1::ListTablesResponse List(const std::string& exclusive_start, uint32_t limit) const;

  // Adds the table in status CREATING with a fresh id, TableId and one
  // partition placed on one of nodes (ALIVE nodes, ordered by id).
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

 private:
  absl::Status Persist(const tern::v1::CatalogEntry& entry) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  engine::StorageEngine* const store_;
  time::Clock* const clock_;
  mutable base::Mutex mu_;
  std::map<std::string, tern::v1::CatalogEntry> tables_ ABSL_GUARDED_BY(mu_);
  uint64_t next_table_id_ ABSL_GUARDED_BY(mu_) = 1;
};

}  // namespace tern::control
