#include "common/rpc/rpc.h"

#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "common/rpc/async.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"

namespace tern::rpc {
namespace {

// Replication snapshots travel as one message until they are chunked: allow
// them (and 16 MB DynamoDB requests' internal forms) through.
constexpr int kMaxMessageBytes = 512 * 1024 * 1024;

}  // namespace

namespace {

// Sent in grpc-status-details-bin with every error our servers answer.
constexpr absl::string_view kAnsweredDetails = "tern:answered";
constexpr absl::string_view kAnsweredPayload = "type.tern/answered";

}  // namespace

absl::Status FromGrpcStatus(const grpc::Status& status) {
  absl::Status converted(static_cast<absl::StatusCode>(status.error_code()),
                         status.error_message());
  if (!converted.ok() && status.error_details() == kAnsweredDetails) {
    converted.SetPayload(kAnsweredPayload, absl::Cord("1"));
  }
  return converted;
}

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                      std::string(status.message()),
                      std::string(kAnsweredDetails));
}

absl::Status FromAnswer(int code, absl::string_view message) {
  absl::Status converted(static_cast<absl::StatusCode>(code), message);
  if (!converted.ok()) converted.SetPayload(kAnsweredPayload, absl::Cord("1"));
  return converted;
}

bool Answered(const absl::Status& status) {
  return status.GetPayload(kAnsweredPayload).has_value();
}

namespace {

// grpc.health.v1.Health/Check served on the completion queues, for servers
// whose services all are: gRPC's own health service runs on its callback
// API, whose polling threads would compete with the queues' for every
// event (docs/benchmarks.md). SERVING for the server as a whole (""),
// NOT_FOUND for any named service, as gRPC's own answers. Watch stays
// unimplemented.
class QueuedHealth final
    : public grpc::health::v1::Health::WithAsyncMethod_Check<grpc::health::v1::Health::Service>,
      public QueuedService {
 public:
  void Serve(ServerQueues* queues) override {
    check_ = std::make_unique<
        UnaryMethod<grpc::health::v1::HealthCheckRequest, grpc::health::v1::HealthCheckResponse>>(
        queues,
        [this](auto* context, auto* request, auto* writer, auto* queue, void* tag) {
          RequestCheck(context, request, writer, queue, queue, tag);
        },
        [](const grpc::health::v1::HealthCheckRequest& request,
           std::shared_ptr<AsyncReply<grpc::health::v1::HealthCheckResponse>> reply) {
          if (!request.service().empty()) {
            return reply->SendStatus(absl::NotFoundError("unknown service"));
          }
          grpc::health::v1::HealthCheckResponse response;
          response.set_status(grpc::health::v1::HealthCheckResponse::SERVING);
          reply->Send(std::move(response));
        });
  }
  void Close() override {
    if (check_ != nullptr) check_->Close();
  }

 private:
  std::unique_ptr<
      UnaryMethod<grpc::health::v1::HealthCheckRequest, grpc::health::v1::HealthCheckResponse>>
      check_;
};

// False when address's port is taken: gRPC records a service with queued
// (async) methods as registered with the server it builds even when the
// build fails to bind, and refuses to register it again, so a bind that
// would fail must not be tried. True when the port was free a moment ago,
// is 0, or address is not numeric (then gRPC's bind tells).
bool PortFree(const config::HostPort& address) {
  if (address.port == 0) return true;
  addrinfo hints{};
  hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(address.port);
  if (getaddrinfo(address.host.c_str(), port.c_str(), &hints, &found) != 0) return true;
  bool free = true;
  const int fd = socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd >= 0) {
    // As gRPC binds its listeners: a port in TIME_WAIT counts as free.
    const int on = 1;
    (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
    free = bind(fd, found->ai_addr, found->ai_addrlen) == 0;
    close(fd);
  }
  freeaddrinfo(found);
  return free;
}

}  // namespace

StartedServer::StartedServer() = default;
StartedServer::StartedServer(StartedServer&&) noexcept = default;
StartedServer& StartedServer::operator=(StartedServer&& other) noexcept {
  if (this == &other) return *this;
  Shutdown();  // the server this one held, before what it serves goes
  server = std::move(other.server);
  queues = std::move(other.queues);
  queued = std::move(other.queued);
  health = std::move(other.health);
  port = other.port;
  shut_down = other.shut_down;
  return *this;
}
StartedServer::~StartedServer() { Shutdown(); }

