#include "control-plane/placement/planner.h"

#include <algorithm>
#include <tuple>

namespace tern::control {
namespace {

using NodeIndex = std::map<uint64_t, const NodeView*>;

// Ordered by id so every scan below is deterministic; the first entry wins
// should the caller list a node twice.
NodeIndex IndexNodes(const std::vector<NodeView>& nodes) {
  NodeIndex index;
  for (const NodeView& node : nodes) index.emplace(node.node_id, &node);
  return index;
}

bool CanTakeReplicas(const NodeView& node) { return node.alive && !node.dead && !node.draining; }

// The registry is authoritative; the descriptor's copy still tells where a
// node that has already left the registry used to live.
std::string AzOf(uint64_t node_id,
                 const tern::v1::PartitionDescriptor& partition,
                 const NodeIndex& index) {
  if (auto it = index.find(node_id); it != index.end()) return it->second->az;
  for (const tern::v1::ReplicaDescriptor& replica : partition.replicas()) {
    if (replica.node_id() == node_id) return replica.az();
  }
  return "";
}

bool Holds(const tern::v1::PartitionDescriptor& partition, uint64_t node_id) {
  for (const tern::v1::ReplicaDescriptor& replica : partition.replicas()) {
    if (replica.node_id() == node_id) return true;
  }
  return false;
}

int CountOf(const std::map<uint64_t, int>& counts, uint64_t node_id) {
  auto it = counts.find(node_id);
  return it == counts.end() ? 0 : it->second;
}

std::optional<uint64_t> Replacement(const tern::v1::PartitionDescriptor& partition,
                                    uint64_t from,
                                    const NodeIndex& index,
                                    const std::map<uint64_t, int>& counts) {
  std::set<std::string> other_azs;
  for (const tern::v1::ReplicaDescriptor& replica : partition.replicas()) {
    if (replica.node_id() != from) other_azs.insert(AzOf(replica.node_id(), partition, index));
  }
  const std::string from_az = AzOf(from, partition, index);
  std::optional<uint64_t> best;
  std::tuple<int, int, uint64_t> best_key;
  for (const auto& [id, node] : index) {
    if (id == 0 || !CanTakeReplicas(*node) || Holds(partition, id)) continue;
    // An unknown AZ never counts as the same one, nor as a new one.
    int tier = 2;
    if (!node->az.empty() && node->az == from_az) {
      tier = 0;
    } else if (!node->az.empty() && !other_azs.contains(node->az)) {
      tier = 1;
    }
    std::tuple<int, int, uint64_t> key(tier, CountOf(counts, id), id);
    if (!best.has_value() || key < best_key) {
      best = id;
      best_key = key;
    }
  }
  return best;
}

}  // namespace

std::optional<uint64_t> ChooseReplacement(const tern::v1::PartitionDescriptor& partition,
                                          uint64_t from,
                                          const std::vector<NodeView>& nodes,
                                          const std::map<uint64_t, int>& replica_counts) {
  return Replacement(partition, from, IndexNodes(nodes), replica_counts);
}

std::vector<ReplicaMove> PlanMoves(const std::vector<tern::v1::PartitionDescriptor>& partitions,
                                   const std::vector<NodeView>& nodes,
                                   const std::set<uint64_t>& busy,
                                   size_t max_moves) {
  const NodeIndex index = IndexNodes(nodes);
  std::map<uint64_t, int> counts;
  for (const tern::v1::PartitionDescriptor& partition : partitions) {
    for (const tern::v1::ReplicaDescriptor& replica : partition.replicas()) {
      ++counts[replica.node_id()];
    }
  }
  // Partition id order, whatever order the catalog listed them in.
  std::vector<const tern::v1::PartitionDescriptor*> order;
  order.reserve(partitions.size());
  for (const tern::v1::PartitionDescriptor& partition : partitions) order.push_back(&partition);
  std::stable_sort(order.begin(), order.end(), [](const auto* a, const auto* b) {
    return a->partition_id() < b->partition_id();
  });

  std::vector<ReplicaMove> moves;
  std::set<uint64_t> moved;
  auto movable = [&](const tern::v1::PartitionDescriptor& partition) {
    return !busy.contains(partition.partition_id()) && !moved.contains(partition.partition_id());
  };
  auto plan = [&](const tern::v1::PartitionDescriptor& partition,
                  uint64_t from,
                  uint64_t to,
                  const char* reason) {
    moves.push_back(ReplicaMove{partition.partition_id(), from, to, reason});
    moved.insert(partition.partition_id());
    --counts[from];
    ++counts[to];
  };

  auto is_dead = [&](uint64_t node_id) {
    auto it = index.find(node_id);
    return it == index.end() || it->second->dead;
  };
  auto is_draining = [&](uint64_t node_id) {
    auto it = index.find(node_id);
    return it != index.end() && !it->second->dead && it->second->draining;
  };
  // Repairs go first: a dead replica is redundancy already lost, a draining
  // one is still serving.
  auto evacuate = [&](const auto& leaving, const char* reason) {
    for (const tern::v1::PartitionDescriptor* partition : order) {
      if (moves.size() >= max_moves) return;
      if (!movable(*partition)) continue;
      for (const tern::v1::ReplicaDescriptor& replica : partition->replicas()) {
        if (!leaving(replica.node_id())) continue;
        std::optional<uint64_t> to = Replacement(*partition, replica.node_id(), index, counts);
        if (to.has_value()) {
          plan(*partition, replica.node_id(), *to, reason);
          break;
        }
      }
    }
  };
  evacuate(is_dead, "repair");
  evacuate(is_draining, "drain");
  if (!moves.empty()) return moves;

  std::map<std::string, std::vector<uint64_t>> by_az;
  for (const auto& [id, node] : index) {
    if (id != 0 && CanTakeReplicas(*node)) by_az[node->az].push_back(id);
  }
  // One move within `ids` (one AZ's eligible nodes): from the most loaded
  // node that can shed a partition to the least loaded one that can take it.
  auto rebalance_one = [&](const std::vector<uint64_t>& ids) -> bool {
    // Both lists start in id order, so stable sorting breaks ties by id.
    std::vector<uint64_t> sources = ids;
    std::stable_sort(sources.begin(), sources.end(), [&](uint64_t a, uint64_t b) {
      return CountOf(counts, a) > CountOf(counts, b);
    });
    std::vector<uint64_t> targets = ids;
    std::stable_sort(targets.begin(), targets.end(), [&](uint64_t a, uint64_t b) {
      return CountOf(counts, a) < CountOf(counts, b);
    });
    for (uint64_t from : sources) {
      for (uint64_t to : targets) {
        if (CountOf(counts, from) - CountOf(counts, to) < 2) break;
        for (const tern::v1::PartitionDescriptor* partition : order) {
          if (movable(*partition) && Holds(*partition, from) && !Holds(*partition, to)) {
            plan(*partition, from, to, "rebalance");
            return true;
          }
        }
      }
    }
    return false;
  };
  // AZs take turns so that a small max_moves is not spent on the first one.
  bool progressed = true;
  while (progressed) {
    progressed = false;
    for (const auto& [az, ids] : by_az) {
      if (moves.size() >= max_moves) return moves;
      if (rebalance_one(ids)) progressed = true;
    }
  }
  return moves;
}

const char* StepKindName(StepKind kind) {
  switch (kind) {
    case StepKind::kNone:
      return "none";
    case StepKind::kAddLearner:
      return "add-learner";
    case StepKind::kPromote:
      return "promote";
    case StepKind::kTransferLeader:
      return "transfer-leader";
    case StepKind::kRemove:
      return "remove";
  }
  return "unknown";
}

MembershipStep NextMembershipStep(const std::vector<uint64_t>& desired,
                                  const GroupView& group,
                                  uint64_t catch_up_slack) {
  if (group.leader == 0 || desired.empty()) return {};
  const std::set<uint64_t> want(desired.begin(), desired.end());
  const std::set<uint64_t> voters(group.voters.begin(), group.voters.end());
  const std::set<uint64_t> learners(group.learners.begin(), group.learners.end());
  auto match = [&](uint64_t node) {
    auto it = group.match.find(node);
    return it == group.match.end() ? uint64_t{0} : it->second;
  };

  for (uint64_t learner : learners) {
    if (!want.contains(learner)) return {StepKind::kRemove, learner};
  }
  for (uint64_t node : want) {
    if (!voters.contains(node) && !learners.contains(node)) return {StepKind::kAddLearner, node};
  }
  // Promoting a learner that is far behind would stall commits until it
  // catches up, since it then counts toward the quorum.
  bool waiting = false;
  for (uint64_t learner : learners) {
    // A learner with nothing acknowledged yet (its snapshot still on the
    // way) is not promoted, however young the group.
    const uint64_t held = match(learner);
    if (held > 0 && (held >= group.commit || group.commit - held <= catch_up_slack)) {
      return {StepKind::kPromote, learner};
    }
    waiting = true;
  }
  if (waiting) return {};

  // The leader leaves last, so leadership moves at most once.
  bool leader_leaving = false;
  for (uint64_t voter : voters) {
    if (want.contains(voter)) continue;
    if (voter != group.leader) return {StepKind::kRemove, voter};
    leader_leaving = true;
  }
  if (!leader_leaving) return {};
  std::optional<uint64_t> target;
  for (uint64_t voter : voters) {
    if (!want.contains(voter)) continue;
    if (!target.has_value() || match(voter) > match(*target)) target = voter;
  }
  if (!target.has_value()) return {};
  return {StepKind::kTransferLeader, *target};
}

}  // namespace tern::control
