#include "router/api/table_schema.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "boost/json/parse.hpp"
#include "boost/json/serialize.hpp"
#include "common/base/error_details.h"
#include "common/testing/testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tern::router {
namespace {

namespace json = boost::json;
using ::tern::base::ErrorKind;
using ::tern::testing::IsOk;

// The status carries this error kind and a message matching message (a
// string compares for equality).
MATCHER_P2(HasError, kind, message, "") {
  const absl::Status& status = ::tern::testing::GetStatus(arg);
  *result_listener << "status is " << status;
  return !status.ok() && base::GetErrorKind(status) == kind &&
         ::testing::ExplainMatchResult(message, std::string(status.message()), result_listener);
}

// 2023-11-14T22:13:20.123Z, a Tuesday.
absl::Time Now() { return absl::FromUnixMillis(1700000000123); }

json::object Json(absl::string_view text) {
  boost::system::error_code ec;
  json::value value = json::parse(json::string_view(text.data(), text.size()), ec);
  EXPECT_FALSE(ec) << text;
  if (json::object* object = value.if_object()) return *object;
  ADD_FAILURE() << "not a JSON object: " << text;
  return {};
}

absl::StatusOr<tern::v1::TableDescriptor> Create(absl::string_view request) {
  return ParseCreateTable(Json(request), Now());
}

absl::StatusOr<tern::v1::TableDescriptor> Update(absl::string_view request,
                                                 const tern::v1::TableDescriptor& current,
                                                 absl::Time now = Now()) {
  return ApplyUpdateTable(Json(request), current, now);
}

std::string Repeat(char c, int n) { return std::string(static_cast<size_t>(n), c); }

std::vector<std::string> Keys(const json::object& object) {
  std::vector<std::string> keys;
  for (const json::key_value_pair& member : object) {
    keys.emplace_back(member.key().data(), member.key().size());
  }
  return keys;
}

// A request body "{<members>}" of a valid HASH(a) + RANGE(b) PROVISIONED table.
std::string RangeTable(absl::string_view extra) {
  return absl::StrCat(
      R"({"TableName":"abc",)"
      R"("AttributeDefinitions":[{"AttributeName":"a","AttributeType":"S"},)"
      R"({"AttributeName":"b","AttributeType":"S"}],)"
      R"("KeySchema":[{"AttributeName":"a","KeyType":"HASH"},{"AttributeName":"b","KeyType":"RANGE"}],)"
      R"("ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1})",
      extra,
      "}");
}

// An LSI or GSI member {"IndexName":name, KeySchema a HASH + b RANGE, projection ALL}.
std::string AbIndex(absl::string_view name, absl::string_view extra = "") {
  return absl::StrCat(
      R"({"IndexName":")",
      name,
      R"(","KeySchema":[{"AttributeName":"a","KeyType":"HASH"},)",
      R"({"AttributeName":"b","KeyType":"RANGE"}],"Projection":{"ProjectionType":"ALL"})",
      extra,
      "}");
}

constexpr char kNotNull[] = "failed to satisfy constraint: Member must not be null";
constexpr char kPattern[] =
    "failed to satisfy constraint: Member must satisfy regular expression pattern: "
    "[a-zA-Z0-9_.-]+";

// ---------------------------------------------------------------------------
// SerializationException

TEST(CreateTableSerializationTest, StringMembers) {
  EXPECT_THAT(Create(R"({"TableName":123})"),
              HasError(ErrorKind::kSerialization, "NUMBER_VALUE cannot be converted to String"));
  EXPECT_THAT(Create(R"({"TableName":true})"),
              HasError(ErrorKind::kSerialization, "TRUE_VALUE cannot be converted to String"));
  EXPECT_THAT(Create(R"({"TableName":false})"),
              HasError(ErrorKind::kSerialization, "FALSE_VALUE cannot be converted to String"));
  EXPECT_THAT(Create(R"({"TableName":34.56})"),
              HasError(ErrorKind::kSerialization, "DECIMAL_VALUE cannot be converted to String"));
  EXPECT_THAT(
      Create(R"({"TableName":[]})"),
      HasError(ErrorKind::kSerialization, "Unrecognized collection type class java.lang.String"));
  EXPECT_THAT(
      Create(R"({"TableName":{}})"),
      HasError(ErrorKind::kSerialization, "Start of structure or map found where not expected"));
}

TEST(CreateTableSerializationTest, ListsAndStructures) {
  EXPECT_THAT(Create(R"({"KeySchema":"x"})"),
              HasError(ErrorKind::kSerialization, "Unexpected field type"));
  EXPECT_THAT(
      Create(R"({"KeySchema":{}})"),
      HasError(ErrorKind::kSerialization, "Start of structure or map found where not expected"));
  EXPECT_THAT(Create(R"({"KeySchema":[1]})"),
              HasError(ErrorKind::kSerialization, "Unexpected value type in payload"));
  EXPECT_THAT(Create(R"({"KeySchema":[[]]})"),
              HasError(ErrorKind::kSerialization,
                       "Unrecognized collection type class "
                       "com.amazonaws.dynamodb.v20120810.KeySchemaElement"));
  EXPECT_THAT(Create(R"({"ProvisionedThroughput":[]})"),
              HasError(ErrorKind::kSerialization,
                       "Unrecognized collection type class "
                       "com.amazonaws.dynamodb.v20120810.ProvisionedThroughput"));
  EXPECT_THAT(Create(R"({"ProvisionedThroughput":5})"),
              HasError(ErrorKind::kSerialization, "Unexpected field type"));
  EXPECT_THAT(Create(R"({"LocalSecondaryIndexes":[{"Projection":[]}]})"),
              HasError(ErrorKind::kSerialization,
                       "Unrecognized collection type class "
                       "com.amazonaws.dynamodb.v20120810.Projection"));
  EXPECT_THAT(Create(R"({"Tags":[{"Key":1}]})"),
              HasError(ErrorKind::kSerialization, "NUMBER_VALUE cannot be converted to String"));
}

TEST(CreateTableSerializationTest, NumbersAndBooleans) {
  EXPECT_THAT(Create(R"({"ProvisionedThroughput":{"ReadCapacityUnits":"5"}})"),
              HasError(ErrorKind::kSerialization, "STRING_VALUE cannot be converted to Long"));
  EXPECT_THAT(Create(R"({"ProvisionedThroughput":{"WriteCapacityUnits":true}})"),
              HasError(ErrorKind::kSerialization, "TRUE_VALUE cannot be converted to Long"));
  EXPECT_THAT(
      Create(R"({"ProvisionedThroughput":{"WriteCapacityUnits":[]}})"),
      HasError(ErrorKind::kSerialization, "Unrecognized collection type class java.lang.Long"));
  EXPECT_THAT(Create(R"({"DeletionProtectionEnabled":"yes"})"),
              HasError(ErrorKind::kSerialization, "Unexpected token received from parser"));
  EXPECT_THAT(Create(R"({"DeletionProtectionEnabled":1})"),
              HasError(ErrorKind::kSerialization, "NUMBER_VALUE cannot be converted to Boolean"));
  EXPECT_THAT(Create(R"({"StreamSpecification":{"StreamEnabled":1.5}})"),
              HasError(ErrorKind::kSerialization, "DECIMAL_VALUE cannot be converted to Boolean"));
}

TEST(CreateTableSerializationTest, FirstMistypedMemberInDocumentOrderWins) {
  EXPECT_THAT(Create(R"({"BillingMode":5,"TableName":true})"),
              HasError(ErrorKind::kSerialization, "NUMBER_VALUE cannot be converted to String"));
  EXPECT_THAT(Create(R"({"TableName":true,"BillingMode":5})"),
              HasError(ErrorKind::kSerialization, "TRUE_VALUE cannot be converted to String"));
  // Serialization comes before every validation, even a missing TableName.
  EXPECT_THAT(Create(R"({"KeySchema":7})"),
              HasError(ErrorKind::kSerialization, "Unexpected field type"));
}

// ---------------------------------------------------------------------------
// The constraint envelope

TEST(CreateTableEnvelopeTest, MissingTableName) {
  constexpr char kRequired[] =
      "The parameter 'TableName' is required but was not present in the request";
  EXPECT_THAT(Create("{}"), HasError(ErrorKind::kValidation, kRequired));
  EXPECT_THAT(Create(R"({"TableName":null})"), HasError(ErrorKind::kValidation, kRequired));
}

TEST(CreateTableEnvelopeTest, TableNames) {
  const std::string valid_rest =
      R"("AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],)"
      R"("KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"})";
  EXPECT_THAT(Create(absl::StrCat(R"({"TableName":"ab",)", valid_rest)),
              HasError(ErrorKind::kValidation,
                       "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy "
                       "constraint: Member must have length greater than or equal to 3"));
  EXPECT_THAT(Create(absl::StrCat(R"({"TableName":"a;",)", valid_rest)),
              HasError(ErrorKind::kValidation,
                       absl::StrCat("2 validation errors detected: Value 'a;' at 'tableName' ",
                                    kPattern,
                                    "; Value 'a;' at 'tableName' failed to satisfy constraint: "
                                    "Member must have length greater than or equal to 3")));
  EXPECT_THAT(Create(absl::StrCat(R"({"TableName":"",)", valid_rest)),
              HasError(ErrorKind::kValidation,
                       absl::StrCat("2 validation errors detected: Value '' at 'tableName' ",
                                    kPattern,
                                    "; Value '' at 'tableName' failed to satisfy constraint: "
                                    "Member must have length greater than or equal to 3")));
  const std::string long_name = Repeat('a', 256);
  EXPECT_THAT(
      Create(absl::StrCat(R"({"TableName":")", long_name, R"(",)", valid_rest)),
      HasError(ErrorKind::kValidation,
               absl::StrCat("1 validation error detected: Value '",
                            long_name,
                            "' at 'tableName' failed to satisfy constraint: Member must have "
                            "length less than or equal to 255")));
  EXPECT_THAT(Create(absl::StrCat(R"({"TableName":")", Repeat('a', 255), R"(",)", valid_rest)),
              IsOk());
}

TEST(CreateTableEnvelopeTest, NullAttributes) {
  EXPECT_THAT(Create(R"({"TableName":"abc;"})"),
              HasError(ErrorKind::kValidation,
                       absl::StrCat("3 validation errors detected: Value null at "
                                    "'attributeDefinitions' ",
                                    kNotNull,
                                    "; Value 'abc;' at 'tableName' ",
                                    kPattern,
                                    "; Value null at 'keySchema' ",
                                    kNotNull)));
}

TEST(CreateTableEnvelopeTest, EmptyProvisionedThroughput) {
  EXPECT_THAT(Create(R"({"TableName":"abc","AttributeDefinitions":[],"ProvisionedThroughput":{}})"),
              HasError(ErrorKind::kValidation,
                       absl::StrCat("3 validation errors detected: "
                                    "Value null at 'provisionedThroughput.writeCapacityUnits' ",
                                    kNotNull,
                                    "; Value null at 'provisionedThroughput.readCapacityUnits' ",
                                    kNotNull,
                                    "; Value null at 'keySchema' ",
                                    kNotNull)));
}

TEST(CreateTableEnvelopeTest, LowThroughputAndEmptyKeySchema) {
  EXPECT_THAT(
      Create(R"({"TableName":"abc","AttributeDefinitions":[],"KeySchema":[],)"
             R"("ProvisionedThroughput":{"ReadCapacityUnits":-1,"WriteCapacityUnits":-1}})"),
      HasError(ErrorKind::kValidation,
               "3 validation errors detected: Value '-1' at "
               "'provisionedThroughput.writeCapacityUnits' failed to satisfy constraint: Member "
               "must have value greater than or equal to 1; Value '-1' at "
               "'provisionedThroughput.readCapacityUnits' failed to satisfy constraint: Member "
               "must have value greater than or equal to 1; Value '[]' at 'keySchema' failed to "
               "satisfy constraint: Member must have length greater than or equal to 1"));
}

TEST(CreateTableEnvelopeTest, KeySchemaElements) {
  EXPECT_THAT(
      Create(R"({"TableName":"abc","AttributeDefinitions":[],)"
             R"("KeySchema":[{"KeyType":"HASH"},{"AttributeName":"a"},)"
             R"({"KeyType":"Woop","AttributeName":"a"}],)"
             R"("ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1}})"),
      HasError(
          ErrorKind::kValidation,
          absl::StrCat("4 validation errors detected: Value '[KeySchemaElement(attributeName=null, "
                       "keyType=HASH), KeySchemaElement(attributeName=a, keyType=null), "
                       "KeySchemaElement(attributeName=a, keyType=Woop)]' at 'keySchema' failed to "
                       "satisfy constraint: Member must have length less than or equal to 2; "
                       "Value null at 'keySchema.1.member.attributeName' ",
                       kNotNull,
                       "; Value null at 'keySchema.2.member.keyType' ",
                       kNotNull,
                       "; Value 'Woop' at 'keySchema.3.member.keyType' failed to satisfy "
                       "constraint: Member must satisfy enum value set: [HASH, RANGE]")));
}

