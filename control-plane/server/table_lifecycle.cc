#include "control-plane/server/table_lifecycle.h"

#include <set>

#include "common/config/host_port.h"
#include "common/log/log.h"
#include "common/rpc/rpc.h"

namespace tern::control {

TableLifecycle::TableLifecycle(Catalog* catalog,
                               NodeRegistry* registry,
                               std::chrono::milliseconds interval)
    : catalog_(catalog),
      registry_(registry),
      task_("table-lifecycle", interval, [this] { RunOnce(); }) {}

TableLifecycle::~TableLifecycle() { Stop(); }

void TableLifecycle::Start() { task_.Start(); }

void TableLifecycle::Stop() { task_.Stop(); }

absl::Status TableLifecycle::ForEachReplica(const tern::v1::CatalogEntry& entry, bool open) {
  std::set<uint64_t> dead;
  if (registry_ != nullptr) {
    for (const tern::v1::NodeStatus& node : registry_->List()) {
      if (node.state() == tern::v1::NodeStatus::STATE_DEAD) dead.insert(node.node().node_id());
    }
  }
  for (const tern::v1::PartitionDescriptor& partition : entry.partitions()) {
    for (const tern::v1::ReplicaDescriptor& replica : partition.replicas()) {
      // A DEAD node cannot drop its copy now; the repairer drops it when the
      // node comes back and reports a partition whose table is gone.
      if (!open && dead.count(replica.node_id()) > 0) continue;
      tern::v1::NodeAdmin::Stub* stub = nodes_.For(replica.address());
      if (stub == nullptr) return absl::InternalError("bad replica address " + replica.address());
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
      tern::v1::PartitionRequest request;
      *request.mutable_partition() = partition;
      tern::v1::PartitionResponse response;
      grpc::Status status = open ? stub->OpenPartition(&context, request, &response)
                                 : stub->DropPartition(&context, request, &response);
      if (!status.ok()) return rpc::FromGrpcStatus(status);
    }
  }
  return absl::OkStatus();
}

void TableLifecycle::RunOnce() {
  if (!catalog_->IsLeader()) return;  // the catalog group's leader runs this
  for (const tern::v1::CatalogEntry& entry : catalog_->InStatus("CREATING")) {
    absl::Status opened = ForEachReplica(entry, /*open=*/true);
    if (!opened.ok()) {
      TERN_LOG(Warning, "table not ready yet")
          .With("table", entry.table().name())
          .With("error", opened.ToString());
      continue;
    }
    if (catalog_->SetStatus(entry.table().name(), "ACTIVE").ok()) {
      TERN_LOG(Info, "table active").With("table", entry.table().name());
    }
  }
  for (const tern::v1::CatalogEntry& entry : catalog_->InStatus("UPDATING")) {
    (void)catalog_->SetStatus(entry.table().name(), "ACTIVE");
  }
  for (const tern::v1::CatalogEntry& entry : catalog_->InStatus("DELETING")) {
    absl::Status dropped = ForEachReplica(entry, /*open=*/false);
    if (!dropped.ok()) {
      TERN_LOG(Warning, "table data not dropped yet")
          .With("table", entry.table().name())
          .With("error", dropped.ToString());
      continue;
    }
    if (catalog_->Remove(entry.table().name()).ok()) {
      TERN_LOG(Info, "table deleted").With("table", entry.table().name());
    }
  }
}

}  // namespace tern::control
