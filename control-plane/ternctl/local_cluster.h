// A local Tern cluster on one machine, as `ternctl up | down | status` runs it:
// 3 control-plane replicas, 3 storage nodes in az-a, az-b and az-c (plus up to
// 7 more from `ternctl add-node`), and one router, all under one data folder:
//
//   <data_dir>/cluster.json         the topology: names, AZs, addresses, pids
//   <data_dir>/logs/<name>.log      each process's structured log
//   <data_dir>/<name>/              each process's own data
//
// Ports: router on router_port; control replica i (0-based) gRPC on
// base_port+i and HTTP on base_port+10+i; node i gRPC on base_port+100+i and
// HTTP on base_port+110+i.
// Not thread-safe; meant for one CLI invocation at a time per data folder.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/config/host_port.h"

namespace tern::ternctl {

struct LocalClusterOptions {
  std::string data_dir = "tern-data";
  std::string bin_dir;  // where tern-router, tern-node and tern-control are
  std::string host = "127.0.0.1";
  uint16_t router_port = 8000;
  uint16_t base_port = 7000;
  std::chrono::seconds ready_timeout{60};
  std::chrono::seconds stop_timeout{15};
  // > 0: tern-control's --node_dead_after_ms (and --node_suspect_after_ms of
  // at most 3000); 0: the control plane's defaults.
  int node_dead_after_ms = 0;
  // Extra flags for every tern-control process.
  std::vector<std::string> control_args;
  // Extra flags for every tern-node process (e.g. --fault_injection).
  std::vector<std::string> node_args;
  // Extra flags for the tern-router (e.g. --credentials_file=PATH).
  std::vector<std::string> router_args;
  // Each AZ's control replica and nodes in a network namespace of their own
  // (see az_network.h) instead of all on host; the router stays on host.
  bool netns = false;
};

// Storage nodes a local cluster can have: node i (0-based) must fit its
// gRPC port below the HTTP block at base_port+110.
inline constexpr int kMaxLocalNodes = 10;

struct ProcessSpec {
  std::string name;  // control-1, node-1, router, ...
  std::string kind;  // control, node, router
  std::string az;    // nodes only
  std::string binary;
  std::vector<std::string> args;
  std::string data_dir;  // empty for the router
  config::HostPort http;
  std::optional<config::HostPort> grpc;  // absent for the router
  std::string netns;                     // the network namespace it runs in; empty: the host's
};

// The processes of the local cluster, in start order. kInvalidArgument when
// the ports would overflow 65535.
absl::StatusOr<std::vector<ProcessSpec>> LocalTopology(const LocalClusterOptions& options);

// Storage node `index` (0-based; named node-<index+1>, with that node id) in
// az, reporting to the control replicas at controls ("host:port,..."). The
// same for the first three nodes and for added ones. kInvalidArgument when
// index is outside 0..kMaxLocalNodes-1, az is empty or a port would overflow.
absl::StatusOr<ProcessSpec> NodeSpec(const LocalClusterOptions& options,
                                     int index,
                                     const std::string& az,
                                     const std::string& controls);

// Starts the cluster in the background and returns once every process is
// healthy and the nodes and router see each other. When it is already
// running, says so and returns OK. Nodes added earlier by AddNode are
// restarted too. On failure, stops what it started and
// returns an error naming the process and quoting the end of its log.
absl::Status Up(const LocalClusterOptions& options, std::ostream& out);

// Stops every process of the cluster (SIGTERM, then SIGKILL after
// stop_timeout). Data and logs are kept. OK when nothing was running.
absl::Status Down(const LocalClusterOptions& options, std::ostream& out);

// Prints one line per process: name, kind, AZ, pid, addresses and health,
// then the nodes as the control plane sees them (state, replicas, draining)
// and the tables' partitions. kUnavailable when any process is not healthy
// (the control plane not answering is only noted); kNotFound without a cluster.
absl::Status Status(const LocalClusterOptions& options, std::ostream& out);

// Starts one more storage node in az in the running cluster (the next id, the
// ports of the layout; the cluster's host and base port are taken from
// cluster.json), waits until it is healthy and records it in cluster.json.
// kNotFound without a cluster; kFailedPrecondition when the control plane is
// not running, all kMaxLocalNodes exist or a port is in use; kUnavailable or
// kDeadlineExceeded (the node is stopped again) when it does not come up.
absl::Status AddNode(const LocalClusterOptions& options, const std::string& az, std::ostream& out);

}  // namespace tern::ternctl