TEST(CreateTableEnvelopeTest, ThreeKeySchemaElements) {
  EXPECT_THAT(
      Create(
          R"({"TableName":"ct_3keys","AttributeDefinitions":[)"
          R"({"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"S"},)"
          R"({"AttributeName":"extra","AttributeType":"S"}],"KeySchema":[)"
          R"({"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"},)"
          R"({"AttributeName":"extra","KeyType":"RANGE"}],)"
          R"("ProvisionedThroughput":{"ReadCapacityUnits":5,"WriteCapacityUnits":5}})"),
      HasError(ErrorKind::kValidation,
               "1 validation error detected: Value '[KeySchemaElement(attributeName=pk, "
               "keyType=HASH), KeySchemaElement(attributeName=sk, keyType=RANGE), "
               "KeySchemaElement(attributeName=extra, keyType=RANGE)]' at 'keySchema' failed to "
               "satisfy constraint: Member must have length less than or equal to 2"));
}

TEST(CreateTableEnvelopeTest, AttributeDefinitions) {
  const std::string key_schema =
      R"("KeySchema":[{"KeyType":"HASH","AttributeName":"a"}],"BillingMode":"PAY_PER_REQUEST"})";
  EXPECT_THAT(
      Create(absl::StrCat(R"({"TableName":"abc","AttributeDefinitions":[{}],)", key_schema)),
      HasError(ErrorKind::kValidation,
               absl::StrCat("2 validation errors detected: "
                            "Value null at 'attributeDefinitions.1.member.attributeName' ",
                            kNotNull,
                            "; Value null at 'attributeDefinitions.1.member.attributeType' ",
                            kNotNull)));
  EXPECT_THAT(
      Create(absl::StrCat(
          R"({"TableName":"abc","AttributeDefinitions":[{"AttributeName":"b","AttributeType":"SS"}],)",
          key_schema)),
      HasError(ErrorKind::kValidation,
               "1 validation error detected: Value 'SS' at "
               "'attributeDefinitions.1.member.attributeType' failed to satisfy constraint: Member "
               "must satisfy enum value set: [B, N, S]"));
  EXPECT_THAT(
      Create(absl::StrCat(
          R"({"TableName":"abc","AttributeDefinitions":[{"AttributeName":"a","AttributeType":"BOOL"}],)",
          key_schema)),
      HasError(ErrorKind::kValidation,
               "1 validation error detected: Value 'BOOL' at "
               "'attributeDefinitions.1.member.attributeType' failed to satisfy constraint: Member "
               "must satisfy enum value set: [B, N, S]"));
}

TEST(CreateTableEnvelopeTest, AtMostTenErrors) {
  std::string expected = "10 validation errors detected: ";
  std::vector<std::string> errors;
  for (int i = 1; i <= 4; ++i) {
    for (const char* member : {"projection", "indexName", "keySchema"}) {
      errors.push_back(absl::StrCat(
          "Value null at 'localSecondaryIndexes.", i, ".member.", member, "' ", kNotNull));
    }
  }
  errors.resize(10);
  EXPECT_THAT(Create(RangeTable(R"(,"LocalSecondaryIndexes":[{},{},{},{},{},{},{},{},{}])")),
              HasError(ErrorKind::kValidation, expected + absl::StrJoin(errors, "; ")));
}

TEST(CreateTableEnvelopeTest, LocalIndexNames) {
  const std::string long_name = Repeat('a', 256);
  EXPECT_THAT(
      Create(RangeTable(absl::StrCat(
          R"(,"LocalSecondaryIndexes":[{"IndexName":"h;","KeySchema":[],"Projection":{}},)",
          R"({"IndexName":")",
          long_name,
          R"(","KeySchema":[{"AttributeName":"a","KeyType":"HASH"}],"Projection":{}}])"))),
      HasError(ErrorKind::kValidation,
               absl::StrCat("4 validation errors detected: Value 'h;' at "
                            "'localSecondaryIndexes.1.member.indexName' ",
                            kPattern,
                            "; Value 'h;' at 'localSecondaryIndexes.1.member.indexName' failed "
                            "to satisfy constraint: Member must have length greater than or equal "
                            "to 3; Value '[]' at 'localSecondaryIndexes.1.member.keySchema' failed "
                            "to satisfy constraint: Member must have length greater than or equal "
                            "to 1; Value '",
                            long_name,
                            "' at 'localSecondaryIndexes.2.member.indexName' failed to satisfy "
                            "constraint: Member must have length less than or equal to 255")));
}

TEST(CreateTableEnvelopeTest, GlobalIndexNamesAndThroughput) {
  const std::string long_name = Repeat('a', 256);
  EXPECT_THAT(
      Create(RangeTable(absl::StrCat(
          R"(,"GlobalSecondaryIndexes":[{"IndexName":"h;","KeySchema":[],"Projection":{},)",
          R"("ProvisionedThroughput":{"ReadCapacityUnits":0,"WriteCapacityUnits":0}},)",
          R"({"IndexName":")",
          long_name,
          R"(","KeySchema":[{"AttributeName":"a","KeyType":"HASH"}],"Projection":{},)",
          R"("ProvisionedThroughput":{}}])"))),
      HasError(
          ErrorKind::kValidation,
          absl::StrCat(
              "8 validation errors detected: Value 'h;' at "
              "'globalSecondaryIndexes.1.member.indexName' ",
              kPattern,
              "; Value 'h;' at 'globalSecondaryIndexes.1.member.indexName' failed to satisfy "
              "constraint: Member must have length greater than or equal to 3; Value '0' at "
              "'globalSecondaryIndexes.1.member.provisionedThroughput.writeCapacityUnits' failed "
              "to satisfy constraint: Member must have value greater than or equal to 1; Value "
              "'0' at 'globalSecondaryIndexes.1.member.provisionedThroughput.readCapacityUnits' "
              "failed to satisfy constraint: Member must have value greater than or equal to 1; "
              "Value '[]' at 'globalSecondaryIndexes.1.member.keySchema' failed to satisfy "
              "constraint: Member must have length greater than or equal to 1; Value '",
              long_name,
              "' at 'globalSecondaryIndexes.2.member.indexName' failed to satisfy constraint: "
              "Member must have length less than or equal to 255; Value null at "
              "'globalSecondaryIndexes.2.member.provisionedThroughput.writeCapacityUnits' ",
              kNotNull,
              "; Value null at "
              "'globalSecondaryIndexes.2.member.provisionedThroughput.readCapacityUnits' ",
              kNotNull)));
}

TEST(CreateTableEnvelopeTest, Projections) {
  EXPECT_THAT(
      Create(RangeTable(
          R"(,"LocalSecondaryIndexes":[{"IndexName":"abc","KeySchema":[{"AttributeName":"a","KeyType":"HASH"},)"
          R"({"AttributeName":"b","KeyType":"RANGE"}],"Projection":{"NonKeyAttributes":[],"ProjectionType":"abc"}}])")),
      HasError(ErrorKind::kValidation,
               "2 validation errors detected: Value 'abc' at "
               "'localSecondaryIndexes.1.member.projection.projectionType' failed to satisfy "
               "constraint: Member must satisfy enum value set: [ALL, INCLUDE, KEYS_ONLY]; Value "
               "'[]' at 'localSecondaryIndexes.1.member.projection.nonKeyAttributes' failed to "
               "satisfy constraint: Member must have length greater than or equal to 1"));
  std::vector<std::string> names;
  for (int i = 0; i < 21; ++i) names.push_back(absl::StrCat("n", i));
  EXPECT_THAT(
      Create(RangeTable(absl::StrCat(
          R"(,"GlobalSecondaryIndexes":[{"IndexName":"gsi","KeySchema":[{"AttributeName":"b","KeyType":"HASH"}],)",
          R"("Projection":{"ProjectionType":"INCLUDE","NonKeyAttributes":[")",
          absl::StrJoin(names, R"(",")"),
          R"("]},"ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1}}])"))),
      HasError(ErrorKind::kValidation,
               absl::StrCat("1 validation error detected: Value '[",
                            absl::StrJoin(names, ", "),
                            "]' at 'globalSecondaryIndexes.1.member.projection.nonKeyAttributes' "
                            "failed to satisfy constraint: Member must have length less than or "
                            "equal to 20")));
}

TEST(CreateTableEnvelopeTest, EnumsOfOptionalMembers) {
  EXPECT_THAT(Create(RangeTable(R"(,"BillingMode":"pay_per_request")")),
              HasError(ErrorKind::kValidation,
                       "1 validation error detected: Value 'pay_per_request' at 'billingMode' "
                       "failed to satisfy constraint: Member must satisfy enum value set: "
                       "[PROVISIONED, PAY_PER_REQUEST]"));
  EXPECT_THAT(Create(RangeTable(R"(,"StreamSpecification":{})")),
              HasError(ErrorKind::kValidation,
                       absl::StrCat("1 validation error detected: Value null at "
                                    "'streamSpecification.streamEnabled' ",
                                    kNotNull)));
  EXPECT_THAT(Create(RangeTable(R"(,"StreamSpecification":{"StreamViewType":"NEW_IMAGE"})")),
              HasError(ErrorKind::kValidation,
                       absl::StrCat("1 validation error detected: Value null at "
                                    "'streamSpecification.streamEnabled' ",
                                    kNotNull)));
  EXPECT_THAT(
      Create(RangeTable(
          R"(,"StreamSpecification":{"StreamEnabled":true,"StreamViewType":"new_image"})")),
      HasError(ErrorKind::kValidation,
               "1 validation error detected: Value 'new_image' at "
               "'streamSpecification.streamViewType' failed to satisfy constraint: Member must "
               "satisfy enum value set: [OLD_IMAGE, KEYS_ONLY, NEW_AND_OLD_IMAGES, NEW_IMAGE]"));
  EXPECT_THAT(Create(RangeTable(R"(,"SSESpecification":{"Enabled":true,"SSEType":"kms"})")),
              HasError(ErrorKind::kValidation,
                       "1 validation error detected: Value 'kms' at 'sSESpecification.sSEType' "
                       "failed to satisfy constraint: Member must satisfy enum value set: "
                       "[AES256, KMS]"));
}

// ---------------------------------------------------------------------------
// Semantic rules

TEST(CreateTableRulesTest, BillingModeAndThroughput) {
  const std::string table =
      R"({"TableName":"abc","AttributeDefinitions":[{"AttributeName":"a","AttributeType":"S"}],)"
      R"("KeySchema":[{"AttributeName":"a","KeyType":"HASH"}])";
  EXPECT_THAT(Create(absl::StrCat(
                  table,
                  R"(,"BillingMode":"PAY_PER_REQUEST",)",
                  R"("ProvisionedThroughput":{"ReadCapacityUnits":5,"WriteCapacityUnits":5}})")),
              HasError(ErrorKind::kValidation,
                       "One or more parameter values were invalid: Neither ReadCapacityUnits nor "
                       "WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST"));
  constexpr char kNoThroughput[] =
      "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must "
      "both be specified when BillingMode is PROVISIONED";
  EXPECT_THAT(Create(absl::StrCat(table, "}")), HasError(ErrorKind::kValidation, kNoThroughput));
  EXPECT_THAT(Create(absl::StrCat(table, R"(,"BillingMode":"PROVISIONED"})")),
              HasError(ErrorKind::kValidation, kNoThroughput));
  EXPECT_THAT(
      Create(absl::StrCat(
          table,
          R"(,"ProvisionedThroughput":{"ReadCapacityUnits":1000000000001,"WriteCapacityUnits":1000000000001}})")),
      HasError(ErrorKind::kValidation,
               "Given value 1000000000001 for ReadCapacityUnits is out of bounds"));
  EXPECT_THAT(
      Create(absl::StrCat(
          table,
          R"(,"ProvisionedThroughput":{"ReadCapacityUnits":1000000000000,"WriteCapacityUnits":1000000000001}})")),
      HasError(ErrorKind::kValidation,
               "Given value 1000000000001 for WriteCapacityUnits is out of bounds"));
}

