// TableArn and the TableDescription JSON of DescribeTable, CreateTable and
// DeleteTable (see table_schema.h).
#include <cstdint>
#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "boost/json/array.hpp"
#include "boost/json/object.hpp"
#include "boost/json/value.hpp"
#include "router/api/table_schema.h"
#include "router/api/table_schema_internal.h"

namespace tern::router {
namespace internal {
namespace {

// ---------------------------------------------------------------------------
// Descriptor building.

absl::string_view KeyTypeName(tern::v1::KeyType type) {
  switch (type) {
    case tern::v1::KEY_TYPE_HASH:
      return kHash;
    case tern::v1::KEY_TYPE_RANGE:
      return kRange;
    default:
      return "";
  }
}

absl::string_view ScalarTypeName(tern::v1::ScalarType type) {
  switch (type) {
    case tern::v1::SCALAR_TYPE_S:
      return "S";
    case tern::v1::SCALAR_TYPE_N:
      return "N";
    case tern::v1::SCALAR_TYPE_B:
      return "B";
    default:
      return "";
  }
}

// ---------------------------------------------------------------------------
// Rendering.

double EpochSeconds(int64_t millis) { return static_cast<double>(millis) / 1000.0; }

json::array KeySchemaJson(
    const google::protobuf::RepeatedPtrField<tern::v1::KeySchemaElement>& key_schema) {
  json::array out;
  for (const tern::v1::KeySchemaElement& e : key_schema) {
    json::object element;
    element["AttributeName"] = e.attribute_name();
    element["KeyType"] = std::string(KeyTypeName(e.key_type()));
    out.push_back(std::move(element));
  }
  return out;
}

json::object ProjectionJson(const tern::v1::Projection& projection) {
  json::object out;
  out["ProjectionType"] = projection.projection_type();
  if (projection.non_key_attributes_size() > 0) {
    json::array names;
    for (const std::string& name : projection.non_key_attributes())
      names.push_back(json::value(name));
    out["NonKeyAttributes"] = std::move(names);
  }
  return out;
}

json::object ThroughputJson(const tern::v1::ProvisionedThroughput& throughput, bool on_demand) {
  json::object out;
  if (!on_demand && throughput.last_increase_ms() != 0) {
    out["LastIncreaseDateTime"] = EpochSeconds(throughput.last_increase_ms());
  }
  if (!on_demand && throughput.last_decrease_ms() != 0) {
    out["LastDecreaseDateTime"] = EpochSeconds(throughput.last_decrease_ms());
  }
  out["NumberOfDecreasesToday"] = throughput.decreases_today();
  out["ReadCapacityUnits"] = on_demand ? 0 : throughput.read_capacity_units();
  out["WriteCapacityUnits"] = on_demand ? 0 : throughput.write_capacity_units();
  return out;
}

void AddBillingModeSummary(const tern::v1::TableDescriptor& table, json::object* out) {
  const bool on_demand = table.billing_mode() == kPayPerRequest;
  if (!on_demand && table.billing_mode_last_update_ms() == 0) return;
  json::object summary;
  summary["BillingMode"] = on_demand ? std::string(kPayPerRequest) : std::string(kProvisioned);
  if (table.billing_mode_last_update_ms() != 0) {
    summary["LastUpdateToPayPerRequestDateTime"] =
        EpochSeconds(table.billing_mode_last_update_ms());
  }
  (*out)["BillingModeSummary"] = std::move(summary);
}

std::string KmsKeyArn(absl::string_view key, absl::string_view region, absl::string_view account) {
  if (absl::StartsWith(key, "arn:")) return std::string(key);
  const std::string prefix = absl::StrCat("arn:aws:kms:", region, ":", account, ":");
  if (key.empty()) return absl::StrCat(prefix, "alias/aws/dynamodb");
  if (absl::StartsWith(key, "alias/")) return absl::StrCat(prefix, key);
  return absl::StrCat(prefix, "key/", key);
}

}  // namespace

}  // namespace internal

namespace json = boost::json;

using internal::AddBillingModeSummary;
using internal::EpochSeconds;
using internal::KeySchemaJson;
using internal::KmsKeyArn;
using internal::kPayPerRequest;
using internal::kStandard;
using internal::ProjectionJson;
using internal::ScalarTypeName;
using internal::ThroughputJson;

// ---------------------------------------------------------------------------
// Public API.

std::string TableArn(absl::string_view region, absl::string_view account, absl::string_view name) {
  return absl::StrCat("arn:aws:dynamodb:", region, ":", account, ":table/", name);
}

boost::json::object TableDescriptionJson(const tern::v1::TableDescriptor& table,
                                         const TableStats& stats,
                                         absl::string_view region,
                                         absl::string_view account) {
  const bool on_demand = table.billing_mode() == kPayPerRequest;
  const std::string arn = TableArn(region, account, table.name());
  json::object out;
  json::array definitions;
  for (const tern::v1::AttributeDefinition& def : table.attribute_definitions()) {
    json::object element;
    element["AttributeName"] = def.attribute_name();
    element["AttributeType"] = std::string(ScalarTypeName(def.attribute_type()));
    definitions.push_back(std::move(element));
  }
  out["AttributeDefinitions"] = std::move(definitions);
  out["TableName"] = table.name();
  out["KeySchema"] = KeySchemaJson(table.key_schema());
  out["TableStatus"] = table.status();
  out["CreationDateTime"] = EpochSeconds(table.creation_time_ms());
  out["ProvisionedThroughput"] = ThroughputJson(table.throughput(), on_demand);
  out["TableSizeBytes"] = stats.size_bytes;
  out["ItemCount"] = stats.item_count;
  out["TableArn"] = arn;
  if (!table.table_uuid().empty()) out["TableId"] = table.table_uuid();
  AddBillingModeSummary(table, &out);
  if (table.local_indexes_size() > 0) {
    json::array indexes;
    for (const tern::v1::SecondaryIndex& index : table.local_indexes()) {
      json::object element;
      element["IndexName"] = index.name();
      element["KeySchema"] = KeySchemaJson(index.key_schema());
      element["Projection"] = ProjectionJson(index.projection());
      element["IndexSizeBytes"] = 0;
      element["ItemCount"] = 0;
      element["IndexArn"] = absl::StrCat(arn, "/index/", index.name());
      indexes.push_back(std::move(element));
    }
    out["LocalSecondaryIndexes"] = std::move(indexes);
  }
  if (table.global_indexes_size() > 0) {
    json::array indexes;
    for (const tern::v1::SecondaryIndex& index : table.global_indexes()) {
      json::object element;
      element["IndexName"] = index.name();
      element["KeySchema"] = KeySchemaJson(index.key_schema());
      element["Projection"] = ProjectionJson(index.projection());
      element["IndexStatus"] = index.status().empty() ? std::string("ACTIVE") : index.status();
      element["ProvisionedThroughput"] = ThroughputJson(index.throughput(), on_demand);
      element["IndexSizeBytes"] = 0;
      element["ItemCount"] = 0;
      element["IndexArn"] = absl::StrCat(arn, "/index/", index.name());
      indexes.push_back(std::move(element));
    }
    out["GlobalSecondaryIndexes"] = std::move(indexes);
  }
  if (table.stream().enabled()) {
    json::object spec;
    spec["StreamEnabled"] = true;
    spec["StreamViewType"] = table.stream().view_type();
    out["StreamSpecification"] = std::move(spec);
  }
  if (!table.stream().label().empty()) {
    out["LatestStreamLabel"] = table.stream().label();
    out["LatestStreamArn"] = absl::StrCat(arn, "/stream/", table.stream().label());
  }
  if (table.sse().enabled()) {
    json::object sse;
    sse["Status"] = "ENABLED";
    sse["SSEType"] = table.sse().sse_type().empty() ? std::string("KMS") : table.sse().sse_type();
    sse["KMSMasterKeyArn"] = KmsKeyArn(table.sse().kms_master_key_id(), region, account);
    out["SSEDescription"] = std::move(sse);
  }
  if (!table.table_class().empty() && table.table_class() != kStandard) {
    json::object summary;
    summary["TableClass"] = table.table_class();
    out["TableClassSummary"] = std::move(summary);
  }
  out["DeletionProtectionEnabled"] = table.deletion_protection();
  return out;
}

boost::json::object DeleteTableDescriptionJson(const tern::v1::TableDescriptor& table,
                                               const TableStats& stats,
                                               absl::string_view region,
                                               absl::string_view account) {
  json::object out;
  out["TableName"] = table.name();
  out["TableStatus"] = table.status();
  out["ProvisionedThroughput"] =
      ThroughputJson(table.throughput(), table.billing_mode() == kPayPerRequest);
  out["TableSizeBytes"] = stats.size_bytes;
  out["ItemCount"] = stats.item_count;
  out["TableArn"] = TableArn(region, account, table.name());
  if (!table.table_uuid().empty()) out["TableId"] = table.table_uuid();
  AddBillingModeSummary(table, &out);
  return out;
}

}  // namespace tern::router
