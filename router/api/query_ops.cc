#include "router/api/query_ops.h"

#include <optional>
#include <set>
#include <string>

#include "absl/numeric/int128.h"
#include "absl/strings/str_cat.h"
#include "common/base/error_details.h"
#include "common/base/status_macros.h"
#include "common/expr/parser.h"
#include "common/expr/printer.h"
#include "common/model/attribute_value.h"
#include "common/model/key_codec.h"
#include "router/api/item_common.h"
#include "router/api/item_ops.h"
#include "router/api/key_condition.h"
#include "router/api/legacy_conditions.h"
#include "router/api/substitutions.h"
#include "router/api/validation.h"

namespace tern::router {
namespace {

using boost::json::object;
using items::Present;
using items::StringMember;
using model::AttributeValue;
using model::Item;

// DynamoDB reads at most 1 MB of items per Query or Scan page, before filtering.
constexpr uint64_t kPageBytes = 1024 * 1024;
constexpr int64_t kMaxSegments = 1000000;

enum class ReadKind { kQuery, kScan };

// A Query or Scan request, validated up to what needs the table's schema.
struct ReadRequest {
  ReadKind kind = ReadKind::kQuery;
  std::string table;
  bool consistent = false;
  bool forward = true;
  bool count_only = false;
  uint32_t limit = 0;  // 0: none
  int64_t segment = 0;
  int64_t total_segments = 1;
  std::optional<expr::Condition> key_condition;  // Query
  tern::v1::Expression filter;
  std::optional<expr::Condition> filter_condition;  // to check against the key schema
  const char* filter_name = "Filter Expression";    // or "QueryFilter", for messages
  tern::v1::Expression projection;
  std::optional<Item> exclusive_start_key;
};

// An integer member within [low, high], as a constraint violation otherwise.
std::optional<int64_t> IntegerMember(const object& request,
                                     const char* member,
                                     const char* path,
                                     int64_t low,
                                     std::optional<int64_t> high,
                                     ValidationErrors* errors) {
  const boost::json::value* value = request.if_contains(member);
  if (value == nullptr || value->is_null()) return std::nullopt;
  int64_t number = 0;
  if (value->is_int64()) {
    number = value->as_int64();
  } else if (value->is_uint64()) {
    number = value->as_uint64() > static_cast<uint64_t>(INT64_MAX)
                 ? INT64_MAX
                 : static_cast<int64_t>(value->as_uint64());
  } else {
    errors->AddConstraint(
        "null", path, absl::StrCat("Member must have value greater than or equal to ", low));
    return std::nullopt;
  }
  if (number < low) {
    errors->AddConstraint(absl::StrCat(number),
                          path,
                          absl::StrCat("Member must have value greater than or equal to ", low));
    return std::nullopt;
  }
  if (high.has_value() && number > *high) {
    errors->AddConstraint(absl::StrCat(number),
                          path,
                          absl::StrCat("Member must have value less than or equal to ", *high));
    return std::nullopt;
  }
  return number;
}

// Select against the projection parameters, as DynamoDB checks them.
absl::Status CheckSelect(const object& request, bool* count_only) {
  const std::string select = StringMember(request, "Select");
  *count_only = select == "COUNT";
  const char* projection = Present(request, "ProjectionExpression") ? "ProjectionExpression"
                           : Present(request, "AttributesToGet")    ? "AttributesToGet"
                                                                    : nullptr;
  if (select == "ALL_PROJECTED_ATTRIBUTES" && !Present(request, "IndexName")) {
    return ValidationError(
        "One or more parameter values were invalid: Select type ALL_PROJECTED_ATTRIBUTES is not "
        "supported");
  }
  if (projection == nullptr) return absl::OkStatus();
  if (select == "ALL_ATTRIBUTES" || select == "ALL_PROJECTED_ATTRIBUTES") {
    return ValidationError(
        absl::StrCat("Cannot specify the ", projection, " when choosing to get ", select));
  }
  if (select == "COUNT") {
    return ValidationError(
        absl::StrCat("Cannot specify the ", projection, " when choosing to get only the Count"));
  }
  return absl::OkStatus();
}

// AttributesToGet as a projection of top-level names.
absl::StatusOr<std::vector<expr::Path>> AttributesToGet(const boost::json::value& list) {
  if (!list.is_array()) return base::Error(base::ErrorKind::kSerialization, "");
  std::vector<expr::Path> paths;
  std::set<std::string> seen;
  for (const boost::json::value& name : list.as_array()) {
    if (!name.is_string()) return base::Error(base::ErrorKind::kSerialization, "");
    std::string text(name.as_string());
    if (!seen.insert(text).second) {
      return ValidationError(absl::StrCat(
          "One or more parameter values were invalid: Duplicate value in attribute name: ", text));
    }
    paths.push_back(expr::Path{expr::PathElement::Name(std::move(text))});
  }
  return paths;
}

absl::StatusOr<ReadRequest> ReadRequestOf(const object& request, ReadKind kind) {
  ReadRequest read;
  read.kind = kind;
  ValidationErrors errors;
  items::CheckCommon(request, &errors);
  items::CheckEnum(request,
                   "Select",
                   "select",
                   {"ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES", "SPECIFIC_ATTRIBUTES", "COUNT"},
                   &errors);
  std::optional<int64_t> limit = IntegerMember(request, "Limit", "limit", 1, std::nullopt, &errors);
  items::CheckEnum(request, "ConditionalOperator", "conditionalOperator", {"AND", "OR"}, &errors);
  std::optional<int64_t> segment;
  std::optional<int64_t> total_segments;
  if (kind == ReadKind::kScan) {
    segment = IntegerMember(request, "Segment", "segment", 0, kMaxSegments - 1, &errors);
    total_segments =
        IntegerMember(request, "TotalSegments", "totalSegments", 1, kMaxSegments, &errors);
  }
  TERN_RETURN_IF_ERROR(errors.ToStatus());
  read.table = StringMember(request, "TableName");
  read.consistent = items::TrueMember(request, "ConsistentRead");
  if (const boost::json::value* forward = request.if_contains("ScanIndexForward");
      kind == ReadKind::kQuery && forward != nullptr && forward->is_bool()) {
    read.forward = forward->as_bool();
  }
  if (limit.has_value()) {
    read.limit = static_cast<uint32_t>(std::min<int64_t>(*limit, UINT32_MAX));
  }
  if (kind == ReadKind::kScan) {
    if (Present(request, "Segment") && !Present(request, "TotalSegments")) {
      return ValidationError(
          "The TotalSegments parameter is required but was not present in the request when "
          "Segment parameter is present");
    }
    if (Present(request, "TotalSegments") && !Present(request, "Segment")) {
      return ValidationError(
          "The Segment parameter is required but was not present in the request when parameter "
          "TotalSegments is present");
    }
    if (segment.has_value() && total_segments.has_value()) {
      if (*segment >= *total_segments) {
        return ValidationError(
            absl::StrCat("The Segment parameter is zero-based and must be less than parameter "
                         "TotalSegments: Segment: ",
                         *segment,
                         " is not less than TotalSegments: ",
                         *total_segments));
      }
      read.segment = *segment;
      read.total_segments = *total_segments;
    }
  }
  if (Present(request, "IndexName")) {
    return ValidationError(
        "Tern does not maintain secondary indexes yet: Query and Scan read the table only");
  }
  TERN_RETURN_IF_ERROR(CheckExpressionMixing(request));
  TERN_ASSIGN_OR_RETURN(Substitutions substitutions, Substitutions::FromRequest(request));
  bool expressions = false;
  expr::SubstitutionUse use;
  if (kind == ReadKind::kQuery) {
    if (Present(request, "KeyConditionExpression")) {
      expressions = true;
      TERN_ASSIGN_OR_RETURN(read.key_condition,
                            expr::ParseCondition(StringMember(request, "KeyConditionExpression"),
                                                 expr::ExpressionKind::kKeyCondition,
                                                 substitutions.ForParser(),
                                                 &use));
    } else if (Present(request, "KeyConditions")) {
      TERN_ASSIGN_OR_RETURN(read.key_condition, ConvertKeyConditions(request));
    } else {
      return ValidationError(
          "Either the KeyConditions or KeyConditionExpression parameter must be specified in the "
          "request.");
    }
  }
  if (Present(request, "FilterExpression")) {
    expressions = true;
    std::string text = StringMember(request, "FilterExpression");
    TERN_ASSIGN_OR_RETURN(
        read.filter_condition,
        expr::ParseCondition(text, expr::ExpressionKind::kFilter, substitutions.ForParser(), &use));
    read.filter = items::WireExpressionOf(std::move(text), substitutions);
  } else {
    TERN_ASSIGN_OR_RETURN(
        read.filter_condition,
        ConvertFilter(request, kind == ReadKind::kQuery ? "QueryFilter" : "ScanFilter"));
    if (read.filter_condition.has_value()) {
      read.filter = items::ToWire(expr::PrintCondition(*read.filter_condition));
      read.filter_name = "QueryFilter";
    }
  }
  if (Present(request, "ProjectionExpression")) {
    expressions = true;
    std::string text = StringMember(request, "ProjectionExpression");
    TERN_RETURN_IF_ERROR(expr::ParseProjection(text, substitutions.ForParser(), &use).status());
    read.projection = items::WireExpressionOf(std::move(text), substitutions);
  } else if (Present(request, "AttributesToGet")) {
    TERN_ASSIGN_OR_RETURN(std::vector<expr::Path> paths,
                          AttributesToGet(request.at("AttributesToGet")));
    read.projection = items::ToWire(expr::PrintProjection(paths));
  }
  substitutions.MarkUsed(use);
  if (expressions) {
    TERN_RETURN_IF_ERROR(substitutions.CheckAllUsed());
  } else {
    TERN_RETURN_IF_ERROR(items::RefuseSubstitutionsWithoutExpressions(substitutions));
  }
  TERN_RETURN_IF_ERROR(CheckSelect(request, &read.count_only));
  if (Present(request, "ExclusiveStartKey")) {
    TERN_ASSIGN_OR_RETURN(read.exclusive_start_key,
                          items::ParseMember(request, "ExclusiveStartKey"));
  }
  return read;
}

// The smallest key greater than every key starting with prefix; "" when
// there is none.
std::string PrefixEnd(std::string prefix) {
  while (!prefix.empty()) {
    unsigned char last = static_cast<unsigned char>(prefix.back());
    if (last != 0xff) {
      prefix.back() = static_cast<char>(last + 1);
      return prefix;
    }
    prefix.pop_back();
  }
  return prefix;
}

// The key right after key.
std::string After(std::string key) {
  key.push_back('\0');
  return key;
}

std::string BigEndian64(uint64_t value) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i) {
    out[static_cast<size_t>(i)] = static_cast<char>(value & 0xff);
    value >>= 8;
  }
  return out;
}