TEST(CreateTableRulesTest, KeySchemaAgainstAttributeDefinitions) {
  const auto request = [](absl::string_view defs, absl::string_view keys) {
    return absl::StrCat(
        R"({"TableName":"abc","AttributeDefinitions":[)",
        defs,
        R"(],"KeySchema":[)",
        keys,
        R"(],"ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1}})");
  };
  const std::string a = R"({"AttributeName":"a","AttributeType":"S"})";
  const std::string b = R"({"AttributeName":"b","AttributeType":"S"})";
  const std::string c = R"({"AttributeName":"c","AttributeType":"S"})";
  const std::string a_hash = R"({"AttributeName":"a","KeyType":"HASH"})";
  const std::string a_range = R"({"AttributeName":"a","KeyType":"RANGE"})";
  const std::string b_hash = R"({"AttributeName":"b","KeyType":"HASH"})";
  const std::string b_range = R"({"AttributeName":"b","KeyType":"RANGE"})";
  const std::string join = ",";

  EXPECT_THAT(Create(request(absl::StrCat(a, join, R"({"AttributeName":"a","AttributeType":"N"})"),
                             a_hash)),
              HasError(ErrorKind::kValidation, "Attribute Name is duplicated: a"));
  constexpr char kNoDefinition[] = "Invalid KeySchema: Some index key attribute have no definition";
  EXPECT_THAT(Create(request("", absl::StrCat(a_hash, join, a_hash))),
              HasError(ErrorKind::kValidation, kNoDefinition));
  EXPECT_THAT(Create(request(a, absl::StrCat(a_hash, join, a_range))),
              HasError(ErrorKind::kValidation, kNoDefinition));
  EXPECT_THAT(Create(request(b, absl::StrCat(a_hash, join, b_range))),
              HasError(ErrorKind::kValidation, kNoDefinition));
  EXPECT_THAT(Create(request("", a_hash)), HasError(ErrorKind::kValidation, kNoDefinition));
  EXPECT_THAT(
      Create(request(b, a_hash)),
      HasError(ErrorKind::kValidation,
               "One or more parameter values were invalid: Some index key attributes are "
               "not defined in AttributeDefinitions. Keys: [a], AttributeDefinitions: [b]"));
  EXPECT_THAT(Create(request(absl::StrCat(a, join, b), absl::StrCat(a_hash, join, a_hash))),
              HasError(ErrorKind::kValidation,
                       "Both the Hash Key and the Range Key element in the KeySchema have the "
                       "same name"));
  EXPECT_THAT(Create(request(absl::StrCat(a, join, b), absl::StrCat(a_hash, join, b_hash))),
              HasError(ErrorKind::kValidation,
                       "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type"));
  EXPECT_THAT(Create(request(absl::StrCat(a, join, b), absl::StrCat(a_range, join, b_hash))),
              HasError(ErrorKind::kValidation,
                       "Invalid KeySchema: The first KeySchemaElement is not a HASH key type"));
  EXPECT_THAT(Create(request(a, a_range)),
              HasError(ErrorKind::kValidation,
                       "Invalid KeySchema: The first KeySchemaElement is not a HASH key type"));
  constexpr char kCountMismatch[] =
      "One or more parameter values were invalid: Number of attributes in KeySchema does not "
      "exactly match number of attributes defined in AttributeDefinitions";
  EXPECT_THAT(
      Create(request(absl::StrCat(a, join, c, join, b), absl::StrCat(a_hash, join, b_range))),
      HasError(ErrorKind::kValidation, kCountMismatch));
  EXPECT_THAT(Create(request(absl::StrCat(a, join, b), a_hash)),
              HasError(ErrorKind::kValidation, kCountMismatch));
}

TEST(CreateTableRulesTest, LocalSecondaryIndexes) {
  const auto lsi = [](absl::string_view keys, absl::string_view projection) {
    return absl::StrCat(R"(,"LocalSecondaryIndexes":[{"IndexName":"abc","KeySchema":[)",
                        keys,
                        R"(],"Projection":)",
                        projection,
                        "}]");
  };
  const std::string a_hash = R"({"AttributeName":"a","KeyType":"HASH"})";
  const std::string b_hash = R"({"AttributeName":"b","KeyType":"HASH"})";
  const std::string a_range = R"({"AttributeName":"a","KeyType":"RANGE"})";
  const std::string b_range = R"({"AttributeName":"b","KeyType":"RANGE"})";
  const std::string all = R"({"ProjectionType":"ALL"})";

  EXPECT_THAT(
      Create(
          R"({"TableName":"abc","AttributeDefinitions":[{"AttributeName":"a","AttributeType":"S"},)"
          R"({"AttributeName":"b","AttributeType":"S"}],"KeySchema":[{"KeyType":"HASH","AttributeName":"a"}],)"
          R"("LocalSecondaryIndexes":[],"ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1}})"),
      HasError(ErrorKind::kValidation,
               "One or more parameter values were invalid: List of LocalSecondaryIndexes is "
               "empty"));
  EXPECT_THAT(
      Create(
          R"({"TableName":"ct_lsi_no_range","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},)"
          R"({"AttributeName":"lsiSk","AttributeType":"S"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],)"
          R"("LocalSecondaryIndexes":[{"IndexName":"lsi1","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},)"
          R"({"AttributeName":"lsiSk","KeyType":"RANGE"}],"Projection":{"ProjectionType":"ALL"}}],)"
          R"("ProvisionedThroughput":{"ReadCapacityUnits":5,"WriteCapacityUnits":5}})"),
      HasError(ErrorKind::kValidation,
               "One or more parameter values were invalid: Table KeySchema does not have a range "
               "key, which is required when specifying a LocalSecondaryIndex"));
  EXPECT_THAT(
      Create(RangeTable(
          R"(,"LocalSecondaryIndexes":[{"IndexName":"abc","KeySchema":[{"AttributeName":"c","KeyType":"RANGE"},)"
          R"({"AttributeName":"d","KeyType":"RANGE"}],"Projection":{}},{"IndexName":"abc","KeySchema":)"
          R"([{"AttributeName":"e","KeyType":"RANGE"}],"Projection":{}}])")),
      HasError(ErrorKind::kValidation,
               "One or more parameter values were invalid: Some index key attributes are not "
               "defined in AttributeDefinitions. Keys: [d, c], AttributeDefinitions: [b, a]"));
  EXPECT_THAT(
      Create(RangeTable(
          lsi(absl::StrCat(a_hash, R"(,{"AttributeName":"c","KeyType":"RANGE"})"), "{}"))),
      HasError(ErrorKind::kValidation,
               "One or more parameter values were invalid: Some index key attributes are not "
               "defined in AttributeDefinitions. Keys: [c, a], AttributeDefinitions: [b, a]"));
  EXPECT_THAT(Create(RangeTable(lsi(a_range, "{}"))),
              HasError(ErrorKind::kValidation,
                       "Invalid KeySchema: The first KeySchemaElement is not a HASH key type"));
  EXPECT_THAT(Create(RangeTable(lsi(absl::StrCat(a_hash, ",", a_hash), "{}"))),
              HasError(ErrorKind::kValidation,
                       "Both the Hash Key and the Range Key element in the KeySchema have the "
                       "same name"));
  EXPECT_THAT(Create(RangeTable(lsi(absl::StrCat(a_hash, ",", b_hash), "{}"))),
              HasError(ErrorKind::kValidation,
                       "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type"));
  EXPECT_THAT(Create(RangeTable(lsi(b_hash, "{}"))),
              HasError(ErrorKind::kValidation,
                       "One or more parameter values were invalid: Index KeySchema does not have "
                       "a range key for index: abc"));
  EXPECT_THAT(Create(RangeTable(lsi(absl::StrCat(b_hash, ",", a_range), "{}"))),
              HasError(ErrorKind::kValidation,
                       "One or more parameter values were invalid: Index KeySchema does not have "
                       "the same leading hash key as table KeySchema for index: abc. index hash "
                       "key: b, table hash key: a"));
  const std::string ab = absl::StrCat(a_hash, ",", b_range);
  EXPECT_THAT(Create(RangeTable(lsi(ab, "{}"))),
              HasError(ErrorKind::kValidation,
                       "One or more parameter values were invalid: Unknown ProjectionType: null"));
  EXPECT_THAT(Create(RangeTable(lsi(ab, R"({"NonKeyAttributes":["a"]})"))),
              HasError(ErrorKind::kValidation,
                       "One or more parameter values were invalid: Unknown ProjectionType: null"));
  EXPECT_THAT(Create(RangeTable(lsi(ab, R"({"ProjectionType":"ALL","NonKeyAttributes":["a"]})"))),
              HasError(ErrorKind::kValidation,
                       "One or more parameter values were invalid: ProjectionType is ALL, but "
                       "NonKeyAttributes is specified"));
  EXPECT_THAT(
      Create(RangeTable(lsi(ab, R"({"ProjectionType":"KEYS_ONLY","NonKeyAttributes":["a"]})"))),
      HasError(ErrorKind::kValidation,
               "One or more parameter values were invalid: ProjectionType is KEYS_ONLY, but "
               "NonKeyAttributes is specified"));
  EXPECT_THAT(Create(RangeTable(lsi(ab, R"({"ProjectionType":"INCLUDE"})"))),
              HasError(ErrorKind::kValidation,
                       "One or more parameter values were invalid: ProjectionType is INCLUDE, but "
                       "NonKeyAttributes is not specified"));
  EXPECT_THAT(
      Create(RangeTable(lsi(ab, R"({"ProjectionType":"INCLUDE","NonKeyAttributes":["x","x"]})"))),
      HasError(ErrorKind::kValidation,
               "One or more parameter values were invalid: Duplicate element in NonKeyAttributes: "
               "x"));
  EXPECT_THAT(Create(RangeTable(absl::StrCat(
                  R"(,"LocalSecondaryIndexes":[)", AbIndex("abc"), ",", AbIndex("abc"), "]"))),
              HasError(ErrorKind::kValidation,
                       "One or more parameter values were invalid: Duplicate index name: abc"));
  std::vector<std::string> six;
  for (const char* name : {"abc", "abd", "abe", "abf", "abg", "abh"}) six.push_back(AbIndex(name));
  EXPECT_THAT(Create(RangeTable(
                  absl::StrCat(R"(,"LocalSecondaryIndexes":[)", absl::StrJoin(six, ","), "]"))),
              HasError(ErrorKind::kValidation,
                       "One or more parameter values were invalid: Number of LocalSecondaryIndexes "
                       "exceeds per-table limit of 5"));
  six.pop_back();
  EXPECT_THAT(Create(RangeTable(
                  absl::StrCat(R"(,"LocalSecondaryIndexes":[)", absl::StrJoin(six, ","), "]"))),
              IsOk());
}

