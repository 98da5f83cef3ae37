// The Control gRPC service of one tern-control replica: node heartbeats, the
// node list and the table catalog. Partition-map RPCs (GetPartitionMap,
// WatchPartitionMap) arrive with the control-plane issue and answer
// UNIMPLEMENTED until then. Thread-safe (gRPC calls handlers concurrently).
#pragma once

#include <cstdint>

#include "common/metrics/metrics.h"
#include "control-plane/catalog/catalog.h"
#include "control-plane/registry/node_registry.h"
#include "tern/v1/control.grpc.pb.h"

namespace tern::control {

class ControlService final : public tern::v1::Control::Service {
 public:
  // registry and metrics must outlive the service.
  // registry, catalog and metrics must outlive the service.
  ControlService(uint64_t replica_id,
                 NodeRegistry* registry,
                 Catalog* catalog,
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

 private:
  const uint64_t replica_id_;
  NodeRegistry* const registry_;
  Catalog* const catalog_;
  metrics::Counter& heartbeats_ok_;
  metrics::Counter& heartbeats_rejected_;
};

}  // namespace tern::control