// The top-level attribute names condition refers to.
void PathHeads(const expr::Condition& condition, std::set<std::string>* heads) {
  for (const expr::Operand& operand : condition.operands) {
    if (operand.kind != expr::Operand::Kind::kValue && !operand.path.empty() &&
        !operand.path.front().is_index) {
      heads->insert(operand.path.front().name);
    }
  }
  for (const expr::Condition& child : condition.children) PathHeads(child, heads);
}

// DynamoDB's rule that a Query filters only on attributes outside the key
// (the key condition is the place for those).
absl::Status CheckFilterAvoidsKeys(const ReadRequest& read, const items::KeySchema& schema) {
  if (!read.filter_condition.has_value()) return absl::OkStatus();
  std::set<std::string> heads;
  PathHeads(*read.filter_condition, &heads);
  for (const std::optional<std::string>& key :
       {std::optional<std::string>(schema.hash_name), schema.range_name}) {
    if (key.has_value() && heads.count(*key) > 0) {
      return ValidationError(absl::StrCat(read.filter_name,
                                          " can only contain non-primary key attributes: "
                                          "Primary key attribute: ",
                                          *key));
    }
  }
  return absl::OkStatus();
}

struct KeySpan {
  std::string start;  // inclusive
  std::string end;    // exclusive
};

