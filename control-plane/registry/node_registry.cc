#include "control-plane/registry/node_registry.h"

#include "absl/strings/str_cat.h"

namespace tern::control {

using tern::v1::NodeStatus;

NodeRegistry::NodeRegistry(time::Clock* clock, NodeRegistryOptions options)
    : clock_(clock), options_(options), started_(clock->Now()) {}

bool NodeRegistry::Settled() const { return clock_->Now() - started_ >= options_.dead_after; }

absl::Status NodeRegistry::Heartbeat(const tern::v1::NodeInfo& node,
                                     std::vector<uint64_t> partitions) {
  if (node.node_id() == 0) return absl::InvalidArgumentError("node_id must be positive");
  if (node.az().empty()) return absl::InvalidArgumentError("az must not be empty");
  if (node.address().empty()) return absl::InvalidArgumentError("address must not be empty");
  time::Clock::TimePoint now = clock_->Now();
  base::MutexLock lock(&mu_);
  auto it = nodes_.find(node.node_id());
  if (it != nodes_.end() && StateOf(it->second, now) != NodeStatus::STATE_DEAD &&
      (it->second.info.address() != node.address() || it->second.info.az() != node.az())) {
    return absl::AlreadyExistsError(absl::StrCat("node id ",
                                                 node.node_id(),
                                                 " is in use by ",
                                                 it->second.info.address(),
                                                 " in ",
                                                 it->second.info.az()));
  }
  nodes_[node.node_id()] = Entry{node, now, std::move(partitions)};
  return absl::OkStatus();
}

NodeStatus::State NodeRegistry::StateOf(const Entry& entry, time::Clock::TimePoint now) const {
  auto silence = now - entry.last_heartbeat;
  if (silence < options_.suspect_after) return NodeStatus::STATE_ALIVE;
  if (silence < options_.dead_after) return NodeStatus::STATE_SUSPECT;
  return NodeStatus::STATE_DEAD;
}

std::vector<NodeStatus> NodeRegistry::List() const {
  time::Clock::TimePoint now = clock_->Now();
  base::MutexLock lock(&mu_);
  std::vector<NodeStatus> result;
  result.reserve(nodes_.size());
  for (const auto& [id, entry] : nodes_) {
    NodeStatus& status = result.emplace_back();
    *status.mutable_node() = entry.info;
    status.set_state(StateOf(entry, now));
    status.set_millis_since_heartbeat(static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(now - entry.last_heartbeat).count()));
    status.set_replica_count(static_cast<uint32_t>(entry.partitions.size()));
  }
  return result;
}

std::map<uint64_t, std::vector<uint64_t>> NodeRegistry::HostedByAliveNodes() const {
  time::Clock::TimePoint now = clock_->Now();
  base::MutexLock lock(&mu_);
  std::map<uint64_t, std::vector<uint64_t>> hosted;
  for (const auto& [id, entry] : nodes_) {
    if (StateOf(entry, now) == NodeStatus::STATE_ALIVE) hosted[id] = entry.partitions;
  }
  return hosted;
}

int NodeRegistry::CountInState(NodeStatus::State state) const {
  int count = 0;
  for (const NodeStatus& status : List()) {
    if (status.state() == state) ++count;
  }
  return count;
}

}  // namespace tern::control
