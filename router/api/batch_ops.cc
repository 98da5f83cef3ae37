#include "router/api/batch_ops.h"

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/base/error_details.h"
#include "common/base/mutex.h"
#include "common/base/status_macros.h"
#include "common/expr/evaluator.h"
#include "common/expr/parser.h"
#include "common/model/attribute_value.h"
#include "router/api/item_common.h"
#include "router/api/item_ops.h"
#include "router/api/legacy_conditions.h"
#include "router/api/substitutions.h"
#include "router/api/validation.h"

namespace tern::router {
namespace {

using boost::json::array;
using boost::json::object;
using boost::json::value;
using items::Target;
using model::Item;

constexpr size_t kMaxBatchGetKeys = 100;
constexpr size_t kMaxBatchWrites = 25;
// DynamoDB's limit on one BatchGetItem response.
constexpr int64_t kMaxBatchGetBytes = 16 * 1024 * 1024;

absl::Status Shape() { return base::Error(base::ErrorKind::kSerialization, ""); }

// True for failures worth retrying as unprocessed work.
bool Retryable(const absl::Status& status) {
  return status.code() == absl::StatusCode::kUnavailable ||
         status.code() == absl::StatusCode::kDeadlineExceeded ||
         status.code() == absl::StatusCode::kResourceExhausted;
}

using TargetsDone = absl::AnyInvocable<void(absl::StatusOr<std::map<std::string, Target>>) &&>;

// Looks up the tables one after the other; the first missing or inactive
// table fails the whole request (ResourceNotFoundException).
void LookupTargets(CatalogClient* catalog,
                   std::vector<std::string> names,
                   std::map<std::string, Target> found,
                   TargetsDone done) {
  if (found.size() == names.size()) return std::move(done)(std::move(found));
  std::string name = names[found.size()];
  catalog->GetTableCached(
      name,
      [catalog, name, names = std::move(names), found = std::move(found), done = std::move(done)](
          absl::StatusOr<SharedEntry> entry) mutable {
        absl::StatusOr<Target> target = items::TargetOf(std::move(entry));
        if (!target.ok()) return std::move(done)(target.status());
        found.emplace(name, *std::move(target));
        LookupTargets(catalog, std::move(names), std::move(found), std::move(done));
      });
}

// The RequestItems map: present, an object, not empty.
absl::StatusOr<const object*> RequestItems(const object& request) {
  ValidationErrors errors;
  const value* items = request.if_contains("RequestItems");
  if (items == nullptr || items->is_null()) {
    errors.AddMissing("requestItems", "Member must not be null");
  } else if (!items->is_object()) {
    return Shape();
  } else if (items->as_object().empty()) {
    errors.AddConstraint(
        "{}", "requestItems", "Member must have length greater than or equal to 1");
  }
  items::CheckEnum(request,
                   "ReturnConsumedCapacity",
                   "returnConsumedCapacity",
                   items::kReturnConsumedCapacity,
                   &errors);
  TERN_RETURN_IF_ERROR(errors.ToStatus());
  return &items->as_object();
}

// ---- BatchGetItem -----------------------------------------------------------

struct GetTable {
  std::string name;
  object spec;  // the request's entry, to echo in UnprocessedKeys
  std::vector<Item> keys;
  std::optional<std::vector<expr::Path>> projection;
  bool consistent = false;
};

absl::StatusOr<std::vector<GetTable>> ParseBatchGet(const object& request) {
  TERN_ASSIGN_OR_RETURN(const object* request_items, RequestItems(request));
  std::vector<GetTable> tables;
  size_t total = 0;
  for (const auto& [name, spec_value] : *request_items) {
    if (!spec_value.is_object()) return Shape();
    GetTable table;
    table.name = std::string(name);
    table.spec = spec_value.as_object();
    const value* keys = table.spec.if_contains("Keys");
    ValidationErrors errors;
    if (keys == nullptr || keys->is_null()) {
      errors.AddMissing(absl::StrCat("requestItems.", table.name, ".member.keys"),
                        "Member must not be null");
    } else if (!keys->is_array()) {
      return Shape();
    } else if (keys->as_array().empty()) {
      errors.AddConstraint("[]",
                           absl::StrCat("requestItems.", table.name, ".member.keys"),
                           "Member must have length greater than or equal to 1");
    }
    TERN_RETURN_IF_ERROR(errors.ToStatus());
    TERN_RETURN_IF_ERROR(CheckExpressionMixing(table.spec));
    std::set<std::string> seen;
    for (const value& key : keys->as_array()) {
      TERN_ASSIGN_OR_RETURN(Item parsed, model::ParseItem(key));
      if (!seen.insert(model::EncodeItem(parsed)).second) {
        return ValidationError("Provided list of item keys contains duplicates");
      }
      table.keys.push_back(std::move(parsed));
    }
    total += table.keys.size();
    TERN_ASSIGN_OR_RETURN(Substitutions substitutions, Substitutions::FromRequest(table.spec));
    if (items::Present(table.spec, "ProjectionExpression")) {
      expr::SubstitutionUse use;
      TERN_ASSIGN_OR_RETURN(
          table.projection,
          expr::ParseProjection(items::StringMember(table.spec, "ProjectionExpression"),
                                substitutions.ForParser(),
                                &use));
      substitutions.MarkUsed(use);
      TERN_RETURN_IF_ERROR(substitutions.CheckAllUsed());
    } else {
      TERN_RETURN_IF_ERROR(items::RefuseSubstitutionsWithoutExpressions(substitutions));
      if (items::Present(table.spec, "AttributesToGet")) {
        const value& list = table.spec.at("AttributesToGet");
        if (!list.is_array()) return Shape();
        table.projection.emplace();
        for (const value& attribute : list.as_array()) {
          if (!attribute.is_string()) return Shape();
          table.projection->push_back(
              expr::Path{expr::PathElement::Name(std::string(attribute.as_string()))});
        }
      }
    }
    table.consistent = items::TrueMember(table.spec, "ConsistentRead");
    tables.push_back(std::move(table));
  }
  if (total > kMaxBatchGetKeys) {
    return ValidationError("Too many items requested for the BatchGetItem call");
  }
  return tables;
}

// The results of a batch's calls, gathered from gRPC threads.
template <typename Result>
class Gather {
 public:
  explicit Gather(size_t count) : results_(count), pending_(count) {}

