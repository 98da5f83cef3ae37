// SimNetwork: delivers replication messages between simulated nodes through
// the event queue, with per-link random delay (so messages reorder), drops,
// duplicates and partitions (directed cuts, so asymmetric ones too). All
// decisions come from the Rng it is given.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "common/replication/raft.h"
#include "tests/sim/event_queue.h"
#include "tests/sim/random.h"

namespace tern::sim {

using replication::Message;
using replication::NodeId;

class SimNetwork {
 public:
  using Deliver = std::function<void(const Message&)>;

  struct Stats {
    uint64_t sent = 0;
    uint64_t delivered = 0;
    uint64_t dropped = 0;
    uint64_t cut = 0;
    uint64_t duplicated = 0;
  };

  // Nodes are numbered 1..nodes. Each directed link gets its own delay range
  // inside [min_delay, max_delay].
  SimNetwork(
      EventQueue* queue, Rng rng, int nodes, Time min_delay, Time max_delay, Deliver deliver);

  // Queues message for delivery to message.to (unless dropped or cut).
  void Send(const Message& message);

  // Directed cut: nothing from `from` reaches `to` (checked at send and at
  // delivery, so in-flight messages are lost too).
  void Cut(NodeId from, NodeId to) { blocked_[Link(from, to)] = true; }
  void Uncut(NodeId from, NodeId to) { blocked_[Link(from, to)] = false; }
  // Symmetric partition: no traffic between `side` and the other nodes.
  void Isolate(const std::vector<NodeId>& side);
  void HealAll();
  bool Blocked(NodeId from, NodeId to) const { return blocked_[Link(from, to)]; }

  // Probability of dropping / duplicating each message.
  void SetLoss(double drop, double duplicate) {
    drop_ = drop;
    duplicate_ = duplicate;
  }
  // Extra delay added to every message (a latency spike); 0 to clear.
  void SetExtraDelay(Time max_extra) { max_extra_ = max_extra; }

  int nodes() const { return nodes_; }
  const Stats& stats() const { return stats_; }

 private:
  size_t Link(NodeId from, NodeId to) const {
    return static_cast<size_t>(from) * (nodes_ + 1) + static_cast<size_t>(to);
  }
  void Schedule(const Message& message);

  EventQueue* queue_;
  Rng rng_;
  int nodes_;
  Deliver deliver_;
  std::vector<bool> blocked_;
  std::vector<Time> link_min_;
  std::vector<Time> link_max_;
  double drop_ = 0;
  double duplicate_ = 0;
  Time max_extra_ = 0;
  Stats stats_;
};

}  // namespace tern::sim
