// gRPC adapter shared by the daemons: status conversion in both directions
// (the codes are the same set, so they carry over one-to-one), server start-up
// with the standard health service, and channels with sane defaults.
// Only targets that link tern::rpc see gRPC headers.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/config/host_port.h"
#include "grpcpp/channel.h"
#include "grpcpp/server.h"
#include "grpcpp/support/status.h"

namespace tern::rpc {

absl::Status FromGrpcStatus(const grpc::Status& status);
grpc::Status ToGrpcStatus(const absl::Status& status);

struct StartedServer {
  std::unique_ptr<grpc::Server> server;
  uint16_t port = 0;  // the bound port, also when address asked for port 0
};

// Builds and starts a server on address with services (not owned; they must
// outlive the server) plus grpc.health.v1.Health reporting SERVING. The port
// is bound exclusively (no SO_REUSEPORT). kUnavailable when it cannot be bound.
absl::StatusOr<StartedServer> StartServer(const config::HostPort& address,
                                          std::vector<grpc::Service*> services);

// An insecure channel to address (mutual TLS inside the cluster comes later).
std::shared_ptr<grpc::Channel> MakeChannel(const config::HostPort& address);

// Calls grpc.health.v1.Health/Check on address; OK when it answers SERVING.
absl::Status CheckHealth(const std::shared_ptr<grpc::Channel>& channel, int timeout_ms);

}  // namespace tern::rpc