// The storage keys a Query's key condition selects.
KeySpan QuerySpan(uint64_t table_id, const KeyRange& range) {
  std::string partition = model::EncodeStorageKey(table_id, range.hash, nullptr);
  auto key = [&](const AttributeValue& sort) {
    return model::EncodeStorageKey(table_id, range.hash, &sort);
  };
  KeySpan span{partition, PrefixEnd(partition)};
  switch (range.op) {
    case KeyRange::Op::kNone:
      break;
    case KeyRange::Op::kEq:
      span = {key(range.low), After(key(range.low))};
      break;
    case KeyRange::Op::kLt:
      span.end = key(range.low);
      break;
    case KeyRange::Op::kLe:
      span.end = After(key(range.low));
      break;
    case KeyRange::Op::kGt:
      span.start = After(key(range.low));
      break;
    case KeyRange::Op::kGe:
      span.start = key(range.low);
      break;
    case KeyRange::Op::kBetween:
      span = {key(range.low), After(key(range.high))};
      break;
    case KeyRange::Op::kBeginsWith:
      span = {key(range.low), PrefixEnd(key(range.low))};
      break;
  }
  return span;
}

// The storage keys of one segment of a parallel Scan: the table's hash space
// cut into total equal parts (storage keys are table id | hash | ...).
KeySpan ScanSpan(uint64_t table_id, int64_t segment, int64_t total) {
  auto bound = [&](int64_t i) {
    absl::uint128 scaled = (absl::uint128(static_cast<uint64_t>(i)) << 64) /
                           absl::uint128(static_cast<uint64_t>(total));
    return model::TablePrefix(table_id) + BigEndian64(absl::Uint128Low64(scaled));
  };
  return KeySpan{bound(segment),
                 segment + 1 == total ? model::TableEnd(table_id) : bound(segment + 1)};
}

