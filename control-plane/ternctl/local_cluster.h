// A local Tern cluster on one machine, as `ternctl up | down | status` runs it:
// 3 control-plane replicas, 3 storage nodes in az-a, az-b and az-c, and one
// router, all under one data folder:
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
};

struct ProcessSpec {
  std::string name;  // control-1, node-1, router, ...
  std::string kind;  // control, node, router
  std::string az;    // nodes only
  std::string binary;
  std::vector<std::string> args;
  std::string data_dir;  // empty for the router
  config::HostPort http;
  std::optional<config::HostPort> grpc;  // absent for the router
};

// The processes of the local cluster, in start order. kInvalidArgument when
// the ports would overflow 65535.
absl::StatusOr<std::vector<ProcessSpec>> LocalTopology(const LocalClusterOptions& options);

// Starts the cluster in the background and returns once every process is
// healthy and the nodes and router see each other. When it is already
// running, says so and returns OK. On failure, stops what it started and
// returns an error naming the process and quoting the end of its log.
absl::Status Up(const LocalClusterOptions& options, std::ostream& out);

// Stops every process of the cluster (SIGTERM, then SIGKILL after
// stop_timeout). Data and logs are kept. OK when nothing was running.
absl::Status Down(const LocalClusterOptions& options, std::ostream& out);

// Prints one line per process: name, kind, AZ, pid, addresses and health.
// kUnavailable when any process is not healthy; kNotFound without a cluster.
absl::Status Status(const LocalClusterOptions& options, std::ostream& out);

}  // namespace tern::ternctl
