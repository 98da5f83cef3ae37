#include "router/api/sigv4_check.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
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

// A request botocore signed (SigV4Auth, "dynamodb", us-east-1) at
// 2026-11-26T23:59:30Z with the key below.
constexpr char kKeyId[] = "AKIDTERNEXAMPLE";
constexpr char kSecret[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr char kSignedBody[] = R"({"TableName":"t"})";
constexpr char kBotocoreAuthorization[] =
    "AWS4-HMAC-SHA256 Credential=AKIDTERNEXAMPLE/20261126/us-east-1/dynamodb/aws4_request, "
    "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
    "Signature=b812917448e41f488549dde687f824211dc27127468ef1ae2b59ff331aa38450";

class SigV4VerifyTest : public ::testing::Test {
 protected:
  SigV4VerifyTest() {
    request_.method = "POST";
    request_.target = "/";
    request_.body = kSignedBody;
    request_.headers = {{"Host", "127.0.0.1:8000"},
                        {"Content-Type", "application/x-amz-json-1.0"},
                        {"X-Amz-Target", "DynamoDB_20120810.DescribeTable"},
                        {"X-Amz-Date", "20261126T235930Z"},
                        {"Authorization", kBotocoreAuthorization}};
  }

  absl::StatusOr<SigV4Credential> Verify() { return VerifySigV4(request_, Keys(), now_); }

  static const CredentialStore& Keys() {
    static const CredentialStore* keys = new CredentialStore(*CredentialStore::Parse(
        absl::StrCat("# test keys\n", kKeyId, " ", kSecret, "\nOTHER x\n")));
    return *keys;
  }

  void SetHeader(absl::string_view name, absl::string_view value) {
    for (auto& [field, old] : request_.headers) {
      if (field == name) {
        old = std::string(value);
        return;
      }
    }
    request_.headers.emplace_back(std::string(name), std::string(value));
  }

  // The message of an error of `kind`, or "" when the result differs.
  static std::string ErrorOf(const absl::StatusOr<SigV4Credential>& result, base::ErrorKind kind) {
    if (result.ok() || base::GetErrorKind(result.status()) != kind) {
      return absl::StrCat("unexpected: ", result.status().ToString());
    }
    return std::string(result.status().message());
  }

  SigV4Request request_;
  absl::Time now_ = absl::FromUnixSeconds(1795737600);  // 2026-11-27T00:00:00Z
};

TEST_F(SigV4VerifyTest, AcceptsWhatBotocoreSigned) {
  absl::StatusOr<SigV4Credential> credential = Verify();
  ASSERT_THAT(credential, IsOk());
  EXPECT_EQ(credential->access_key_id, kKeyId);
  EXPECT_EQ(credential->region, "us-east-1");
  // Header names in any case, values with extra blanks: same signature.
  request_.headers[1] = {"content-TYPE", "  application/x-amz-json-1.0 "};
  EXPECT_THAT(Verify(), IsOk());
}

TEST_F(SigV4VerifyTest, AnyChangeToWhatWasSignedIsAnInvalidSignature) {
  const std::string tampered_body = R"({"TableName":"u"})";
  request_.body = tampered_body;
  std::string message = ErrorOf(Verify(), base::ErrorKind::kInvalidSignature);
  EXPECT_TRUE(absl::StartsWith(
      message,
      "The request signature we calculated does not match the signature you provided. Check your "
      "AWS Secret Access Key and signing method. Consult the service documentation for "
      "details.\n\nThe Canonical String for this request should have been\n'POST\n/\n\n"
      "content-type:application/x-amz-json-1.0\nhost:127.0.0.1:8000\n"
      "x-amz-date:20261126T235930Z\nx-amz-target:DynamoDB_20120810.DescribeTable\n\n"
      "content-type;host;x-amz-date;x-amz-target\n"))
      << message;
  EXPECT_TRUE(absl::StrContains(message,
                                "'\n\nThe String-to-Sign should have been\n'AWS4-HMAC-SHA256\n"
                                "20261126T235930Z\n20261126/us-east-1/dynamodb/aws4_request\n"))
      << message;

  request_.body = kSignedBody;
  SetHeader("X-Amz-Target", "DynamoDB_20120810.DeleteTable");
  EXPECT_EQ(base::GetErrorKind(Verify().status()), base::ErrorKind::kInvalidSignature);
  SetHeader("X-Amz-Target", "DynamoDB_20120810.DescribeTable");
  request_.target = "/?a=b";
  EXPECT_EQ(base::GetErrorKind(Verify().status()), base::ErrorKind::kInvalidSignature);
}

TEST_F(SigV4VerifyTest, WrongSecretIsAnInvalidSignature) {
  CredentialStore other = *CredentialStore::Parse(absl::StrCat(kKeyId, " not-the-secret"));
  EXPECT_EQ(base::GetErrorKind(VerifySigV4(request_, other, now_).status()),
            base::ErrorKind::kInvalidSignature);
}

TEST_F(SigV4VerifyTest, UnknownKeyOrSessionTokenIsAnUnrecognizedClient) {
  CredentialStore other = *CredentialStore::Parse("SOMEONEELSE secret");
  EXPECT_EQ(ErrorOf(VerifySigV4(request_, other, now_), base::ErrorKind::kUnrecognizedClient),
            "The security token included in the request is invalid.");
  SetHeader("X-Amz-Security-Token", "FwoGZXIvYXdzEBY");
  EXPECT_EQ(ErrorOf(Verify(), base::ErrorKind::kUnrecognizedClient),
            "The security token included in the request is invalid.");
}

TEST_F(SigV4VerifyTest, DateMustBeBasicFormatAndFresh) {
  SetHeader("X-Amz-Date", "2026-11-26T23:59:30Z");
  EXPECT_EQ(ErrorOf(Verify(), base::ErrorKind::kIncompleteSignature),
            "Date must be in ISO-8601 'basic format'. Got '2026-11-26T23:59:30Z'. See "
            "http://en.wikipedia.org/wiki/ISO_8601");
  for (const char* bad : {"20261326T235930Z", "20261126T235960Z", "+2026112T235930Z"}) {
    SetHeader("X-Amz-Date", bad);
    EXPECT_EQ(base::GetErrorKind(Verify().status()), base::ErrorKind::kIncompleteSignature) << bad;
  }
  SetHeader("X-Amz-Date", "20261126T235930Z");
  now_ = absl::FromUnixSeconds(1795737600 + 3600);
  EXPECT_EQ(ErrorOf(Verify(), base::ErrorKind::kInvalidSignature),
            "Signature expired: 20261126T235930Z is now earlier than 20261127T005500Z "
            "(20261127T010000Z - 5 min.)");
  now_ = absl::FromUnixSeconds(1795737600 - 3600);
  EXPECT_EQ(ErrorOf(Verify(), base::ErrorKind::kInvalidSignature),
            "Signature not yet current: 20261126T235930Z is still later than 20261126T231500Z "
            "(20261126T230000Z + 15 min.)");
}

TEST_F(SigV4VerifyTest, HostMustBeSignedAndTheScopeRight) {
  SetHeader("Authorization",
            "AWS4-HMAC-SHA256 Credential=AKIDTERNEXAMPLE/20261126/us-east-1/dynamodb/"
            "aws4_request, SignedHeaders=x-amz-date, Signature=00");
  EXPECT_EQ(ErrorOf(Verify(), base::ErrorKind::kInvalidSignature),
            "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  SetHeader("Authorization",
            "AWS4-HMAC-SHA1 Credential=AKIDTERNEXAMPLE/20261126/us-east-1/dynamodb/"
            "aws4_request, SignedHeaders=host, Signature=00");
  EXPECT_EQ(ErrorOf(Verify(), base::ErrorKind::kIncompleteSignature),
            "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA1' (only AWS4-HMAC-SHA256 for now). ");
  SetHeader("Authorization",
            "AWS4-HMAC-SHA256 Credential=AKIDTERNEXAMPLE/20261125//s3/aws4, "
            "SignedHeaders=host, Signature=00");
  EXPECT_EQ(ErrorOf(Verify(), base::ErrorKind::kInvalidSignature),
            "Credential should be scoped to a valid region, not ''. Credential should be scoped "
            "to correct service: 'dynamodb'. Credential should be scoped with a valid "
            "terminator: 'aws4_request', not 'aws4'. Date in Credential scope does not match "
            "YYYYMMDD from ISO-8601 version of date from HTTP: '20261125' != '20261126', from "
            "'20261126T235930Z'.");
}

TEST_F(SigV4VerifyTest, MissingPiecesComeFirst) {
  request_.headers.pop_back();  // Authorization
  EXPECT_EQ(base::GetErrorKind(Verify().status()), base::ErrorKind::kMissingAuthenticationToken);
  SetHeader("Authorization", "AWS4-HMAC-SHA256 Credential=a/b/c/d/e");
  EXPECT_EQ(base::GetErrorKind(Verify().status()), base::ErrorKind::kIncompleteSignature);
  // An empty X-Amz-Date is no date.
  SetHeader("Authorization", kBotocoreAuthorization);
  SetHeader("X-Amz-Date", "");
  EXPECT_TRUE(absl::StrContains(ErrorOf(Verify(), base::ErrorKind::kIncompleteSignature),
                                "requires existence of either a 'X-Amz-Date' or a 'Date' header"));
}

TEST(CredentialStoreTest, ParsesKeysAndRejectsBadLines) {
  absl::StatusOr<CredentialStore> store =
      CredentialStore::Parse("# comment\n\nAKID1 secret1\n  AKID2\tsecret/2+x  \n");
  ASSERT_THAT(store, IsOk());
  EXPECT_EQ(store->size(), 2u);
  ASSERT_NE(store->SecretFor("AKID2"), nullptr);
  EXPECT_EQ(*store->SecretFor("AKID2"), "secret/2+x");
  EXPECT_EQ(store->SecretFor("AKID3"), nullptr);

  EXPECT_EQ(CredentialStore::Parse("A s\nB\n").status().message(),
            "credentials line 2: expected \"ACCESS_KEY_ID SECRET_ACCESS_KEY\"");
  EXPECT_EQ(CredentialStore::Parse("A s\nA t\n").status().message(),
            "credentials line 2: access key A given twice");
  EXPECT_FALSE(CredentialStore::Parse("# nothing\n").ok());
  EXPECT_FALSE(CredentialStore::Load("/nonexistent/credentials").ok());
}

}  // namespace
}  // namespace tern::router
