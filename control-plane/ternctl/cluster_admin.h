// What ternctl asks of a running local cluster's control plane and nodes:
// the control plane's view of nodes and partitions, moves, splits, drains,
// and injected faults.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "control-plane/ternctl/local_cluster.h"

namespace tern::ternctl {

// Prints the nodes as the control plane sees them (state, replicas,
// draining) and the tables' partitions, from the first running control
// replica; best effort (says so when no control replica answers).
void PrintControlPlaneView(const LocalClusterOptions& options, std::ostream& out);

// Control.MovePartition on the cluster's first running control replica:
// moves from_node's replica of the partition to to_node. Returns the control
// plane's error (code and message) as is.
absl::Status MovePartition(const LocalClusterOptions& options,
                           uint64_t partition_id,
                           uint64_t from_node,
                           uint64_t to_node,
                           std::ostream& out);

// Control.SplitPartition on the catalog's leader: splits the partition at
// key (empty: where its data divides in half, or with by_load where its
// sampled requests do); prints the children.
absl::Status SplitPartition(const LocalClusterOptions& options,
                            uint64_t partition_id,
                            const std::string& key,
                            bool by_load,
                            std::ostream& out);

// Control.DrainNode on the cluster's first running control replica: marks the
// node draining (or, with undo, no longer). Returns the control plane's error.
absl::Status DrainNode(const LocalClusterOptions& options,
                       uint64_t node_id,
                       bool undo,
                       std::ostream& out);

// A change of one storage node's injected faults (NodeAdmin.InjectFaults).
struct FaultChange {
  bool clear = false;  // first remove every fault and reset the clock
  // The link to peer (0: every peer) drops this share of batches sent and
  // received and delays those received; all zero removes the link's fault.
  std::optional<uint64_t> peer;
  double drop_out = 0;
  double drop_in = 0;
  uint32_t delay_ms = 0;
  // The node's clock runs at clock_rate with its wall clock clock_offset_ms off.
  std::optional<double> clock_rate;
  int64_t clock_offset_ms = 0;
};

// Applies change on the storage node named node (node-N) of the running
// cluster and prints the faults now in force there. kNotFound for an
// unknown node; kFailedPrecondition when it is not running or was started
// without --fault_injection; the node's error otherwise.
absl::Status InjectFaults(const LocalClusterOptions& options,
                          const std::string& node,
                          const FaultChange& change,
                          std::ostream& out);

}  // namespace tern::ternctl
