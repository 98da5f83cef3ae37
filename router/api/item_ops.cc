#include "router/api/item_ops.h"

#include <memory>
#include <optional>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/base/error_details.h"
#include "common/base/status_macros.h"
#include "common/expr/evaluator.h"
#include "common/expr/parser.h"
#include "common/model/attribute_value.h"
#include "common/model/key_codec.h"
#include "common/model/update.h"
#include "router/api/substitutions.h"
#include "router/api/table_schema.h"
#include "router/api/validation.h"

namespace tern::router {
namespace {

using boost::json::object;
using model::AttributeType;
using model::AttributeValue;
using model::Item;

constexpr int64_t kMaxItemBytes = 400 * 1024;
constexpr int64_t kMaxHashKeyBytes = 2048;
constexpr int64_t kMaxRangeKeyBytes = 1024;

absl::Status NotFound() {
  return base::Error(base::ErrorKind::kResourceNotFound, "Requested resource not found");
}

// ---- request members -------------------------------------------------------

std::string StringMember(const object& request, const char* name) {
  const boost::json::value* value = request.if_contains(name);
  return value != nullptr && value->is_string() ? std::string(value->as_string()) : "";
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

// Conditions and the legacy condition parameters arrive with the expression
// language; until then they are refused rather than ignored.
absl::Status RefuseConditions(const object& request) {
  for (const char* member : {"ConditionExpression", "Expected", "ConditionalOperator"}) {
    if (Present(request, member)) {
      return ValidationError(absl::StrCat("Tern does not support ", member, " yet"));
    }
  }
  return absl::OkStatus();
}

// ---- keys --------------------------------------------------------------------

struct KeySchema {
  std::string hash_name;
  AttributeType hash_type = AttributeType::kS;
  std::optional<std::string> range_name;
  AttributeType range_type = AttributeType::kS;
};

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

void AddConsumedCapacity(const object& request,
                         const std::string& table,
                         double units,
                         object* response) {
  std::string mode = StringMember(request, "ReturnConsumedCapacity");
  if (mode != "TOTAL" && mode != "INDEXES") return;
  object consumed;
  consumed["TableName"] = table;
  consumed["CapacityUnits"] = units;
  if (mode == "INDEXES") {
    object table_units;
    table_units["CapacityUnits"] = units;
    consumed["Table"] = std::move(table_units);
  }
  (*response)["ConsumedCapacity"] = std::move(consumed);
}

// The routing facts of one request: the table and where its item lives.
struct Target {
  tern::v1::CatalogEntry entry;
  KeySchema schema;
  std::string address;
  tern::v1::PartitionRef partition;
};

absl::StatusOr<Target> TargetOf(absl::StatusOr<tern::v1::CatalogEntry> entry) {
  if (!entry.ok()) {
    if (entry.status().code() == absl::StatusCode::kNotFound) return NotFound();
    return entry.status();
  }
  const std::string& status = entry->table().status();
  if (status != "ACTIVE" && status != "UPDATING") return NotFound();
  if (entry->partitions_size() == 0 || entry->partitions(0).replicas_size() == 0) {
    return absl::UnavailableError("the table has no placed partition");
  }
  Target target;
  target.schema = SchemaOf(entry->table());
  target.address = entry->partitions(0).replicas(0).address();
  target.partition.set_partition_id(entry->partitions(0).partition_id());
  target.partition.set_epoch(entry->partitions(0).epoch());
  target.entry = *std::move(entry);
  return target;
}

// A write of kind to the item with key, addressed to target's partition.
tern::v1::WriteItemRequest NewWrite(const Target& target,
                                    tern::v1::WriteItemRequest::Kind kind,
                                    const Item& key) {
  tern::v1::WriteItemRequest write;
  *write.mutable_partition() = target.partition;
  write.set_kind(kind);
  write.set_storage_key(StorageKey(target.entry.table().table_id(), target.schema, key));
  return write;
}

absl::StatusOr<Item> Decode(const std::string& bytes) { return model::DecodeItem(bytes); }

// Only the attributes whose names are in names.
Item Only(const Item& item, const std::set<std::string>& names) {
  Item out;
  for (const auto& [name, value] : item) {
    if (names.count(name) > 0) out[name] = value;
  }
  return out;
}

// ---- operations ---------------------------------------------------------------

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

// The request checks PutItem and DeleteItem share, in DynamoDB's order:
// envelope errors (table name, the item or key member, enums), then the
// ReturnValues subset they allow, conditions and substitutions.
absl::Status CheckSimpleWrite(const object& request, const char* member, const char* path) {
  ValidationErrors errors;
  CheckCommon(request, &errors);
  if (!Present(request, member)) errors.AddMissing(path, "Member must not be null");
  CheckEnum(request, "ReturnValues", "returnValues", kReturnValues, &errors);
  CheckEnum(request,
            "ReturnItemCollectionMetrics",
            "returnItemCollectionMetrics",
            kReturnItemCollectionMetrics,
            &errors);
  TERN_RETURN_IF_ERROR(errors.ToStatus());
  std::string return_values = StringMember(request, "ReturnValues");
  if (!return_values.empty() && return_values != "NONE" && return_values != "ALL_OLD") {
    return ValidationError("ReturnValues can only be ALL_OLD or NONE");
  }
  TERN_RETURN_IF_ERROR(RefuseConditions(request));
  TERN_ASSIGN_OR_RETURN(Substitutions substitutions, Substitutions::FromRequest(request));
  return RefuseSubstitutionsWithoutExpressions(substitutions);
}

// Answers a PutItem or DeleteItem: Attributes for ALL_OLD and write capacity
// for the larger of the old item and new_size.
void AnswerSimpleWrite(const object& request,
                       const std::string& table,
                       int64_t new_size,
                       absl::StatusOr<tern::v1::WriteItemResponse> written,
                       OperationDone done) {
  if (!written.ok()) return std::move(done)(written.status());
  object response;
  int64_t old_size = 0;
  if (written->had_old()) {
    absl::StatusOr<Item> old = Decode(written->old_item());
    if (!old.ok()) return std::move(done)(old.status());
    old_size = model::ItemSize(*old);
    if (StringMember(request, "ReturnValues") == "ALL_OLD") {
      response["Attributes"] = model::ToJson(*old);
    }
  }
  AddConsumedCapacity(request, table, WriteCapacityUnits(std::max(new_size, old_size)), &response);
  std::move(done)(std::move(response));
}

void PutItem(CatalogClient* catalog, DataClient* data, const object& request, OperationDone done) {
  if (absl::Status valid = CheckSimpleWrite(request, "Item", "item"); !valid.ok()) {
    return std::move(done)(valid);
  }
  absl::StatusOr<Item> item = ParseMember(request, "Item");
  if (!item.ok()) return std::move(done)(item.status());
  const std::string table = StringMember(request, "TableName");
  catalog->GetTableCached(
      table,
      [data, request, table, item = *std::move(item), done = std::move(done)](
          absl::StatusOr<tern::v1::CatalogEntry> entry) mutable {
        absl::StatusOr<Target> target = TargetOf(std::move(entry));
        if (!target.ok()) return std::move(done)(target.status());
        if (absl::Status keys = CheckItemKeys(target->schema, item); !keys.ok()) {
          return std::move(done)(keys);
        }
        const int64_t size = model::ItemSize(item);
        if (size > kMaxItemBytes) {
          return std::move(done)(
              ValidationError("Item size has exceeded the maximum allowed size"));
        }
        tern::v1::WriteItemRequest write =
            NewWrite(*target, tern::v1::WriteItemRequest::KIND_PUT, KeyOf(target->schema, item));
        write.set_item(model::EncodeItem(item));
        data->WriteItem(target->address,
                        std::move(write),
                        [request, table, size, done = std::move(done)](
                            absl::StatusOr<tern::v1::WriteItemResponse> written) mutable {
                          AnswerSimpleWrite(
                              request, table, size, std::move(written), std::move(done));
                        });
      });
}

void GetItem(CatalogClient* catalog, DataClient* data, const object& request, OperationDone done) {
  ValidationErrors errors;
  CheckCommon(request, &errors);
  if (!Present(request, "Key")) errors.AddMissing("key", "Member must not be null");
  if (!errors.empty()) return std::move(done)(errors.ToStatus());
  if (Present(request, "AttributesToGet") && Present(request, "ProjectionExpression")) {
    return std::move(done)(ValidationError(
        "Can not use both expression and non-expression parameters in the same request: "
        "Non-expression parameters: {AttributesToGet} Expression parameters: "
        "{ProjectionExpression}"));
  }
  absl::StatusOr<Substitutions> substitutions = Substitutions::FromRequest(request);
  if (!substitutions.ok()) return std::move(done)(substitutions.status());
  std::optional<std::vector<expr::Path>> projection;
  if (Present(request, "ProjectionExpression")) {
    expr::SubstitutionUse use;
    absl::StatusOr<std::vector<expr::Path>> paths = expr::ParseProjection(
        StringMember(request, "ProjectionExpression"), substitutions->ForParser(), &use);
    if (!paths.ok()) return std::move(done)(paths.status());
    substitutions->MarkUsed(use);
    projection = *std::move(paths);
  } else if (Present(request, "AttributesToGet")) {
    const boost::json::value& list = request.at("AttributesToGet");
    if (!list.is_array()) return std::move(done)(base::Error(base::ErrorKind::kSerialization, ""));
    projection.emplace();
    std::set<std::string> seen;
    for (const boost::json::value& name : list.as_array()) {
      if (!name.is_string()) {
        return std::move(done)(base::Error(base::ErrorKind::kSerialization, ""));
      }
      std::string text(name.as_string());
      if (!seen.insert(text).second) {
        return std::move(done)(ValidationError(absl::StrCat(
            "One or more parameter values were invalid: Duplicate value in attribute name: ",
            text)));
      }
      projection->push_back(expr::Path{expr::PathElement::Name(std::move(text))});
    }
  } else if (absl::Status refused = RefuseSubstitutionsWithoutExpressions(*substitutions);
             !refused.ok()) {
    return std::move(done)(refused);
  }
  if (absl::Status unused = substitutions->CheckAllUsed(); !unused.ok()) {
    return std::move(done)(unused);
  }
  absl::StatusOr<Item> key = ParseMember(request, "Key");
  if (!key.ok()) return std::move(done)(key.status());
  const bool consistent = request.if_contains("ConsistentRead") != nullptr &&
                          request.at("ConsistentRead").is_bool() &&
                          request.at("ConsistentRead").as_bool();
  const std::string table = StringMember(request, "TableName");
  catalog->GetTableCached(
      table,
      [data, request, table, key = *std::move(key), consistent, projection, done = std::move(done)](
          absl::StatusOr<tern::v1::CatalogEntry> entry) mutable {
        absl::StatusOr<Target> target = TargetOf(std::move(entry));
        if (!target.ok()) return std::move(done)(target.status());
        if (absl::Status keys = CheckKeyParameter(target->schema, key); !keys.ok()) {
          return std::move(done)(keys);
        }
        tern::v1::GetItemRequest get;
        *get.mutable_partition() = target->partition;
        get.set_storage_key(StorageKey(target->entry.table().table_id(), target->schema, key));
        get.set_consistent_read(consistent);
        data->GetItem(target->address,
                      std::move(get),
                      [request, table, consistent, projection, done = std::move(done)](
                          absl::StatusOr<tern::v1::GetItemResponse> got) mutable {
                        if (!got.ok()) return std::move(done)(got.status());
                        object response;
                        int64_t size = 0;
                        if (got->found()) {
                          absl::StatusOr<Item> item = Decode(got->item());
                          if (!item.ok()) return std::move(done)(item.status());
                          size = model::ItemSize(*item);
                          response["Item"] = model::ToJson(
                              projection.has_value() ? expr::Project(*item, *projection) : *item);
                        }
                        AddConsumedCapacity(
                            request, table, ReadCapacityUnits(size, consistent), &response);
                        std::move(done)(std::move(response));
                      });
      });
}

void DeleteItem(CatalogClient* catalog,
                DataClient* data,
                const object& request,
                OperationDone done) {
  if (absl::Status valid = CheckSimpleWrite(request, "Key", "key"); !valid.ok()) {
    return std::move(done)(valid);
  }
  absl::StatusOr<Item> key = ParseMember(request, "Key");
  if (!key.ok()) return std::move(done)(key.status());
  const std::string table = StringMember(request, "TableName");
  catalog->GetTableCached(
      table,
      [data, request, table, key = *std::move(key), done = std::move(done)](
          absl::StatusOr<tern::v1::CatalogEntry> entry) mutable {
        absl::StatusOr<Target> target = TargetOf(std::move(entry));
        if (!target.ok()) return std::move(done)(target.status());
        if (absl::Status keys = CheckKeyParameter(target->schema, key); !keys.ok()) {
          return std::move(done)(keys);
        }
        tern::v1::WriteItemRequest write =
            NewWrite(*target, tern::v1::WriteItemRequest::KIND_DELETE, key);
        data->WriteItem(target->address,
                        std::move(write),
                        [request, table, done = std::move(done)](
                            absl::StatusOr<tern::v1::WriteItemResponse> written) mutable {
                          AnswerSimpleWrite(request, table, 0, std::move(written), std::move(done));
                        });
      });
}

// AttributeUpdates: {"name": {"Action": "PUT"|"ADD"|"DELETE", "Value": {...}}}.
absl::StatusOr<std::vector<model::AttributeUpdate>> ParseAttributeUpdates(
    const boost::json::value& json) {
  if (!json.is_object()) return base::Error(base::ErrorKind::kSerialization, "");
  std::vector<model::AttributeUpdate> updates;
  for (const auto& [name, spec] : json.as_object()) {
    if (!spec.is_object()) return base::Error(base::ErrorKind::kSerialization, "");
    const boost::json::object& fields = spec.as_object();
    std::string action = "PUT";
    if (const boost::json::value* a = fields.if_contains("Action"); a != nullptr && !a->is_null()) {
      if (!a->is_string()) return base::Error(base::ErrorKind::kSerialization, "");
      action = std::string(a->as_string());
      if (action != "PUT" && action != "ADD" && action != "DELETE") {
        return ValidationError(absl::StrCat(
            "1 validation error detected: Value '",
            action,
            "' at 'attributeUpdates.",
            std::string(name),
            ".member.action' failed to satisfy constraint: Member must satisfy enum value set: "
            "[ADD, PUT, DELETE]"));
      }
    }
    model::AttributeUpdate update{std::string(name), model::UpdateAction::kPut, std::nullopt};
    if (const boost::json::value* v = fields.if_contains("Value"); v != nullptr && !v->is_null()) {
      TERN_ASSIGN_OR_RETURN(AttributeValue value, model::ParseAttributeValue(*v));
      update.value = std::move(value);
    }
    if (action == "PUT") {
      if (!update.value.has_value()) {
        return ValidationError(absl::StrCat(
            "One or more parameter values were invalid: Only DELETE action is allowed when no "
            "attribute value is specified"));
      }
    } else if (action == "ADD") {
      update.action = model::UpdateAction::kAdd;
      if (!update.value.has_value()) {
        return ValidationError(
            "One or more parameter values were invalid: Only DELETE action is allowed when no "
            "attribute value is specified");
      }
      AttributeType type = update.value->type();
      if (type != AttributeType::kN && type != AttributeType::kSS && type != AttributeType::kNS &&
          type != AttributeType::kBS && type != AttributeType::kL) {
        return ValidationError(absl::StrCat(
            "One or more parameter values were invalid: ADD action is not supported for the "
            "type ",
            model::AttributeTypeName(type)));
      }
      if (type == AttributeType::kL) {
        return ValidationError("Tern does not support ADD on lists yet");
      }
    } else {
      update.action = model::UpdateAction::kDelete;
      if (update.value.has_value()) {
        AttributeType type = update.value->type();
        if (type != AttributeType::kSS && type != AttributeType::kNS &&
            type != AttributeType::kBS) {
          return ValidationError(absl::StrCat(
              "One or more parameter values were invalid: DELETE action with value is not "
              "supported for the type ",
              model::AttributeTypeName(type)));
        }
      }
    }
    updates.push_back(std::move(update));
  }
  return updates;
}

// The top-level attribute names an UpdateExpression's actions write.
std::set<std::string> TopLevelNames(const expr::UpdateExpression& update) {
  std::set<std::string> names;
  auto add = [&names](const expr::Path& path) {
    if (!path.empty() && !path.front().is_index) names.insert(path.front().name);
  };
  for (const expr::SetAction& action : update.set) add(action.path);
  for (const expr::Path& path : update.remove) add(path);
  for (const expr::ValueAction& action : update.add) add(action.path);
  for (const expr::ValueAction& action : update.del) add(action.path);
  return names;
}

void UpdateItem(CatalogClient* catalog,
                DataClient* data,
                const object& request,
                OperationDone done) {
  ValidationErrors errors;
  CheckCommon(request, &errors);
  if (!Present(request, "Key")) errors.AddMissing("key", "Member must not be null");
  CheckEnum(request, "ReturnValues", "returnValues", kReturnValues, &errors);
  CheckEnum(request,
            "ReturnItemCollectionMetrics",
            "returnItemCollectionMetrics",
            kReturnItemCollectionMetrics,
            &errors);
  if (!errors.empty()) return std::move(done)(errors.ToStatus());
  if (Present(request, "AttributeUpdates") && Present(request, "UpdateExpression")) {
    return std::move(done)(ValidationError(
        "Can not use both expression and non-expression parameters in the same request: "
        "Non-expression parameters: {AttributeUpdates} Expression parameters: "
        "{UpdateExpression}"));
  }
  if (absl::Status refused = RefuseConditions(request); !refused.ok()) {
    return std::move(done)(refused);
  }
  absl::StatusOr<Substitutions> substitutions = Substitutions::FromRequest(request);
  if (!substitutions.ok()) return std::move(done)(substitutions.status());
  std::vector<model::AttributeUpdate> updates;
  // With an UpdateExpression: the top-level attributes its actions touch.
  std::optional<std::set<std::string>> expression_touches;
  if (Present(request, "UpdateExpression")) {
    expr::SubstitutionUse use;
    absl::StatusOr<expr::UpdateExpression> parsed = expr::ParseUpdate(
        StringMember(request, "UpdateExpression"), substitutions->ForParser(), &use);
    if (!parsed.ok()) return std::move(done)(parsed.status());
    substitutions->MarkUsed(use);
    if (absl::Status unused = substitutions->CheckAllUsed(); !unused.ok()) {
      return std::move(done)(unused);
    }
    expression_touches = TopLevelNames(*parsed);
  } else {
    if (absl::Status refused = RefuseSubstitutionsWithoutExpressions(*substitutions);
        !refused.ok()) {
      return std::move(done)(refused);
    }
    if (Present(request, "AttributeUpdates")) {
      absl::StatusOr<std::vector<model::AttributeUpdate>> parsed =
          ParseAttributeUpdates(request.at("AttributeUpdates"));
      if (!parsed.ok()) return std::move(done)(parsed.status());
      updates = *std::move(parsed);
    }
  }
  absl::StatusOr<Item> key = ParseMember(request, "Key");
  if (!key.ok()) return std::move(done)(key.status());
  const std::string table = StringMember(request, "TableName");
  const std::string return_values = StringMember(request, "ReturnValues");
  catalog->GetTableCached(
      table,
      [data,
       request,
       table,
       key = *std::move(key),
       updates = std::move(updates),
       expression_touches = std::move(expression_touches),
       substitutions = *std::move(substitutions),
       return_values,
       done = std::move(done)](absl::StatusOr<tern::v1::CatalogEntry> entry) mutable {
        absl::StatusOr<Target> target = TargetOf(std::move(entry));
        if (!target.ok()) return std::move(done)(target.status());
        if (absl::Status keys = CheckKeyParameter(target->schema, key); !keys.ok()) {
          return std::move(done)(keys);
        }
        tern::v1::WriteItemRequest write =
            NewWrite(*target, tern::v1::WriteItemRequest::KIND_UPDATE, key);
        write.set_item(model::EncodeItem(key));
        Item values;
        std::set<std::string> touched;
        if (expression_touches.has_value()) {
          for (const std::string& name : *expression_touches) {
            if (key.count(name) > 0) {
              return std::move(done)(ValidationError(absl::StrCat(
                  "One or more parameter values were invalid: Cannot update attribute ",
                  name,
                  ". This attribute is part of the key")));
            }
          }
          touched = *expression_touches;
          write.set_update_expression(StringMember(request, "UpdateExpression"));
          for (const auto& [token, name] : substitutions.names()) {
            (*write.mutable_expression_names())[token] = name;
          }
          write.set_expression_values(model::EncodeItem(substitutions.values()));
        }
        for (const model::AttributeUpdate& update : updates) {
          if (key.count(update.name) > 0) {
            return std::move(done)(ValidationError(
                absl::StrCat("One or more parameter values were invalid: Cannot update attribute ",
                             update.name,
                             ". This attribute is part of the key")));
          }
          tern::v1::AttributeAction* action = write.add_actions();
          action->set_name(update.name);
          action->set_action(update.action == model::UpdateAction::kPut
                                 ? tern::v1::AttributeAction::ACTION_PUT
                             : update.action == model::UpdateAction::kAdd
                                 ? tern::v1::AttributeAction::ACTION_ADD
                                 : tern::v1::AttributeAction::ACTION_DELETE);
          if (update.value.has_value()) {
            action->set_has_value(true);
            values[update.name] = *update.value;
          }
          touched.insert(update.name);
        }
        write.set_action_values(model::EncodeItem(values));
        data->WriteItem(target->address,
                        std::move(write),
                        [request, table, return_values, touched, done = std::move(done)](
                            absl::StatusOr<tern::v1::WriteItemResponse> written) mutable {
                          if (!written.ok()) return std::move(done)(written.status());
                          Item old_item;
                          Item new_item;
                          if (written->had_old()) {
                            absl::StatusOr<Item> old = Decode(written->old_item());
                            if (!old.ok()) return std::move(done)(old.status());
                            old_item = *std::move(old);
                          }
                          if (written->has_new()) {
                            absl::StatusOr<Item> fresh = Decode(written->new_item());
                            if (!fresh.ok()) return std::move(done)(fresh.status());
                            new_item = *std::move(fresh);
                          }
                          object response;
                          Item attributes;
                          if (return_values == "ALL_OLD") attributes = old_item;
                          if (return_values == "ALL_NEW") attributes = new_item;
                          if (return_values == "UPDATED_OLD") attributes = Only(old_item, touched);
                          if (return_values == "UPDATED_NEW") attributes = Only(new_item, touched);
                          if (!attributes.empty())
                            response["Attributes"] = model::ToJson(attributes);
                          int64_t size =
                              std::max(model::ItemSize(old_item), model::ItemSize(new_item));
                          AddConsumedCapacity(request, table, WriteCapacityUnits(size), &response);
                          std::move(done)(std::move(response));
                        });
      });
}

}  // namespace

double ReadCapacityUnits(int64_t item_bytes, bool consistent) {
  int64_t units = std::max<int64_t>(1, (item_bytes + 4095) / 4096);
  return consistent ? static_cast<double>(units) : static_cast<double>(units) / 2;
}

double WriteCapacityUnits(int64_t item_bytes) {
  return static_cast<double>(std::max<int64_t>(1, (item_bytes + 1023) / 1024));
}

void RegisterItemOperations(Api* api, CatalogClient* catalog, DataClient* data) {
  auto bind = [catalog, data](auto fn) {
    return [catalog, data, fn](const RequestContext&, const object& request, OperationDone done) {
      fn(catalog, data, request, std::move(done));
    };
  };
  api->Register("PutItem", bind(PutItem));
  api->Register("GetItem", bind(GetItem));
  api->Register("DeleteItem", bind(DeleteItem));
  api->Register("UpdateItem", bind(UpdateItem));
}

}  // namespace tern::router
