#include "common/base/status_macros.h"

#include <memory>
#include <string>

#include "gtest/gtest.h"

namespace tern::base {
namespace {

absl::Status FailIf(bool fail) {
  return fail ? absl::InvalidArgumentError("bad") : absl::OkStatus();
}

absl::Status Chain(bool fail, int* reached) {
  TERN_RETURN_IF_ERROR(FailIf(fail));
  ++*reached;
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<int>> MakeValue(bool fail) {
  if (fail) return absl::NotFoundError("none");
  return std::make_unique<int>(42);
}

absl::StatusOr<int> UseValue(bool fail) {
  TERN_ASSIGN_OR_RETURN(std::unique_ptr<int> value, MakeValue(fail));
  TERN_ASSIGN_OR_RETURN(auto second, MakeValue(false));
  return *value + *second;
}

absl::Status AssignExisting(std::string* out) {
  std::string s;
  TERN_ASSIGN_OR_RETURN(s, absl::StatusOr<std::string>("assigned"));
  *out = s;
  return absl::OkStatus();
}

TEST(StatusMacrosTest, ReturnIfErrorPassesOkThrough) {
  int reached = 0;
  EXPECT_TRUE(Chain(false, &reached).ok());
  EXPECT_EQ(reached, 1);
}

TEST(StatusMacrosTest, ReturnIfErrorReturnsError) {
  int reached = 0;
  absl::Status status = Chain(true, &reached);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "bad");
  EXPECT_EQ(reached, 0);
}

TEST(StatusMacrosTest, AssignOrReturnMovesValue) {
  absl::StatusOr<int> result = UseValue(false);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(*result, 84);
}

TEST(StatusMacrosTest, AssignOrReturnReturnsError) {
  absl::StatusOr<int> result = UseValue(true);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kNotFound);
}

TEST(StatusMacrosTest, AssignOrReturnToExistingVariable) {
  std::string out;
  ASSERT_TRUE(AssignExisting(&out).ok());
  EXPECT_EQ(out, "assigned");
}

}  // namespace
}  // namespace tern::base
