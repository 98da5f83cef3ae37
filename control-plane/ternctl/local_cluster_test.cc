#include "control-plane/ternctl/local_cluster.h"

#include <fstream>
#include <set>
#include <sstream>

#include "common/testing/testing.h"
#include "control-plane/ternctl/cluster_admin.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tern::ternctl {
namespace {

using ::testing::_;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::IsOk;
using ::testing::Not;
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
  EXPECT_THAT((*specs)[1].args,
              Contains("--replicas=127.0.0.1:7000,127.0.0.1:7001,127.0.0.1:7002"));
  EXPECT_EQ(specs->back().kind, "router");
  EXPECT_EQ(specs->back().http.port, 8000);
}

TEST(LocalTopologyTest, RejectsPortsThatOverflow) {
  LocalClusterOptions options;
  options.base_port = 65500;
  EXPECT_THAT(LocalTopology(options),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--base_port")));
}

TEST(LocalTopologyTest, NodeDeadAfterGoesToEveryControlReplicaOnly) {
  LocalClusterOptions options;
  options.node_dead_after_ms = 2000;
  absl::StatusOr<std::vector<ProcessSpec>> specs = LocalTopology(options);
  ASSERT_THAT(specs, IsOk());
  for (const ProcessSpec& spec : *specs) {
    if (spec.kind == "control") {
      EXPECT_THAT(spec.args, Contains("--node_dead_after_ms=2000")) << spec.name;
      EXPECT_THAT(spec.args, Contains("--node_suspect_after_ms=2000")) << spec.name;
    } else {
      EXPECT_THAT(spec.args, Not(Contains(HasSubstr("after_ms")))) << spec.name;
    }
  }

  options.node_dead_after_ms = 8000;  // suspect stays at the control plane's 3 s
  specs = LocalTopology(options);
  ASSERT_THAT(specs, IsOk());
  EXPECT_THAT((*specs)[0].args, Contains("--node_dead_after_ms=8000"));
  EXPECT_THAT((*specs)[0].args, Contains("--node_suspect_after_ms=3000"));

  options.node_dead_after_ms = 0;  // the control plane's defaults
  specs = LocalTopology(options);
  ASSERT_THAT(specs, IsOk());
  EXPECT_THAT((*specs)[0].args, Not(Contains(HasSubstr("after_ms"))));

  options.node_dead_after_ms = -1;
  EXPECT_THAT(LocalTopology(options), StatusIs(absl::StatusCode::kInvalidArgument, _));
}

TEST(NodeSpecTest, TheTopologysNodesAreNodeSpecs) {
  LocalClusterOptions options;
  options.data_dir = "/var/tern";
  options.bin_dir = "/opt/tern/bin";
  absl::StatusOr<std::vector<ProcessSpec>> specs = LocalTopology(options);
  ASSERT_THAT(specs, IsOk());
  const std::string controls = "127.0.0.1:7000,127.0.0.1:7001,127.0.0.1:7002";
  for (int i = 0; i < 3; ++i) {
    const ProcessSpec& node = (*specs)[3 + i];
    absl::StatusOr<ProcessSpec> spec = NodeSpec(options, i, node.az, controls);
    ASSERT_THAT(spec, IsOk());
    EXPECT_EQ(spec->name, node.name);
    EXPECT_EQ(spec->args, node.args);
    EXPECT_EQ(spec->http, node.http);
    EXPECT_EQ(spec->grpc, node.grpc);
  }
}

TEST(NodeSpecTest, AnAddedNodeFollowsTheLayout) {
  LocalClusterOptions options;
  options.data_dir = "/var/tern";
  options.bin_dir = "/opt/tern/bin";
  absl::StatusOr<ProcessSpec> spec = NodeSpec(options, 3, "az-b", "127.0.0.1:7000");
  ASSERT_THAT(spec, IsOk());
  EXPECT_EQ(spec->name, "node-4");
  EXPECT_EQ(spec->kind, "node");
  EXPECT_EQ(spec->az, "az-b");
  EXPECT_EQ(spec->binary, "/opt/tern/bin/tern-node");
  EXPECT_EQ(spec->data_dir, "/var/tern/node-4");
  EXPECT_EQ(spec->grpc->port, 7103);
  EXPECT_EQ(spec->http.port, 7113);
  EXPECT_THAT(spec->args,
              ElementsAre("--node_id=4",
                          "--az=az-b",
                          "--data_dir=/var/tern/node-4",
                          "--grpc_address=127.0.0.1:7103",
                          "--http_address=127.0.0.1:7113",
                          "--control_addresses=127.0.0.1:7000"));

  spec = NodeSpec(options, kMaxLocalNodes - 1, "az-c", "127.0.0.1:7000");
  ASSERT_THAT(spec, IsOk());
  EXPECT_EQ(spec->name, "node-10");
  EXPECT_EQ(spec->grpc->port, 7109);
  EXPECT_EQ(spec->http.port, 7119);
}

TEST(NodeSpecTest, RejectsWhatTheLayoutHasNoRoomFor) {
  LocalClusterOptions options;
  EXPECT_THAT(NodeSpec(options, kMaxLocalNodes, "az-a", ""),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("at most 10")));
  EXPECT_THAT(NodeSpec(options, -1, "az-a", ""), StatusIs(absl::StatusCode::kInvalidArgument, _));
  EXPECT_THAT(NodeSpec(options, 0, "", ""),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("AZ")));
  options.base_port = 65430;  // node 6 would get HTTP port 65545
  EXPECT_THAT(NodeSpec(options, 5, "az-a", ""),
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

TEST(LocalClusterTest, CommandsOnTheClusterNeedOne) {
  tern::testing::TempDir dir;
  LocalClusterOptions options;
  options.data_dir = dir.path();
  std::ostringstream out;
  EXPECT_THAT(AddNode(options, "az-a", out), StatusIs(absl::StatusCode::kNotFound, _));
  EXPECT_THAT(MovePartition(options, 1, 1, 4, out), StatusIs(absl::StatusCode::kNotFound, _));
  EXPECT_THAT(DrainNode(options, 1, false, out), StatusIs(absl::StatusCode::kNotFound, _));
  EXPECT_THAT(InjectFaults(options, "node-1", FaultChange{}, out),
              StatusIs(absl::StatusCode::kNotFound, _));
}

TEST(LocalClusterTest, CommandsOnAStoppedClusterSaySo) {
  tern::testing::TempDir dir;
  LocalClusterOptions options;
  options.data_dir = dir.path();
  {
    // As `ternctl down` leaves it: every pid 0.
    std::ofstream file(dir.path() + "/cluster.json");
    file << R"({"endpoint":"http://127.0.0.1:8000","processes":[)"
         << R"({"name":"control-1","kind":"control","az":"","binary":"/bin/tern-control",)"
         << R"("args":[],"pid":0,"http":"127.0.0.1:7010","grpc":"127.0.0.1:7000",)"
         << R"("data_dir":"/d/control-1","log":"/d/logs/control-1.log"}]})";
  }
  std::ostringstream out;
  EXPECT_THAT(AddNode(options, "az-a", out),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("ternctl up")));
  EXPECT_THAT(MovePartition(options, 1, 1, 4, out),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("no control replica")));
  EXPECT_THAT(DrainNode(options, 1, true, out),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("no control replica")));
  EXPECT_THAT(InjectFaults(options, "node-1", FaultChange{}, out),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("no storage node node-1")));
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
