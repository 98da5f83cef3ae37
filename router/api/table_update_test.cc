// Tests of ApplyUpdateTable (UpdateTable).
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/base/error_details.h"
#include "common/testing/testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "router/api/table_schema.h"
#include "router/api/table_schema_test_util.h"

namespace tern::router {
namespace {

using table_schema_testing::Active;
using table_schema_testing::Create;
using table_schema_testing::HasError;
using table_schema_testing::Json;
using table_schema_testing::kNotNull;
using table_schema_testing::kPattern;
using table_schema_testing::Now;
using table_schema_testing::OnDemandTableWithIndex;
using table_schema_testing::ProvisionedTable;
using ::tern::base::ErrorKind;
using ::tern::testing::IsOk;

// ---------------------------------------------------------------------------
// UpdateTable

absl::StatusOr<tern::v1::TableDescriptor> Update(absl::string_view request,
                                                 const tern::v1::TableDescriptor& current,
                                                 absl::Time now = Now()) {
  return ApplyUpdateTable(Json(request), current, now);
}

tern::v1::TableDescriptor ProvisionedTableWithIndex() {
  return Active(
      R"({"TableName":"abc","AttributeDefinitions":[{"AttributeName":"a","AttributeType":"S"},)"
      R"({"AttributeName":"g","AttributeType":"S"}],"KeySchema":[{"AttributeName":"a","KeyType":"HASH"}],)"
      R"("GlobalSecondaryIndexes":[{"IndexName":"gs1","KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],)"
      R"("Projection":{"ProjectionType":"ALL"},"ProvisionedThroughput":{"ReadCapacityUnits":2,"WriteCapacityUnits":2}}],)"
      R"("ProvisionedThroughput":{"ReadCapacityUnits":5,"WriteCapacityUnits":5}})");
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

}  // namespace
}  // namespace tern::router
