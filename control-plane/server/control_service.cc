#include "control-plane/server/control_service.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/log/log.h"
#include "common/rpc/rpc.h"

namespace tern::control {

ControlService::ControlService(uint64_t replica_id,
                               NodeRegistry* registry,
                               Catalog* catalog,
                               Repairer* repairer,
                               metrics::Registry* metrics)
    : replica_id_(replica_id),
      registry_(registry),
      catalog_(catalog),
      repairer_(repairer),
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
  absl::Status status = registry_->Heartbeat(
      request->node(),
      std::vector<uint64_t>(request->partition_ids().begin(), request->partition_ids().end()));
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
  const std::set<uint64_t> draining = catalog_->Draining();
  for (tern::v1::NodeStatus& status : registry_->List()) {
    status.set_draining(draining.count(status.node().node_id()) > 0);
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
  if (absl::Status serving = catalog_->Serving(); !serving.ok()) {
    return rpc::ToGrpcStatus(serving);
  }
  return Answer(catalog_->Get(request->name()), response);
}

grpc::Status ControlService::ListTables(grpc::ServerContext*,
                                        const tern::v1::ListTablesRequest* request,
                                        tern::v1::ListTablesResponse* response) {
  if (absl::Status serving = catalog_->Serving(); !serving.ok()) {
    return rpc::ToGrpcStatus(serving);
  }
  *response = catalog_->List(request->exclusive_start_table_name(), request->limit());
  return grpc::Status::OK;
}

grpc::Status ControlService::CreateTable(grpc::ServerContext*,
                                         const tern::v1::CreateTableRequest* request,
                                         tern::v1::CatalogEntry* response) {
  if (absl::Status serving = catalog_->Serving(); !serving.ok()) {
    return rpc::ToGrpcStatus(serving);
  }
  // New partitions go to alive nodes that are not being drained.
  const std::set<uint64_t> draining = catalog_->Draining();
  std::vector<tern::v1::NodeInfo> alive;
  for (const tern::v1::NodeStatus& node : registry_->List()) {
    if (node.state() == tern::v1::NodeStatus::STATE_ALIVE &&
        draining.count(node.node().node_id()) == 0) {
      alive.push_back(node.node());
    }
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
  if (absl::Status serving = catalog_->Serving(); !serving.ok()) {
    return rpc::ToGrpcStatus(serving);
  }
  return Answer(catalog_->Update(request->table(), request->expected_version()), response);
}

grpc::Status ControlService::DeleteTable(grpc::ServerContext*,
                                         const tern::v1::DeleteTableRequest* request,
                                         tern::v1::CatalogEntry* response) {
  if (absl::Status serving = catalog_->Serving(); !serving.ok()) {
    return rpc::ToGrpcStatus(serving);
  }
  absl::StatusOr<tern::v1::CatalogEntry> current = catalog_->Get(request->name());
  if (!current.ok()) return rpc::ToGrpcStatus(current.status());
  const std::string& status = current->table().status();
  if (status != "ACTIVE") {
    // DynamoDB refuses to delete a table in transition (ResourceInUse).
    return rpc::ToGrpcStatus(absl::FailedPreconditionError(status));
  }
  return Answer(catalog_->SetStatus(request->name(), "DELETING"), response);
}

grpc::Status ControlService::MovePartition(grpc::ServerContext*,
                                           const tern::v1::MovePartitionRequest* request,
                                           tern::v1::PartitionDescriptor* response) {
  if (absl::Status serving = catalog_->Serving(); !serving.ok()) {
    return rpc::ToGrpcStatus(serving);
  }
  absl::StatusOr<tern::v1::PartitionDescriptor> moved =
      repairer_->Move(request->partition_id(), request->from_node_id(), request->to_node_id());
  if (!moved.ok()) return rpc::ToGrpcStatus(moved.status());
  TERN_LOG(Info, "replica move requested")
      .With("partition_id", request->partition_id())
      .With("from", request->from_node_id())
      .With("to", request->to_node_id())
      .With("epoch", moved->epoch());
  *response = *std::move(moved);
  return grpc::Status::OK;
}

grpc::Status ControlService::DrainNode(grpc::ServerContext*,
                                       const tern::v1::DrainNodeRequest* request,
                                       tern::v1::DrainNodeResponse* response) {
  if (absl::Status serving = catalog_->Serving(); !serving.ok()) {
    return rpc::ToGrpcStatus(serving);
  }
  const uint64_t node = request->node_id();
  bool known = false;
  for (const tern::v1::NodeStatus& status : registry_->List()) {
    known = known || status.node().node_id() == node;
  }
  if (!known) {
    return rpc::ToGrpcStatus(
        absl::NotFoundError(absl::StrCat("node ", node, " is not registered")));
  }
  if (absl::Status status = catalog_->SetDraining(node, !request->undo()); !status.ok()) {
    return rpc::ToGrpcStatus(status);
  }
  uint32_t left = 0;
  for (const char* state : {"CREATING", "ACTIVE", "UPDATING", "DELETING"}) {
    for (const tern::v1::CatalogEntry& entry : catalog_->InStatus(state)) {
      for (const tern::v1::PartitionDescriptor& partition : entry.partitions()) {
        for (const tern::v1::ReplicaDescriptor& replica : partition.replicas()) {
          if (replica.node_id() == node) ++left;
        }
      }
    }
  }
  response->set_replicas_left(left);
  TERN_LOG(Info, request->undo() ? "node no longer draining" : "node draining")
      .With("node", node)
      .With("replicas_left", left);
  return grpc::Status::OK;
}

grpc::Status ControlService::SplitPartition(grpc::ServerContext*,
                                            const tern::v1::SplitPartitionRequest* request,
                                            tern::v1::CatalogEntry* response) {
  if (absl::Status serving = catalog_->Serving(); !serving.ok()) {
    return rpc::ToGrpcStatus(serving);
  }
  return Answer(repairer_->Split(request->partition_id(), request->split_key(), request->by_load()),
                response);
}

grpc::Status ControlService::GetPartitionMap(grpc::ServerContext*,
                                             const tern::v1::GetPartitionMapRequest* request,
                                             tern::v1::PartitionMap* response) {
  if (absl::Status serving = catalog_->Serving(); !serving.ok()) {
    return rpc::ToGrpcStatus(serving);
  }
  if (request->known_version() != 0 && catalog_->version() <= request->known_version()) {
    response->set_version(catalog_->version());  // nothing new
    return grpc::Status::OK;
  }
  *response = catalog_->Map();
  return grpc::Status::OK;
}

grpc::Status ControlService::WatchPartitionMap(grpc::ServerContext* context,
                                               const tern::v1::GetPartitionMapRequest* request,
                                               grpc::ServerWriter<tern::v1::PartitionMap>* writer) {
  uint64_t sent = request->known_version();
  bool first = true;
  absl::Time last_write = absl::Now();
  while (!context->IsCancelled()) {
    if (absl::Status serving = catalog_->Serving(); !serving.ok()) {
      return rpc::ToGrpcStatus(serving);
    }
    if (first || catalog_->version() > sent) {
      tern::v1::PartitionMap map = catalog_->Map();
      sent = map.version();
      first = false;
      if (!writer->Write(map)) return grpc::Status::OK;  // the watcher left
      last_write = absl::Now();
    } else if (absl::Now() - last_write >= absl::Milliseconds(500)) {
      // Unchanged: the version alone says the watcher's copy is current.
      tern::v1::PartitionMap unchanged;
      unchanged.set_version(sent);
      if (!writer->Write(unchanged)) return grpc::Status::OK;
      last_write = absl::Now();
    }
    absl::SleepFor(absl::Milliseconds(100));
  }
  return grpc::Status::OK;
}

}  // namespace tern::control
