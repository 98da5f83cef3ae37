#include "control-plane/server/control_service.h"

#include "common/log/log.h"
#include "common/rpc/rpc.h"

namespace tern::control {

ControlService::ControlService(uint64_t replica_id,
                               NodeRegistry* registry,
                               metrics::Registry* metrics)
    : replica_id_(replica_id),
      registry_(registry),
      heartbeats_ok_(
          metrics
              ->AddCounter("tern_control_heartbeats_total", "Node heartbeats received, by result.")
              .Add({{"result", "ok"}})),
      heartbeats_rejected_(
          metrics
              ->AddCounter("tern_control_heartbeats_total", "Node heartbeats received, by result.")
              .Add({{"result", "rejected"}})) {}

grpc::Status ControlService::Heartbeat(grpc::ServerContext*,
                                       const tern::v1::HeartbeatRequest* request,
                                       tern::v1::HeartbeatResponse* response) {
  absl::Status status = registry_->Heartbeat(request->node());
  if (!status.ok()) {
    heartbeats_rejected_.Increment();
    TERN_LOG(Warning, "heartbeat rejected")
        .With("node_id", request->node().node_id())
        .With("error", status.ToString());
    return rpc::ToGrpcStatus(status);
  }
  heartbeats_ok_.Increment();
  response->set_control_replica_id(replica_id_);
  return grpc::Status::OK;
}

grpc::Status ControlService::ListNodes(grpc::ServerContext*,
                                       const tern::v1::ListNodesRequest*,
                                       tern::v1::ListNodesResponse* response) {
  response->set_control_replica_id(replica_id_);
  for (tern::v1::NodeStatus& status : registry_->List()) {
    *response->add_nodes() = std::move(status);
  }
  return grpc::Status::OK;
}

}  // namespace tern::control