TEST(CreateTableRulesTest, GlobalSecondaryIndexes) {
  const std::string pt =
      R"(,"ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1})";
  EXPECT_THAT(
      Create(
          R"({"TableName":"abc","AttributeDefinitions":[{"AttributeName":"a","AttributeType":"S"},)"
          R"({"AttributeName":"b","AttributeType":"S"}],"KeySchema":[{"KeyType":"HASH","AttributeName":"a"}],)"
          R"("GlobalSecondaryIndexes":[],"ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1}})"),
      HasError(ErrorKind::kValidation,
               "One or more parameter values were invalid: List of GlobalSecondaryIndexes is "
               "empty"));
  EXPECT_THAT(
      Create(
          R"({"TableName":"abc","AttributeDefinitions":[{"AttributeName":"a","AttributeType":"S"},)"
          R"({"AttributeName":"b","AttributeType":"S"}],"KeySchema":[{"KeyType":"HASH","AttributeName":"a"}],)"
          R"("GlobalSecondaryIndexes":[{"IndexName":"abc","KeySchema":[{"AttributeName":"c","KeyType":"RANGE"}],)"
          R"("Projection":{},"ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1}}],)"
          R"("ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1}})"),
      HasError(ErrorKind::kValidation,
               "One or more parameter values were invalid: Some index key attributes are not "
               "defined in AttributeDefinitions. Keys: [c], AttributeDefinitions: [b, a]"));
  EXPECT_THAT(
      Create(RangeTable(absl::StrCat(
          R"(,"GlobalSecondaryIndexes":[{"IndexName":"abc","KeySchema":[{"AttributeName":"b","KeyType":"HASH"}],"Projection":{})",
          pt,
          "}]"))),
      HasError(ErrorKind::kValidation,
               "One or more parameter values were invalid: Unknown ProjectionType: null"));
  EXPECT_THAT(
      Create(RangeTable(absl::StrCat(R"(,"GlobalSecondaryIndexes":[)", AbIndex("gsi"), "]"))),
      HasError(ErrorKind::kValidation,
               "One or more parameter values were invalid: ProvisionedThroughput is not "
               "specified for index: gsi"));
  EXPECT_THAT(
      Create(absl::StrCat(
          R"({"TableName":"abc","BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[{"AttributeName":"a","AttributeType":"S"},)"
          R"({"AttributeName":"b","AttributeType":"S"}],"KeySchema":[{"AttributeName":"a","KeyType":"HASH"}],)"
          R"("GlobalSecondaryIndexes":[)",
          AbIndex("g-a", pt),
          "]}")),
      HasError(ErrorKind::kValidation,
               "One or more parameter values were invalid: ProvisionedThroughput should not be "
               "specified for index: g-a when BillingMode is PAY_PER_REQUEST"));
  EXPECT_THAT(
      Create(RangeTable(absl::StrCat(
          R"(,"GlobalSecondaryIndexes":[)", AbIndex("abc", pt), ",", AbIndex("abc", pt), "]"))),
      HasError(ErrorKind::kValidation,
               "One or more parameter values were invalid: Duplicate index name: abc"));
  EXPECT_THAT(Create(RangeTable(absl::StrCat(R"(,"LocalSecondaryIndexes":[)",
                                             AbIndex("abc"),
                                             R"(],"GlobalSecondaryIndexes":[)",
                                             AbIndex("abc", pt),
                                             "]"))),
              HasError(ErrorKind::kValidation,
                       "One or more parameter values were invalid: Duplicate index name: abc"));
  std::vector<std::string> gsis;
  for (int i = 0; i < 21; ++i) gsis.push_back(AbIndex(absl::StrCat("abc", i), pt));
  EXPECT_THAT(Create(RangeTable(
                  absl::StrCat(R"(,"GlobalSecondaryIndexes":[)", absl::StrJoin(gsis, ","), "]"))),
              HasError(ErrorKind::kValidation,
                       "One or more parameter values were invalid: GlobalSecondaryIndex count "
                       "exceeds the per-table limit of 20"));
  gsis.pop_back();
  EXPECT_THAT(Create(RangeTable(
                  absl::StrCat(R"(,"GlobalSecondaryIndexes":[)", absl::StrJoin(gsis, ","), "]"))),
              IsOk());
  EXPECT_THAT(
      Create(RangeTable(absl::StrCat(
          R"(,"GlobalSecondaryIndexes":[{"IndexName":"multi","KeySchema":[{"AttributeName":"a","KeyType":"HASH"},)"
          R"({"AttributeName":"b","KeyType":"HASH"},{"AttributeName":"a","KeyType":"RANGE"}],)"
          R"("Projection":{"ProjectionType":"ALL"})",
          pt,
          "}]"))),
      HasError(ErrorKind::kValidation,
               "One or more parameter values were invalid: Tern does not support global secondary "
               "index keys with more than 2 attributes (index: multi)"));
}

TEST(CreateTableRulesTest, UnusedAttributeDefinitionsWithIndexes) {
  EXPECT_THAT(
      Create(
          R"({"TableName":"abc","BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[)"
          R"({"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"S"},)"
          R"({"AttributeName":"a","AttributeType":"S"},{"AttributeName":"b","AttributeType":"S"}],)"
          R"("KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],)"
          R"("GlobalSecondaryIndexes":[{"IndexName":"gsi","KeySchema":[{"AttributeName":"a","KeyType":"HASH"}],)"
          R"("Projection":{}}]})"),
      HasError(ErrorKind::kValidation,
               "One or more parameter values were invalid: Some AttributeDefinitions are not "
               "used. AttributeDefinitions: [b, a, sk, pk], keys used: [a, sk, pk]"));
}

TEST(CreateTableRulesTest, ProjectedAttributesAcrossIndexes) {
  const std::string pt =
      R"(,"ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1})";
  std::vector<std::string> gsis;
  for (int i = 0; i < 6; ++i) {
    std::vector<std::string> names;
    for (int j = 0; j < 20; ++j) names.push_back(absl::StrCat("\"i", i, "a", j, "\""));
    gsis.push_back(absl::StrCat(
        R"({"IndexName":"gsi)",
        i,
        R"(","KeySchema":[{"AttributeName":"b","KeyType":"HASH"}],"Projection":{"ProjectionType":"INCLUDE","NonKeyAttributes":[)",
        absl::StrJoin(names, ","),
        "]}",
        pt,
        "}"));
  }
  EXPECT_THAT(Create(RangeTable(
                  absl::StrCat(R"(,"GlobalSecondaryIndexes":[)", absl::StrJoin(gsis, ","), "]"))),
              HasError(ErrorKind::kValidation,
                       "One or more parameter values were invalid: Number of projected attributes "
                       "in all indexes exceeds limit of 100, number of projected attributes:120"));
  gsis.resize(5);
  EXPECT_THAT(Create(RangeTable(
                  absl::StrCat(R"(,"GlobalSecondaryIndexes":[)", absl::StrJoin(gsis, ","), "]"))),
              IsOk());
}

TEST(CreateTableRulesTest, StreamSpecification) {
  EXPECT_THAT(Create(RangeTable(R"(,"StreamSpecification":{"StreamEnabled":true})")),
              HasError(ErrorKind::kValidation,
                       "One or more parameter values were invalid: Table is being created with a "
                       "stream enabled, UpdateViewType is required"));
  EXPECT_THAT(
      Create(RangeTable(
          R"(,"StreamSpecification":{"StreamEnabled":false,"StreamViewType":"NEW_IMAGE"})")),
      HasError(ErrorKind::kValidation,
               "One or more parameter values were invalid: Table is being created with a stream "
               "disabled, UpdateViewType should not be specified"));
  EXPECT_THAT(Create(RangeTable(R"(,"StreamSpecification":{"StreamEnabled":false})")), IsOk());
}

TEST(CreateTableRulesTest, SseSpecification) {
  EXPECT_THAT(Create(RangeTable(R"(,"SSESpecification":{"Enabled":false,"SSEType":"KMS"})")),
              HasError(ErrorKind::kValidation,
                       "One or more parameter values were invalid: SSEType can not be specified "
                       "if Enabled is false"));
  EXPECT_THAT(
      Create(RangeTable(R"(,"SSESpecification":{"Enabled":false,"KMSMasterKeyId":"alias/x"})")),
      HasError(ErrorKind::kValidation,
               "One or more parameter values were invalid: KMSMasterKeyId can not be specified if "
               "Enabled is false"));
  EXPECT_THAT(Create(RangeTable(R"(,"SSESpecification":{"Enabled":true,"SSEType":"AES256"})")),
              HasError(ErrorKind::kValidation,
                       "One or more parameter values were invalid: SSEType AES256 is not "
                       "supported"));
  EXPECT_THAT(
      Create(RangeTable(R"(,"SSESpecification":{"Enabled":true,"KMSMasterKeyId":"alias/x"})")),
      HasError(ErrorKind::kValidation,
               "One or more parameter values were invalid: SSEType KMS is required if "
               "KMSMasterKeyId is specified"));
}

TEST(CreateTableRulesTest, TableClass) {
  EXPECT_THAT(Create(RangeTable(R"(,"TableClass":"GLACIER")")),
              HasError(ErrorKind::kValidation,
                       "Invalid table-class parameter provided. Please try again with a valid "
                       "table-class value: [STANDARD, STANDARD_INFREQUENT_ACCESS]."));
}

TEST(CreateTableRulesTest, Tags) {
  const auto tags = [](absl::string_view list) {
    return Create(RangeTable(absl::StrCat(R"(,"Tags":[)", list, "]")));
  };
  const std::string long_key = Repeat('k', 129);
  EXPECT_THAT(tags(absl::StrCat(R"({"Key":")", long_key, R"(","Value":"v"})")),
              HasError(ErrorKind::kValidation,
                       absl::StrCat("The Tag Key provided is invalid, Key: ", long_key)));
  EXPECT_THAT(tags(R"({"Key":"","Value":"v"})"),
              HasError(ErrorKind::kValidation, "The Tag Key provided is invalid, Key: "));
  EXPECT_THAT(tags(R"({"Value":"v"})"),
              HasError(ErrorKind::kValidation, "The Tag Key provided is invalid, Key: null"));
  EXPECT_THAT(tags(R"({"Key":"ok","Value":"v"},{"Key":"bad#char","Value":"v"})"),
              HasError(ErrorKind::kValidation, "The Tag Key provided is invalid, Key: bad#char"));
  EXPECT_THAT(
      tags(R"({"Key":"k","Value":"bad#char"})"),
      HasError(ErrorKind::kValidation, "The Tag Value provided is invalid, Value: bad#char"));
  EXPECT_THAT(tags(R"({"Key":"k"})"),
              HasError(ErrorKind::kValidation, "The Tag Value provided is invalid, Value: null"));
  const std::string long_value = Repeat('v', 257);
  EXPECT_THAT(tags(absl::StrCat(R"({"Key":"k","Value":")", long_value, R"("})")),
              HasError(ErrorKind::kValidation,
                       absl::StrCat("The Tag Value provided is invalid, Value: ", long_value)));
  EXPECT_THAT(
      tags(R"({"Key":"AWS:foo","Value":"v"})"),
      HasError(ErrorKind::kValidation, "Tag Key cannot be prefixed with aws:, Key: AWS:foo"));
  EXPECT_THAT(tags(R"({"Key":"dup","Value":"1"},{"Key":"dup","Value":"2"})"),
              HasError(ErrorKind::kValidation,
                       "Duplicate Tag Keys provided as input: Duplicate Tag Key found dup"));
  std::vector<std::string> many;
  for (int i = 0; i < 51; ++i) many.push_back(absl::StrCat(R"({"Key":"k)", i, R"(","Value":"v"})"));
  EXPECT_THAT(tags(absl::StrJoin(many, ",")),
              HasError(ErrorKind::kValidation,
                       "Number of Tags exceed the current limit for the provided ResourceArn"));
  many.pop_back();
  EXPECT_THAT(tags(absl::StrJoin(many, ",")), IsOk());
  EXPECT_THAT(tags(""), IsOk());
  EXPECT_THAT(
      tags(absl::StrCat(R"({"Key":"sp ace","Value":"a b+c-d=e.f_g:h/i@j"},)",
                        R"({"Key":"Env","Value":""},{"Key":"myaws:x","Value":"\u00e9t\u00e9"},)",
                        R"({"Key":")",
                        Repeat('k', 128),
                        R"(","Value":")",
                        Repeat('v', 256),
                        R"("})")),
      IsOk());
}

TEST(CreateTableRulesTest, ThroughputAboveTheAccountMaximum) {
  EXPECT_THAT(
      Create(
          R"({"TableName":"abc","AttributeDefinitions":[{"AttributeName":"a","AttributeType":"S"}],)"
          R"("KeySchema":[{"AttributeName":"a","KeyType":"HASH"}],)"
          R"("ProvisionedThroughput":{"ReadCapacityUnits":40001,"WriteCapacityUnits":1}})"),
      HasError(ErrorKind::kLimitExceeded,
               "The requested ReadCapacityUnits, 40001, is above the per table maximum for the "
               "account in us-east-1. Per table maximum: 40000. Refer to the Amazon DynamoDB "
               "Developer Guide for current limits and how to request higher limits."));
  TableLimits limits;
  limits.region = "eu-west-2";
  limits.max_write_capacity_units = 10;
  EXPECT_THAT(
      ParseCreateTable(
          Json(
              R"({"TableName":"abc","AttributeDefinitions":[{"AttributeName":"a","AttributeType":"S"}],)"
              R"("KeySchema":[{"AttributeName":"a","KeyType":"HASH"}],)"
              R"("ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":11}})"),
          Now(),
          limits),
      HasError(ErrorKind::kLimitExceeded,
               "The requested WriteCapacityUnits, 11, is above the per table maximum for the "
               "account in eu-west-2. Per table maximum: 10. Refer to the Amazon DynamoDB "
               "Developer Guide for current limits and how to request higher limits."));
  EXPECT_THAT(
      Create(RangeTable(absl::StrCat(
          R"(,"GlobalSecondaryIndexes":[)",
          AbIndex("gs1",
                  R"(,"ProvisionedThroughput":{"ReadCapacityUnits":50000,"WriteCapacityUnits":1})"),
          "]"))),
      HasError(ErrorKind::kLimitExceeded,
               "The requested ReadCapacityUnits for index gs1, 50000, is above the per index "
               "maximum for the account in us-east-1. Per index maximum: 40000. Refer to the "
               "Amazon DynamoDB Developer Guide for current limits and how to request higher "
               "limits."));
}

// ---------------------------------------------------------------------------
// Valid CreateTable requests

TEST(CreateTableTest, MinimalOnDemandHashTable) {
  absl::StatusOr<tern::v1::TableDescriptor> table = Create(
      R"({"TableName":"Users","BillingMode":"PAY_PER_REQUEST","unknown":{"ignored":true},)"
      R"("AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],)"
      R"("KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],"ProvisionedThroughput":null})");
  ASSERT_THAT(table, IsOk());
  EXPECT_EQ(table->name(), "Users");
  EXPECT_EQ(table->status(), "CREATING");
  EXPECT_EQ(table->creation_time_ms(), 1700000000123);
  EXPECT_EQ(table->billing_mode(), "PAY_PER_REQUEST");
  EXPECT_EQ(table->billing_mode_last_update_ms(), 1700000000123);
  EXPECT_EQ(table->throughput().read_capacity_units(), 0);
  ASSERT_EQ(table->key_schema_size(), 1);
  EXPECT_EQ(table->key_schema(0).attribute_name(), "id");
  EXPECT_EQ(table->key_schema(0).key_type(), tern::v1::KEY_TYPE_HASH);
  ASSERT_EQ(table->attribute_definitions_size(), 1);
  EXPECT_EQ(table->attribute_definitions(0).attribute_type(), tern::v1::SCALAR_TYPE_S);
  EXPECT_EQ(table->table_class(), "STANDARD");
  EXPECT_FALSE(table->deletion_protection());
  EXPECT_FALSE(table->stream().enabled());
  EXPECT_FALSE(table->sse().enabled());
  EXPECT_EQ(table->table_id(), 0u);
  EXPECT_TRUE(table->table_uuid().empty());
}

