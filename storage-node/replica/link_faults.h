// LinkFaults: injected faults on the replication links of one storage node,
// for fault-injection experiments (the machines' kernels have no netem).
// Per peer node, a rule drops a share of the message batches sent to it or
// received from it, and delays those received from it. A node cut off from
// every peer in both directions is partitioned away; one direction only
// makes an asymmetric partition.
//
// Rules change at runtime (NodeAdmin.InjectFaults, `ternctl fault`); with
// none set the checks cost one atomic load. Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <random>

#include "absl/base/thread_annotations.h"
#include "common/base/mutex.h"
#include "common/replication/raft.h"

namespace tern::replica {

struct LinkRule {
  // Probability, in [0, 1], that a batch sent to the peer is dropped.
  double drop_out = 0;
  // Probability, in [0, 1], that a batch received from the peer is dropped.
  double drop_in = 0;
  // How long a batch received from the peer waits before it is delivered.
  std::chrono::milliseconds delay_in{0};

  bool operator==(const LinkRule& other) const {
    return drop_out == other.drop_out && drop_in == other.drop_in && delay_in == other.delay_in;
  }
};

class LinkFaults {
 public:
  // The peer id of the rule for every peer without a rule of its own.
  static constexpr replication::NodeId kEveryPeer = 0;

  explicit LinkFaults(uint64_t seed = 1);

  // Sets the rule of peer (kEveryPeer: the default rule); a rule equal to
  // LinkRule{} removes it.
  void Set(replication::NodeId peer, LinkRule rule);
  // Removes every rule.
  void Clear();
  std::map<replication::NodeId, LinkRule> Rules() const;

  // True when a batch to peer is to be dropped.
  bool DropOutgoing(replication::NodeId to);
  // How long to hold a batch from peer before delivering it, or nullopt
  // when it is to be dropped.
  std::optional<std::chrono::milliseconds> Incoming(replication::NodeId from);

 private:
  LinkRule RuleFor(replication::NodeId peer) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool Chance(double probability) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  std::atomic<bool> any_{false};
  mutable base::Mutex mu_;
  std::map<replication::NodeId, LinkRule> rules_ ABSL_GUARDED_BY(mu_);
  std::mt19937_64 random_ ABSL_GUARDED_BY(mu_);
};

}  // namespace tern::replica
