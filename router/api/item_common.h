// The pieces the item operations (item_ops.cc, query_ops.cc, batch_ops.cc)
// share: reading request members, checking keys against the table's key
// schema, finding an item's partition, and shaping answers. Internal to
// router/api. Thread-compatible (pure functions).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "boost/json/object.hpp"
#include "common/expr/printer.h"
#include "common/model/attribute_value.h"
#include "router/api/substitutions.h"
#include "router/api/validation.h"
#include "router/routing/catalog_client.h"
#include "tern/v1/control.pb.h"
#include "tern/v1/data.pb.h"

namespace tern::router::items {

inline constexpr int64_t kMaxItemBytes = 400 * 1024;

// ResourceNotFoundException "Requested resource not found".
absl::Status NotFound();

// ---- request members ----

// The member's string value; "" when absent or not a string.
std::string StringMember(const boost::json::object& request, const char* name);
// True when the member is present and not null.
bool Present(const boost::json::object& request, const char* name);
// True when the member is the boolean true.
bool TrueMember(const boost::json::object& request, const char* name);
// Adds an enum violation for member (path is its lowerCamelCase name).
void CheckEnum(const boost::json::object& request,
               const char* member,
               const char* path,
               const std::vector<std::string>& allowed,
               ValidationErrors* errors);

extern const std::vector<std::string> kReturnValues;
extern const std::vector<std::string> kReturnConsumedCapacity;
extern const std::vector<std::string> kReturnItemCollectionMetrics;

// The checks every item operation starts with: TableName, then
// ReturnConsumedCapacity.
void CheckCommon(const boost::json::object& request, ValidationErrors* errors);

// The member parsed as an item (a map of attribute values).
absl::StatusOr<model::Item> ParseMember(const boost::json::object& request, const char* member);

// ExpressionAttributeNames/Values are only allowed alongside an expression.
absl::Status RefuseSubstitutionsWithoutExpressions(const Substitutions& substitutions);

// ---- expressions for the storage node ----

// An expression as written, with the request's substitutions.
tern::v1::Expression WireExpressionOf(std::string text, const Substitutions& substitutions);
// A printed expression (legacy parameters converted by common/expr/printer).
tern::v1::Expression ToWire(const expr::WireExpression& wire);

// ---- keys ----

struct KeySchema {
  std::string hash_name;
  model::AttributeType hash_type = model::AttributeType::kS;
  std::optional<std::string> range_name;
  model::AttributeType range_type = model::AttributeType::kS;
};

KeySchema SchemaOf(const tern::v1::TableDescriptor& table);

// A key attribute's value: not empty, within DynamoDB's key size limits.
absl::Status CheckKeyValue(const std::string& name,
                           const model::AttributeValue& value,
                           bool is_hash);
// A Key parameter: exactly the key attributes, of the schema's types.
absl::Status CheckKeyParameter(const KeySchema& schema, const model::Item& key);
// An Item parameter: the key attributes present with the schema's types.
absl::Status CheckItemKeys(const KeySchema& schema, const model::Item& item);
// The key attributes of item. REQUIRES: CheckItemKeys(schema, item) is OK.
model::Item KeyOf(const KeySchema& schema, const model::Item& item);
std::string StorageKey(uint64_t table_id, const KeySchema& schema, const model::Item& key);

// ---- routing ----

// The routing facts of one request: the table and where its item lives.
struct Target {
  SharedEntry entry;  // never null
  KeySchema schema;
};

// The table's routing facts; ResourceNotFound unless it is ACTIVE/UPDATING.
absl::StatusOr<Target> TargetOf(absl::StatusOr<SharedEntry> entry);
absl::StatusOr<Target> TargetOf(absl::StatusOr<tern::v1::CatalogEntry> entry);

// The partition of target's table that holds storage_key (partitions cut
// the table's key space into ranges; see PartitionDescriptor).
const tern::v1::PartitionDescriptor& PartitionFor(const Target& target,
                                                  const std::string& storage_key);
tern::v1::PartitionRef RefOf(const tern::v1::PartitionDescriptor& partition);
// The storage keys [first, second) of partition.
std::pair<std::string, std::string> KeyRangeOf(const tern::v1::PartitionDescriptor& partition);

// A write of kind to the item with key, addressed to its partition.
tern::v1::WriteItemRequest NewWrite(const Target& target,
                                    tern::v1::WriteItemRequest::Kind kind,
                                    const model::Item& key);

// ---- answers ----

// Adds ConsumedCapacity when ReturnConsumedCapacity is TOTAL or INDEXES.
void AddConsumedCapacity(const boost::json::object& request,
                         const std::string& table,
                         double units,
                         boost::json::object* response);
// The consumed-capacity object of a table (for Batch* lists).
boost::json::object ConsumedCapacityOf(const boost::json::object& request,
                                       const std::string& table,
                                       double units);

absl::StatusOr<model::Item> Decode(const std::string& bytes);
// The DynamoDB size of an encoded item (checked as Decode checks it).
absl::StatusOr<int64_t> EncodedSize(const std::string& bytes);
// Only the attributes whose names are in names.
model::Item Only(const model::Item& item, const std::set<std::string>& names);

}  // namespace tern::router::items
