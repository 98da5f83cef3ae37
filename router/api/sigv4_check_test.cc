#include "router/api/sigv4_check.h"

#include "common/base/error_details.h"
#include "common/testing/testing.h"
#include "gtest/gtest.h"

namespace tern::router {
namespace {

using testing::IsOk;

constexpr char kGood[] =
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261126/us-west-2/dynamodb/aws4_request, "
    "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=abcdef0123";

TEST(SigV4CheckTest, AcceptsAWellFormedHeader) {
  absl::StatusOr<SigV4Credential> credential = CheckSigV4(kGood, /*has_date=*/true);
  ASSERT_THAT(credential, IsOk());
  EXPECT_EQ(credential->access_key_id, "AKIDEXAMPLE");
  EXPECT_EQ(credential->region, "us-west-2");
  EXPECT_EQ(credential->service, "dynamodb");
}

TEST(SigV4CheckTest, MissingOrForeignHeaderIsMissingAuthenticationToken) {
  for (const char* header : {"", "   ", "Bearer abc", "AWS AKID:sig"}) {
    absl::StatusOr<SigV4Credential> result = CheckSigV4(header, true);
    EXPECT_EQ(base::GetErrorKind(result.status()), base::ErrorKind::kMissingAuthenticationToken)
        << header;
    EXPECT_EQ(result.status().message(), "Request is missing Authentication Token");
  }
}

TEST(SigV4CheckTest, IncompleteHeaderListsEveryMissingPart) {
  absl::StatusOr<SigV4Credential> result = CheckSigV4("AWS4-HMAC-SHA256 X", /*has_date=*/false);
  EXPECT_EQ(base::GetErrorKind(result.status()), base::ErrorKind::kIncompleteSignature);
  EXPECT_EQ(result.status().message(),
            "Authorization header requires 'Credential' parameter. Authorization header requires "
            "'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. "
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' "
            "header. Authorization=AWS4-HMAC-SHA256 X");
  EXPECT_EQ(CheckSigV4(kGood, /*has_date=*/false).status().message(),
            std::string("Authorization header requires existence of either a 'X-Amz-Date' or a "
                        "'Date' header. Authorization=") +
                kGood);
}

TEST(SigV4CheckTest, CredentialScopeNeedsFiveParts) {
  absl::StatusOr<SigV4Credential> result = CheckSigV4(
      "AWS4-HMAC-SHA256 Credential=AKID/20261126/us-east-1, SignedHeaders=host, Signature=ab",
      true);
  EXPECT_EQ(base::GetErrorKind(result.status()), base::ErrorKind::kIncompleteSignature);
  EXPECT_EQ(result.status().message(),
            "Credential must have exactly 5 slash-delimited elements, e.g. "
            "keyid/date/region/service/term, got 'AKID/20261126/us-east-1'");
}

}  // namespace
}  // namespace tern::router
