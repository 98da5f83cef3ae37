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
  // Code and message come back (with the mark of an answer, see Answered).
  EXPECT_EQ(FromGrpcStatus(wire).code(), status.code());
  EXPECT_EQ(FromGrpcStatus(wire).message(), status.message());
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
  // Refused at once; the deadline only bounds a slow (sanitizer) run, where
  // 300 ms once ran out before the refusal came back.
  absl::Status status = CheckHealth(channel, 10000);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kUnavailable, _));
  // The router tells "never sent" from "lost on the way" by this message
  // (router/routing/data_client.cc NeverSent): writes may only be resent in
  // the first case.
  EXPECT_THAT(absl::AsciiStrToLower(status.message()), HasSubstr("failed to connect"));
  EXPECT_FALSE(Answered(status));
}

TEST(RpcTest, OurServersAnswersAreToldFromFailuresOnTheWay) {
  const absl::Status refused = absl::UnavailableError("not applied: busy");
  const absl::Status answered = FromGrpcStatus(ToGrpcStatus(refused));
  EXPECT_EQ(answered.code(), refused.code());
  EXPECT_EQ(answered.message(), refused.message());
  EXPECT_TRUE(Answered(answered));
  EXPECT_FALSE(
      Answered(FromGrpcStatus(grpc::Status(grpc::StatusCode::UNAVAILABLE, "Socket closed"))));
  EXPECT_FALSE(Answered(refused));
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
}

}  // namespace
}  // namespace tern::rpc
