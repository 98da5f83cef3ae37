#include "common/base/ids.h"

#include <sstream>
#include <type_traits>

#include "absl/container/flat_hash_set.h"
#include "gtest/gtest.h"

namespace tern::base {
namespace {

static_assert(!std::is_convertible_v<Term, LogIndex>, "a term is not an index");
static_assert(!std::is_convertible_v<NodeId, PartitionId>, "a node is not a partition");
static_assert(!std::is_convertible_v<uint64_t, Term>, "construction is explicit");

TEST(IdsTest, DefaultIsInvalidZero) {
  NodeId none;
  EXPECT_FALSE(none.valid());
  EXPECT_EQ(none.value(), 0u);
  EXPECT_TRUE(NodeId(3).valid());
}

TEST(IdsTest, OrderingAndEquality) {
  EXPECT_LT(Term(1), Term(2));
  EXPECT_EQ(LogIndex(7), LogIndex(7));
  EXPECT_NE(PartitionId(1), PartitionId(2));
}

TEST(IdsTest, CountersStep) {
  EXPECT_EQ(Term(4).Next(), Term(5));
  EXPECT_EQ(LogIndex(4).Prev(), LogIndex(3));
}

TEST(IdsTest, Printing) {
  std::ostringstream os;
  os << NodeId(12);
  EXPECT_EQ(os.str(), "node-12");
  EXPECT_EQ(Term(3).ToString(), "term-3");
}

TEST(IdsTest, Hashable) {
  absl::flat_hash_set<PartitionId> set = {PartitionId(1), PartitionId(2), PartitionId(1)};
  EXPECT_EQ(set.size(), 2u);
}

}  // namespace
}  // namespace tern::base