TEST(CreateTableTest, HashRangeProvisioned) {
  absl::StatusOr<tern::v1::TableDescriptor> table = Create(
      R"({"TableName":"Music","AttributeDefinitions":[{"AttributeName":"Artist","AttributeType":"S"},)"
      R"({"AttributeName":"Year","AttributeType":"N"}],"KeySchema":[{"AttributeName":"Artist","KeyType":"HASH"},)"
      R"({"AttributeName":"Year","KeyType":"RANGE"}],"BillingMode":"PROVISIONED",)"
      R"("ProvisionedThroughput":{"ReadCapacityUnits":5,"WriteCapacityUnits":10.9}})");
  ASSERT_THAT(table, IsOk());
  EXPECT_EQ(table->billing_mode(), "PROVISIONED");
  EXPECT_EQ(table->billing_mode_last_update_ms(), 0);
  EXPECT_EQ(table->throughput().read_capacity_units(), 5);
  EXPECT_EQ(table->throughput().write_capacity_units(), 10);  // Long: fractions truncate
  ASSERT_EQ(table->key_schema_size(), 2);
  EXPECT_EQ(table->key_schema(1).key_type(), tern::v1::KEY_TYPE_RANGE);
  EXPECT_EQ(table->attribute_definitions(1).attribute_type(), tern::v1::SCALAR_TYPE_N);
}

TEST(CreateTableTest, IndexesStreamTagsSseAndTableClass) {
  absl::StatusOr<tern::v1::TableDescriptor> table = Create(
      R"({"TableName":"Thread","BillingMode":"PAY_PER_REQUEST",)"
      R"("AttributeDefinitions":[{"AttributeName":"Forum","AttributeType":"S"},)"
      R"({"AttributeName":"Subject","AttributeType":"S"},{"AttributeName":"Posted","AttributeType":"N"},)"
      R"({"AttributeName":"Author","AttributeType":"B"}],)"
      R"("KeySchema":[{"AttributeName":"Forum","KeyType":"HASH"},{"AttributeName":"Subject","KeyType":"RANGE"}],)"
      R"("LocalSecondaryIndexes":[{"IndexName":"ByPosted","KeySchema":[{"AttributeName":"Forum","KeyType":"HASH"},)"
      R"({"AttributeName":"Posted","KeyType":"RANGE"}],"Projection":{"ProjectionType":"INCLUDE","NonKeyAttributes":["Body","Tags"]}}],)"
      R"("GlobalSecondaryIndexes":[{"IndexName":"ByAuthor","KeySchema":[{"AttributeName":"Author","KeyType":"HASH"},)"
      R"({"AttributeName":"Posted","KeyType":"RANGE"}],"Projection":{"ProjectionType":"KEYS_ONLY"}}],)"
      R"("StreamSpecification":{"StreamEnabled":true,"StreamViewType":"NEW_AND_OLD_IMAGES"},)"
      R"("Tags":[{"Key":"team","Value":"storage"}],"SSESpecification":{"SSEType":"KMS"},)"
      R"("TableClass":"STANDARD_INFREQUENT_ACCESS","DeletionProtectionEnabled":true})");
  ASSERT_THAT(table, IsOk());
  ASSERT_EQ(table->local_indexes_size(), 1);
  const tern::v1::SecondaryIndex& lsi = table->local_indexes(0);
  EXPECT_EQ(lsi.name(), "ByPosted");
  EXPECT_EQ(lsi.key_schema(1).attribute_name(), "Posted");
  EXPECT_EQ(lsi.projection().projection_type(), "INCLUDE");
  EXPECT_THAT(lsi.projection().non_key_attributes(), ::testing::ElementsAre("Body", "Tags"));
  EXPECT_TRUE(lsi.status().empty());
  ASSERT_EQ(table->global_indexes_size(), 1);
  const tern::v1::SecondaryIndex& gsi = table->global_indexes(0);
  EXPECT_EQ(gsi.name(), "ByAuthor");
  EXPECT_EQ(gsi.status(), "CREATING");
  EXPECT_EQ(gsi.projection().projection_type(), "KEYS_ONLY");
  EXPECT_EQ(gsi.throughput().read_capacity_units(), 0);
  EXPECT_TRUE(table->stream().enabled());
  EXPECT_EQ(table->stream().view_type(), "NEW_AND_OLD_IMAGES");
  EXPECT_EQ(table->stream().label(), "2023-11-14T22:13:20.123");
  ASSERT_EQ(table->tags_size(), 1);
  EXPECT_EQ(table->tags(0).key(), "team");
  EXPECT_EQ(table->tags(0).value(), "storage");
  EXPECT_TRUE(table->sse().enabled());
  EXPECT_EQ(table->sse().sse_type(), "KMS");
  EXPECT_EQ(table->table_class(), "STANDARD_INFREQUENT_ACCESS");
  EXPECT_TRUE(table->deletion_protection());
}

TEST(CreateTableTest, EmptySseSpecificationAsksForNothing) {
  absl::StatusOr<tern::v1::TableDescriptor> table =
      Create(RangeTable(R"(,"SSESpecification":{},"Tags":[])"));
  ASSERT_THAT(table, IsOk());
  EXPECT_FALSE(table->sse().enabled());
  EXPECT_EQ(table->tags_size(), 0);
}

// ---------------------------------------------------------------------------
// UpdateTable

tern::v1::TableDescriptor Active(absl::string_view create_request) {
  absl::StatusOr<tern::v1::TableDescriptor> table = Create(create_request);
  EXPECT_THAT(table, IsOk());
  tern::v1::TableDescriptor out = table.value_or(tern::v1::TableDescriptor());
  out.set_status("ACTIVE");
  for (tern::v1::SecondaryIndex& index : *out.mutable_global_indexes()) index.set_status("ACTIVE");
  return out;
}

tern::v1::TableDescriptor ProvisionedTable() {
  return Active(
      R"({"TableName":"abc","AttributeDefinitions":[{"AttributeName":"a","AttributeType":"S"}],)"
      R"("KeySchema":[{"AttributeName":"a","KeyType":"HASH"}],)"
      R"("ProvisionedThroughput":{"ReadCapacityUnits":5,"WriteCapacityUnits":5}})");
}

tern::v1::TableDescriptor ProvisionedTableWithIndex() {
  return Active(
      R"({"TableName":"abc","AttributeDefinitions":[{"AttributeName":"a","AttributeType":"S"},)"
      R"({"AttributeName":"g","AttributeType":"S"}],"KeySchema":[{"AttributeName":"a","KeyType":"HASH"}],)"
      R"("GlobalSecondaryIndexes":[{"IndexName":"gs1","KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],)"
      R"("Projection":{"ProjectionType":"ALL"},"ProvisionedThroughput":{"ReadCapacityUnits":2,"WriteCapacityUnits":2}}],)"
      R"("ProvisionedThroughput":{"ReadCapacityUnits":5,"WriteCapacityUnits":5}})");
}

tern::v1::TableDescriptor OnDemandTableWithIndex() {
  return Active(
      R"({"TableName":"abc","BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[)"
      R"({"AttributeName":"a","AttributeType":"S"},{"AttributeName":"g","AttributeType":"S"}],)"
      R"("KeySchema":[{"AttributeName":"a","KeyType":"HASH"}],)"
      R"("GlobalSecondaryIndexes":[{"IndexName":"gs1","KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],)"
      R"("Projection":{"ProjectionType":"ALL"}}]})");
}

TEST(UpdateTableTest, RequestChecks) {
  const tern::v1::TableDescriptor table = ProvisionedTable();
  EXPECT_THAT(Update("{}", table),
              HasError(ErrorKind::kValidation,
                       "The parameter 'TableName' is required but was not present in the request"));
  constexpr char kAtLeastOne[] =
      "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, "
      "GlobalSecondaryIndexUpdates, SSESpecification, ReplicaUpdates, MultiAccountReplicaReady, "
      "ReplicaTransitRoleArn, MultiRegionConsistency, DeletionProtectionEnabled, "
      "OnDemandThroughput, WarmThroughput or TableClass is required";
  EXPECT_THAT(Update(R"({"TableName":"abc"})", table),
              HasError(ErrorKind::kValidation, kAtLeastOne));
  EXPECT_THAT(Update(R"({"TableName":"abc","GlobalSecondaryIndexUpdates":[]})", table),
              HasError(ErrorKind::kValidation, kAtLeastOne));
  EXPECT_THAT(
      Update(
          R"({"TableName":"abc","AttributeDefinitions":[{"AttributeName":"a","AttributeType":"S"}]})",
          table),
      HasError(ErrorKind::kValidation, kAtLeastOne));
  EXPECT_THAT(
      Update(
          R"({"TableName":"abc","GlobalSecondaryIndexUpdates":[],"DeletionProtectionEnabled":true})",
          table),
      HasError(ErrorKind::kValidation,
               "One or more parameter values were invalid: List of GlobalSecondaryIndexUpdates is "
               "empty"));
  EXPECT_THAT(Update(R"({"TableName":"abc;","DeletionProtectionEnabled":true})", table),
              HasError(ErrorKind::kValidation,
                       absl::StrCat("1 validation error detected: Value 'abc;' at 'tableName' ",
                                    kPattern)));
  EXPECT_THAT(Update(R"({"TableName":"abc","ProvisionedThroughput":{}})", table),
              HasError(ErrorKind::kValidation,
                       absl::StrCat("2 validation errors detected: "
                                    "Value null at 'provisionedThroughput.writeCapacityUnits' ",
                                    kNotNull,
                                    "; Value null at 'provisionedThroughput.readCapacityUnits' ",
                                    kNotNull)));
  EXPECT_THAT(
      Update(
          R"({"TableName":"abc","ProvisionedThroughput":{"ReadCapacityUnits":1000000000001,"WriteCapacityUnits":1000000000001}})",
          table),
      HasError(ErrorKind::kValidation,
               "Given value 1000000000001 for ReadCapacityUnits is out of bounds"));
  EXPECT_THAT(Update(R"({"TableName":"abc","DeletionProtectionEnabled":"no"})", table),
              HasError(ErrorKind::kSerialization, "Unexpected token received from parser"));
}

TEST(UpdateTableTest, OneConcernPerRequest) {
  const tern::v1::TableDescriptor table = ProvisionedTable();
  EXPECT_THAT(
      Update(
          R"({"TableName":"abc","DeletionProtectionEnabled":true,"SSESpecification":{"Enabled":true}})",
          table),
      HasError(ErrorKind::kValidation,
               "One or more parameter values were invalid: Server-Side Encryption modification "
               "must be the only operation in the request"));
  EXPECT_THAT(
      Update(R"({"TableName":"abc","DeletionProtectionEnabled":true,"TableClass":"STANDARD"})",
             table),
      HasError(ErrorKind::kValidation,
               "One or more parameter values were invalid: TableClass modification must be the "
               "only operation in the request"));
  EXPECT_THAT(
      Update(
          R"({"TableName":"abc","DeletionProtectionEnabled":true,"ProvisionedThroughput":{"ReadCapacityUnits":6,"WriteCapacityUnits":6}})",
          table),
      HasError(ErrorKind::kValidation,
               "One or more parameter values were invalid: DeletionProtection modification must "
               "be the only operation in the request"));
  EXPECT_THAT(
      Update(
          R"({"TableName":"abc","StreamSpecification":{"StreamEnabled":true,"StreamViewType":"KEYS_ONLY"},)"
          R"("ProvisionedThroughput":{"ReadCapacityUnits":6,"WriteCapacityUnits":6}})",
          table),
      HasError(ErrorKind::kValidation,
               "One or more parameter values were invalid: You cannot modify stream status while "
               "updating table IOPS"));
}

