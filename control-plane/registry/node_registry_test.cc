#include "control-plane/registry/node_registry.h"

#include "common/testing/testing.h"
#include "gtest/gtest.h"

namespace tern::control {
namespace {

using std::chrono::milliseconds;
using tern::v1::NodeInfo;
using tern::v1::NodeStatus;
using ::testing::HasSubstr;
using testing::IsOk;
using testing::StatusIs;

NodeInfo Node(uint64_t id, const std::string& az, const std::string& address) {
  NodeInfo info;
  info.set_node_id(id);
  info.set_az(az);
  info.set_address(address);
  return info;
}

class NodeRegistryTest : public ::testing::Test {
 protected:
  time::ManualClock clock_;
  NodeRegistry registry_{&clock_, NodeRegistryOptions{milliseconds(3000), milliseconds(10000)}};
};

TEST_F(NodeRegistryTest, NodesAgeFromAliveToSuspectToDead) {
  ASSERT_THAT(registry_.Heartbeat(Node(1, "az-a", "127.0.0.1:7100")), IsOk());
  ASSERT_THAT(registry_.Heartbeat(Node(2, "az-b", "127.0.0.1:7101")), IsOk());
  EXPECT_EQ(registry_.CountInState(NodeStatus::STATE_ALIVE), 2);

  clock_.Advance(milliseconds(2999));
  ASSERT_THAT(registry_.Heartbeat(Node(2, "az-b", "127.0.0.1:7101")), IsOk());
  clock_.Advance(milliseconds(1));
  std::vector<NodeStatus> nodes = registry_.List();
  ASSERT_EQ(nodes.size(), 2u);
  EXPECT_EQ(nodes[0].node().node_id(), 1u);
  EXPECT_EQ(nodes[0].state(), NodeStatus::STATE_SUSPECT);
  EXPECT_EQ(nodes[0].millis_since_heartbeat(), 3000u);
  EXPECT_EQ(nodes[1].state(), NodeStatus::STATE_ALIVE);

  clock_.Advance(milliseconds(7000));
  EXPECT_EQ(registry_.List()[0].state(), NodeStatus::STATE_DEAD);
  EXPECT_EQ(registry_.CountInState(NodeStatus::STATE_SUSPECT), 1);
}

TEST_F(NodeRegistryTest, RejectsInvalidHeartbeats) {
  EXPECT_THAT(registry_.Heartbeat(Node(0, "az-a", "h:1")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("node_id")));
  EXPECT_THAT(registry_.Heartbeat(Node(1, "", "h:1")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("az")));
  EXPECT_THAT(registry_.Heartbeat(Node(1, "az-a", "")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("address")));
}

TEST_F(NodeRegistryTest, RefusesIdClashWhileOwnerIsLiveButNotAfterDeath) {
  ASSERT_THAT(registry_.Heartbeat(Node(1, "az-a", "h:1")), IsOk());
  EXPECT_THAT(registry_.Heartbeat(Node(1, "az-a", "h:2")),
              StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("in use by h:1")));
  clock_.Advance(milliseconds(10000));
  EXPECT_THAT(registry_.Heartbeat(Node(1, "az-a", "h:2")), IsOk());
  EXPECT_EQ(registry_.List()[0].node().address(), "h:2");
}

}  // namespace
}  // namespace tern::control