// One page of a Query or Scan being read, partition after partition: a span
// that crosses partitions is read in key order until the page is full
// (Limit or 1 MB) or the span ends.
struct Page {
  CatalogClient* catalog = nullptr;
  DataClient* data = nullptr;
  int refreshes = 0;  // partition-map refreshes after splits, bounded
  object request;
  ReadRequest read;
  items::Target target;
  std::string end;  // the span's end
  OperationDone done;
  std::vector<std::string> items;
  uint32_t count = 0;
  uint32_t scanned = 0;
  uint64_t scanned_bytes = 0;
  std::string last_evaluated_item;  // set when the page filled up
};

void FinishPage(std::shared_ptr<Page> page) {
  object response;
  if (!page->read.count_only) {
    boost::json::array list;
    for (const std::string& encoded : page->items) {
      absl::StatusOr<Item> item = items::Decode(encoded);
      if (!item.ok()) return std::move(page->done)(item.status());
      list.push_back(model::ToJson(*item));
    }
    response["Items"] = std::move(list);
  }
  response["Count"] = page->count;
  response["ScannedCount"] = page->scanned;
  if (!page->last_evaluated_item.empty()) {
    absl::StatusOr<Item> last = items::Decode(page->last_evaluated_item);
    if (!last.ok()) return std::move(page->done)(last.status());
    response["LastEvaluatedKey"] = model::ToJson(items::KeyOf(page->target.schema, *last));
  }
  items::AddConsumedCapacity(
      page->request,
      page->read.table,
      ReadCapacityUnits(static_cast<int64_t>(page->scanned_bytes), page->read.consistent),
      &response);
  std::move(page->done)(std::move(response));
}

void Replan(std::shared_ptr<Page> page, std::string start);

// How often one page may find its partition split under it.
constexpr int kMaxRefreshes = 5;

// Reads from start to the end of its partition (or of the span), then goes on
// in the next partition while the page has room.
void ReadPartition(std::shared_ptr<Page> page, std::string start) {
  const ReadRequest& read = page->read;
  const tern::v1::PartitionDescriptor& partition = items::PartitionFor(page->target, start);
  std::string end = page->end;
  const std::string partition_end = items::KeyRangeOf(partition).second;
  if (read.forward) end = std::min(end, partition_end);
  tern::v1::RangeReadRequest range_read;
  *range_read.mutable_partition() = items::RefOf(partition);
  range_read.set_start_key(start);
  range_read.set_end_key(std::max(start, end));  // start >= end: nothing to read
  range_read.set_forward(read.forward);
  if (read.limit > 0) range_read.set_limit(read.limit - page->scanned);
  range_read.set_max_bytes(kPageBytes - page->scanned_bytes);
  range_read.set_consistent_read(read.consistent);
  *range_read.mutable_filter() = read.filter;
  *range_read.mutable_projection() = read.projection;
  range_read.set_count_only(read.count_only);
  page->data->RangeRead(
      partition,
      std::move(range_read),
      [page, start, end](absl::StatusOr<tern::v1::RangeReadResponse> got) mutable {
        if (!got.ok() && base::IsWrongPartition(got.status()) &&
            page->refreshes++ < kMaxRefreshes) {
          return Replan(std::move(page), std::move(start));
        }
        if (!got.ok()) return std::move(page->done)(got.status());
        for (std::string& item : *got->mutable_items()) page->items.push_back(std::move(item));
        page->count += got->count();
        page->scanned += got->scanned_count();
        page->scanned_bytes += got->scanned_bytes();
        if (!got->last_evaluated_item().empty()) {
          page->last_evaluated_item = got->last_evaluated_item();
          return FinishPage(std::move(page));
        }
        if (page->read.forward && end < page->end) return ReadPartition(std::move(page), end);
        FinishPage(std::move(page));
      });
}