TEST(UpdateTableTest, BillingModeRules) {
  const tern::v1::TableDescriptor on_demand = OnDemandTableWithIndex();
  EXPECT_THAT(
      Update(
          R"({"TableName":"abc","ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1}})",
          on_demand),
      HasError(ErrorKind::kValidation,
               "One or more parameter values were invalid: Neither ReadCapacityUnits nor "
               "WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST"));
  EXPECT_THAT(
      Update(
          R"({"TableName":"abc","BillingMode":"PAY_PER_REQUEST","ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1}})",
          ProvisionedTable()),
      HasError(ErrorKind::kValidation,
               "One or more parameter values were invalid: ProvisionedThroughput cannot be "
               "specified when BillingMode is PAY_PER_REQUEST"));
  EXPECT_THAT(Update(R"({"TableName":"abc","BillingMode":"PROVISIONED"})", on_demand),
              HasError(ErrorKind::kValidation,
                       "One or more parameter values were invalid: ProvisionedThroughput must be "
                       "specified when BillingMode is PROVISIONED"));
  EXPECT_THAT(
      Update(
          R"({"TableName":"abc","BillingMode":"PROVISIONED","ProvisionedThroughput":{"ReadCapacityUnits":50,"WriteCapacityUnits":50}})",
          on_demand),
      HasError(ErrorKind::kValidation,
               "One or more parameter values were invalid: ProvisionedThroughput must be "
               "specified for index: gs1"));
  EXPECT_THAT(
      Update(R"({"TableName":"abc","GlobalSecondaryIndexUpdates":[{"Update":{"IndexName":"gs1",)"
             R"("ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1}}}]})",
             on_demand),
      HasError(ErrorKind::kValidation,
               "One or more parameter values were invalid: The only Updates for index: gs1 when "
               "TableThroughputMode is PAY_PER_REQUEST can be to OnDemandThroughput, "
               "WarmThroughput"));
}

TEST(UpdateTableTest, SwitchToProvisionedAndBack) {
  absl::StatusOr<tern::v1::TableDescriptor> provisioned = Update(
      R"({"TableName":"abc","BillingMode":"PROVISIONED","ProvisionedThroughput":{"ReadCapacityUnits":50,"WriteCapacityUnits":40},)"
      R"("GlobalSecondaryIndexUpdates":[{"Update":{"IndexName":"gs1","ProvisionedThroughput":{"ReadCapacityUnits":7,"WriteCapacityUnits":8}}}]})",
      OnDemandTableWithIndex());
  ASSERT_THAT(provisioned, IsOk());
  EXPECT_EQ(provisioned->status(), "UPDATING");
  EXPECT_EQ(provisioned->billing_mode(), "PROVISIONED");
  EXPECT_EQ(provisioned->billing_mode_last_update_ms(), 1700000000123);  // last switch to on-demand
  EXPECT_EQ(provisioned->throughput().read_capacity_units(), 50);
  EXPECT_EQ(provisioned->throughput().write_capacity_units(), 40);
  EXPECT_EQ(provisioned->global_indexes(0).throughput().read_capacity_units(), 7);
  EXPECT_EQ(provisioned->global_indexes(0).throughput().write_capacity_units(), 8);

  tern::v1::TableDescriptor current = ProvisionedTableWithIndex();
  const absl::Time later = Now() + absl::Hours(2);
  absl::StatusOr<tern::v1::TableDescriptor> on_demand =
      Update(R"({"TableName":"abc","BillingMode":"PAY_PER_REQUEST"})", current, later);
  ASSERT_THAT(on_demand, IsOk());
  EXPECT_EQ(on_demand->status(), "UPDATING");
  EXPECT_EQ(on_demand->billing_mode(), "PAY_PER_REQUEST");
  EXPECT_EQ(on_demand->billing_mode_last_update_ms(), absl::ToUnixMillis(later));
  EXPECT_EQ(on_demand->throughput().read_capacity_units(), 0);
  EXPECT_EQ(on_demand->global_indexes(0).throughput().write_capacity_units(), 0);

  // A re-send of the current mode is accepted and still answers UPDATING.
  absl::StatusOr<tern::v1::TableDescriptor> again =
      Update(R"({"TableName":"abc","BillingMode":"PAY_PER_REQUEST"})", OnDemandTableWithIndex());
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(again->status(), "UPDATING");
}

TEST(UpdateTableTest, ThroughputChanges) {
  const tern::v1::TableDescriptor table = ProvisionedTable();
  EXPECT_THAT(
      Update(
          R"({"TableName":"abc","ProvisionedThroughput":{"ReadCapacityUnits":5,"WriteCapacityUnits":5}})",
          table),
      HasError(ErrorKind::kValidation,
               "The provisioned throughput for the table will not change. The requested value "
               "equals the current value. Current ReadCapacityUnits provisioned for the table: 5. "
               "Requested ReadCapacityUnits: 5. Current WriteCapacityUnits provisioned for the "
               "table: 5. Requested WriteCapacityUnits: 5. Refer to the Amazon DynamoDB Developer "
               "Guide for current limits and how to request higher limits."));
  EXPECT_THAT(
      Update(
          R"({"TableName":"abc","ProvisionedThroughput":{"ReadCapacityUnits":40001,"WriteCapacityUnits":5}})",
          table),
      HasError(ErrorKind::kLimitExceeded,
               "The requested ReadCapacityUnits, 40001, is above the per table maximum for the "
               "account in us-east-1. Per table maximum: 40000. Refer to the Amazon DynamoDB "
               "Developer Guide for current limits and how to request higher limits."));

  absl::StatusOr<tern::v1::TableDescriptor> up = Update(
      R"({"TableName":"abc","ProvisionedThroughput":{"ReadCapacityUnits":10,"WriteCapacityUnits":5}})",
      table);
  ASSERT_THAT(up, IsOk());
  EXPECT_EQ(up->status(), "UPDATING");
  EXPECT_EQ(up->throughput().read_capacity_units(), 10);
  EXPECT_EQ(up->throughput().last_increase_ms(), 1700000000123);
  EXPECT_EQ(up->throughput().last_decrease_ms(), 0);

  absl::StatusOr<tern::v1::TableDescriptor> down = Update(
      R"({"TableName":"abc","ProvisionedThroughput":{"ReadCapacityUnits":5,"WriteCapacityUnits":1}})",
      table);
  ASSERT_THAT(down, IsOk());
  EXPECT_EQ(down->throughput().write_capacity_units(), 1);
  EXPECT_EQ(down->throughput().decreases_today(), 1);
  EXPECT_EQ(down->throughput().last_decrease_ms(), 1700000000123);
}

TEST(UpdateTableTest, DecreaseBudget) {
  tern::v1::TableDescriptor table = ProvisionedTable();
  table.mutable_throughput()->set_decreases_today(4);
  table.mutable_throughput()->set_last_decrease_ms(absl::ToUnixMillis(Now() - absl::Minutes(10)));
  const std::string decrease =
      R"({"TableName":"abc","ProvisionedThroughput":{"ReadCapacityUnits":4,"WriteCapacityUnits":5}})";
  EXPECT_THAT(
      Update(decrease, table),
      HasError(ErrorKind::kLimitExceeded,
               "Subscriber limit exceeded: Provisioned throughput decreases are limited within a "
               "given UTC day. After the first 4 decreases, each subsequent decrease in the same "
               "UTC day can be performed at most once every 3600 seconds. Number of decreases "
               "today: 4. Last decrease at Tuesday, November 14, 2023 at 10:03:20 PM Coordinated "
               "Universal Time. Next decrease can be made at Tuesday, November 14, 2023 at "
               "11:03:20 PM Coordinated Universal Time"));
  // An hour after the last one, the fifth decrease is allowed.
  absl::StatusOr<tern::v1::TableDescriptor> fifth =
      Update(decrease, table, Now() + absl::Minutes(50));
  ASSERT_THAT(fifth, IsOk());
  EXPECT_EQ(fifth->throughput().decreases_today(), 5);
  // A new UTC day starts a new budget.
  absl::StatusOr<tern::v1::TableDescriptor> tomorrow =
      Update(decrease, table, Now() + absl::Hours(2));
  ASSERT_THAT(tomorrow, IsOk());
  EXPECT_EQ(tomorrow->throughput().decreases_today(), 1);
  // Late in the day the next decrease waits for midnight at the latest.
  table.mutable_throughput()->set_last_decrease_ms(
      absl::ToUnixMillis(absl::FromUnixSeconds(1700006000)));  // 23:53:20
  EXPECT_THAT(Update(decrease, table, absl::FromUnixSeconds(1700006100)),
              HasError(ErrorKind::kLimitExceeded,
                       ::testing::HasSubstr("Next decrease can be made at Wednesday, November 15, "
                                            "2023 at 12:00:00 AM Coordinated Universal Time")));
}

TEST(UpdateTableTest, GlobalSecondaryIndexUpdates) {
  const tern::v1::TableDescriptor table = ProvisionedTableWithIndex();
  EXPECT_THAT(Update(R"({"TableName":"abc","GlobalSecondaryIndexUpdates":[{}]})", table),
              HasError(ErrorKind::kValidation,
                       "One or more parameter values were invalid: One of "
                       "GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, "
                       "GlobalSecondaryIndexUpdate.Delete must not be null"));
  EXPECT_THAT(
      Update(
          R"({"TableName":"abc","GlobalSecondaryIndexUpdates":[{"Delete":{"IndexName":"gs1"},)"
          R"("Update":{"IndexName":"gs1","ProvisionedThroughput":{"ReadCapacityUnits":3,"WriteCapacityUnits":3}}}]})",
          table),
      HasError(ErrorKind::kValidation,
               "One or more parameter values were invalid: Only one global secondary index action "
               "is allowed per GlobalSecondaryIndexUpdate object"));
  EXPECT_THAT(
      Update(
          R"({"TableName":"abc","GlobalSecondaryIndexUpdates":[{"Delete":{"IndexName":"abc"}},{"Delete":{"IndexName":"abc"}}]})",
          table),
      HasError(ErrorKind::kValidation,
               "One or more parameter values were invalid: Only one global secondary index update "
               "per index is allowed simultaneously. Index: abc"));
  EXPECT_THAT(
      Update(
          R"({"TableName":"abc","GlobalSecondaryIndexUpdates":[{"Delete":{"IndexName":"gs1"}},{"Delete":{"IndexName":"gs2"}}]})",
          table),
      HasError(ErrorKind::kLimitExceeded,
               "Subscriber limit exceeded: Only 1 online index can be created or deleted "
               "simultaneously per table"));
  EXPECT_THAT(
      Update(
          R"({"TableName":"abc","GlobalSecondaryIndexUpdates":[{"Delete":{"IndexName":"gs1"}}]})",
          table),
      HasError(ErrorKind::kValidation,
               "One or more parameter values were invalid: Tern does not support creating "
               "or deleting global secondary indexes with UpdateTable yet"));
  EXPECT_THAT(
      Update(R"({"TableName":"abc","GlobalSecondaryIndexUpdates":[{"Update":{"IndexName":"nope",)"
             R"("ProvisionedThroughput":{"ReadCapacityUnits":3,"WriteCapacityUnits":3}}}]})",
             table),
      HasError(ErrorKind::kValidation,
               "Cannot update an index that is not a GlobalSecondaryIndex: nope"));
  EXPECT_THAT(
      Update(R"({"TableName":"abc","GlobalSecondaryIndexUpdates":[{"Update":{"IndexName":"gs1",)"
             R"("ProvisionedThroughput":{"ReadCapacityUnits":2,"WriteCapacityUnits":2}}}]})",
             table),
      HasError(ErrorKind::kValidation,
               "The provisioned throughput for the index gs1 will not change. The requested value "
               "equals the current value. Current ReadCapacityUnits provisioned for the index gs1: "
               "2. Requested ReadCapacityUnits: 2. Current WriteCapacityUnits provisioned for the "
               "index gs1: 2. Requested WriteCapacityUnits: 2. Refer to the Amazon DynamoDB "
               "Developer Guide for current limits and how to request higher limits."));
  EXPECT_THAT(
      Update(
          R"({"TableName":"abc","GlobalSecondaryIndexUpdates":[{"Update":{"IndexName":"a",)"
          R"("ProvisionedThroughput":{}}},{"Update":{"IndexName":"abc;","ProvisionedThroughput":)"
          R"({"ReadCapacityUnits":1000000000001,"WriteCapacityUnits":0}}}]})",
          table),
      HasError(ErrorKind::kValidation,
               absl::StrCat("5 validation errors detected: Value 'a' at "
                            "'globalSecondaryIndexUpdates.1.member.update.indexName' failed to "
                            "satisfy constraint: Member must have length greater than or equal to "
                            "3; Value null at 'globalSecondaryIndexUpdates.1.member.update."
                            "provisionedThroughput.writeCapacityUnits' ",
                            kNotNull,
                            "; Value null at 'globalSecondaryIndexUpdates.1.member.update."
                            "provisionedThroughput.readCapacityUnits' ",
                            kNotNull,
                            "; Value 'abc;' at 'globalSecondaryIndexUpdates.2.member.update."
                            "indexName' ",
                            kPattern,
                            "; Value '0' at 'globalSecondaryIndexUpdates.2.member.update."
                            "provisionedThroughput.writeCapacityUnits' failed to satisfy "
                            "constraint: Member must have value greater than or equal to 1")));

  absl::StatusOr<tern::v1::TableDescriptor> updated =
      Update(R"({"TableName":"abc","GlobalSecondaryIndexUpdates":[{"Update":{"IndexName":"gs1",)"
             R"("ProvisionedThroughput":{"ReadCapacityUnits":3,"WriteCapacityUnits":1}}}]})",
             table);
  ASSERT_THAT(updated, IsOk());
  EXPECT_EQ(updated->status(), "ACTIVE");
  EXPECT_EQ(updated->global_indexes(0).status(), "UPDATING");
  EXPECT_EQ(updated->global_indexes(0).throughput().read_capacity_units(), 3);
  EXPECT_EQ(updated->global_indexes(0).throughput().decreases_today(), 1);
}

