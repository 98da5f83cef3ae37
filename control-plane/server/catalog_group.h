// CatalogGroup: the control plane's catalog, replicated over the
// tern-control replicas as one replication group (the same Raft core and
// ReplicaHost the storage nodes use; group id kCatalogGroupId). Every
// replica applies the catalog's commands in log order (CatalogMachine); the
// leader alone changes the catalog and answers catalog reads, so a read
// after an acknowledged change sees it. With three replicas the catalog
// keeps working while any one is down.
//
// Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/config/host_port.h"
#include "control-plane/catalog/catalog.h"
#include "storage-node/engine/storage_engine.h"
#include "storage-node/replica/replica_host.h"

namespace tern::control {

// The catalog group's id in the replication state of each control replica.
inline constexpr uint64_t kCatalogGroupId = 0;

// The Catalog as the catalog group's StateMachine.
class CatalogMachine final : public replica::StateMachine {
 public:
  explicit CatalogMachine(Catalog* catalog) : catalog_(catalog) {}
  absl::StatusOr<std::string> Apply(const std::string& command,
                                    bool /*answered*/,
                                    engine::WriteBatch* batch) override {
    return catalog_->Apply(command, batch);
  }
  absl::StatusOr<std::string> Export() override { return catalog_->Export(); }
  absl::Status Import(const std::string& data, engine::WriteBatch* batch) override {
    return catalog_->Import(data, batch);
  }

 private:
  Catalog* const catalog_;
};

struct CatalogGroupOptions {
  uint64_t replica_id = 0;
  // Every control replica's gRPC address, replica i + 1 at index i.
  std::vector<config::HostPort> replicas;
  std::chrono::milliseconds tick{50};
  // How long a change waits to be applied before it is answered with
  // DEADLINE_EXCEEDED (outcome unknown).
  std::chrono::milliseconds propose_timeout{5000};
};

class CatalogGroup {
 public:
  // Opens this replica's member of the group and makes catalog replicate
  // through it. engine and catalog must outlive the group.
  static absl::StatusOr<std::unique_ptr<CatalogGroup>> Start(CatalogGroupOptions options,
                                                             engine::StorageEngine* engine,
                                                             Catalog* catalog);
  ~CatalogGroup();

  // The Replication gRPC service the other replicas send to.
  grpc::Service* service() { return &service_; }
  // Finishes the work the service handed to its own threads; call after the
  // gRPC server serving it shut down and before the server is destroyed.
  void DrainService() { service_.Drain(); }

  // Proposes a serialized CatalogCommand; what Catalog::Apply returned.
  absl::StatusOr<std::string> Propose(std::string command);
  // See ReplicaGroup::CheckServing.
  absl::Status CheckServing() const;

 private:
  CatalogGroup(CatalogGroupOptions options, engine::StorageEngine* engine, Catalog* catalog);

  const CatalogGroupOptions options_;
  replica::ReplicaHost host_;
  replica::ReplicationService service_;
  std::shared_ptr<replica::ReplicaGroup> group_;
};

}  // namespace tern::control
