#include "storage-node/server/node_identity.h"

#include "common/testing/testing.h"
#include "gtest/gtest.h"
#include "storage-node/engine/rocksdb/rocksdb_engine.h"

namespace tern::node {
namespace {

using ::testing::HasSubstr;
using testing::IsOk;
using testing::StatusIs;

TEST(NodeIdentityTest, RecordsThenChecks) {
  tern::testing::TempDir dir;
  auto engine = engine::OpenRocksEngine(dir.path());
  ASSERT_THAT(engine, IsOk());
  EXPECT_THAT(CheckOrRecordIdentity(engine->get(), base::NodeId(2), "az-b"), IsOk());
  EXPECT_THAT(CheckOrRecordIdentity(engine->get(), base::NodeId(2), "az-b"), IsOk());
  EXPECT_THAT(CheckOrRecordIdentity(engine->get(), base::NodeId(3), "az-b"),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("belongs to node 2/az-b")));
  EXPECT_THAT(CheckOrRecordIdentity(engine->get(), base::NodeId(2), "az-c"),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("not to node 2/az-c")));
}

}  // namespace
}  // namespace tern::node
