// The Control gRPC service of one tern-control replica: node heartbeats, the
// node list, the table catalog and operators' replica moves and drains.
// Partition-map RPCs (GetPartitionMap, WatchPartitionMap) answer
// UNIMPLEMENTED until the map is served from a replicated catalog. Thread-safe (gRPC calls handlers
// concurrently).
#pragma once

#include <cstdint>

#include "common/metrics/metrics.h"
#include "control-plane/catalog/catalog.h"
#include "control-plane/registry/node_registry.h"
#include "control-plane/server/repairer.h"
#include "tern/v1/control.grpc.pb.h"

namespace tern::control {

class ControlService final : public tern::v1::Control::Service {
 public:
  // registry, catalog, repairer and metrics must outlive the service.
  ControlService(uint64_t replica_id,
                 NodeRegistry* registry,
                 Catalog* catalog,
                 Repairer* repairer,
                 metrics::Registry* metrics);

  grpc::Status Heartbeat(grpc::ServerContext* context,
                         const tern::v1::HeartbeatRequest* request,
                         tern::v1::HeartbeatResponse* response) override;
  grpc::Status ListNodes(grpc::ServerContext* context,
                         const tern::v1::ListNodesRequest* request,
                         tern::v1::ListNodesResponse* response) override;
  grpc::Status GetTable(grpc::ServerContext* context,
                        const tern::v1::GetTableRequest* request,
                        tern::v1::CatalogEntry* response) override;
  grpc::Status ListTables(grpc::ServerContext* context,
                          const tern::v1::ListTablesRequest* request,
                          tern::v1::ListTablesResponse* response) override;
  grpc::Status CreateTable(grpc::ServerContext* context,
                           const tern::v1::CreateTableRequest* request,
                           tern::v1::CatalogEntry* response) override;
  grpc::Status UpdateTable(grpc::ServerContext* context,
                           const tern::v1::UpdateTableRequest* request,
                           tern::v1::CatalogEntry* response) override;
  grpc::Status DeleteTable(grpc::ServerContext* context,
                           const tern::v1::DeleteTableRequest* request,
                           tern::v1::CatalogEntry* response) override;
  grpc::Status MovePartition(grpc::ServerContext* context,
                             const tern::v1::MovePartitionRequest* request,
                             tern::v1::PartitionDescriptor* response) override;
  grpc::Status DrainNode(grpc::ServerContext* context,
                         const tern::v1::DrainNodeRequest* request,
                         tern::v1::DrainNodeResponse* response) override;
  grpc::Status GetPartitionMap(grpc::ServerContext* context,
                               const tern::v1::GetPartitionMapRequest* request,
                               tern::v1::PartitionMap* response) override;
  // Streams the map at once and each time its version passes the last one
  // sent (checked every 100 ms), and the bare version every 500 ms while it
  // is unchanged, until the caller cancels or this replica stops leading the
  // catalog group (then: the NotLeader status, to follow).
  grpc::Status WatchPartitionMap(grpc::ServerContext* context,
                                 const tern::v1::GetPartitionMapRequest* request,
                                 grpc::ServerWriter<tern::v1::PartitionMap>* writer) override;
  grpc::Status SplitPartition(grpc::ServerContext* context,
                              const tern::v1::SplitPartitionRequest* request,
                              tern::v1::CatalogEntry* response) override;

 private:
  const uint64_t replica_id_;
  NodeRegistry* const registry_;
  Catalog* const catalog_;
  Repairer* const repairer_;
  metrics::Counter& heartbeats_ok_;
  metrics::Counter& heartbeats_rejected_;
};

}  // namespace tern::control