// The partition split under the page: read the table's map afresh and go on
// from start in whichever partition owns it now.
void Replan(std::shared_ptr<Page> page, std::string start) {
  const std::string table = page->read.table;
  page->catalog->GetTable(
      table,
      [page, start = std::move(start)](absl::StatusOr<tern::v1::CatalogEntry> entry) mutable {
        absl::StatusOr<items::Target> target = items::TargetOf(std::move(entry));
        if (!target.ok()) return std::move(page->done)(target.status());
        page->target = *std::move(target);
        ReadPartition(std::move(page), std::move(start));
      });
}

void Read(CatalogClient* catalog,
          DataClient* data,
          const object& request,
          ReadKind kind,
          OperationDone done) {
  absl::StatusOr<ReadRequest> read = ReadRequestOf(request, kind);
  if (!read.ok()) return std::move(done)(read.status());
  const std::string table = read->table;
  catalog->GetTableCached(
      table,
      [catalog, data, request, read = *std::move(read), done = std::move(done)](
          absl::StatusOr<SharedEntry> entry) mutable {
        absl::StatusOr<items::Target> target = items::TargetOf(std::move(entry));
        if (!target.ok()) return std::move(done)(target.status());
        const items::KeySchema& schema = target->schema;
        const uint64_t table_id = target->entry->table().table_id();
        KeySpan span;
        std::optional<AttributeValue> query_hash;
        if (read.kind == ReadKind::kQuery) {
          KeySchemaView view{
              schema.hash_name, schema.hash_type, schema.range_name, schema.range_type};
          absl::StatusOr<KeyRange> range = CheckKeyCondition(*read.key_condition, view);
          if (!range.ok()) return std::move(done)(range.status());
          if (absl::Status filter = CheckFilterAvoidsKeys(read, schema); !filter.ok()) {
            return std::move(done)(filter);
          }
          if (absl::Status valid = items::CheckKeyValue(schema.hash_name, range->hash, true);
              !valid.ok()) {
            return std::move(done)(valid);
          }
          span = QuerySpan(table_id, *range);
          query_hash = range->hash;
        } else {
          span = ScanSpan(table_id, read.segment, read.total_segments);
        }
        if (read.exclusive_start_key.has_value()) {
          const Item& start = *read.exclusive_start_key;
          if (!items::CheckKeyParameter(schema, start).ok()) {
            return std::move(done)(ValidationError(
                "The provided starting key is invalid: The provided key element does not match "
                "the schema"));
          }
          if (query_hash.has_value() && !(start.at(schema.hash_name) == *query_hash)) {
            return std::move(done)(ValidationError(
                "The provided starting key is outside query boundaries based on provided "
                "conditions"));
          }
          std::string key = items::StorageKey(table_id, schema, start);
          if (read.forward) {
            span.start = std::max(span.start, After(key));
          } else {
            span.end = std::min(span.end, key);
          }
        }
        auto page = std::make_shared<Page>();
        page->catalog = catalog;
        page->data = data;
        page->request = request;
        page->read = std::move(read);
        page->target = *std::move(target);
        page->end = span.end;
        page->done = std::move(done);
        ReadPartition(std::move(page), span.start);
      });
}

}  // namespace

void RegisterQueryOperations(Api* api, CatalogClient* catalog, DataClient* data) {
  api->Register("Query",
                [catalog, data](const RequestContext&, const object& request, OperationDone done) {
                  Read(catalog, data, request, ReadKind::kQuery, std::move(done));
                });
  api->Register("Scan",
                [catalog, data](const RequestContext&, const object& request, OperationDone done) {
                  Read(catalog, data, request, ReadKind::kScan, std::move(done));
                });
}

}  // namespace tern::router
