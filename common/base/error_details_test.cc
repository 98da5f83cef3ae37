#include "common/base/error_details.h"

#include "gtest/gtest.h"

namespace tern::base {
namespace {

TEST(ErrorDetailsTest, KindSurvivesAndSetsTheCode) {
  absl::Status status = Error(ErrorKind::kResourceNotFound, "Requested resource not found");
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(status.message(), "Requested resource not found");
  EXPECT_EQ(GetErrorKind(status), ErrorKind::kResourceNotFound);
  absl::Status copy = status;
  EXPECT_EQ(GetErrorKind(copy), ErrorKind::kResourceNotFound);
}

TEST(ErrorDetailsTest, PlainStatusesHaveNoKind) {
  EXPECT_EQ(GetErrorKind(absl::InvalidArgumentError("x")), std::nullopt);
  EXPECT_EQ(GetErrorKind(absl::OkStatus()), std::nullopt);
}

TEST(ErrorDetailsTest, SerializationAndValidationShareACodeButNotAKind) {
  absl::Status serialization = Error(ErrorKind::kSerialization, "bad shape");
  absl::Status validation = Error(ErrorKind::kValidation, "bad value");
  EXPECT_EQ(serialization.code(), validation.code());
  EXPECT_EQ(GetErrorKind(serialization), ErrorKind::kSerialization);
  EXPECT_EQ(GetErrorKind(validation), ErrorKind::kValidation);
  EXPECT_EQ(ErrorKindName(ErrorKind::kSerialization), "serialization");
}

TEST(StorageErrorTest, KeepsTheCauseAndMarksIt) {
  const absl::Status failed = StorageError(absl::UnavailableError("IO error: disk gone"));
  EXPECT_EQ(failed.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(failed.message(), "IO error: disk gone");
  EXPECT_TRUE(IsStorageError(failed));
  EXPECT_FALSE(IsStorageError(absl::UnavailableError("IO error: disk gone")));
  EXPECT_TRUE(StorageError(absl::OkStatus()).ok());
}

}  // namespace
}  // namespace tern::base

namespace tern::base {
namespace {

TEST(NotLeaderTest, CarriesTheLeadersIdAndAddressThroughItsMessage) {
  const absl::Status bare = NotLeader(4);
  EXPECT_EQ(bare.message(), "not leader; leader: 4");
  EXPECT_EQ(NotLeaderHint(bare), std::optional<uint64_t>(4));
  EXPECT_EQ(NotLeaderAddress(bare), "");

  const absl::Status with = NotLeader(4, "127.0.0.1:7103");
  EXPECT_EQ(with.message(), "not leader; leader: 4 at 127.0.0.1:7103");
  EXPECT_EQ(NotLeaderHint(with), std::optional<uint64_t>(4));
  EXPECT_EQ(NotLeaderAddress(with), "127.0.0.1:7103");

  EXPECT_EQ(NotLeader(0, "127.0.0.1:1").message(), "not leader; leader: 0");
  EXPECT_EQ(NotLeaderHint(absl::FailedPreconditionError("other")), std::nullopt);
  EXPECT_EQ(NotLeaderHint(absl::UnavailableError("not leader; leader: 4")), std::nullopt);
  EXPECT_EQ(NotLeaderHint(absl::FailedPreconditionError("not leader; leader: x at y")),
            std::nullopt);
}

TEST(NotAppliedTest, MarksUnavailableRefusalsThatAreSafeToRetry) {
  const absl::Status refused = NotApplied("leadership changed before the write committed");
  EXPECT_EQ(refused.code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(IsNotApplied(refused));
  // Through a gRPC hop only code and message survive; they are enough.
  EXPECT_TRUE(IsNotApplied(absl::Status(refused.code(), refused.message())));
  EXPECT_FALSE(IsNotApplied(absl::UnavailableError("Socket closed")));
  EXPECT_FALSE(IsNotApplied(absl::DeadlineExceededError("not applied: but timed out")));
  EXPECT_FALSE(IsNotApplied(WrongPartition("split")));
}

}  // namespace
}  // namespace tern::base
