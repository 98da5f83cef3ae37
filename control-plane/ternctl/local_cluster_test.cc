#include "control-plane/ternctl/local_cluster.h"

#include <set>

#include "common/testing/testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tern::ternctl {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using testing::IsOk;
using testing::StatusIs;

TEST(LocalTopologyTest, ThreeControlsThreeNodesInThreeAzsAndARouter) {
  LocalClusterOptions options;
  options.data_dir = "/var/tern";
  options.bin_dir = "/opt/tern/bin";
  absl::StatusOr<std::vector<ProcessSpec>> specs = LocalTopology(options);
  ASSERT_THAT(specs, IsOk());
  ASSERT_EQ(specs->size(), 7u);
  std::set<std::string> azs;
  std::set<uint16_t> ports;
  for (const ProcessSpec& spec : *specs) {
    EXPECT_TRUE(ports.insert(spec.http.port).second) << spec.name;
    if (spec.grpc) {
      EXPECT_TRUE(ports.insert(spec.grpc->port).second) << spec.name;
    }
    if (spec.kind == "node") azs.insert(spec.az);
  }
  EXPECT_EQ(azs, (std::set<std::string>{"az-a", "az-b", "az-c"}));
  EXPECT_EQ((*specs)[0].name, "control-1");
  EXPECT_EQ((*specs)[0].grpc->port, 7000);
  EXPECT_EQ((*specs)[3].name, "node-1");
  EXPECT_EQ((*specs)[3].data_dir, "/var/tern/node-1");
  EXPECT_EQ((*specs)[3].binary, "/opt/tern/bin/tern-node");
  EXPECT_THAT((*specs)[3].args,
              Contains("--control_addresses=127.0.0.1:7000,127.0.0.1:7001,127.0.0.1:7002"));
  EXPECT_THAT((*specs)[1].args, Contains("--peers=127.0.0.1:7000,127.0.0.1:7002"));
  EXPECT_EQ(specs->back().kind, "router");
  EXPECT_EQ(specs->back().http.port, 8000);
}

TEST(LocalTopologyTest, RejectsPortsThatOverflow) {
  LocalClusterOptions options;
  options.base_port = 65500;
  EXPECT_THAT(LocalTopology(options),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--base_port")));
}

TEST(LocalClusterTest, DownAndStatusWithoutACluster) {
  tern::testing::TempDir dir;
  LocalClusterOptions options;
  options.data_dir = dir.path();
  std::ostringstream out;
  EXPECT_THAT(Down(options, out), IsOk());
  EXPECT_THAT(out.str(), HasSubstr("No Tern cluster"));
  EXPECT_THAT(Status(options, out), StatusIs(absl::StatusCode::kNotFound, HasSubstr("no cluster")));
}

TEST(LocalClusterTest, UpWithoutBinariesSaysBuildFirst) {
  tern::testing::TempDir dir;
  LocalClusterOptions options;
  options.data_dir = dir.path();
  options.bin_dir = dir.path() + "/missing";
  std::ostringstream out;
  EXPECT_THAT(Up(options, out), StatusIs(absl::StatusCode::kNotFound, HasSubstr("build first")));
}

}  // namespace
}  // namespace tern::ternctl
