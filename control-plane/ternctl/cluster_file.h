// Internal to ternctl: the processes a local cluster recorded in
// <data_dir>/cluster.json, and what the commands talking to them share.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/config/host_port.h"
#include "common/rpc/rpc.h"
#include "control-plane/ternctl/local_cluster.h"
#include "grpcpp/client_context.h"

namespace tern::ternctl {

// A process of the cluster and the pid it was started with (0: stopped).
struct Recorded {
  ProcessSpec spec;
  pid_t pid = 0;
};

// The processes of the cluster in options.data_dir. kNotFound without one;
// kDataLoss when the file is not a cluster file.
absl::StatusOr<std::vector<Recorded>> ReadClusterFile(const LocalClusterOptions& options);

// True when pid exists and has not exited (zombies count as exited).
bool ProcessAlive(pid_t pid);
// True when pid runs the given binary, so that a recycled pid is never signalled.
bool ProcessRuns(pid_t pid, const std::string& binary);

// A stub for the gRPC service at address ("host:port"), or nullptr when the
// address does not parse.
template <typename Service>
std::unique_ptr<typename Service::Stub> StubFor(const std::string& address) {
  absl::StatusOr<config::HostPort> parsed = config::ParseHostPort(address);
  if (!parsed.ok()) return nullptr;
  return Service::NewStub(rpc::MakeChannel(*parsed));
}

// The deadline of every call ternctl makes.
inline void Deadline(grpc::ClientContext* context) {
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
}

}  // namespace tern::ternctl
