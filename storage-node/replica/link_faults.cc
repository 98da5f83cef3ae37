#include "storage-node/replica/link_faults.h"

namespace tern::replica {

LinkFaults::LinkFaults(uint64_t seed) : random_(seed) {}

void LinkFaults::Set(replication::NodeId peer, LinkRule rule) {
  base::MutexLock lock(&mu_);
  if (rule == LinkRule{}) {
    rules_.erase(peer);
  } else {
    rules_[peer] = rule;
  }
  any_.store(!rules_.empty(), std::memory_order_release);
}

void LinkFaults::Clear() {
  base::MutexLock lock(&mu_);
  rules_.clear();
  any_.store(false, std::memory_order_release);
}

std::map<replication::NodeId, LinkRule> LinkFaults::Rules() const {
  base::MutexLock lock(&mu_);
  return rules_;
}

LinkRule LinkFaults::RuleFor(replication::NodeId peer) const {
  auto it = rules_.find(peer);
  if (it == rules_.end()) it = rules_.find(kEveryPeer);
  return it == rules_.end() ? LinkRule{} : it->second;
}

bool LinkFaults::Chance(double probability) {
  if (probability <= 0) return false;
  if (probability >= 1) return true;
  return std::uniform_real_distribution<double>(0, 1)(random_) < probability;
}

bool LinkFaults::DropOutgoing(replication::NodeId to) {
  if (!any_.load(std::memory_order_acquire)) return false;
  base::MutexLock lock(&mu_);
  return Chance(RuleFor(to).drop_out);
}

std::optional<std::chrono::milliseconds> LinkFaults::Incoming(replication::NodeId from) {
  if (!any_.load(std::memory_order_acquire)) return std::chrono::milliseconds(0);
  base::MutexLock lock(&mu_);
  const LinkRule rule = RuleFor(from);
  if (Chance(rule.drop_in)) return std::nullopt;
  return rule.delay_in;
}

}  // namespace tern::replica
