// gRPC adapter shared by the daemons: status conversion in both directions
// (the codes are the same set, so they carry over one-to-one), server start-up
// with the standard health service, and channels with sane defaults.
// Only targets that link tern::rpc see gRPC headers.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/base/mutex.h"
#include "common/config/host_port.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "grpcpp/server.h"
#include "grpcpp/support/status.h"

namespace tern::rpc {

// Statuses across a gRPC hop. ToGrpcStatus (what our servers answer) marks
// the status as an answer; FromGrpcStatus keeps that mark, so that callers
// can tell a replica's refusal from a call that failed on the way (lost
// connection, no connection, the caller's own deadline): see Answered.
absl::Status FromGrpcStatus(const grpc::Status& status);
grpc::Status ToGrpcStatus(const absl::Status& status);
// True when status came back from one of our servers (through
// ToGrpcStatus), false for failures gRPC made up on the way.
bool Answered(const absl::Status& status);
// A status one of our servers answered inside a message (code and message,
// as a batched call carries one per op), marked as Answered.
absl::Status FromAnswer(int code, absl::string_view message);

class ServerQueues;  // common/rpc/async.h

// A service (also a grpc::Service) some of whose methods are served on the
// server's completion queues (rpc::UnaryMethod in common/rpc/async.h).
class QueuedService {
 public:
  // Once the server started: serve the queued methods on queues.
  virtual void Serve(ServerQueues* queues) = 0;
  // Once the server shut down, before the queues stop: answer every call
  // still open and take no more.
  virtual void Close() = 0;

 protected:
  ~QueuedService() = default;
};

// A running server. Shutdown (also by the destructor) stops it; the
// services must outlive it.
struct StartedServer {
  StartedServer();
  StartedServer(StartedServer&&) noexcept;
  StartedServer& operator=(StartedServer&&) noexcept;
  ~StartedServer();

  // Stops taking calls, waits until deadline for the calls in progress
  // (then cancels them), closes the queued services and stops polling.
  // Idempotent.
  void Shutdown(std::chrono::system_clock::time_point deadline);
  void Shutdown() { Shutdown(std::chrono::system_clock::now()); }

  std::shared_ptr<grpc::Service> health;  // with queued services; outlives server
  std::unique_ptr<grpc::Server> server;
  uint16_t port = 0;                     // the bound port, also when address asked for port 0
  std::unique_ptr<ServerQueues> queues;  // when a service is a QueuedService
  std::vector<QueuedService*> queued;
  bool shut_down = false;
};

// Builds and starts a server on address with services (not owned; they must
// outlive the server) plus grpc.health.v1.Health reporting SERVING (Check
// only, on the queues, when a service is a QueuedService). The port
// is bound exclusively (no SO_REUSEPORT). kUnavailable when it cannot be bound.
// Services that are QueuedServices serve their queued methods on
// queue_threads completion queues, each polled by a thread of its own.
absl::StatusOr<StartedServer> StartServer(const config::HostPort& address,
                                          std::vector<grpc::Service*> services,
                                          int queue_threads = 1);

// An insecure channel to address (mutual TLS inside the cluster comes later).
std::shared_ptr<grpc::Channel> MakeChannel(const config::HostPort& address);

// Stubs of one gRPC service, one per "host:port" address, made on first use
// and kept for the cache's lifetime. Thread-safe.
template <typename Service>
class StubCache {
 public:
  using Stub = typename Service::Stub;

  // nullptr when address is not host:port.
  Stub* For(const std::string& address) {
    base::MutexLock lock(&mu_);
    auto it = stubs_.find(address);
    if (it != stubs_.end()) return it->second.get();
    absl::StatusOr<config::HostPort> parsed = config::ParseHostPort(address);
    if (!parsed.ok()) return nullptr;
    std::unique_ptr<Stub> stub = Service::NewStub(MakeChannel(*parsed));
    Stub* raw = stub.get();
    stubs_.emplace(address, std::move(stub));
    return raw;
  }

 private:
  base::Mutex mu_;
  std::map<std::string, std::unique_ptr<Stub>> stubs_ ABSL_GUARDED_BY(mu_);
};

// Calls grpc.health.v1.Health/Check on address; OK when it answers SERVING,
// UNAVAILABLE when it does not answer (refused or not within timeout_ms).
absl::Status CheckHealth(const std::shared_ptr<grpc::Channel>& channel, int timeout_ms);

}  // namespace tern::rpc
