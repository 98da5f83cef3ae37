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
#include "grpcpp/support/server_callback.h"
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

// The answer of one unary call of a callback-API service, given later from
// any thread:
//   grpc::ServerUnaryReactor* Get(grpc::CallbackServerContext*, const Req* req,
//                                 Resp* resp) override {
//     auto reply = rpc::Reply<Resp>::Start(resp);
//     store->Get(*req, [reply](absl::StatusOr<Resp> result) { reply->Send(std::move(result)); });
//     return reply->reactor();
//   }
// The call ends with the first of Send and the caller's cancellation (its
// deadline passed, it went away); a later Send is dropped. The reply stays
// valid while anyone holds it. Thread-safe.
template <typename Response>
class Reply final : public grpc::ServerUnaryReactor {
 public:
  // response: the call's response message (gRPC's, valid until the call ends).
  static std::shared_ptr<Reply> Start(Response* response) {
    std::shared_ptr<Reply> reply(new Reply(response));
    reply->self_ = reply;  // gRPC's reference, dropped in OnDone
    return reply;
  }

  grpc::ServerUnaryReactor* reactor() { return this; }

  void Send(absl::StatusOr<Response> result) {
    if (!Claim()) return;
    if (!result.ok()) return Finish(ToGrpcStatus(result.status()));
    *response_ = *std::move(result);
    Finish(grpc::Status::OK);
  }
  // Ends the call with status and the response as it stands.
  void SendStatus(const absl::Status& status) {
    if (Claim()) Finish(ToGrpcStatus(status));
  }

  void OnCancel() override {
    if (Claim()) Finish(grpc::Status::CANCELLED);
  }
  void OnDone() override {
    std::shared_ptr<Reply> last = std::move(self_);  // may destroy this on return
  }

 private:
  explicit Reply(Response* response) : response_(response) {}

  // True for the one caller that may finish the call.
  bool Claim() {
    base::MutexLock lock(&mu_);
    if (finished_) return false;
    finished_ = true;
    return true;
  }

  Response* const response_;
  std::shared_ptr<Reply> self_;
  base::Mutex mu_;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
};

// Runs one unary call with gRPC's callback API, without blocking the caller:
//   rpc::AsyncUnary<Resp>(request, timeout,
//       [&](auto* ctx, auto* req, auto* resp, auto cb) { stub->async()->Get(ctx, req, resp, cb); },
//       std::move(done));
// done runs once, on a gRPC thread, with the response or the call's status.
template <typename Response, typename Request, typename Invoke>
void AsyncUnary(Request request,
                std::chrono::milliseconds timeout,
                Invoke invoke,
                absl::AnyInvocable<void(absl::StatusOr<Response>) &&> done) {
  struct Call {
    grpc::ClientContext context;
    Request request;
    Response response;
    absl::AnyInvocable<void(absl::StatusOr<Response>) &&> done;
  };
  auto* call = new Call;
  call->request = std::move(request);
  call->done = std::move(done);
  call->context.set_deadline(std::chrono::system_clock::now() + timeout);
  invoke(&call->context, &call->request, &call->response, [call](grpc::Status status) {
    std::unique_ptr<Call> owned(call);
    if (!status.ok()) {
      std::move(owned->done)(FromGrpcStatus(status));
    } else {
      std::move(owned->done)(std::move(owned->response));
    }
  });
}

}  // namespace tern::rpc
