#include "common/rpc/rpc.h"

#include "absl/strings/ascii.h"
#include "common/testing/testing.h"
#include "gtest/gtest.h"
#include "tern/v1/control.grpc.pb.h"

namespace tern::rpc {
namespace {

using ::testing::_;
using ::testing::HasSubstr;
using testing::IsOk;
using testing::StatusIs;

TEST(RpcTest, StatusCodesCarryOver) {
  absl::Status status = absl::FailedPreconditionError("condition failed");
  grpc::Status wire = ToGrpcStatus(status);
  EXPECT_EQ(wire.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(FromGrpcStatus(wire), status);
  EXPECT_THAT(FromGrpcStatus(grpc::Status::OK), IsOk());
}

// gRPC refuses to start a server without at least one service.
tern::v1::NodeAdmin::Service unimplemented_service;

TEST(RpcTest, ServerAnswersHealthChecks) {
  absl::StatusOr<StartedServer> server =
      StartServer(config::HostPort{"127.0.0.1", 0}, {&unimplemented_service});
  ASSERT_THAT(server, IsOk());
  ASSERT_NE(server->port, 0);
  auto channel = MakeChannel(config::HostPort{"127.0.0.1", server->port});
  EXPECT_THAT(CheckHealth(channel, 2000), IsOk());
  server->server->Shutdown();
}

TEST(RpcTest, BusyPortIsUnavailable) {
  absl::StatusOr<StartedServer> first =
      StartServer(config::HostPort{"127.0.0.1", 0}, {&unimplemented_service});
  ASSERT_THAT(first, IsOk());
  tern::v1::NodeAdmin::Service other_service;
  absl::StatusOr<StartedServer> second =
      StartServer(config::HostPort{"127.0.0.1", first->port}, {&other_service});
  EXPECT_THAT(second, StatusIs(absl::StatusCode::kUnavailable, _));
  first->server->Shutdown();
}

TEST(RpcTest, HealthCheckOfNothingIsUnavailable) {
  auto channel = MakeChannel(config::HostPort{"127.0.0.1", 1});
  absl::Status status = CheckHealth(channel, 300);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kUnavailable, _));
  // The router tells "never sent" from "lost on the way" by this message
  // (router/routing/data_client.cc NeverSent): writes may only be resent in
  // the first case.
  EXPECT_THAT(absl::AsciiStrToLower(status.message()), HasSubstr("failed to connect"));
}

}  // namespace
}  // namespace tern::rpc
