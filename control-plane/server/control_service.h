// The Control gRPC service of one tern-control replica: node heartbeats and
// the node list. Catalog and partition-map RPCs are defined in control.proto
// and arrive with the replicated catalog; until then they answer UNIMPLEMENTED.
// Thread-safe (gRPC calls handlers concurrently).
#pragma once

#include <cstdint>

#include "common/metrics/metrics.h"
#include "control-plane/registry/node_registry.h"
#include "tern/v1/control.grpc.pb.h"

namespace tern::control {

class ControlService final : public tern::v1::Control::Service {
 public:
  // registry and metrics must outlive the service.
  ControlService(uint64_t replica_id, NodeRegistry* registry, metrics::Registry* metrics);

  grpc::Status Heartbeat(grpc::ServerContext* context,
                         const tern::v1::HeartbeatRequest* request,
                         tern::v1::HeartbeatResponse* response) override;
  grpc::Status ListNodes(grpc::ServerContext* context,
                         const tern::v1::ListNodesRequest* request,
                         tern::v1::ListNodesResponse* response) override;

 private:
  const uint64_t replica_id_;
  NodeRegistry* const registry_;
  metrics::Counter& heartbeats_ok_;
  metrics::Counter& heartbeats_rejected_;
};

}  // namespace tern::control