TEST(UpdateTableTest, Streams) {
  const tern::v1::TableDescriptor table = ProvisionedTable();
  EXPECT_THAT(Update(R"({"TableName":"abc","StreamSpecification":{"StreamEnabled":true}})", table),
              HasError(ErrorKind::kValidation,
                       "One or more parameter values were invalid: If stream is being enabled then "
                       "UpdateViewType is required"));
  EXPECT_THAT(
      Update(
          R"({"TableName":"abc","StreamSpecification":{"StreamEnabled":false,"StreamViewType":"KEYS_ONLY"}})",
          table),
      HasError(ErrorKind::kValidation,
               "One or more parameter values were invalid: If stream is being disabled, then "
               "UpdateViewType must not be specified"));
  EXPECT_THAT(Update(R"({"TableName":"abc","StreamSpecification":{"StreamEnabled":false}})", table),
              HasError(ErrorKind::kValidation, "Table has no stream to disable: TableName: abc"));

  absl::StatusOr<tern::v1::TableDescriptor> enabled = Update(
      R"({"TableName":"abc","StreamSpecification":{"StreamEnabled":true,"StreamViewType":"NEW_IMAGE"}})",
      table);
  ASSERT_THAT(enabled, IsOk());
  EXPECT_EQ(enabled->status(), "UPDATING");
  EXPECT_TRUE(enabled->stream().enabled());
  EXPECT_EQ(enabled->stream().view_type(), "NEW_IMAGE");
  EXPECT_EQ(enabled->stream().label(), "2023-11-14T22:13:20.123");

  tern::v1::TableDescriptor streaming = *enabled;
  streaming.set_status("ACTIVE");
  EXPECT_THAT(
      Update(
          R"({"TableName":"abc","StreamSpecification":{"StreamEnabled":true,"StreamViewType":"NEW_IMAGE"}})",
          streaming),
      HasError(ErrorKind::kValidation, "Table already has an enabled stream: TableName: abc"));
  absl::StatusOr<tern::v1::TableDescriptor> disabled =
      Update(R"({"TableName":"abc","StreamSpecification":{"StreamEnabled":false}})", streaming);
  ASSERT_THAT(disabled, IsOk());
  EXPECT_FALSE(disabled->stream().enabled());
  EXPECT_EQ(disabled->stream().label(), "2023-11-14T22:13:20.123");
}

TEST(UpdateTableTest, SseTableClassAndDeletionProtection) {
  const tern::v1::TableDescriptor table = ProvisionedTable();
  EXPECT_THAT(Update(R"({"TableName":"abc","SSESpecification":{"Enabled":false}})", table),
              HasError(ErrorKind::kValidation,
                       "One or more parameter values were invalid: Table is already encrypted by "
                       "default"));
  EXPECT_THAT(Update(R"({"TableName":"abc","TableClass":"COLD"})", table),
              HasError(ErrorKind::kValidation,
                       "Invalid table-class parameter provided. Please try again with a valid "
                       "table-class value: [STANDARD, STANDARD_INFREQUENT_ACCESS]."));

  absl::StatusOr<tern::v1::TableDescriptor> encrypted = Update(
      R"({"TableName":"abc","SSESpecification":{"Enabled":true,"SSEType":"KMS","KMSMasterKeyId":"arn:aws:kms:us-east-1:1:key/k"}})",
      table);
  ASSERT_THAT(encrypted, IsOk());
  EXPECT_EQ(encrypted->status(), "ACTIVE");
  EXPECT_TRUE(encrypted->sse().enabled());
  EXPECT_EQ(encrypted->sse().kms_master_key_id(), "arn:aws:kms:us-east-1:1:key/k");
  EXPECT_THAT(
      Update(
          R"({"TableName":"abc","SSESpecification":{"Enabled":true,"SSEType":"KMS","KMSMasterKeyId":"arn:aws:kms:us-east-1:1:key/k"}})",
          *encrypted),
      HasError(ErrorKind::kValidation,
               "One or more parameter values were invalid: Table is already encrypted with given "
               "KMSMasterKeyId. Use KMSMasterKeyId parameter if you want to change Master Key"));

  absl::StatusOr<tern::v1::TableDescriptor> infrequent =
      Update(R"({"TableName":"abc","TableClass":"STANDARD_INFREQUENT_ACCESS"})", table);
  ASSERT_THAT(infrequent, IsOk());
  EXPECT_EQ(infrequent->status(), "UPDATING");
  EXPECT_EQ(infrequent->table_class(), "STANDARD_INFREQUENT_ACCESS");

  absl::StatusOr<tern::v1::TableDescriptor> protected_table =
      Update(R"({"TableName":"abc","DeletionProtectionEnabled":true})", table);
  ASSERT_THAT(protected_table, IsOk());
  EXPECT_EQ(protected_table->status(), "ACTIVE");  // synchronous in DynamoDB
  EXPECT_TRUE(protected_table->deletion_protection());
}

TEST(UpdateTableTest, TableState) {
  tern::v1::TableDescriptor table = ProvisionedTable();
  table.set_status("CREATING");
  EXPECT_THAT(Update(R"({"TableName":"abc","DeletionProtectionEnabled":true})", table),
              HasError(ErrorKind::kResourceInUse,
                       "Attempt to change a resource which is still in use: Table is being "
                       "created: abc"));
  table.set_status("DELETING");
  EXPECT_THAT(Update(R"({"TableName":"abc","DeletionProtectionEnabled":true})", table),
              HasError(ErrorKind::kResourceInUse,
                       "Attempt to change a resource which is still in use: Table is being "
                       "deleted: abc"));
  table.set_status("UPDATING");
  EXPECT_THAT(Update(R"({"TableName":"abc","DeletionProtectionEnabled":true})", table), IsOk());
  EXPECT_THAT(
      Update(
          R"({"TableName":"abc","ProvisionedThroughput":{"ReadCapacityUnits":6,"WriteCapacityUnits":6}})",
          table),
      HasError(ErrorKind::kResourceInUse,
               "Attempt to change a resource which is still in use: Table is being updated: abc"));
  // Validation comes before the table's state.
  EXPECT_THAT(Update(R"({"TableName":"abc"})", table),
              HasError(ErrorKind::kValidation, ::testing::HasSubstr("At least one of")));
}

// ---------------------------------------------------------------------------
// TableName of DescribeTable, DeleteTable, ...; ListTables

TEST(ValidateTableNameTest, Messages) {
  const auto errors_of = [](const json::value* value) {
    ValidationErrors errors;
    ValidateTableName(value, &errors);
    return errors.ToStatus();
  };
  EXPECT_THAT(errors_of(nullptr),
              HasError(ErrorKind::kValidation,
                       "1 validation error detected: Value null at 'tableName' failed to satisfy "
                       "constraint: Member must not be null"));
  const json::value null_value;
  EXPECT_THAT(errors_of(&null_value),
              HasError(ErrorKind::kValidation, ::testing::HasSubstr("Value null at 'tableName'")));
  const json::value bad("bad table!@#");
  EXPECT_THAT(errors_of(&bad),
              HasError(ErrorKind::kValidation,
                       absl::StrCat("1 validation error detected: Value 'bad table!@#' at "
                                    "'tableName' ",
                                    kPattern)));
  const json::value short_name("ab");
  EXPECT_THAT(errors_of(&short_name),
              HasError(ErrorKind::kValidation,
                       "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy "
                       "constraint: Member must have length greater than or equal to 3"));
  const std::string long_name = Repeat('a', 256);
  const json::value long_value(long_name);
  EXPECT_THAT(errors_of(&long_value),
              HasError(ErrorKind::kValidation,
                       absl::StrCat("1 validation error detected: Value '",
                                    long_name,
                                    "' at 'tableName' failed to satisfy constraint: Member must "
                                    "have length less than or equal to 255")));
  const json::value good("My_Table-1.0");
  EXPECT_THAT(errors_of(&good), IsOk());
}

TEST(ValidateTableNameTest, Member) {
  EXPECT_THAT(ValidateTableNameMember(Json("{}")),
              HasError(ErrorKind::kValidation,
                       "The parameter 'TableName' is required but was not present in the request"));
  EXPECT_THAT(ValidateTableNameMember(Json(R"({"TableName":5})")),
              HasError(ErrorKind::kSerialization, "NUMBER_VALUE cannot be converted to String"));
  EXPECT_THAT(ValidateTableNameMember(Json(R"({"TableName":"ab"})")),
              HasError(ErrorKind::kValidation, ::testing::HasSubstr("greater than or equal to 3")));
  EXPECT_THAT(ValidateTableNameMember(Json(R"({"TableName":"abc"})")), IsOk());
}

TEST(ValidateListTablesTest, Messages) {
  EXPECT_THAT(ValidateListTables(Json(R"({"ExclusiveStartTableName":"a;","Limit":500})")),
              HasError(ErrorKind::kValidation,
                       absl::StrCat("3 validation errors detected: Value '500' at 'limit' failed "
                                    "to satisfy constraint: Member must have value less than or "
                                    "equal to 100; Value 'a;' at 'exclusiveStartTableName' ",
                                    kPattern,
                                    "; Value 'a;' at 'exclusiveStartTableName' failed to satisfy "
                                    "constraint: Member must have length greater than or equal to "
                                    "3")));
  EXPECT_THAT(ValidateListTables(Json(R"({"ExclusiveStartTableName":""})")),
              HasError(ErrorKind::kValidation,
                       absl::StrCat("2 validation errors detected: Value '' at "
                                    "'exclusiveStartTableName' ",
                                    kPattern,
                                    "; Value '' at 'exclusiveStartTableName' failed to satisfy "
                                    "constraint: Member must have length greater than or equal to "
                                    "3")));
  EXPECT_THAT(ValidateListTables(Json(R"({"Limit":0})")),
              HasError(ErrorKind::kValidation,
                       "1 validation error detected: Value '0' at 'limit' failed to satisfy "
                       "constraint: Member must have value greater than or equal to 1"));
  EXPECT_THAT(ValidateListTables(Json(R"({"Limit":101})")),
              HasError(ErrorKind::kValidation,
                       "1 validation error detected: Value '101' at 'limit' failed to satisfy "
                       "constraint: Member must have value less than or equal to 100"));
  EXPECT_THAT(ValidateListTables(Json(R"({"Limit":"5"})")),
              HasError(ErrorKind::kSerialization, "STRING_VALUE cannot be converted to Integer"));
  EXPECT_THAT(ValidateListTables(Json("{}")), IsOk());
  EXPECT_THAT(ValidateListTables(Json(R"({"ExclusiveStartTableName":null,"Limit":null})")), IsOk());
  EXPECT_THAT(ValidateListTables(Json(R"({"ExclusiveStartTableName":"aaa","Limit":100,"x":1})")),
              IsOk());
}

// ---------------------------------------------------------------------------
// TableDescription

