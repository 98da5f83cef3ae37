// Placement planner: decides where partition replicas should live and how a
// replication group gets there, one safe step at a time.
//
// Two layers, both pure functions over snapshots the caller gathers:
//  - PlanMoves / ChooseReplacement work on the catalog's view: which node
//    should hold which replica. They repair replicas on dead nodes, drain
//    nodes an operator is retiring, and even out replica counts within an AZ.
//    Moves keep a partition's replicas spread over AZs where the cluster
//    allows it.
//  - NextMembershipStep works on one group's Raft view: given the nodes the
//    catalog now places the partition on, the single next membership change
//    (add a learner, promote it once caught up, move leadership off a leaving
//    leader, remove). New replicas join as learners and are promoted before
//    anything is removed, so the group never has fewer voters than desired
//    and a lagging newcomer never counts toward the quorum (Raft thesis
//    §4.2.1, catching up new servers).
//
// Deterministic: no I/O, no clock, no threads, ordered containers only; ties
// are broken by node id, then partition id. Thread-compatible (no state).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "tern/v1/model.pb.h"

namespace tern::control {

// A storage node as the registry sees it. SUSPECT nodes (heartbeats late but
// not yet past the grace period) are neither alive nor dead: they are never
// chosen as targets and their replicas are not repaired yet.
struct NodeView {
  uint64_t node_id = 0;
  std::string az;
  std::string address;
  bool alive = false;     // heartbeats arriving (ALIVE)
  bool dead = false;      // DEAD: silent past the grace period
  bool draining = false;  // operator asked to move everything off it
};

// Move partition_id's replica from node `from` to node `to`.
struct ReplicaMove {
  uint64_t partition_id = 0;
  uint64_t from = 0;
  uint64_t to = 0;
  std::string reason;  // "repair", "drain" or "rebalance"

  friend bool operator==(const ReplicaMove&, const ReplicaMove&) = default;
};

// The node that should take over partition's replica on `from`: alive, not
// draining, not already holding a replica of the partition. Preference: the
// same AZ as `from` (from `nodes`, else the AZ recorded in the partition's
// replica descriptor, since a dead node may be missing from `nodes`); else an
// AZ none of the partition's other replicas uses; else any. Among equals, the
// fewest replicas (replica_counts: node id -> count, missing = 0), then the
// lowest node id. nullopt when no node qualifies.
std::optional<uint64_t> ChooseReplacement(const tern::v1::PartitionDescriptor& partition,
                                          uint64_t from,
                                          const std::vector<NodeView>& nodes,
                                          const std::map<uint64_t, int>& replica_counts);

// The replica moves to start now. partitions: every partition of every ACTIVE
// table as the catalog places it. busy: ids of partitions still settling an
// earlier change; they are never touched. Returns at most max_moves moves, at
// most one per partition, in the order they were planned. Replica counts start
// from `partitions` and are updated as each move is planned.
//  1. Repair, then drain: each replica on a dead node (or one missing from
//     `nodes`) gets a ChooseReplacement target, reason "repair"; then each
//     replica on a draining node, reason "drain". Repairs are planned before
//     any drain since they restore lost redundancy. Replicas with no possible
//     target are skipped.
//  2. Only when step 1 planned nothing, rebalance: within each AZ, among its
//     alive, non-draining nodes, while the most loaded node holds at least two
//     replicas more than the least loaded one, move the lowest-id partition
//     that has a replica on the former and none on the latter, reason
//     "rebalance". Ties between nodes go to the lowest id; when the extreme
//     pair has no movable partition, the next most/least loaded pair is tried.
//     AZs take turns (in name order) so a small max_moves is shared.
std::vector<ReplicaMove> PlanMoves(const std::vector<tern::v1::PartitionDescriptor>& partitions,
                                   const std::vector<NodeView>& nodes,
                                   const std::set<uint64_t>& busy,
                                   size_t max_moves);

// A replication group as its leader reports it.
struct GroupView {
  std::vector<uint64_t> voters;
  std::vector<uint64_t> learners;
  uint64_t leader = 0;  // 0: no leader known
  uint64_t commit = 0;
  std::map<uint64_t, uint64_t> match;  // replica -> highest index it holds (leader's view)
};

enum class StepKind { kNone, kAddLearner, kPromote, kTransferLeader, kRemove };

// "none", "add-learner", "promote", "transfer-leader" or "remove".
const char* StepKindName(StepKind kind);

struct MembershipStep {
  StepKind kind = StepKind::kNone;
  uint64_t node = 0;  // the node added/promoted/removed, or the transfer target

  friend bool operator==(const MembershipStep&, const MembershipStep&) = default;
};

// The next single membership change that brings `group` toward `desired` (the
// node ids the catalog places the partition on), adding before removing:
//  1. a learner not in desired -> kRemove it (lowest id first);
//  2. a desired node neither voter nor learner -> kAddLearner (lowest id first);
//  3. a desired learner with match > 0 and match + catch_up_slack >= commit -> kPromote
//     (lowest id first); otherwise, if a desired learner is still behind ->
//     kNone (wait for it);
//  4. a voter not in desired -> kRemove it (lowest id first), leaving the
//     leader for last; when only the leader is left to go -> kTransferLeader
//     to the desired voter with the highest match (ties: lowest id), or kNone
//     when there is none;
//  5. otherwise kNone (converged).
// kNone when leader == 0 or desired is empty. Missing match entries count as 0.
MembershipStep NextMembershipStep(const std::vector<uint64_t>& desired,
                                  const GroupView& group,
                                  uint64_t catch_up_slack);

}  // namespace tern::control
