#include "router/api/item_common.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/base/error_details.h"
#include "common/base/status_macros.h"
#include "common/model/key_codec.h"
#include "router/api/table_schema.h"
#include "router/api/validation.h"

namespace tern::router::items {

using boost::json::object;
using model::AttributeType;
using model::AttributeValue;
using model::Item;

namespace {

constexpr int64_t kMaxHashKeyBytes = 2048;
constexpr int64_t kMaxRangeKeyBytes = 1024;

AttributeType ScalarOf(tern::v1::ScalarType type) {
  switch (type) {
    case tern::v1::SCALAR_TYPE_N:
      return AttributeType::kN;
    case tern::v1::SCALAR_TYPE_B:
      return AttributeType::kB;
    default:
      return AttributeType::kS;
  }
}

int64_t ScalarBytes(const AttributeValue& value) {
  switch (value.type()) {
    case AttributeType::kS:
      return static_cast<int64_t>(value.s().size());
    case AttributeType::kB:
      return static_cast<int64_t>(value.b().size());
    default:
      return model::AttributeValueSize(value);
  }
}

}  // namespace

absl::Status NotFound() {
  return base::Error(base::ErrorKind::kResourceNotFound, "Requested resource not found");
}

// ---- request members -------------------------------------------------------

std::string StringMember(const object& request, const char* name) {
  const boost::json::value* value = request.if_contains(name);
  return value != nullptr && value->is_string() ? std::string(value->as_string()) : "";
}

bool TrueMember(const object& request, const char* name) {
  const boost::json::value* value = request.if_contains(name);
  return value != nullptr && value->is_bool() && value->as_bool();
}

bool Present(const object& request, const char* name) {
  const boost::json::value* value = request.if_contains(name);
  return value != nullptr && !value->is_null();
}

// Adds an enum violation for member (path is its lowerCamelCase name).
void CheckEnum(const object& request,
               const char* member,
               const char* path,
               const std::vector<std::string>& allowed,
               ValidationErrors* errors) {
  const boost::json::value* value = request.if_contains(member);
  if (value == nullptr || value->is_null()) return;
  std::string text = value->is_string() ? std::string(value->as_string()) : "";
  for (const std::string& ok : allowed) {
    if (text == ok) return;
  }
  errors->AddConstraint(
      text,
      path,
      absl::StrCat("Member must satisfy enum value set: [", absl::StrJoin(allowed, ", "), "]"));
}

const std::vector<std::string> kReturnValues = {
    "ALL_NEW", "UPDATED_OLD", "ALL_OLD", "NONE", "UPDATED_NEW"};
const std::vector<std::string> kReturnConsumedCapacity = {"INDEXES", "TOTAL", "NONE"};
const std::vector<std::string> kReturnItemCollectionMetrics = {"SIZE", "NONE"};

// The checks every item operation starts with, in DynamoDB's order.
void CheckCommon(const object& request, ValidationErrors* errors) {
  ValidateTableName(request.if_contains("TableName"), errors);
  CheckEnum(
      request, "ReturnConsumedCapacity", "returnConsumedCapacity", kReturnConsumedCapacity, errors);
}

tern::v1::Expression WireExpressionOf(std::string text, const Substitutions& substitutions) {
  tern::v1::Expression expression;
  expression.set_text(std::move(text));
  for (const auto& [token, name] : substitutions.names()) {
    (*expression.mutable_names())[token] = name;
  }
  expression.set_values(model::EncodeItem(substitutions.values()));
  return expression;
}

tern::v1::Expression ToWire(const expr::WireExpression& wire) {
  tern::v1::Expression expression;
  expression.set_text(wire.text);
  for (const auto& [token, name] : wire.names) (*expression.mutable_names())[token] = name;
  expression.set_values(model::EncodeItem(wire.values));
  return expression;
}

KeySchema SchemaOf(const tern::v1::TableDescriptor& table) {
  KeySchema schema;
  auto type_of = [&table](const std::string& name) {
    for (const tern::v1::AttributeDefinition& definition : table.attribute_definitions()) {
      if (definition.attribute_name() == name) return ScalarOf(definition.attribute_type());
    }
    return AttributeType::kS;
  };
  for (const tern::v1::KeySchemaElement& element : table.key_schema()) {
    if (element.key_type() == tern::v1::KEY_TYPE_HASH) {
      schema.hash_name = element.attribute_name();
      schema.hash_type = type_of(element.attribute_name());
    } else {
      schema.range_name = element.attribute_name();
      schema.range_type = type_of(element.attribute_name());
    }
  }
  return schema;
}

absl::Status CheckKeyValue(const std::string& name, const AttributeValue& value, bool is_hash) {
  if ((value.type() == AttributeType::kS && value.s().empty()) ||
      (value.type() == AttributeType::kB && value.b().empty())) {
    return ValidationError(absl::StrCat(
        "One or more parameter values are not valid. The AttributeValue for a key attribute "
        "cannot contain an empty ",
        value.type() == AttributeType::kS ? "string" : "binary",
        " value. Key: ",
        name));
  }
  if (is_hash && ScalarBytes(value) > kMaxHashKeyBytes) {
    return ValidationError(
        "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size "
        "limit of2048 bytes");
  }
  if (!is_hash && ScalarBytes(value) > kMaxRangeKeyBytes) {
    return ValidationError(
        "One or more parameter values were invalid: Aggregated size of all range keys has "
        "exceeded the size limit of 1024 bytes");
  }
  return absl::OkStatus();
}

// A Key parameter: exactly the key attributes, of the schema's types.
absl::Status CheckKeyParameter(const KeySchema& schema, const Item& key) {
  size_t expected = schema.range_name.has_value() ? 2 : 1;
  auto hash = key.find(schema.hash_name);
  bool ok = key.size() == expected && hash != key.end() && hash->second.type() == schema.hash_type;
  if (ok && schema.range_name.has_value()) {
    auto range = key.find(*schema.range_name);
    ok = range != key.end() && range->second.type() == schema.range_type;
  }
  if (!ok) return ValidationError("The provided key element does not match the schema");
  TERN_RETURN_IF_ERROR(CheckKeyValue(schema.hash_name, hash->second, true));
  if (schema.range_name.has_value()) {
    TERN_RETURN_IF_ERROR(CheckKeyValue(*schema.range_name, key.at(*schema.range_name), false));
  }
  return absl::OkStatus();
}

// An Item parameter: the key attributes present with the schema's types.
absl::Status CheckItemKeys(const KeySchema& schema, const Item& item) {
  std::vector<std::pair<std::string, AttributeType>> keys = {{schema.hash_name, schema.hash_type}};
  if (schema.range_name.has_value()) keys.emplace_back(*schema.range_name, schema.range_type);
  for (const auto& [name, type] : keys) {
    auto it = item.find(name);
    if (it == item.end()) {
      return ValidationError(absl::StrCat(
          "One or more parameter values were invalid: Missing the key ", name, " in the item"));
    }
    if (it->second.type() != type) {
      return ValidationError(
          absl::StrCat("One or more parameter values were invalid: Type mismatch for key ",
                       name,
                       " expected: ",
                       model::AttributeTypeName(type),
                       " actual: ",
                       model::AttributeTypeName(it->second.type())));
    }
    TERN_RETURN_IF_ERROR(CheckKeyValue(name, it->second, name == schema.hash_name));
  }
  return absl::OkStatus();
}

Item KeyOf(const KeySchema& schema, const Item& item) {
  Item key;
  key[schema.hash_name] = item.at(schema.hash_name);
  if (schema.range_name.has_value()) key[*schema.range_name] = item.at(*schema.range_name);
  return key;
}

std::string StorageKey(uint64_t table_id, const KeySchema& schema, const Item& key) {
  const AttributeValue* range =
      schema.range_name.has_value() ? &key.at(*schema.range_name) : nullptr;
  return model::EncodeStorageKey(table_id, key.at(schema.hash_name), range);
}

// ---- answers -----------------------------------------------------------------

object ConsumedCapacityOf(const object& request, const std::string& table, double units) {
  object consumed;
  consumed["TableName"] = table;
  consumed["CapacityUnits"] = units;
  if (StringMember(request, "ReturnConsumedCapacity") == "INDEXES") {
    object table_units;
    table_units["CapacityUnits"] = units;
    consumed["Table"] = std::move(table_units);
  }
  return consumed;
}

void AddConsumedCapacity(const object& request,
                         const std::string& table,
                         double units,
                         object* response) {
  std::string mode = StringMember(request, "ReturnConsumedCapacity");
  if (mode != "TOTAL" && mode != "INDEXES") return;
  (*response)["ConsumedCapacity"] = ConsumedCapacityOf(request, table, units);
}

absl::StatusOr<Target> TargetOf(absl::StatusOr<SharedEntry> entry) {
  if (!entry.ok()) {
    if (entry.status().code() == absl::StatusCode::kNotFound) return NotFound();
    return entry.status();
  }
  const std::string& status = (*entry)->table().status();
  if (status != "ACTIVE" && status != "UPDATING") return NotFound();
  if ((*entry)->partitions_size() == 0) {
    return absl::UnavailableError("the table has no placed partition");
  }
  for (const tern::v1::PartitionDescriptor& partition : (*entry)->partitions()) {
    if (partition.replicas_size() == 0) {
      return absl::UnavailableError("a partition of the table has no replica");
    }
  }
  Target target;
  target.schema = SchemaOf((*entry)->table());
  target.entry = *std::move(entry);
  return target;
}

absl::StatusOr<Target> TargetOf(absl::StatusOr<tern::v1::CatalogEntry> entry) {
  if (!entry.ok()) return TargetOf(absl::StatusOr<SharedEntry>(entry.status()));
  return TargetOf(std::make_shared<const tern::v1::CatalogEntry>(*std::move(entry)));
}

std::pair<std::string, std::string> KeyRangeOf(const tern::v1::PartitionDescriptor& partition) {
  return {
      partition.start_key().empty() ? model::TablePrefix(partition.table_id())
                                    : partition.start_key(),
      partition.end_key().empty() ? model::TableEnd(partition.table_id()) : partition.end_key()};
}

const tern::v1::PartitionDescriptor& PartitionFor(const Target& target,
                                                  const std::string& storage_key) {
  // Partitions are stored in key order; the last one starting at or before
  // the key holds it (an empty start is the table's start, before every key
  // of the table).
  const auto& partitions = target.entry->partitions();
  auto starts_after_key = [&storage_key](const tern::v1::PartitionDescriptor& partition) {
    return !partition.start_key().empty() && partition.start_key() > storage_key;
  };
  int lo = 0;
  int hi = partitions.size();
  while (lo < hi) {
    const int mid = lo + (hi - lo) / 2;
    if (starts_after_key(partitions[mid])) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  return partitions[lo == 0 ? 0 : lo - 1];
}

tern::v1::PartitionRef RefOf(const tern::v1::PartitionDescriptor& partition) {
  tern::v1::PartitionRef ref;
  ref.set_partition_id(partition.partition_id());
  ref.set_epoch(partition.epoch());
  return ref;
}

// A write of kind to the item with key, addressed to target's partition.
tern::v1::WriteItemRequest NewWrite(const Target& target,
                                    tern::v1::WriteItemRequest::Kind kind,
                                    const Item& key) {
  tern::v1::WriteItemRequest write;
  write.set_kind(kind);
  write.set_storage_key(StorageKey(target.entry->table().table_id(), target.schema, key));
  *write.mutable_partition() = RefOf(PartitionFor(target, write.storage_key()));
  return write;
}

absl::StatusOr<Item> Decode(const std::string& bytes) { return model::DecodeItem(bytes); }

absl::StatusOr<int64_t> EncodedSize(const std::string& bytes) {
  return model::EncodedItemSize(bytes);
}

// Only the attributes whose names are in names.
Item Only(const Item& item, const std::set<std::string>& names) {
  Item out;
  for (const auto& [name, value] : item) {
    if (names.count(name) > 0) out[name] = value;
  }
  return out;
}

absl::StatusOr<Item> ParseMember(const object& request, const char* member) {
  return model::ParseItem(request.at(member));
}

// ExpressionAttributeNames/Values are only allowed alongside an expression.
absl::Status RefuseSubstitutionsWithoutExpressions(const Substitutions& substitutions) {
  if (substitutions.has_names()) {
    return ValidationError("ExpressionAttributeNames can only be specified when using expressions");
  }
  if (substitutions.has_values()) {
    return ValidationError(
        "ExpressionAttributeValues can only be specified when using expressions");
  }
  return absl::OkStatus();
}

}  // namespace tern::router::items