TEST(TableDescriptionTest, GoldenWithLocalAndGlobalIndex) {
  absl::StatusOr<tern::v1::TableDescriptor> created = Create(
      R"({"TableName":"Music","AttributeDefinitions":[{"AttributeName":"Artist","AttributeType":"S"},)"
      R"({"AttributeName":"SongTitle","AttributeType":"S"},{"AttributeName":"AlbumTitle","AttributeType":"S"},)"
      R"({"AttributeName":"Year","AttributeType":"N"}],)"
      R"("KeySchema":[{"AttributeName":"Artist","KeyType":"HASH"},{"AttributeName":"SongTitle","KeyType":"RANGE"}],)"
      R"("LocalSecondaryIndexes":[{"IndexName":"ByAlbum","KeySchema":[{"AttributeName":"Artist","KeyType":"HASH"},)"
      R"({"AttributeName":"AlbumTitle","KeyType":"RANGE"}],"Projection":{"ProjectionType":"INCLUDE","NonKeyAttributes":["Genre"]}}],)"
      R"("GlobalSecondaryIndexes":[{"IndexName":"ByYear","KeySchema":[{"AttributeName":"Year","KeyType":"HASH"}],)"
      R"("Projection":{"ProjectionType":"KEYS_ONLY"},"ProvisionedThroughput":{"ReadCapacityUnits":3,"WriteCapacityUnits":4}}],)"
      R"("ProvisionedThroughput":{"ReadCapacityUnits":5,"WriteCapacityUnits":6}})");
  ASSERT_THAT(created, IsOk());
  tern::v1::TableDescriptor table = *created;
  table.set_table_uuid("4c1e9f7e-3d2b-4a51-9a3e-8f0d2b6c7a10");
  table.set_status("ACTIVE");
  table.mutable_global_indexes(0)->set_status("ACTIVE");

  const json::object description =
      TableDescriptionJson(table, TableStats{7, 2048}, "eu-west-1", "123456789012");
  const json::object expected = Json(R"({
    "AttributeDefinitions":[{"AttributeName":"Artist","AttributeType":"S"},
      {"AttributeName":"SongTitle","AttributeType":"S"},{"AttributeName":"AlbumTitle","AttributeType":"S"},
      {"AttributeName":"Year","AttributeType":"N"}],
    "TableName":"Music",
    "KeySchema":[{"AttributeName":"Artist","KeyType":"HASH"},{"AttributeName":"SongTitle","KeyType":"RANGE"}],
    "TableStatus":"ACTIVE",
    "ProvisionedThroughput":{"NumberOfDecreasesToday":0,"ReadCapacityUnits":5,"WriteCapacityUnits":6},
    "TableSizeBytes":2048,
    "ItemCount":7,
    "TableArn":"arn:aws:dynamodb:eu-west-1:123456789012:table/Music",
    "TableId":"4c1e9f7e-3d2b-4a51-9a3e-8f0d2b6c7a10",
    "LocalSecondaryIndexes":[{"IndexName":"ByAlbum",
      "KeySchema":[{"AttributeName":"Artist","KeyType":"HASH"},{"AttributeName":"AlbumTitle","KeyType":"RANGE"}],
      "Projection":{"ProjectionType":"INCLUDE","NonKeyAttributes":["Genre"]},
      "IndexSizeBytes":0,"ItemCount":0,
      "IndexArn":"arn:aws:dynamodb:eu-west-1:123456789012:table/Music/index/ByAlbum"}],
    "GlobalSecondaryIndexes":[{"IndexName":"ByYear",
      "KeySchema":[{"AttributeName":"Year","KeyType":"HASH"}],
      "Projection":{"ProjectionType":"KEYS_ONLY"},
      "IndexStatus":"ACTIVE",
      "ProvisionedThroughput":{"NumberOfDecreasesToday":0,"ReadCapacityUnits":3,"WriteCapacityUnits":4},
      "IndexSizeBytes":0,"ItemCount":0,
      "IndexArn":"arn:aws:dynamodb:eu-west-1:123456789012:table/Music/index/ByYear"}],
    "DeletionProtectionEnabled":false})");
  // Boost.JSON parses decimals with at most an ulp of error, so the one
  // fractional member is compared on its own below.
  json::object without_time = description;
  without_time.erase("CreationDateTime");
  EXPECT_EQ(without_time, expected) << json::serialize(description);
  // Member order as DynamoDB writes it.
  EXPECT_THAT(Keys(description),
              ::testing::ElementsAre("AttributeDefinitions",
                                     "TableName",
                                     "KeySchema",
                                     "TableStatus",
                                     "CreationDateTime",
                                     "ProvisionedThroughput",
                                     "TableSizeBytes",
                                     "ItemCount",
                                     "TableArn",
                                     "TableId",
                                     "LocalSecondaryIndexes",
                                     "GlobalSecondaryIndexes",
                                     "DeletionProtectionEnabled"));
  const json::object& gsi = description.at("GlobalSecondaryIndexes").as_array().at(0).as_object();
  EXPECT_THAT(Keys(gsi),
              ::testing::ElementsAre("IndexName",
                                     "KeySchema",
                                     "Projection",
                                     "IndexStatus",
                                     "ProvisionedThroughput",
                                     "IndexSizeBytes",
                                     "ItemCount",
                                     "IndexArn"));
  const json::object& lsi = description.at("LocalSecondaryIndexes").as_array().at(0).as_object();
  EXPECT_THAT(
      Keys(lsi),
      ::testing::ElementsAre(
          "IndexName", "KeySchema", "Projection", "IndexSizeBytes", "ItemCount", "IndexArn"));
  // JSON types: timestamps are numbers with a fraction, counts are integers.
  EXPECT_TRUE(description.at("CreationDateTime").is_double());
  EXPECT_DOUBLE_EQ(description.at("CreationDateTime").as_double(), 1700000000.123);
  EXPECT_TRUE(description.at("TableSizeBytes").is_int64());
  EXPECT_TRUE(description.at("ItemCount").is_int64());
  EXPECT_TRUE(description.at("DeletionProtectionEnabled").is_bool());
  EXPECT_TRUE(description.at("TableId").is_string());
  const json::object& throughput = description.at("ProvisionedThroughput").as_object();
  EXPECT_TRUE(throughput.at("ReadCapacityUnits").is_int64());
  EXPECT_TRUE(throughput.at("NumberOfDecreasesToday").is_int64());
  EXPECT_TRUE(gsi.at("IndexSizeBytes").is_int64());
}

TEST(TableDescriptionTest, OnDemandStreamSseClassAndThroughputTimestamps) {
  absl::StatusOr<tern::v1::TableDescriptor> created = Create(
      R"({"TableName":"Events","BillingMode":"PAY_PER_REQUEST",)"
      R"("AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"},{"AttributeName":"g","AttributeType":"S"}],)"
      R"("KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],)"
      R"("GlobalSecondaryIndexes":[{"IndexName":"ByG","KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}],)"
      R"("StreamSpecification":{"StreamEnabled":true,"StreamViewType":"KEYS_ONLY"},)"
      R"("SSESpecification":{"Enabled":true},"TableClass":"STANDARD_INFREQUENT_ACCESS",)"
      R"("DeletionProtectionEnabled":true})");
  ASSERT_THAT(created, IsOk());
  const json::object description = TableDescriptionJson(*created, TableStats{}, "us-east-1", "1");
  EXPECT_THAT(Keys(description),
              ::testing::ElementsAre("AttributeDefinitions",
                                     "TableName",
                                     "KeySchema",
                                     "TableStatus",
                                     "CreationDateTime",
                                     "ProvisionedThroughput",
                                     "TableSizeBytes",
                                     "ItemCount",
                                     "TableArn",
                                     "BillingModeSummary",
                                     "GlobalSecondaryIndexes",
                                     "StreamSpecification",
                                     "LatestStreamLabel",
                                     "LatestStreamArn",
                                     "SSEDescription",
                                     "TableClassSummary",
                                     "DeletionProtectionEnabled"));
  EXPECT_EQ(description.at("TableStatus"), "CREATING");
  EXPECT_EQ(description.at("ProvisionedThroughput"),
            Json(R"({"NumberOfDecreasesToday":0,"ReadCapacityUnits":0,"WriteCapacityUnits":0})"));
  const json::object& billing = description.at("BillingModeSummary").as_object();
  EXPECT_THAT(Keys(billing),
              ::testing::ElementsAre("BillingMode", "LastUpdateToPayPerRequestDateTime"));
  EXPECT_EQ(billing.at("BillingMode"), "PAY_PER_REQUEST");
  EXPECT_DOUBLE_EQ(billing.at("LastUpdateToPayPerRequestDateTime").as_double(), 1700000000.123);
  const json::object& gsi = description.at("GlobalSecondaryIndexes").as_array().at(0).as_object();
  EXPECT_EQ(gsi.at("IndexStatus"), "CREATING");
  EXPECT_EQ(gsi.at("ProvisionedThroughput"),
            Json(R"({"NumberOfDecreasesToday":0,"ReadCapacityUnits":0,"WriteCapacityUnits":0})"));
  EXPECT_EQ(description.at("StreamSpecification"),
            Json(R"({"StreamEnabled":true,"StreamViewType":"KEYS_ONLY"})"));
  EXPECT_EQ(description.at("LatestStreamLabel"), "2023-11-14T22:13:20.123");
  EXPECT_EQ(description.at("LatestStreamArn"),
            "arn:aws:dynamodb:us-east-1:1:table/Events/stream/2023-11-14T22:13:20.123");
  EXPECT_EQ(
      description.at("SSEDescription"),
      Json(
          R"({"Status":"ENABLED","SSEType":"KMS","KMSMasterKeyArn":"arn:aws:kms:us-east-1:1:alias/aws/dynamodb"})"));
  EXPECT_EQ(description.at("TableClassSummary"),
            Json(R"({"TableClass":"STANDARD_INFREQUENT_ACCESS"})"));
  EXPECT_EQ(description.at("DeletionProtectionEnabled"), true);

  // A provisioned table that changed its throughput shows the timestamps;
  // one that was never on-demand has no BillingModeSummary.
  tern::v1::TableDescriptor provisioned = ProvisionedTable();
  provisioned.mutable_throughput()->set_last_increase_ms(1700000001500);
  provisioned.mutable_throughput()->set_last_decrease_ms(1700000002000);
  provisioned.mutable_throughput()->set_decreases_today(1);
  const json::object described = TableDescriptionJson(provisioned, TableStats{}, "us-east-1", "1");
  EXPECT_EQ(described.at("ProvisionedThroughput"),
            Json(R"({"LastIncreaseDateTime":1700000001.5,"LastDecreaseDateTime":1700000002.0,)"
                 R"("NumberOfDecreasesToday":1,"ReadCapacityUnits":5,"WriteCapacityUnits":5})"));
  EXPECT_FALSE(described.contains("BillingModeSummary"));
  EXPECT_FALSE(described.contains("StreamSpecification"));
  EXPECT_FALSE(described.contains("LatestStreamArn"));
  EXPECT_FALSE(described.contains("SSEDescription"));
  EXPECT_FALSE(described.contains("TableClassSummary"));
  EXPECT_FALSE(described.contains("TableId"));

  // After disabling a stream, DynamoDB keeps LatestStreamLabel/Arn but drops the spec.
  tern::v1::TableDescriptor disabled = *created;
  disabled.mutable_stream()->set_enabled(false);
  const json::object after = TableDescriptionJson(disabled, TableStats{}, "us-east-1", "1");
  EXPECT_FALSE(after.contains("StreamSpecification"));
  EXPECT_TRUE(after.contains("LatestStreamArn"));
}

TEST(TableDescriptionTest, DeleteTableDescription) {
  tern::v1::TableDescriptor table = OnDemandTableWithIndex();
  table.set_status("DELETING");
  table.set_table_uuid("u-1");
  const json::object description =
      DeleteTableDescriptionJson(table, TableStats{3, 40}, "us-east-1", "123456789012");
  EXPECT_THAT(Keys(description),
              ::testing::ElementsAre("TableName",
                                     "TableStatus",
                                     "ProvisionedThroughput",
                                     "TableSizeBytes",
                                     "ItemCount",
                                     "TableArn",
                                     "TableId",
                                     "BillingModeSummary"));
  EXPECT_EQ(description.at("TableStatus"), "DELETING");
  EXPECT_EQ(description.at("TableArn"), "arn:aws:dynamodb:us-east-1:123456789012:table/abc");
  EXPECT_EQ(TableArn("us-east-1", "1", "t"), "arn:aws:dynamodb:us-east-1:1:table/t");
}

}  // namespace
}  // namespace tern::router
