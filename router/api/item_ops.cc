#include "router/api/item_ops.h"

#include <memory>
#include <optional>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "boost/json/serialize.hpp"
#include "common/base/error_details.h"
#include "common/base/status_macros.h"
#include "common/expr/evaluator.h"
#include "common/expr/parser.h"
#include "common/expr/printer.h"
#include "common/model/attribute_value.h"
#include "common/model/key_codec.h"
#include "common/model/update.h"
#include "router/api/error_mapping.h"
#include "router/api/item_common.h"
#include "router/api/legacy_conditions.h"
#include "router/api/substitutions.h"
#include "router/api/table_schema.h"
#include "router/api/validation.h"

namespace tern::router {
namespace {

using boost::json::object;
using items::AddConsumedCapacity;
using items::CheckCommon;
using items::CheckEnum;
using items::CheckItemKeys;
using items::CheckKeyParameter;
using items::Decode;
using items::EncodedSize;
using items::KeyOf;
using items::kMaxItemBytes;
using items::kReturnConsumedCapacity;
using items::kReturnItemCollectionMetrics;
using items::kReturnValues;
using items::NewWrite;
using items::Only;
using items::ParseMember;
using items::Present;
using items::RefuseSubstitutionsWithoutExpressions;
using items::StorageKey;
using items::StringMember;
using items::Target;
using items::TargetOf;
using model::AttributeType;
using model::AttributeValue;
using model::Item;

// The condition of a write as the node evaluates it, and what to return when
// it is false.
struct WriteCondition {
  tern::v1::Expression expression;  // empty text: unconditional
  bool return_old = false;          // ReturnValuesOnConditionCheckFailure ALL_OLD
};

// ConditionExpression (marking the substitutions it uses) or the legacy
// Expected + ConditionalOperator, converted to an expression.
absl::StatusOr<WriteCondition> ReadCondition(const object& request, Substitutions* substitutions) {
  WriteCondition condition;
  condition.return_old = StringMember(request, "ReturnValuesOnConditionCheckFailure") == "ALL_OLD";
  if (Present(request, "ConditionExpression")) {
    expr::SubstitutionUse use;
    std::string text = StringMember(request, "ConditionExpression");
    TERN_RETURN_IF_ERROR(
        expr::ParseCondition(
            text, expr::ExpressionKind::kCondition, substitutions->ForParser(), &use)
            .status());
    substitutions->MarkUsed(use);
    condition.expression = items::WireExpressionOf(std::move(text), *substitutions);
    return condition;
  }
  TERN_ASSIGN_OR_RETURN(std::optional<expr::Condition> expected, ConvertExpected(request));
  if (expected.has_value()) condition.expression = items::ToWire(expr::PrintCondition(*expected));
  return condition;
}

// The checks after the envelope that every write shares: legacy and
// expression parameters not mixed, the condition, the substitutions.
// update_expression is parsed by the caller first when present, so that its
// errors come first as in DynamoDB.
absl::StatusOr<WriteCondition> CheckConditionAndSubstitutions(const object& request,
                                                              Substitutions* substitutions,
                                                              bool has_update_expression) {
  TERN_ASSIGN_OR_RETURN(WriteCondition condition, ReadCondition(request, substitutions));
  if (has_update_expression || Present(request, "ConditionExpression")) {
    TERN_RETURN_IF_ERROR(substitutions->CheckAllUsed());
  } else {
    TERN_RETURN_IF_ERROR(RefuseSubstitutionsWithoutExpressions(*substitutions));
  }
  return condition;
}

void CheckReturnValuesOnConditionCheckFailure(const object& request, ValidationErrors* errors) {
  CheckEnum(request,
            "ReturnValuesOnConditionCheckFailure",
            "returnValuesOnConditionCheckFailure",
            {"ALL_OLD", "NONE"},
            errors);
}

// ConditionalCheckFailedException, with the item as it was when
// ReturnValuesOnConditionCheckFailure is ALL_OLD.
absl::Status ConditionFailed(const tern::v1::WriteItemResponse& written) {
  absl::Status failed =
      base::Error(base::ErrorKind::kConditionalCheckFailed, "The conditional request failed");
  if (written.had_old()) {
    absl::StatusOr<Item> old = Decode(written.old_item());
    if (!old.ok()) return old.status();
    AttachItem(&failed, model::ToJson(*old));
  }
  return failed;
}

// Attaches condition to write.
void SetCondition(const WriteCondition& condition, tern::v1::WriteItemRequest* write) {
  if (condition.expression.text().empty()) return;
  *write->mutable_condition() = condition.expression;
  write->set_return_old_on_condition_failure(condition.return_old);
}

// The request checks PutItem and DeleteItem share, in DynamoDB's order:
// envelope errors (table name, the item or key member, enums), then the
// ReturnValues subset they allow, conditions and substitutions.
absl::StatusOr<WriteCondition> CheckSimpleWrite(const object& request,
                                                const char* member,
                                                const char* path) {
  ValidationErrors errors;
  CheckCommon(request, &errors);
  if (!Present(request, member)) errors.AddMissing(path, "Member must not be null");
  CheckEnum(request, "ReturnValues", "returnValues", kReturnValues, &errors);
  CheckEnum(request,
            "ReturnItemCollectionMetrics",
            "returnItemCollectionMetrics",
            kReturnItemCollectionMetrics,
            &errors);
  CheckReturnValuesOnConditionCheckFailure(request, &errors);
  TERN_RETURN_IF_ERROR(errors.ToStatus());
  std::string return_values = StringMember(request, "ReturnValues");
  if (!return_values.empty() && return_values != "NONE" && return_values != "ALL_OLD") {
    return ValidationError("ReturnValues can only be ALL_OLD or NONE");
  }
  TERN_RETURN_IF_ERROR(CheckExpressionMixing(request));
  TERN_ASSIGN_OR_RETURN(Substitutions substitutions, Substitutions::FromRequest(request));
  return CheckConditionAndSubstitutions(request, &substitutions, /*has_update_expression=*/false);
}

// The members an item operation's answer reads from its request: its
// callbacks keep these instead of a copy of the whole request (whose item
// may be 400 KB).
object AnswerMembers(const object& request) {
  object members;
  for (const char* name : {"ReturnConsumedCapacity", "ReturnValues"}) {
    if (const boost::json::value* member = request.if_contains(name)) members[name] = *member;
  }
  return members;
}

// Answers a PutItem or DeleteItem: Attributes for ALL_OLD and write capacity
// for the larger of the old item and new_size.
void AnswerSimpleWrite(const object& request,
                       const std::string& table,
                       int64_t new_size,
                       absl::StatusOr<tern::v1::WriteItemResponse> written,
                       OperationDone done) {
  if (!written.ok()) return std::move(done)(written.status());
  if (written->condition_failed()) return std::move(done)(ConditionFailed(*written));
  object response;
  int64_t old_size = 0;
  if (written->had_old() && StringMember(request, "ReturnValues") == "ALL_OLD") {
    absl::StatusOr<Item> old = Decode(written->old_item());
    if (!old.ok()) return std::move(done)(old.status());
    old_size = model::ItemSize(*old);
    response["Attributes"] = model::ToJson(*old);
  } else if (written->had_old()) {
    // Only its size counts (capacity): no Item built.
    absl::StatusOr<int64_t> size = EncodedSize(written->old_item());
    if (!size.ok()) return std::move(done)(size.status());
    old_size = *size;
  }
  AddConsumedCapacity(request, table, WriteCapacityUnits(std::max(new_size, old_size)), &response);
  std::move(done)(std::move(response));
}

void PutItem(CatalogClient* catalog, DataClient* data, const object& request, OperationDone done) {
  absl::StatusOr<WriteCondition> condition = CheckSimpleWrite(request, "Item", "item");
  if (!condition.ok()) return std::move(done)(condition.status());
  absl::StatusOr<Item> item = ParseMember(request, "Item");
  if (!item.ok()) return std::move(done)(item.status());
  const std::string table = StringMember(request, "TableName");
  catalog->GetTableCached(
      table,
      [data,
       answer = AnswerMembers(request),
       table,
       item = *std::move(item),
       condition = *std::move(condition),
       done = std::move(done)](absl::StatusOr<SharedEntry> entry) mutable {
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
        SetCondition(condition, &write);
        const tern::v1::PartitionDescriptor& partition =
            items::PartitionFor(*target, write.storage_key());
        data->WriteItem(DataClient::PartitionRef(target->entry, &partition),
                        std::move(write),
                        [answer = std::move(answer), table, size, done = std::move(done)](
                            absl::StatusOr<tern::v1::WriteItemResponse> written) mutable {
                          AnswerSimpleWrite(
                              answer, table, size, std::move(written), std::move(done));
                        });
      });
}

void GetItem(CatalogClient* catalog, DataClient* data, const object& request, OperationDone done) {
  ValidationErrors errors;
  CheckCommon(request, &errors);
  if (!Present(request, "Key")) errors.AddMissing("key", "Member must not be null");
  if (!errors.empty()) return std::move(done)(errors.ToStatus());
  if (absl::Status mixed = CheckExpressionMixing(request); !mixed.ok()) {
    return std::move(done)(mixed);
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
      [data,
       answer = AnswerMembers(request),
       table,
       key = *std::move(key),
       consistent,
       projection,
       done = std::move(done)](absl::StatusOr<SharedEntry> entry) mutable {
        absl::StatusOr<Target> target = TargetOf(std::move(entry));
        if (!target.ok()) return std::move(done)(target.status());
        if (absl::Status keys = CheckKeyParameter(target->schema, key); !keys.ok()) {
          return std::move(done)(keys);
        }
        tern::v1::GetItemRequest get;
        get.set_storage_key(StorageKey(target->entry->table().table_id(), target->schema, key));
        const tern::v1::PartitionDescriptor& partition =
            items::PartitionFor(*target, get.storage_key());
        *get.mutable_partition() = items::RefOf(partition);
        get.set_consistent_read(consistent);
        data->GetItem(
            DataClient::PartitionRef(target->entry, &partition),
            std::move(get),
            [answer = std::move(answer), table, consistent, projection, done = std::move(done)](
                absl::StatusOr<tern::v1::GetItemResponse> got) mutable {
              if (!got.ok()) return std::move(done)(got.status());
              // The answer's JSON is written straight from the item (the
              // hottest reply: no JSON tree for it).
              std::string text = "{";
              int64_t size = 0;
              if (got->found()) {
                text.reserve(got->item().size() * 2 + 256);
                text.append("\"Item\":");
                if (projection.has_value()) {
                  absl::StatusOr<Item> item = Decode(got->item());
                  if (!item.ok()) return std::move(done)(item.status());
                  size = model::ItemSize(*item);
                  model::AppendJson(expr::Project(*item, *projection), &text);
                } else if (absl::Status written =
                               model::AppendEncodedItemJson(got->item(), &text, &size);
                           !written.ok()) {
                  return std::move(done)(written);
                }
              }
              object capacity;
              AddConsumedCapacity(answer, table, ReadCapacityUnits(size, consistent), &capacity);
              for (const auto& member : capacity) {
                if (text.size() > 1) text.push_back(',');
                absl::StrAppend(&text,
                                boost::json::serialize(boost::json::string_view(member.key())),
                                ":",
                                boost::json::serialize(member.value()));
              }
              text.push_back('}');
              std::move(done)(Answer::Text(std::move(text)));
            });
      });
}

void DeleteItem(CatalogClient* catalog,
                DataClient* data,
                const object& request,
                OperationDone done) {
  absl::StatusOr<WriteCondition> condition = CheckSimpleWrite(request, "Key", "key");
  if (!condition.ok()) return std::move(done)(condition.status());
  absl::StatusOr<Item> key = ParseMember(request, "Key");
  if (!key.ok()) return std::move(done)(key.status());
  const std::string table = StringMember(request, "TableName");
  catalog->GetTableCached(
      table,
      [data,
       answer = AnswerMembers(request),
       table,
       key = *std::move(key),
       condition = *std::move(condition),
       done = std::move(done)](absl::StatusOr<SharedEntry> entry) mutable {
        absl::StatusOr<Target> target = TargetOf(std::move(entry));
        if (!target.ok()) return std::move(done)(target.status());
        if (absl::Status keys = CheckKeyParameter(target->schema, key); !keys.ok()) {
          return std::move(done)(keys);
        }
        tern::v1::WriteItemRequest write =
            NewWrite(*target, tern::v1::WriteItemRequest::KIND_DELETE, key);
        SetCondition(condition, &write);
        const tern::v1::PartitionDescriptor& partition =
            items::PartitionFor(*target, write.storage_key());
        data->WriteItem(DataClient::PartitionRef(target->entry, &partition),
                        std::move(write),
                        [answer = std::move(answer), table, done = std::move(done)](
                            absl::StatusOr<tern::v1::WriteItemResponse> written) mutable {
                          AnswerSimpleWrite(answer, table, 0, std::move(written), std::move(done));
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
  CheckReturnValuesOnConditionCheckFailure(request, &errors);
  if (!errors.empty()) return std::move(done)(errors.ToStatus());
  if (absl::Status mixed = CheckExpressionMixing(request); !mixed.ok()) {
    return std::move(done)(mixed);
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
    expression_touches = TopLevelNames(*parsed);
  } else if (Present(request, "AttributeUpdates")) {
    absl::StatusOr<std::vector<model::AttributeUpdate>> parsed =
        ParseAttributeUpdates(request.at("AttributeUpdates"));
    if (!parsed.ok()) return std::move(done)(parsed.status());
    updates = *std::move(parsed);
  }
  absl::StatusOr<WriteCondition> condition =
      CheckConditionAndSubstitutions(request, &*substitutions, expression_touches.has_value());
  if (!condition.ok()) return std::move(done)(condition.status());
  absl::StatusOr<Item> key = ParseMember(request, "Key");
  if (!key.ok()) return std::move(done)(key.status());
  const std::string table = StringMember(request, "TableName");
  const std::string return_values = StringMember(request, "ReturnValues");
  catalog->GetTableCached(
      table,
      [data,
       answer = AnswerMembers(request),
       update_expression = StringMember(request, "UpdateExpression"),
       table,
       key = *std::move(key),
       updates = std::move(updates),
       expression_touches = std::move(expression_touches),
       substitutions = *std::move(substitutions),
       condition = *std::move(condition),
       return_values,
       done = std::move(done)](absl::StatusOr<SharedEntry> entry) mutable {
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
          write.set_update_expression(update_expression);
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
        SetCondition(condition, &write);
        const tern::v1::PartitionDescriptor& partition =
            items::PartitionFor(*target, write.storage_key());
        data->WriteItem(
            DataClient::PartitionRef(target->entry, &partition),
            std::move(write),
            [answer = std::move(answer), table, return_values, touched, done = std::move(done)](
                absl::StatusOr<tern::v1::WriteItemResponse> written) mutable {
              if (!written.ok()) return std::move(done)(written.status());
              if (written->condition_failed()) {
                return std::move(done)(ConditionFailed(*written));
              }
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
              if (!attributes.empty()) response["Attributes"] = model::ToJson(attributes);
              int64_t size = std::max(model::ItemSize(old_item), model::ItemSize(new_item));
              AddConsumedCapacity(answer, table, WriteCapacityUnits(size), &response);
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