  // Records result i; true for the call that completed the batch.
  bool Done(size_t i, Result result) {
    base::MutexLock lock(&mu_);
    results_[i] = std::move(result);
    return --pending_ == 0;
  }
  // REQUIRES: every call is done.
  std::vector<Result>& results() { return results_; }

 private:
  base::Mutex mu_;
  std::vector<Result> results_;
  size_t pending_;
};

void BatchGetItem(CatalogClient* catalog,
                  DataClient* data,
                  const object& request,
                  OperationDone done) {
  absl::StatusOr<std::vector<GetTable>> parsed = ParseBatchGet(request);
  if (!parsed.ok()) return std::move(done)(parsed.status());
  std::vector<std::string> names;
  for (const GetTable& table : *parsed) names.push_back(table.name);
  LookupTargets(
      catalog,
      std::move(names),
      {},
      [data, request, tables = *std::move(parsed), done = std::move(done)](
          absl::StatusOr<std::map<std::string, Target>> targets) mutable {
        if (!targets.ok()) return std::move(done)(targets.status());
        struct Call {
          size_t table;
          size_t key;
        };
        std::vector<Call> calls;
        for (size_t t = 0; t < tables.size(); ++t) {
          const Target& target = targets->at(tables[t].name);
          for (size_t k = 0; k < tables[t].keys.size(); ++k) {
            if (absl::Status valid = items::CheckKeyParameter(target.schema, tables[t].keys[k]);
                !valid.ok()) {
              return std::move(done)(valid);
            }
            calls.push_back(Call{t, k});
          }
        }
        using Result = absl::StatusOr<tern::v1::GetItemResponse>;
        auto gather = std::make_shared<Gather<Result>>(calls.size());
        auto shared_done = std::make_shared<OperationDone>(std::move(done));
        auto finish = [request, tables, calls, gather, shared_done]() {
          object responses;
          std::map<size_t, array> unprocessed;  // table index -> keys
          std::map<size_t, double> units;
          int64_t bytes = 0;
          size_t failures = 0;
          absl::Status first_failure;
          for (size_t i = 0; i < calls.size(); ++i) {
            const GetTable& table = tables[calls[i].table];
            Result& got = gather->results()[i];
            if (!responses.contains(table.name)) responses[table.name] = array();
            if (got.ok() && got->found()) {
              absl::StatusOr<Item> item = items::Decode(got->item());
              if (!item.ok()) got = item.status();
            }
            if (!got.ok()) {
              ++failures;
              if (first_failure.ok()) first_failure = got.status();
              unprocessed[calls[i].table].push_back(model::ToJson(table.keys[calls[i].key]));
              continue;
            }
            int64_t size = 0;
            if (got->found()) {
              Item item = *items::Decode(got->item());
              size = model::ItemSize(item);
              if (bytes + size > kMaxBatchGetBytes) {
                unprocessed[calls[i].table].push_back(model::ToJson(table.keys[calls[i].key]));
                continue;
              }
              bytes += size;
              responses[table.name].as_array().push_back(model::ToJson(
                  table.projection.has_value() ? expr::Project(item, *table.projection) : item));
            }
            units[calls[i].table] += ReadCapacityUnits(size, table.consistent);
          }
          if (failures == calls.size() && !Retryable(first_failure)) {
            return std::move(*shared_done)(first_failure);
          }
          object response;
          response["Responses"] = std::move(responses);
          object unprocessed_keys;
          for (auto& [t, keys] : unprocessed) {
            object spec = tables[t].spec;
            spec["Keys"] = std::move(keys);
            unprocessed_keys[tables[t].name] = std::move(spec);
          }
          response["UnprocessedKeys"] = std::move(unprocessed_keys);
          std::string mode = items::StringMember(request, "ReturnConsumedCapacity");
          if (mode == "TOTAL" || mode == "INDEXES") {
            array consumed;
            for (const auto& [t, total] : units) {
              consumed.push_back(items::ConsumedCapacityOf(request, tables[t].name, total));
            }
            response["ConsumedCapacity"] = std::move(consumed);
          }
          std::move (*shared_done)(std::move(response));
        };
        for (size_t i = 0; i < calls.size(); ++i) {
          const GetTable& table = tables[calls[i].table];
          const Target& target = targets->at(table.name);
          tern::v1::GetItemRequest get;
          get.set_storage_key(items::StorageKey(
              target.entry->table().table_id(), target.schema, table.keys[calls[i].key]));
          const tern::v1::PartitionDescriptor& partition =
              items::PartitionFor(target, get.storage_key());
          *get.mutable_partition() = items::RefOf(partition);
          get.set_consistent_read(table.consistent);
          data->GetItem(partition, std::move(get), [i, gather, finish](Result got) mutable {
            if (gather->Done(i, std::move(got))) finish();
          });
        }
      });
}

// ---- BatchWriteItem ---------------------------------------------------------

struct WriteEntry {
  std::string table;
  bool is_put = false;
  Item item;      // the item (put) or the key (delete)
  value request;  // the WriteRequest, to echo in UnprocessedItems
};

absl::StatusOr<std::vector<WriteEntry>> ParseBatchWrite(const object& request) {
  TERN_ASSIGN_OR_RETURN(const object* request_items, RequestItems(request));
  std::vector<WriteEntry> entries;
  for (const auto& [name, list] : *request_items) {
    if (!list.is_array()) return Shape();
    if (list.as_array().empty()) {
      ValidationErrors errors;
      errors.AddConstraint("[]",
                           absl::StrCat("requestItems.", std::string(name), ".member"),
                           "Member must have length greater than or equal to 1");
      return errors.ToStatus();
    }
    for (const value& entry : list.as_array()) {
      if (!entry.is_object()) return Shape();
      const object& fields = entry.as_object();
      const bool put = items::Present(fields, "PutRequest");
      const bool del = items::Present(fields, "DeleteRequest");
      if (put == del) {
        return ValidationError(
            "Supplied AttributeValue has more than one datatypes set, must contain exactly one of "
            "the supported datatypes");
      }
      const value& body = fields.at(put ? "PutRequest" : "DeleteRequest");
      if (!body.is_object()) return Shape();
      const char* member = put ? "Item" : "Key";
      if (!items::Present(body.as_object(), member)) {
        ValidationErrors errors;
        errors.AddMissing(absl::StrCat("requestItems.",
                                       std::string(name),
                                       ".member.",
                                       put ? "putRequest.item" : "deleteRequest.key"),
                          "Member must not be null");
        return errors.ToStatus();
      }
      TERN_ASSIGN_OR_RETURN(Item item, items::ParseMember(body.as_object(), member));
      entries.push_back(WriteEntry{std::string(name), put, std::move(item), entry});
    }
  }
  if (entries.size() > kMaxBatchWrites) {
    return ValidationError("Too many items requested for the BatchWriteItem call");
  }
  return entries;
}

void BatchWriteItem(CatalogClient* catalog,
                    DataClient* data,
                    const object& request,
                    OperationDone done) {
  absl::StatusOr<std::vector<WriteEntry>> parsed = ParseBatchWrite(request);
  if (!parsed.ok()) return std::move(done)(parsed.status());
  std::set<std::string> unique;
  for (const WriteEntry& entry : *parsed) unique.insert(entry.table);
  std::vector<std::string> names(unique.begin(), unique.end());
  LookupTargets(catalog,
                std::move(names),
                {},
                [data, request, entries = *std::move(parsed), done = std::move(done)](
                    absl::StatusOr<std::map<std::string, Target>> targets) mutable {
                  if (!targets.ok()) return std::move(done)(targets.status());
                  std::vector<tern::v1::WriteItemRequest> writes;
                  std::vector<int64_t> sizes;
                  std::set<std::pair<std::string, std::string>> seen;
                  for (const WriteEntry& entry : entries) {
                    const Target& target = targets->at(entry.table);
                    absl::Status valid = entry.is_put
                                             ? items::CheckItemKeys(target.schema, entry.item)
                                             : items::CheckKeyParameter(target.schema, entry.item);
                    if (!valid.ok()) return std::move(done)(valid);
                    int64_t size = entry.is_put ? model::ItemSize(entry.item) : 0;
                    if (size > items::kMaxItemBytes) {
                      return std::move(done)(
                          ValidationError("Item size has exceeded the maximum allowed size"));
                    }
                    Item key = items::KeyOf(target.schema, entry.item);
                    tern::v1::WriteItemRequest write =
                        items::NewWrite(target,
                                        entry.is_put ? tern::v1::WriteItemRequest::KIND_PUT
                                                     : tern::v1::WriteItemRequest::KIND_DELETE,
                                        key);
                    if (!seen.emplace(entry.table, write.storage_key()).second) {
                      return std::move(done)(
                          ValidationError("Provided list of item keys contains duplicates"));
                    }
                    if (entry.is_put) write.set_item(model::EncodeItem(entry.item));
                    writes.push_back(std::move(write));
                    sizes.push_back(size);
                  }
                  using Result = absl::StatusOr<tern::v1::WriteItemResponse>;
                  auto gather = std::make_shared<Gather<Result>>(writes.size());
                  auto shared_done = std::make_shared<OperationDone>(std::move(done));
                  auto finish = [request, entries, sizes, gather, shared_done]() {
                    std::map<std::string, array> unprocessed;
                    std::map<std::string, double> units;
                    size_t failures = 0;
                    absl::Status first_failure;
                    for (size_t i = 0; i < entries.size(); ++i) {
                      Result& written = gather->results()[i];
                      int64_t old_size = 0;
                      if (written.ok() && written->had_old()) {
                        absl::StatusOr<int64_t> size = items::EncodedSize(written->old_item());
                        if (!size.ok()) written = size.status();
                        if (size.ok()) old_size = *size;
                      }
                      if (!written.ok()) {
                        ++failures;
                        if (first_failure.ok()) first_failure = written.status();
                        unprocessed[entries[i].table].push_back(entries[i].request);
                        continue;
                      }
                      units[entries[i].table] += WriteCapacityUnits(std::max(sizes[i], old_size));
                    }
                    if (failures == entries.size() && !Retryable(first_failure)) {
                      return std::move(*shared_done)(first_failure);
                    }
                    object response;
                    object unprocessed_items;
                    for (auto& [table, list] : unprocessed)
                      unprocessed_items[table] = std::move(list);
                    response["UnprocessedItems"] = std::move(unprocessed_items);
                    std::string mode = items::StringMember(request, "ReturnConsumedCapacity");
                    if (mode == "TOTAL" || mode == "INDEXES") {
                      array consumed;
                      for (const auto& [table, total] : units) {
                        consumed.push_back(items::ConsumedCapacityOf(request, table, total));
                      }
                      response["ConsumedCapacity"] = std::move(consumed);
                    }
                    std::move (*shared_done)(std::move(response));
                  };
                  for (size_t i = 0; i < writes.size(); ++i) {
                    const Target& target = targets->at(entries[i].table);
                    const tern::v1::PartitionDescriptor& partition =
                        items::PartitionFor(target, writes[i].storage_key());
                    data->WriteItem(partition, std::move(writes[i]), [i, gather, finish](Result w) {
                      if (gather->Done(i, std::move(w))) finish();
                    });
                  }
                });
}

}  // namespace

void RegisterBatchOperations(Api* api, CatalogClient* catalog, DataClient* data) {
  auto bind = [catalog, data](auto fn) {
    return [catalog, data, fn](const RequestContext&, const object& request, OperationDone done) {
      fn(catalog, data, request, std::move(done));
    };
  };
  api->Register("BatchGetItem", bind(BatchGetItem));
  api->Register("BatchWriteItem", bind(BatchWriteItem));
}

}  // namespace tern::router
