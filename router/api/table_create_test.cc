// Tests of ParseCreateTable: DynamoDB's semantic rules and the resulting
// descriptor. The serialization and envelope tests are in table_schema_test.cc.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "boost/json/object.hpp"
#include "common/base/error_details.h"
#include "common/testing/testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "router/api/table_schema.h"
#include "router/api/table_schema_test_util.h"

namespace tern::router {
namespace {

using table_schema_testing::Create;
using table_schema_testing::HasError;
using table_schema_testing::Json;
using table_schema_testing::Keys;
using table_schema_testing::Now;
using table_schema_testing::RangeTable;
using table_schema_testing::Repeat;
using ::tern::base::ErrorKind;
using ::tern::testing::IsOk;

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

}  // namespace
}  // namespace tern::router
