// TableLifecycle: moves tables through their states on the control plane's
// own schedule, as DynamoDB does: CREATING -> ACTIVE once every replica has
// opened the table's partitions; UPDATING -> ACTIVE; DELETING -> gone once
// every replica has dropped them. Runs on a PeriodicTask; thread-safe.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "common/base/mutex.h"
#include "common/exec/periodic.h"
#include "common/rpc/rpc.h"
#include "control-plane/catalog/catalog.h"
#include "control-plane/registry/node_registry.h"
#include "tern/v1/control.grpc.pb.h"

namespace tern::control {

class TableLifecycle {
 public:
  // catalog and registry (may be null: every node counts as alive) must
  // outlive this object. Replicas on DEAD nodes are skipped when a table's
  // data is dropped.
  TableLifecycle(Catalog* catalog, NodeRegistry* registry, std::chrono::milliseconds interval);
  ~TableLifecycle();

  void Start();
  void Stop();

  // One pass over every table in transition (for tests).
  void RunOnce();

 private:
  // Calls OpenPartition (open=true) or DropPartition on every replica.
  absl::Status ForEachReplica(const tern::v1::CatalogEntry& entry, bool open);

  Catalog* const catalog_;
  NodeRegistry* const registry_;
  rpc::StubCache<tern::v1::NodeAdmin> nodes_;
  exec::PeriodicTask task_;
};

}  // namespace tern::control
