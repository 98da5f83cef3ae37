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
  // A partition whose data passes this many bytes is split in two where its
  // data divides in half (0: no size splits).
  uint64_t split_size_bytes = 0;
  // A partition whose leader serves more requests per second than this is
  // split where its sampled load divides in half, unless one key draws most
  // of it or access is sequential (0: no load splits).
  double split_load_qps = 0;
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

  // Splits a settled partition at split_key (empty: where its data divides
  // in half, as its leader finds): plans the split in the catalog, has the
  // partition's group apply it, then records the children. Returns the
  // table's entry with the children.
  absl::StatusOr<tern::v1::CatalogEntry> Split(uint64_t partition_id,
                                               const std::string& split_key,
                                               bool by_load = false);

 private:
  // What the replicas of a partition say about its group.
  struct Observed {
    std::vector<uint64_t> desired;  // the catalog's replicas, sorted
    std::map<uint64_t, std::string> address;
    std::map<uint64_t, tern::v1::PartitionResponse> seen;  // by node
    std::set<uint64_t> absent;                             // answered: not hosted here
    uint64_t leader = 0;
  };
  // Rounds a voter may be absent from its node before it is replaced.
  static constexpr uint64_t kAbsentRounds = 10;
  static constexpr uint64_t kSizeRounds = 10;

  Observed Observe(const tern::v1::PartitionDescriptor& partition,
                   const std::map<uint64_t, tern::v1::NodeStatus>& nodes,
                   bool sizes);
  // Takes one step toward partition's catalog placement; true when settled.
  bool Reconcile(const tern::v1::PartitionDescriptor& partition,
                 const std::map<uint64_t, tern::v1::NodeStatus>& nodes,
                 bool sizes);
  // The partition's stats from node's replica (sizes: with item count and
  // size, a scan of the replica), or an error.
  absl::StatusOr<tern::v1::PartitionResponse> Stats(const tern::v1::PartitionDescriptor& partition,
                                                    const std::string& address,
                                                    bool sizes);
  // Has the group apply the partition's pending split (trying up to
  // attempts times, 100 ms apart), then records it done.
  absl::StatusOr<tern::v1::CatalogEntry> DriveSplit(
      const tern::v1::PartitionDescriptor& partition,
      const std::map<uint64_t, tern::v1::NodeStatus>& nodes,
      int attempts);
  void SplitLargest(const std::vector<tern::v1::PartitionDescriptor>& partitions);
  void SplitHottest(const std::vector<tern::v1::PartitionDescriptor>& partitions);
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
  // Consecutive rounds each (partition, node) voter did not host its group.
  std::map<std::pair<uint64_t, uint64_t>, uint64_t> absent_rounds_ ABSL_GUARDED_BY(mu_);
  std::map<uint64_t, uint64_t> sizes_ ABSL_GUARDED_BY(mu_);  // leader's view, by partition
  std::map<uint64_t, double> loads_ ABSL_GUARDED_BY(mu_);    // leader's requests/s
  // Partitions a load split was refused for, and until when not to retry.
  std::map<uint64_t, std::chrono::steady_clock::time_point> load_refused_ ABSL_GUARDED_BY(mu_);
  uint64_t rounds_ = 0;   // guarded by round_mu_
  base::Mutex round_mu_;  // one round at a time (the task and tests)

  exec::PeriodicTask task_;
};

}  // namespace tern::control
