#include "router/api/table_ops.h"

#include <atomic>
#include <memory>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/base/error_details.h"
#include "common/base/mutex.h"
#include "router/api/table_schema.h"
#include "router/api/validation.h"

namespace tern::router {
namespace {

using boost::json::object;

absl::Status TableNotFound(const std::string& name) {
  return base::Error(base::ErrorKind::kResourceNotFound,
                     absl::StrCat("Requested resource not found: Table: ", name, " not found"));
}

std::string TableName(const object& request) {
  const boost::json::value* value = request.if_contains("TableName");
  return value != nullptr && value->is_string() ? std::string(value->as_string()) : "";
}

// Maps catalog errors to what DynamoDB answers for table name.
absl::Status CatalogError(const absl::Status& status, const std::string& name) {
  if (status.code() == absl::StatusCode::kNotFound) return TableNotFound(name);
  if (status.code() == absl::StatusCode::kAlreadyExists) {
    return base::Error(base::ErrorKind::kResourceInUse, status.message());
  }
  if (status.code() == absl::StatusCode::kFailedPrecondition) {
    // The table's current status, as the control plane reported it.
    std::string state(status.message());
    std::string doing = state == "CREATING"   ? "being created"
                        : state == "DELETING" ? "being deleted"
                                              : "being updated";
    return base::Error(
        base::ErrorKind::kResourceInUse,
        absl::StrCat(
            "Attempt to change a resource which is still in use: Table is ", doing, ": ", name));
  }
  return status;
}

// Fetches the stats of every partition of entry and answers with its
// TableDescription under key.
void DescribeWithStats(DataClient* data,
                       const RequestContext& context,
                       tern::v1::CatalogEntry entry,
                       std::string key,
                       OperationDone done) {
  struct Gather {
    base::Mutex mu;
    TableStats stats ABSL_GUARDED_BY(mu);
    int pending ABSL_GUARDED_BY(mu) = 0;
    tern::v1::CatalogEntry entry;
    std::string key;
    std::string region;
    std::string account;
    OperationDone done;
  };
  auto gather = std::make_shared<Gather>();
  gather->entry = std::move(entry);
  gather->key = std::move(key);
  gather->region = context.region;
  gather->account = context.account_id;
  gather->done = std::move(done);
  auto finish = [](const std::shared_ptr<Gather>& g) {
    TableStats stats;
    {
      base::MutexLock lock(&g->mu);
      stats = g->stats;
    }
    object response;
    response[g->key] = TableDescriptionJson(g->entry.table(), stats, g->region, g->account);
    std::move(g->done)(std::move(response));
  };
  std::vector<std::pair<std::string, tern::v1::PartitionDescriptor>> targets;
  if (gather->entry.table().status() == "ACTIVE" || gather->entry.table().status() == "UPDATING") {
    for (const tern::v1::PartitionDescriptor& partition : gather->entry.partitions()) {
      if (partition.replicas_size() > 0) {
        targets.emplace_back(partition.replicas(0).address(), partition);
      }
    }
  }
  if (targets.empty()) return finish(gather);
  {
    base::MutexLock lock(&gather->mu);
    gather->pending = static_cast<int>(targets.size());
  }
  for (auto& [address, partition] : targets) {
    tern::v1::PartitionRequest request;
    *request.mutable_partition() = partition;
    data->GetPartitionStats(
        address,
        std::move(request),
        [gather, finish](absl::StatusOr<tern::v1::PartitionResponse> result) {
          bool last;
          {
            base::MutexLock lock(&gather->mu);
            // Sizes are informational (DynamoDB refreshes them every few
            // hours): a replica that cannot answer counts as empty.
            if (result.ok()) {
              gather->stats.item_count += static_cast<int64_t>(result->item_count());
              gather->stats.size_bytes += static_cast<int64_t>(result->size_bytes());
            }
            last = --gather->pending == 0;
          }
          if (last) finish(gather);
        });
  }
}

void CreateTable(CatalogClient* catalog,
                 const RequestContext& context,
                 const object& request,
                 OperationDone done) {
  TableLimits limits;
  limits.region = context.region;
  absl::StatusOr<tern::v1::TableDescriptor> table = ParseCreateTable(request, absl::Now(), limits);
  if (!table.ok()) return std::move(done)(table.status());
  std::string name = table->name();
  catalog->CreateTable(*table,
                       [context, name, done = std::move(done)](
                           absl::StatusOr<tern::v1::CatalogEntry> entry) mutable {
                         if (!entry.ok())
                           return std::move(done)(CatalogError(entry.status(), name));
                         object response;
                         response["TableDescription"] = TableDescriptionJson(
                             entry->table(), TableStats{}, context.region, context.account_id);
                         std::move(done)(std::move(response));
                       });
}

void DescribeTable(CatalogClient* catalog,
                   DataClient* data,
                   const RequestContext& context,
                   const object& request,
                   OperationDone done) {
  if (absl::Status valid = ValidateTableNameMember(request); !valid.ok()) {
    return std::move(done)(valid);
  }
  std::string name = TableName(request);
  catalog->GetTable(name,
                    [data, context, name, done = std::move(done)](
                        absl::StatusOr<tern::v1::CatalogEntry> entry) mutable {
                      if (!entry.ok()) return std::move(done)(CatalogError(entry.status(), name));
                      DescribeWithStats(data, context, *std::move(entry), "Table", std::move(done));
                    });
}

void ListTables(CatalogClient* catalog,
                const RequestContext&,
                const object& request,
                OperationDone done) {
  if (absl::Status valid = ValidateListTables(request); !valid.ok()) {
    return std::move(done)(valid);
  }
  std::string start;
  if (const boost::json::value* s = request.if_contains("ExclusiveStartTableName");
      s != nullptr && s->is_string()) {
    start = std::string(s->as_string());
  }
  uint32_t limit = 100;
  if (const boost::json::value* l = request.if_contains("Limit"); l != nullptr && l->is_number()) {
    limit = static_cast<uint32_t>(l->to_number<int64_t>());
  }
  catalog->ListTables(
      start,
      limit,
      [done = std::move(done)](absl::StatusOr<tern::v1::ListTablesResponse> list) mutable {
        if (!list.ok()) return std::move(done)(list.status());
        object response;
        boost::json::array names;
        for (const std::string& name : list->table_names()) names.emplace_back(name);
        response["TableNames"] = std::move(names);
        if (!list->last_evaluated_table_name().empty()) {
          response["LastEvaluatedTableName"] = list->last_evaluated_table_name();
        }
        std::move(done)(std::move(response));
      });
}

void DeleteTable(CatalogClient* catalog,
                 const RequestContext& context,
                 const object& request,
                 OperationDone done) {
  if (absl::Status valid = ValidateTableNameMember(request); !valid.ok()) {
    return std::move(done)(valid);
  }
  std::string name = TableName(request);
  catalog->GetTable(
      name,
      [catalog, context, name, done = std::move(done)](
          absl::StatusOr<tern::v1::CatalogEntry> entry) mutable {
        if (!entry.ok()) return std::move(done)(CatalogError(entry.status(), name));
        if (entry->table().deletion_protection()) {
          return std::move(done)(ValidationError(
              "Resource cannot be deleted as it is currently protected against deletion. Disable "
              "deletion protection first."));
        }
        catalog->DeleteTable(
            name,
            [context, name, done = std::move(done)](
                absl::StatusOr<tern::v1::CatalogEntry> deleted) mutable {
              if (!deleted.ok()) return std::move(done)(CatalogError(deleted.status(), name));
              object response;
              response["TableDescription"] = DeleteTableDescriptionJson(
                  deleted->table(), TableStats{}, context.region, context.account_id);
              std::move(done)(std::move(response));
            });
      });
}

// Reads the table, lets change compute the new descriptor, and stores it with
// compare-and-set, retrying when another change won the race.
using Change = std::function<absl::StatusOr<tern::v1::TableDescriptor>(
    const tern::v1::TableDescriptor& current)>;
using Changed = absl::AnyInvocable<void(absl::StatusOr<tern::v1::CatalogEntry>) &&>;

void ChangeTable(
    CatalogClient* catalog, std::string name, Change change, int attempts_left, Changed done) {
  catalog->GetTable(
      name,
      [catalog, name, change, attempts_left, done = std::move(done)](
          absl::StatusOr<tern::v1::CatalogEntry> entry) mutable {
        if (!entry.ok()) return std::move(done)(CatalogError(entry.status(), name));
        absl::StatusOr<tern::v1::TableDescriptor> updated = change(entry->table());
        if (!updated.ok()) return std::move(done)(updated.status());
        catalog->UpdateTable(
            *updated,
            entry->version(),
            [catalog, name, change, attempts_left, done = std::move(done)](
                absl::StatusOr<tern::v1::CatalogEntry> stored) mutable {
              if (!stored.ok() && stored.status().code() == absl::StatusCode::kAborted &&
                  attempts_left > 1) {
                return ChangeTable(catalog, name, change, attempts_left - 1, std::move(done));
              }
              if (!stored.ok()) return std::move(done)(CatalogError(stored.status(), name));
              std::move(done)(std::move(stored));
            });
      });
}

void UpdateTable(CatalogClient* catalog,
                 const RequestContext& context,
                 const object& request,
                 OperationDone done) {
  if (absl::Status valid = ValidateTableNameMember(request); !valid.ok()) {
    return std::move(done)(valid);
  }
  std::string name = TableName(request);
  ChangeTable(
      catalog,
      name,
      [request, region = context.region](
          const tern::v1::TableDescriptor& current) -> absl::StatusOr<tern::v1::TableDescriptor> {
        if (current.status() != "ACTIVE") {
          return absl::FailedPreconditionError(current.status());
        }
        TableLimits limits;
        limits.region = region;
        return ApplyUpdateTable(request, current, absl::Now(), limits);
      },
      3,
      [context, name, done = std::move(done)](
          absl::StatusOr<tern::v1::CatalogEntry> entry) mutable {
        if (!entry.ok()) return std::move(done)(CatalogError(entry.status(), name));
        object response;
        response["TableDescription"] =
            TableDescriptionJson(entry->table(), TableStats{}, context.region, context.account_id);
        std::move(done)(std::move(response));
      });
}

// ---- tags and TTL ------------------------------------------------------------

// The table name of a table ARN of this region and account.
absl::StatusOr<std::string> TableFromArn(const RequestContext& context, const std::string& arn) {
  std::string prefix =
      absl::StrCat("arn:aws:dynamodb:", context.region, ":", context.account_id, ":table/");
  if (!absl::StartsWith(arn, prefix) || arn.size() == prefix.size() ||
      arn.find('/', prefix.size()) != std::string::npos) {
    return ValidationError(
        absl::StrCat("Invalid TableArn: Invalid ResourceArn provided as input ", arn));
  }
  return arn.substr(prefix.size());
}

std::string ArnMember(const object& request) {
  const boost::json::value* value = request.if_contains("ResourceArn");
  return value != nullptr && value->is_string() ? std::string(value->as_string()) : "";
}

absl::Status RequireArn(const object& request) {
  ValidationErrors errors;
  const boost::json::value* value = request.if_contains("ResourceArn");
  if (value == nullptr || value->is_null()) {
    errors.AddMissing("resourceArn", "Member must not be null");
  } else if (!value->is_string()) {
    return base::Error(base::ErrorKind::kSerialization, "");
  } else if (value->as_string().empty() || value->as_string().size() > 1283) {
    errors.AddConstraint(std::string(value->as_string()),
                         "resourceArn",
                         value->as_string().empty()
                             ? "Member must have length greater than or equal to 1"
                             : "Member must have length less than or equal to 1283");
  }
  return errors.ToStatus();
}

// For operations whose answer is an empty object once the change is stored.
Changed AnswerEmpty(OperationDone done) {
  return [done = std::move(done)](absl::StatusOr<tern::v1::CatalogEntry> entry) mutable {
    if (!entry.ok()) return std::move(done)(entry.status());
    std::move(done)(object());
  };
}

void TagResource(CatalogClient* catalog,
                 const RequestContext& context,
                 const object& request,
                 OperationDone done) {
  if (absl::Status valid = RequireArn(request); !valid.ok()) return std::move(done)(valid);
  const boost::json::value* tags = request.if_contains("Tags");
  if (tags == nullptr || tags->is_null()) {
    ValidationErrors errors;
    errors.AddMissing("tags", "Member must not be null");
    return std::move(done)(errors.ToStatus());
  }
  if (!tags->is_array()) return std::move(done)(base::Error(base::ErrorKind::kSerialization, ""));
  std::vector<std::pair<std::string, std::string>> added;
  for (const boost::json::value& tag : tags->as_array()) {
    const boost::json::object* fields = tag.if_object();
    if (fields == nullptr || !fields->contains("Key") || !fields->contains("Value") ||
        !fields->at("Key").is_string() || !fields->at("Value").is_string()) {
      return std::move(done)(ValidationError(
          "1 validation error detected: Value null at 'tags.member.key' failed to satisfy "
          "constraint: Member must not be null"));
    }
    added.emplace_back(std::string(fields->at("Key").as_string()),
                       std::string(fields->at("Value").as_string()));
  }
  absl::StatusOr<std::string> name = TableFromArn(context, ArnMember(request));
  if (!name.ok()) return std::move(done)(name.status());
  ChangeTable(
      catalog,
      *name,
      [added](
          const tern::v1::TableDescriptor& current) -> absl::StatusOr<tern::v1::TableDescriptor> {
        tern::v1::TableDescriptor table = current;
        for (const auto& [key, value] : added) {
          bool replaced = false;
          for (tern::v1::Tag& tag : *table.mutable_tags()) {
            if (tag.key() == key) {
              tag.set_value(value);
              replaced = true;
            }
          }
          if (!replaced) {
            tern::v1::Tag* tag = table.add_tags();
            tag->set_key(key);
            tag->set_value(value);
          }
        }
        if (table.tags_size() > 50) {
          return base::Error(base::ErrorKind::kLimitExceeded,
                             "The number of tags exceeds the limit of 50");
        }
        return table;
      },
      3,
      AnswerEmpty(std::move(done)));
}

void UntagResource(CatalogClient* catalog,
                   const RequestContext& context,
                   const object& request,
                   OperationDone done) {
  if (absl::Status valid = RequireArn(request); !valid.ok()) return std::move(done)(valid);
  const boost::json::value* keys = request.if_contains("TagKeys");
  if (keys == nullptr || keys->is_null()) {
    ValidationErrors errors;
    errors.AddMissing("tagKeys", "Member must not be null");
    return std::move(done)(errors.ToStatus());
  }
  if (!keys->is_array()) return std::move(done)(base::Error(base::ErrorKind::kSerialization, ""));
  std::set<std::string> removed;
  for (const boost::json::value& key : keys->as_array()) {
    if (!key.is_string()) return std::move(done)(base::Error(base::ErrorKind::kSerialization, ""));
    removed.insert(std::string(key.as_string()));
  }
  absl::StatusOr<std::string> name = TableFromArn(context, ArnMember(request));
  if (!name.ok()) return std::move(done)(name.status());
  ChangeTable(
      catalog,
      *name,
      [removed](
          const tern::v1::TableDescriptor& current) -> absl::StatusOr<tern::v1::TableDescriptor> {
        tern::v1::TableDescriptor table = current;
        table.clear_tags();
        for (const tern::v1::Tag& tag : current.tags()) {
          if (removed.count(tag.key()) == 0) *table.add_tags() = tag;
        }
        return table;
      },
      3,
      AnswerEmpty(std::move(done)));
}

void ListTagsOfResource(CatalogClient* catalog,
                        const RequestContext& context,
                        const object& request,
                        OperationDone done) {
  if (absl::Status valid = RequireArn(request); !valid.ok()) return std::move(done)(valid);
  absl::StatusOr<std::string> name = TableFromArn(context, ArnMember(request));
  if (!name.ok()) return std::move(done)(name.status());
  catalog->GetTable(
      *name,
      [name = *name, done = std::move(done)](absl::StatusOr<tern::v1::CatalogEntry> entry) mutable {
        if (!entry.ok()) return std::move(done)(CatalogError(entry.status(), name));
        boost::json::array tags;
        for (const tern::v1::Tag& tag : entry->table().tags()) {
          object t;
          t["Key"] = tag.key();
          t["Value"] = tag.value();
          tags.push_back(std::move(t));
        }
        object response;
        response["Tags"] = std::move(tags);
        std::move(done)(std::move(response));
      });
}

object TtlDescription(const tern::v1::TableDescriptor& table) {
  object description;
  std::string status = table.ttl().status().empty() ? "DISABLED" : table.ttl().status();
  description["TimeToLiveStatus"] = status;
  if (status != "DISABLED" && !table.ttl().attribute_name().empty()) {
    description["AttributeName"] = table.ttl().attribute_name();
  }
  return description;
}

void DescribeTimeToLive(CatalogClient* catalog,
                        const RequestContext&,
                        const object& request,
                        OperationDone done) {
  if (absl::Status valid = ValidateTableNameMember(request); !valid.ok()) {
    return std::move(done)(valid);
  }
  std::string name = TableName(request);
  catalog->GetTable(
      name, [name, done = std::move(done)](absl::StatusOr<tern::v1::CatalogEntry> entry) mutable {
        if (!entry.ok()) return std::move(done)(CatalogError(entry.status(), name));
        object response;
        response["TimeToLiveDescription"] = TtlDescription(entry->table());
        std::move(done)(std::move(response));
      });
}

void UpdateTimeToLive(CatalogClient* catalog,
                      const RequestContext&,
                      const object& request,
                      OperationDone done) {
  ValidationErrors errors;
  ValidateTableName(request.if_contains("TableName"), &errors);
  const boost::json::value* spec = request.if_contains("TimeToLiveSpecification");
  if (spec == nullptr || spec->is_null()) {
    errors.AddMissing("timeToLiveSpecification", "Member must not be null");
  }
  if (!errors.empty()) return std::move(done)(errors.ToStatus());
  const boost::json::object* fields = spec->if_object();
  if (fields == nullptr) return std::move(done)(base::Error(base::ErrorKind::kSerialization, ""));
  const boost::json::value* enabled = fields->if_contains("Enabled");
  const boost::json::value* attribute = fields->if_contains("AttributeName");
  if (enabled == nullptr || enabled->is_null()) {
    errors.AddMissing("timeToLiveSpecification.enabled", "Member must not be null");
  }
  if (attribute == nullptr || attribute->is_null()) {
    errors.AddMissing("timeToLiveSpecification.attributeName", "Member must not be null");
  }
  if (!errors.empty()) return std::move(done)(errors.ToStatus());
  if (!enabled->is_bool() || !attribute->is_string()) {
    return std::move(done)(base::Error(base::ErrorKind::kSerialization, ""));
  }
  const bool enable = enabled->as_bool();
  const std::string attribute_name(attribute->as_string());
  if (attribute_name.empty() || attribute_name.size() > 255) {
    errors.AddConstraint(attribute_name,
                         "timeToLiveSpecification.attributeName",
                         attribute_name.empty()
                             ? "Member must have length greater than or equal to 1"
                             : "Member must have length less than or equal to 255");
    return std::move(done)(errors.ToStatus());
  }
  std::string name = TableName(request);
  ChangeTable(
      catalog,
      name,
      [enable, attribute_name](
          const tern::v1::TableDescriptor& current) -> absl::StatusOr<tern::v1::TableDescriptor> {
        const bool is_enabled = current.ttl().status() == "ENABLED";
        if (enable && is_enabled) {
          return ValidationError("TimeToLive is already enabled");
        }
        if (!enable && !is_enabled) {
          return ValidationError("TimeToLive is already disabled");
        }
        if (!enable && current.ttl().attribute_name() != attribute_name) {
          return ValidationError(
              "TimeToLive is active on a different AttributeName: current AttributeName is " +
              current.ttl().attribute_name());
        }
        tern::v1::TableDescriptor table = current;
        table.mutable_ttl()->set_status(enable ? "ENABLED" : "DISABLED");
        table.mutable_ttl()->set_attribute_name(attribute_name);
        table.mutable_ttl()->set_last_change_ms(absl::ToUnixMillis(absl::Now()));
        return table;
      },
      3,
      [enable, attribute_name, done = std::move(done)](
          absl::StatusOr<tern::v1::CatalogEntry> entry) mutable {
        if (!entry.ok()) return std::move(done)(entry.status());
        object specification;
        specification["Enabled"] = enable;
        specification["AttributeName"] = attribute_name;
        object response;
        response["TimeToLiveSpecification"] = std::move(specification);
        std::move(done)(std::move(response));
      });
}

}  // namespace

void RegisterTableOperations(Api* api,
                             CatalogClient* catalog,
                             DataClient* data,
                             std::string endpoint) {
  auto with_catalog = [catalog](auto fn) {
    return [catalog, fn](const RequestContext& context, const object& request, OperationDone done) {
      fn(catalog, context, request, std::move(done));
    };
  };
  api->Register("CreateTable", with_catalog(CreateTable));
  api->Register("ListTables", with_catalog(ListTables));
  api->Register("DeleteTable", with_catalog(DeleteTable));
  api->Register("UpdateTable", with_catalog(UpdateTable));
  api->Register("TagResource", with_catalog(TagResource));
  api->Register("UntagResource", with_catalog(UntagResource));
  api->Register("ListTagsOfResource", with_catalog(ListTagsOfResource));
  api->Register("DescribeTimeToLive", with_catalog(DescribeTimeToLive));
  api->Register("UpdateTimeToLive", with_catalog(UpdateTimeToLive));
  api->Register(
      "DescribeTable",
      [catalog, data](const RequestContext& context, const object& request, OperationDone done) {
        DescribeTable(catalog, data, context, request, std::move(done));
      });
  api->Register("DescribeLimits", [](const RequestContext&, const object&, OperationDone done) {
    object limits;
    limits["AccountMaxReadCapacityUnits"] = 80000;
    limits["AccountMaxWriteCapacityUnits"] = 80000;
    limits["TableMaxReadCapacityUnits"] = 40000;
    limits["TableMaxWriteCapacityUnits"] = 40000;
    std::move(done)(std::move(limits));
  });
  api->Register("DescribeEndpoints",
                [endpoint](const RequestContext&, const object&, OperationDone done) {
                  object address;
                  address["Address"] = endpoint;
                  address["CachePeriodInMinutes"] = 1440;
                  boost::json::array endpoints;
                  endpoints.push_back(std::move(address));
                  object response;
                  response["Endpoints"] = std::move(endpoints);
                  std::move(done)(std::move(response));
                });
}

}  // namespace tern::router
