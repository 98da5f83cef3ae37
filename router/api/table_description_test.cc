// Tests of TableDescriptionJson, DeleteTableDescriptionJson and TableArn.
#include <string>
#include <vector>

#include "boost/json/object.hpp"
#include "boost/json/serialize.hpp"
#include "boost/json/value.hpp"
#include "common/testing/testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "router/api/table_schema.h"
#include "router/api/table_schema_test_util.h"

namespace tern::router {
namespace {

namespace json = boost::json;
using table_schema_testing::Create;
using table_schema_testing::Json;
using table_schema_testing::Keys;
using table_schema_testing::OnDemandTableWithIndex;
using table_schema_testing::ProvisionedTable;
using ::tern::testing::IsOk;

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
