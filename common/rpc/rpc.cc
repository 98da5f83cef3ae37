#include "common/rpc/rpc.h"

#include <chrono>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
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

absl::StatusOr<StartedServer> StartServer(const config::HostPort& address,
                                          std::vector<grpc::Service*> services) {
  grpc::EnableDefaultHealthCheckService(true);
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
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || selected_port == 0) {
    return absl::UnavailableError(absl::StrCat("cannot serve gRPC on ", address.ToString()));
  }
  return StartedServer{std::move(server), static_cast<uint16_t>(selected_port)};
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
