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

}  // namespace
}  // namespace tern::base
