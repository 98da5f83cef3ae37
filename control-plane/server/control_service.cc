#include "control-plane/server/control_service.h"

#include "common/log/log.h"
#include "common/rpc/rpc.h"

namespace tern::control {

ControlService::ControlService(uint64_t replica_id,
                               NodeRegistry* registry,
                               Catalog* catalog,
                               metrics::Registry* metrics)
    : replica_id_(replica_id),
      registry_(registry),
      catalog_(catalog),
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

namespace {

grpc::Status Answer(absl::StatusOr<tern::v1::CatalogEntry> result, tern::v1::CatalogEntry* out) {
  if (!result.ok()) return rpc::ToGrpcStatus(result.status());
  *out = *std::move(result);
  return grpc::Status::OK;
}

}  // namespace

grpc::Status ControlService::GetTable(grpc::ServerContext*,
                                      const tern::v1::GetTableRequest* request,
                                      tern::v1::CatalogEntry* response) {
  return Answer(catalog_->Get(request->name()), response);
}

grpc::Status ControlService::ListTables(grpc::ServerContext*,
                                        const tern::v1::ListTablesRequest* request,
                                        tern::v1::ListTablesResponse* response) {
  *response = catalog_->List(request->exclusive_start_table_name(), request->limit());
  return grpc::Status::OK;
}

grpc::Status ControlService::CreateTable(grpc::ServerContext*,
                                         const tern::v1::CreateTableRequest* request,
                                         tern::v1::CatalogEntry* response) {
  std::vector<tern::v1::NodeInfo> alive;
  for (const tern::v1::NodeStatus& node : registry_->List()) {
    if (node.state() == tern::v1::NodeStatus::STATE_ALIVE) alive.push_back(node.node());
  }
  absl::StatusOr<tern::v1::CatalogEntry> entry = catalog_->Create(request->table(), alive);
  if (entry.ok()) {
    TERN_LOG(Info, "table created")
        .With("table", entry->table().name())
        .With("table_id", entry->table().table_id());
  }
  return Answer(std::move(entry), response);
}

grpc::Status ControlService::UpdateTable(grpc::ServerContext*,
                                         const tern::v1::UpdateTableRequest* request,
                                         tern::v1::CatalogEntry* response) {
  return Answer(catalog_->Update(request->table(), request->expected_version()), response);
}

grpc::Status ControlService::DeleteTable(grpc::ServerContext*,
                                         const tern::v1::DeleteTableRequest* request,
                                         tern::v1::CatalogEntry* response) {
  absl::StatusOr<tern::v1::CatalogEntry> current = catalog_->Get(request->name());
  if (!current.ok()) return rpc::ToGrpcStatus(current.status());
  const std::string& status = current->table().status();
  if (status != "ACTIVE") {
    // DynamoDB refuses to delete a table in transition (ResourceInUse).
    return rpc::ToGrpcStatus(absl::FailedPreconditionError(status));
  }
  return Answer(catalog_->SetStatus(request->name(), "DELETING"), response);
}

}  // namespace tern::control