void StartedServer::Shutdown(std::chrono::system_clock::time_point deadline) {
  if (server == nullptr || shut_down) return;
  shut_down = true;
  server->Shutdown(deadline);
  // Answers given from now on are dropped: none may reach a queue once it
  // shut down.
  for (QueuedService* service : queued) service->Close();
  if (queues != nullptr) queues->Stop();
}

absl::StatusOr<StartedServer> StartServer(const config::HostPort& address,
                                          std::vector<grpc::Service*> services,
                                          int queue_threads) {
  StartedServer started;
  for (grpc::Service* service : services) {
    if (auto* queued = dynamic_cast<QueuedService*>(service)) started.queued.push_back(queued);
  }
  if (!started.queued.empty() && !PortFree(address)) {
    return absl::UnavailableError(
        absl::StrCat("cannot serve gRPC on ", address.ToString(), ": the port is taken"));
  }
  // With queued services, health checks are answered on the queues too.
  // (A process-wide setting, read when the server is built.)
  grpc::EnableDefaultHealthCheckService(started.queued.empty());
  if (!started.queued.empty()) {
    auto health = std::make_shared<QueuedHealth>();
    services.push_back(health.get());
    started.queued.push_back(health.get());
    started.health = std::move(health);
  }
  grpc::ServerBuilder builder;
  int selected_port = 0;
  // Without this a second process could silently share the port.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  // Our clients ping every second (MakeChannel); accept that.
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 500);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 0);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.SetMaxReceiveMessageSize(kMaxMessageBytes);
  builder.SetMaxSendMessageSize(kMaxMessageBytes);
  builder.AddListeningPort(address.ToString(), grpc::InsecureServerCredentials(), &selected_port);
  for (grpc::Service* service : services) builder.RegisterService(service);
  if (!started.queued.empty()) {
    started.queues = std::make_unique<ServerQueues>(&builder, queue_threads, "grpc-queue");
  }
  started.server = builder.BuildAndStart();
  if (started.server == nullptr || selected_port == 0) {
    started.queued.clear();  // nothing served
    return absl::UnavailableError(absl::StrCat("cannot serve gRPC on ", address.ToString()));
  }
  started.port = static_cast<uint16_t>(selected_port);
  for (QueuedService* service : started.queued) service->Serve(started.queues.get());
  if (started.queues != nullptr) started.queues->Start();
  return started;
}

std::shared_ptr<grpc::Channel> MakeChannel(const config::HostPort& address) {
  grpc::ChannelArguments args;
  // Reconnect quickly after a peer restarts, instead of the default 1-120 s back-off.
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  // A connect attempt to a peer whose packets vanish (a network partition)
  // gives up after 1 s instead of 20: calls waiting for it fail as never
  // sent, and callers try another replica.
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 1000);
  // A connection whose peer went silent is found out by a ping unanswered
  // for 1 s, failing the calls on it, instead of waiting for their deadlines.
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 1000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 1000);
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  args.SetInt(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  args.SetMaxReceiveMessageSize(kMaxMessageBytes);
  args.SetMaxSendMessageSize(kMaxMessageBytes);
  return grpc::CreateCustomChannel(address.ToString(), grpc::InsecureChannelCredentials(), args);
}

absl::Status CheckHealth(const std::shared_ptr<grpc::Channel>& channel, int timeout_ms) {
  auto stub = grpc::health::v1::Health::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(timeout_ms));
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
  grpc::Status status = stub->Check(&context, request, &response);
  // No answer in time is as unhealthy as a refused connection; which of the
  // two a dead address gives depends on how fast the connect attempt fails.
  if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
    return absl::UnavailableError("gRPC health: no answer in time");
  }
  if (!status.ok()) return FromGrpcStatus(status);
  if (response.status() != grpc::health::v1::HealthCheckResponse::SERVING) {
    return absl::UnavailableError("gRPC health: not serving");
  }
  return absl::OkStatus();
}

}  // namespace tern::rpc
