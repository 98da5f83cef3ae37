#include "common/model/update.h"

#include "common/testing/testing.h"
#include "gtest/gtest.h"

namespace tern::model {
namespace {

using testing::IsOk;
using testing::StatusIs;

AttributeValue Num(const char* text) { return AttributeValue::N(*Number::Parse(text)); }

AttributeUpdate Update(const char* name, UpdateAction action, std::optional<AttributeValue> value) {
  return AttributeUpdate{name, action, std::move(value)};
}

TEST(UpdateTest, PutDeleteAndAddInOrder) {
  Item item = {
      {"id", AttributeValue::S("k")}, {"count", Num("41")}, {"gone", AttributeValue::S("x")}};
  ASSERT_THAT(ApplyUpdates({Update("name", UpdateAction::kPut, AttributeValue::S("Ann")),
                            Update("count", UpdateAction::kAdd, Num("1")),
                            Update("gone", UpdateAction::kDelete, std::nullopt),
                            Update("fresh", UpdateAction::kAdd, Num("-2.5"))},
                           &item),
              IsOk());
  EXPECT_EQ(item.at("name"), AttributeValue::S("Ann"));
  EXPECT_EQ(item.at("count"), Num("42"));
  EXPECT_EQ(item.count("gone"), 0u);
  EXPECT_EQ(item.at("fresh"), Num("-2.5"));
}

TEST(UpdateTest, SetsUnionAndDifference) {
  Item item = {{"tags", AttributeValue::SS({"a", "b"})}};
  ASSERT_THAT(
      ApplyUpdates({Update("tags", UpdateAction::kAdd, AttributeValue::SS({"b", "c"}))}, &item),
      IsOk());
  EXPECT_EQ(item.at("tags"), AttributeValue::SS({"a", "b", "c"}));
  ASSERT_THAT(
      ApplyUpdates({Update("tags", UpdateAction::kDelete, AttributeValue::SS({"a", "c"}))}, &item),
      IsOk());
  EXPECT_EQ(item.at("tags"), AttributeValue::SS({"b"}));
  ASSERT_THAT(
      ApplyUpdates({Update("tags", UpdateAction::kDelete, AttributeValue::SS({"b"}))}, &item),
      IsOk());
  EXPECT_EQ(item.count("tags"), 0u);  // an emptied set disappears
  // Deleting from a missing attribute changes nothing.
  ASSERT_THAT(
      ApplyUpdates({Update("none", UpdateAction::kDelete, AttributeValue::SS({"x"}))}, &item),
      IsOk());
}

TEST(UpdateTest, TypeMismatchLeavesTheItemAlone) {
  Item item = {{"count", Num("1")}, {"name", AttributeValue::S("x")}};
  Item before = item;
  EXPECT_THAT(
      ApplyUpdates({Update("count", UpdateAction::kPut, Num("5")),
                    Update("name", UpdateAction::kAdd, Num("1"))},
                   &item),
      StatusIs(absl::StatusCode::kInvalidArgument, "Type mismatch for attribute to update"));
  EXPECT_EQ(item, before);
  EXPECT_THAT(
      ApplyUpdates({Update("count", UpdateAction::kDelete, AttributeValue::SS({"a"}))}, &item),
      StatusIs(absl::StatusCode::kInvalidArgument, "Type mismatch for attribute to update"));
}

TEST(UpdateTest, AddOverflowIsReported) {
  Item item = {{"n", Num("9e125")}};
  EXPECT_THAT(ApplyUpdates({Update("n", UpdateAction::kAdd, Num("9e125"))}, &item),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::HasSubstr("overflow")));
}

}  // namespace
}  // namespace tern::model
