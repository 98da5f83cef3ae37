#include "common/daemon/daemon.h"

#include <sched.h>

#include <thread>

#include "boost/json/parse.hpp"
#include "common/http/client.h"
#include "common/testing/testing.h"
#include "gtest/gtest.h"

namespace tern::daemon {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;
using testing::IsOk;
using testing::StatusIs;

// In a thread of its own, so that the test process keeps its policy.
TEST(BatchSchedulingTest, ThreadsStartedAfterwardsInheritIt) {
  const int before = sched_getscheduler(0) & ~SCHED_RESET_ON_FORK;
  if (before != SCHED_OTHER && before != SCHED_BATCH) {
    GTEST_SKIP() << "the test runs under a policy an operator chose: " << before;
  }
  int own = -1;
  int started = -1;
  std::thread([&] {
    ASSERT_THAT(UseBatchScheduling(), IsOk());
    own = sched_getscheduler(0) & ~SCHED_RESET_ON_FORK;
    std::thread([&] { started = sched_getscheduler(0) & ~SCHED_RESET_ON_FORK; }).join();
  }).join();
  EXPECT_EQ(own, SCHED_BATCH);
  EXPECT_EQ(started, SCHED_BATCH);
  EXPECT_EQ(sched_getscheduler(0) & ~SCHED_RESET_ON_FORK, before);
}

TEST(DataDirLockTest, SecondLockOnSameFolderFails) {
  testing::TempDir dir;
  std::string data = dir.path() + "/node/data";
  absl::StatusOr<DataDirLock> first = DataDirLock::Acquire(data);
  ASSERT_THAT(first, IsOk());
  EXPECT_THAT(DataDirLock::Acquire(data),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("in use")));
}

TEST(DataDirLockTest, LockIsReleasedOnDestruction) {
  testing::TempDir dir;
  { ASSERT_THAT(DataDirLock::Acquire(dir.path()), IsOk()); }
  EXPECT_THAT(DataDirLock::Acquire(dir.path()), IsOk());
}

TEST(AdminEndpointsTest, ServesHealthAndMetrics) {
  metrics::Registry registry;
  registry.AddCounter("tern_test_total", "A test counter.").Add().Increment(3);
  AdminEndpoints admin("tern-test", &registry, [] {
    boost::json::object health;
    health["az"] = "az-b";
    return health;
  });
  http::Server server(http::ServerOptions{}, admin.AsHandler());
  ASSERT_THAT(server.Start(), IsOk());
  config::HostPort address{"127.0.0.1", server.port()};

  absl::StatusOr<http::ClientResponse> health = http::Get(address, "/healthz", milliseconds(2000));
  ASSERT_THAT(health, IsOk());
  EXPECT_EQ(health->status, 200);
  boost::json::object obj = boost::json::parse(health->body).as_object();
  EXPECT_EQ(obj.at("status").as_string(), "SERVING");
  EXPECT_EQ(obj.at("process").as_string(), "tern-test");
  EXPECT_EQ(obj.at("az").as_string(), "az-b");
  EXPECT_EQ(obj.at("version").as_string(), std::string(Version()));

  absl::StatusOr<http::ClientResponse> scrape = http::Get(address, "/metrics", milliseconds(2000));
  ASSERT_THAT(scrape, IsOk());
  EXPECT_EQ(scrape->status, 200);
  EXPECT_THAT(scrape->content_type, HasSubstr("version=0.0.4"));
  EXPECT_THAT(scrape->body, HasSubstr("tern_test_total 3\n"));

  absl::StatusOr<http::ClientResponse> missing = http::Get(address, "/nope", milliseconds(2000));
  ASSERT_THAT(missing, IsOk());
  EXPECT_EQ(missing->status, 404);
}

TEST(AdminEndpointsTest, NotServingIs503) {
  metrics::Registry registry;
  AdminEndpoints admin("tern-test", &registry, [] {
    boost::json::object health;
    health["status"] = "NOT_SERVING";
    return health;
  });
  http::Server server(http::ServerOptions{}, admin.AsHandler());
  ASSERT_THAT(server.Start(), IsOk());
  absl::StatusOr<http::ClientResponse> health =
      http::Get(config::HostPort{"127.0.0.1", server.port()}, "/healthz", milliseconds(2000));
  ASSERT_THAT(health, IsOk());
  EXPECT_EQ(health->status, 503);
}

}  // namespace
}  // namespace tern::daemon
