// NodeRegistry: the storage nodes that have announced themselves with
// heartbeats, and how recently. A node is ALIVE while heartbeats arrive within
// suspect_after, SUSPECT until dead_after, then DEAD (repair acts on DEAD
// nodes only, after the grace period).
//
// Time comes from the injected Clock. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "common/base/mutex.h"
#include "common/time/clock.h"
#include "tern/v1/control.pb.h"

namespace tern::control {

struct NodeRegistryOptions {
  std::chrono::milliseconds suspect_after{3000};
  std::chrono::milliseconds dead_after{10000};
};

class NodeRegistry {
 public:
  // clock must outlive the registry.
  NodeRegistry(time::Clock* clock, NodeRegistryOptions options);

  // Records a heartbeat. kInvalidArgument when the node id is 0 or the AZ or
  // address is empty; kAlreadyExists when another live node already uses this
  // node id from a different address or AZ.
  // partitions: the partition replicas the node reports hosting.
  absl::Status Heartbeat(const tern::v1::NodeInfo& node, std::vector<uint64_t> partitions = {});

  // True once the registry has existed for dead_after: a node that has not
  // announced itself by then has been silent for the whole grace period
  // (before that, a node missing after a control-plane restart may simply
  // not have been heard yet).
  bool Settled() const;

  // The partitions each ALIVE node reported in its latest heartbeat.
  std::map<uint64_t, std::vector<uint64_t>> HostedByAliveNodes() const;

  // Every node ever seen, ordered by node id, with its current state.
  std::vector<tern::v1::NodeStatus> List() const;

  // Counts of nodes in each state.
  int CountInState(tern::v1::NodeStatus::State state) const;

 private:
  struct Entry {
    tern::v1::NodeInfo info;
    time::Clock::TimePoint last_heartbeat;
    std::vector<uint64_t> partitions;
  };
  tern::v1::NodeStatus::State StateOf(const Entry& entry, time::Clock::TimePoint now) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);

  time::Clock* const clock_;
  const NodeRegistryOptions options_;
  const time::Clock::TimePoint started_;
  mutable base::Mutex mu_;
  std::map<uint64_t, Entry> nodes_ ABSL_GUARDED_BY(mu_);
};

}  // namespace tern::control
