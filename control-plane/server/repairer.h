// Repairer: keeps every partition's replication group on the nodes the
// catalog places it on, and changes that placement when nodes die, drain or
// join. Each round (a PeriodicTask):
//
//  1. Reconcile: for every partition of every ACTIVE table, ask its leader
//     (NodeAdmin.GetPartitionStats) for the group's membership and progress
//     and take the single next step toward the catalog's replica set
//     (NextMembershipStep): open a joining replica and add it as a learner,
//     promote it once caught up, hand leadership away from a leaving leader,
//     remove the leaving replica. A partition whose voters are exactly its
//     catalog replicas is settled at its epoch; every replica is then told
//     the current descriptor (peer addresses) once per epoch.
//  2. Clean up: an alive node that reports hosting a replica the catalog no
//     longer places there (its partition settled without it, or its table is
//     gone) is told to drop it.
//  3. Plan: once the registry has had a whole grace period to hear from
//     every node, PlanMoves picks replicas to move (repair of DEAD nodes,
//     drains, then rebalancing within AZs), at most max_moves partitions
//     unsettled at a time; the catalog records each move (epoch + 1) and the
//     next rounds carry it out.
//
// No acknowledged write is put at risk: a new replica is a learner (no vote,
// not counted for commit) until caught up, and a replica is removed only by
// a committed membership change of its group.
// Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "common/base/mutex.h"
#include "common/exec/periodic.h"
#include "common/rpc/rpc.h"
#include "control-plane/catalog/catalog.h"
#include "control-plane/placement/planner.h"
#include "control-plane/registry/node_registry.h"
#include "tern/v1/control.grpc.pb.h"

namespace tern::control {

struct RepairOptions {
  std::chrono::milliseconds interval{500};
  // Partitions with a move in progress at once (new moves wait).
  size_t max_moves = 2;
  // A learner within this many entries of the commit index is promoted.
  uint64_t catch_up_slack = 16;
  // Even out replicas within AZs (e.g. onto an added node).
  bool rebalance = true;
};

class Repairer {
 public:
  // catalog and registry must outlive this object.
  Repairer(Catalog* catalog, NodeRegistry* registry, RepairOptions options);
  ~Repairer();

  void Start();
  void Stop();

  // One round (for tests).
  void RunOnce();

  // An operator's move of one replica (Control.MovePartition).
  // FAILED_PRECONDITION when the partition is still settling an earlier
  // change, or to is not an alive node; the catalog's errors otherwise.
  absl::StatusOr<tern::v1::PartitionDescriptor> Move(uint64_t partition_id,
                                                     uint64_t from,
                                                     uint64_t to);

 private:
  // Takes one step toward partition's catalog placement; true when settled.
  bool Reconcile(const tern::v1::PartitionDescriptor& partition,
                 const std::map<uint64_t, tern::v1::NodeStatus>& nodes);
  // The partition's stats from node's replica, or an error.
  absl::StatusOr<tern::v1::PartitionResponse> Stats(const tern::v1::PartitionDescriptor& partition,
                                                    const std::string& address);
  void CollectGarbage(const std::map<uint64_t, tern::v1::NodeStatus>& nodes);
  void PlanAndRecord(const std::vector<tern::v1::PartitionDescriptor>& partitions,
                     const std::map<uint64_t, tern::v1::NodeStatus>& nodes);

  Catalog* const catalog_;
  NodeRegistry* const registry_;
  const RepairOptions options_;
  rpc::StubCache<tern::v1::NodeAdmin> stubs_;

  base::Mutex mu_;
  // The epoch at which each partition was last seen settled.
  std::map<uint64_t, uint64_t> settled_epoch_ ABSL_GUARDED_BY(mu_);
  // The epoch whose descriptor every replica of the partition was given.
  std::map<uint64_t, uint64_t> announced_epoch_ ABSL_GUARDED_BY(mu_);
  base::Mutex round_mu_;  // one round at a time (the task and tests)

  exec::PeriodicTask task_;
};

}  // namespace tern::control
