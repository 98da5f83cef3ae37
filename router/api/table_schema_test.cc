#include "router/api/table_schema.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "boost/json/value.hpp"
#include "common/base/error_details.h"
#include "common/testing/testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "router/api/table_schema_test_util.h"

namespace tern::router {
namespace {

namespace json = boost::json;
using table_schema_testing::Create;
using table_schema_testing::HasError;
using table_schema_testing::Json;
using table_schema_testing::kNotNull;
using table_schema_testing::kPattern;
using table_schema_testing::RangeTable;
using table_schema_testing::Repeat;
using ::tern::base::ErrorKind;
using ::tern::testing::IsOk;

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

}  // namespace
}  // namespace tern::router
