#include "storage-node/partition/partition_store.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/base/error_details.h"
#include "common/base/status_macros.h"
#include "common/expr/evaluator.h"
#include "common/expr/parser.h"
#include "common/model/attribute_value.h"
#include "common/model/key_codec.h"
#include "common/model/update.h"

namespace tern::partition {
namespace {

constexpr char kPartitionPrefix[] = "partition/";
constexpr int64_t kMaxItemBytes = 400 * 1024;

std::string PartitionKey(uint64_t id) { return absl::StrCat(kPartitionPrefix, id); }

// The storage keys [first, second) the partition owns.
std::pair<std::string, std::string> KeyRange(const tern::v1::PartitionDescriptor& partition) {
  return {
      partition.start_key().empty() ? model::TablePrefix(partition.table_id())
                                    : partition.start_key(),
      partition.end_key().empty() ? model::TableEnd(partition.table_id()) : partition.end_key()};
}

model::UpdateAction ToAction(tern::v1::AttributeAction::Action action) {
  switch (action) {
    case tern::v1::AttributeAction::ACTION_DELETE:
      return model::UpdateAction::kDelete;
    case tern::v1::AttributeAction::ACTION_ADD:
      return model::UpdateAction::kAdd;
    default:
      return model::UpdateAction::kPut;
  }
}

// Applies AttributeUpdates-style actions carried in request.
absl::Status ApplyActions(const tern::v1::WriteItemRequest& request, model::Item* item) {
  TERN_ASSIGN_OR_RETURN(model::Item values, model::DecodeItem(request.action_values()));
  std::vector<model::AttributeUpdate> updates;
  for (const tern::v1::AttributeAction& action : request.actions()) {
    model::AttributeUpdate update{action.name(), ToAction(action.action()), std::nullopt};
    if (action.has_value()) {
      auto value = values.find(action.name());
      if (value == values.end()) {
        return absl::InvalidArgumentError("update value missing for " + action.name());
      }
      update.value = value->second;
    }
    updates.push_back(std::move(update));
  }
  return model::ApplyUpdates(updates, item);
}

// Parses and applies the request's UpdateExpression; the router validated it
// already, so a parse error here means a mismatched router and node.
absl::Status ApplyUpdateExpression(const tern::v1::WriteItemRequest& request, model::Item* item) {
  std::map<std::string, std::string> names(request.expression_names().begin(),
                                           request.expression_names().end());
  TERN_ASSIGN_OR_RETURN(model::Item values, model::DecodeItem(request.expression_values()));
  expr::SubstitutionUse use;
  TERN_ASSIGN_OR_RETURN(expr::UpdateExpression update,
                        expr::ParseUpdate(request.update_expression(),
                                          expr::Substitutions{names.empty() ? nullptr : &names,
                                                              values.empty() ? nullptr : &values},
                                          &use));
  return expr::ApplyUpdate(update, item);
}

// The substitutions of an expression sent by the router.
struct WireSubstitutions {
  std::map<std::string, std::string> names;
  model::Item values;

  expr::Substitutions ForParser() const {
    return expr::Substitutions{names.empty() ? nullptr : &names,
                               values.empty() ? nullptr : &values};
  }
};

absl::StatusOr<WireSubstitutions> SubstitutionsOf(const tern::v1::Expression& expression) {
  WireSubstitutions out;
  out.names.insert(expression.names().begin(), expression.names().end());
  if (!expression.values().empty()) {
    TERN_ASSIGN_OR_RETURN(out.values, model::DecodeItem(expression.values()));
  }
  return out;
}

// The condition or filter carried by expression; the router validated it
// already, so an error here means a mismatched router and node.
absl::StatusOr<std::optional<expr::Condition>> ParseWireCondition(
    const tern::v1::Expression& expression, expr::ExpressionKind kind) {
  if (expression.text().empty()) return std::nullopt;
  TERN_ASSIGN_OR_RETURN(WireSubstitutions substitutions, SubstitutionsOf(expression));
  TERN_ASSIGN_OR_RETURN(
      expr::Condition condition,
      expr::ParseCondition(expression.text(), kind, substitutions.ForParser(), nullptr));
  return condition;
}

absl::StatusOr<std::optional<std::vector<expr::Path>>> ParseWireProjection(
    const tern::v1::Expression& expression) {
  if (expression.text().empty()) return std::nullopt;
  TERN_ASSIGN_OR_RETURN(WireSubstitutions substitutions, SubstitutionsOf(expression));
  TERN_ASSIGN_OR_RETURN(
      std::vector<expr::Path> paths,
      expr::ParseProjection(expression.text(), substitutions.ForParser(), nullptr));
  return paths;
}

}  // namespace

PartitionStore::PartitionStore(engine::StorageEngine* engine) : engine_(engine) {}

absl::Status PartitionStore::Load() {
  TERN_ASSIGN_OR_RETURN(auto rows, engine_->Scan(engine::ColumnFamily::kMeta, kPartitionPrefix));
  base::MutexLock lock(&mu_);
  for (const auto& [key, value] : rows) {
    tern::v1::PartitionDescriptor partition;
    if (!partition.ParseFromString(value)) {
      return absl::DataLossError(absl::StrCat("partition record ", key, " is unreadable"));
    }
    partitions_[partition.partition_id()] = partition;
  }
  return absl::OkStatus();
}

absl::Status PartitionStore::Open(const tern::v1::PartitionDescriptor& partition) {
  {
    // A split is final: a later descriptor (the catalog's, sent before it
    // recorded the split) must not bring the parent back.
    base::MutexLock lock(&mu_);
    auto recorded = partitions_.find(partition.partition_id());
    if (recorded != partitions_.end() && recorded->second.retired()) return absl::OkStatus();
  }
  TERN_RETURN_IF_ERROR(engine_->Put(engine::ColumnFamily::kMeta,
                                    PartitionKey(partition.partition_id()),
                                    partition.SerializeAsString(),
                                    /*sync=*/true));
  base::MutexLock lock(&mu_);
  partitions_[partition.partition_id()] = partition;
  return absl::OkStatus();
}

absl::Status PartitionStore::Drop(const tern::v1::PartitionDescriptor& partition) {
  base::MutexLock write_lock(&write_mu_);
  // Items in the range that another partition hosted here owns (a split's
  // children share their parent's items) stay; a retired partition owns
  // none.
  std::vector<std::pair<std::string, std::string>> owned;
  {
    base::MutexLock lock(&mu_);
    auto recorded = partitions_.find(partition.partition_id());
    const bool retired = recorded != partitions_.end() && recorded->second.retired();
    if (!retired) owned.push_back(KeyRange(partition));
    for (const auto& [id, other] : partitions_) {
      if (id == partition.partition_id() || other.retired() ||
          other.table_id() != partition.table_id()) {
        continue;
      }
      const auto [other_begin, other_end] = KeyRange(other);
      std::vector<std::pair<std::string, std::string>> rest;
      for (const auto& [begin, end] : owned) {
        if (other_end <= begin || other_begin >= end) {
          rest.emplace_back(begin, end);
          continue;
        }
        if (begin < other_begin) rest.emplace_back(begin, other_begin);
        if (other_end < end) rest.emplace_back(other_end, end);
      }
      owned = std::move(rest);
    }
  }
  for (const auto& [begin, end] : owned) {
    TERN_RETURN_IF_ERROR(
        engine_->DeleteRange(engine::ColumnFamily::kData, begin, end, /*sync=*/true));
  }
  TERN_RETURN_IF_ERROR(engine_->Delete(
      engine::ColumnFamily::kMeta, PartitionKey(partition.partition_id()), /*sync=*/true));
  base::MutexLock lock(&mu_);
  partitions_.erase(partition.partition_id());
  return absl::OkStatus();
}

absl::StatusOr<std::vector<tern::v1::PartitionDescriptor>> PartitionStore::DecideSplit(
    uint64_t partition_id, const tern::v1::SplitPlan& plan, engine::WriteBatch* batch) {
  base::MutexLock lock(&mu_);
  auto it = partitions_.find(partition_id);
  if (it == partitions_.end()) {
    return absl::NotFoundError(absl::StrCat("partition ", partition_id, " is not hosted here"));
  }
  tern::v1::PartitionDescriptor& parent = it->second;
  if (parent.retired()) {
    // Applied already (the same plan proposed twice): nothing more to do.
    return std::vector<tern::v1::PartitionDescriptor>{};
  }
  const auto [begin, end] = KeyRange(parent);
  const tern::v1::PartitionDescriptor& left = plan.left();
  const tern::v1::PartitionDescriptor& right = plan.right();
  if (plan.split_key().size() != model::TablePrefix(parent.table_id()).size() + 8 ||
      plan.split_key() <= begin || plan.split_key() >= end || left.partition_id() == 0 ||
      right.partition_id() == 0 || left.partition_id() == right.partition_id() ||
      left.start_key() != parent.start_key() || left.end_key() != plan.split_key() ||
      right.start_key() != plan.split_key() || right.end_key() != parent.end_key() ||
      left.table_id() != parent.table_id() || right.table_id() != parent.table_id()) {
    return absl::InvalidArgumentError("the split plan does not fit the partition");
  }
  parent.set_retired(true);
  parent.set_split_key(plan.split_key());
  parent.add_child_ids(left.partition_id());
  parent.add_child_ids(right.partition_id());
  batch->Put(engine::ColumnFamily::kMeta, PartitionKey(partition_id), parent.SerializeAsString());
  std::vector<tern::v1::PartitionDescriptor> created;
  for (const tern::v1::PartitionDescriptor* child : {&left, &right}) {
    // A child this node hosts already (created while the split was on its
    // way here) keeps its state.
    if (partitions_.count(child->partition_id()) > 0) continue;
    tern::v1::PartitionDescriptor recorded = *child;
    recorded.set_parent_id(partition_id);
    batch->Put(engine::ColumnFamily::kMeta,
               PartitionKey(recorded.partition_id()),
               recorded.SerializeAsString());
    partitions_[recorded.partition_id()] = recorded;
    created.push_back(std::move(recorded));
  }
  return created;
}

std::optional<tern::v1::PartitionDescriptor> PartitionStore::Descriptor(
    uint64_t partition_id) const {
  base::MutexLock lock(&mu_);
  auto it = partitions_.find(partition_id);
  if (it == partitions_.end()) return std::nullopt;
  return it->second;
}

std::vector<tern::v1::PartitionDescriptor> PartitionStore::RecordChildren(
    const std::vector<tern::v1::PartitionDescriptor>& children, engine::WriteBatch* batch) {
  base::MutexLock lock(&mu_);
  std::vector<tern::v1::PartitionDescriptor> recorded;
  for (const tern::v1::PartitionDescriptor& child : children) {
    if (partitions_.count(child.partition_id()) > 0) continue;
    batch->Put(
        engine::ColumnFamily::kMeta, PartitionKey(child.partition_id()), child.SerializeAsString());
    partitions_[child.partition_id()] = child;
    recorded.push_back(child);
  }
  return recorded;
}

absl::Status PartitionStore::RecordRetired(const tern::v1::PartitionDescriptor& retired,
                                           engine::WriteBatch* batch) {
  base::MutexLock lock(&mu_);
  batch->Put(engine::ColumnFamily::kMeta,
             PartitionKey(retired.partition_id()),
             retired.SerializeAsString());
  partitions_[retired.partition_id()] = retired;
  return absl::OkStatus();
}

absl::StatusOr<std::string> PartitionStore::FindSplitKey(uint64_t partition_id) {
  tern::v1::PartitionDescriptor partition;
  {
    base::MutexLock lock(&mu_);
    auto it = partitions_.find(partition_id);
    if (it == partitions_.end() || it->second.retired()) {
      return absl::NotFoundError(absl::StrCat("partition ", partition_id, " is not hosted here"));
    }
    partition = it->second;
  }
  const auto [begin, end] = KeyRange(partition);
  // Storage keys start with the table prefix and the 8-byte hash of the
  // partition key: a split between two hashes keeps every item collection
  // whole.
  const size_t boundary_size = model::TablePrefix(partition.table_id()).size() + 8;
  uint64_t total = 0;
  TERN_RETURN_IF_ERROR(engine_->ForEachInRange(
      engine::ColumnFamily::kData, begin, end, false, [&](absl::string_view, absl::string_view v) {
        total += v.size();
        return true;
      }));
  uint64_t seen = 0;
  std::string middle;
  std::string split;
  TERN_RETURN_IF_ERROR(engine_->ForEachInRange(
      engine::ColumnFamily::kData,
      begin,
      end,
      false,
      [&](absl::string_view key, absl::string_view v) {
        const std::string hash(key.substr(0, std::min(key.size(), boundary_size)));
        if (middle.empty()) {
          seen += v.size();
          if (seen * 2 >= total) middle = hash;
          return true;
        }
        if (hash != middle) {
          split = hash;  // the first partition key after the middle one
          return false;
        }
        return true;
      }));
  if (split.empty() || split <= begin) {
    return absl::FailedPreconditionError(
        "the partition cannot be split: one partition key holds most of its data");
  }
  return split;
}

std::vector<tern::v1::PartitionDescriptor> PartitionStore::Descriptors() const {
  base::MutexLock lock(&mu_);
  std::vector<tern::v1::PartitionDescriptor> out;
  for (const auto& [id, partition] : partitions_) out.push_back(partition);
  return out;
}

size_t PartitionStore::partition_count() const {
  base::MutexLock lock(&mu_);
  return partitions_.size();
}

absl::StatusOr<tern::v1::PartitionResponse> PartitionStore::Stats(uint64_t partition_id) {
  tern::v1::PartitionDescriptor partition;
  {
    base::MutexLock lock(&mu_);
    auto it = partitions_.find(partition_id);
    if (it == partitions_.end()) {
      return absl::NotFoundError(absl::StrCat("partition ", partition_id, " is not hosted here"));
    }
    partition = it->second;
  }
  tern::v1::PartitionResponse stats;
  if (partition.retired()) {
    stats.set_retired(true);  // its items are its children's
    return stats;
  }
  absl::Status decode_error;
  const auto [begin, end] = KeyRange(partition);
  TERN_RETURN_IF_ERROR(engine_->ForEachInRange(
      engine::ColumnFamily::kData,
      begin,
      end,
      /*reverse=*/false,
      [&](absl::string_view, absl::string_view value) {
        absl::StatusOr<model::Item> item = model::DecodeItem(value);
        if (!item.ok()) {
          decode_error = item.status();
          return false;
        }
        stats.set_item_count(stats.item_count() + 1);
        stats.set_size_bytes(stats.size_bytes() + static_cast<uint64_t>(model::ItemSize(*item)));
        return true;
      }));
  TERN_RETURN_IF_ERROR(decode_error);
  return stats;
}

absl::StatusOr<tern::v1::PartitionDescriptor> PartitionStore::Check(
    const tern::v1::PartitionRef& ref, const std::string& key) const {
  base::MutexLock lock(&mu_);
  auto it = partitions_.find(ref.partition_id());
  if (it == partitions_.end()) {
    return absl::NotFoundError(
        absl::StrCat("partition ", ref.partition_id(), " is not hosted here"));
  }
  if (it->second.retired()) {
    return base::WrongPartition(absl::StrCat("partition ",
                                             ref.partition_id(),
                                             " was split into ",
                                             absl::StrJoin(it->second.child_ids(), " and "),
                                             "; refresh the partition map"));
  }
  const auto [begin, end] = KeyRange(it->second);
  if (key < begin || key >= end) {
    return absl::InvalidArgumentError("storage key outside the partition");
  }
  return it->second;
}

absl::StatusOr<tern::v1::GetItemResponse> PartitionStore::GetItem(
    const tern::v1::GetItemRequest& request) {
  TERN_RETURN_IF_ERROR(Check(request.partition(), request.storage_key()).status());
  TERN_ASSIGN_OR_RETURN(std::optional<std::string> value,
                        engine_->Get(engine::ColumnFamily::kData, request.storage_key()));
  tern::v1::GetItemResponse response;
  if (value.has_value()) {
    response.set_found(true);
    response.set_item(*std::move(value));
  }
  return response;
}

absl::StatusOr<tern::v1::WriteItemResponse> PartitionStore::WriteItem(
    const tern::v1::WriteItemRequest& request) {
  base::MutexLock write_lock(&write_mu_);
  engine::WriteBatch batch;
  TERN_ASSIGN_OR_RETURN(tern::v1::WriteItemResponse response,
                        DecideWrite(request, /*answered=*/true, &batch));
  if (!batch.empty()) TERN_RETURN_IF_ERROR(engine_->Write(batch, /*sync=*/true));
  return response;
}

absl::StatusOr<tern::v1::WriteItemResponse> PartitionStore::DecideWrite(
    const tern::v1::WriteItemRequest& request, bool answered, engine::WriteBatch* batch) {
  TERN_RETURN_IF_ERROR(Check(request.partition(), request.storage_key()).status());
  TERN_ASSIGN_OR_RETURN(std::optional<expr::Condition> condition,
                        ParseWireCondition(request.condition(), expr::ExpressionKind::kCondition));
  // The item as the writes already in batch (earlier entries applied
  // together with this one) left it, else as stored; unread when nothing
  // needs it (a follower's unconditional put).
  const bool needs_old =
      answered || condition.has_value() || request.kind() != tern::v1::WriteItemRequest::KIND_PUT;
  std::optional<std::string> old;
  if (needs_old && !batch->Find(engine::ColumnFamily::kData, request.storage_key(), &old)) {
    absl::StatusOr<std::optional<std::string>> stored =
        engine_->Get(engine::ColumnFamily::kData, request.storage_key());
    if (!stored.ok()) return base::StorageError(stored.status());
    old = *std::move(stored);
  }
  tern::v1::WriteItemResponse response;
  if (condition.has_value()) {
    model::Item current;
    if (old.has_value()) {
      TERN_ASSIGN_OR_RETURN(current, model::DecodeItem(*old));
    }
    TERN_ASSIGN_OR_RETURN(bool holds, expr::EvaluateCondition(*condition, current));
    if (!holds) {
      response.set_condition_failed(true);
      if (old.has_value() && request.return_old_on_condition_failure()) {
        response.set_had_old(true);
        response.set_old_item(*old);
      }
      return response;
    }
  }
  if (old.has_value()) {
    response.set_had_old(true);
    response.set_old_item(*old);
  }
  switch (request.kind()) {
    case tern::v1::WriteItemRequest::KIND_PUT:
      // Checked as DecodeItem would, without building the item; the new item
      // is the request's own, which the router has (no has_new / new_item).
      TERN_RETURN_IF_ERROR(model::EncodedItemSize(request.item()).status());
      batch->Put(engine::ColumnFamily::kData, request.storage_key(), request.item());
      return response;
    case tern::v1::WriteItemRequest::KIND_DELETE:
      if (old.has_value()) batch->Delete(engine::ColumnFamily::kData, request.storage_key());
      return response;
    case tern::v1::WriteItemRequest::KIND_UPDATE: {
      model::Item item;
      if (old.has_value()) {
        TERN_ASSIGN_OR_RETURN(item, model::DecodeItem(*old));
      } else {
        TERN_ASSIGN_OR_RETURN(item, model::DecodeItem(request.item()));
      }
      if (!request.update_expression().empty()) {
        // (an UpdateExpression that fails to apply, e.g. arithmetic on a
        // missing attribute, is a ValidationException and writes nothing)
        TERN_RETURN_IF_ERROR(ApplyUpdateExpression(request, &item));
      } else {
        TERN_RETURN_IF_ERROR(ApplyActions(request, &item));
      }
      if (model::ItemSize(item) > kMaxItemBytes) {
        return model::ValidationError("Item size to update has exceeded the maximum allowed size");
      }
      std::string encoded = model::EncodeItem(item);
      batch->Put(engine::ColumnFamily::kData, request.storage_key(), encoded);
      response.set_has_new(true);
      response.set_new_item(std::move(encoded));
      return response;
    }
    default:
      return absl::InvalidArgumentError("unknown write kind");
  }
}

namespace {

void AppendLength(size_t length, std::string* out) {
  for (int shift = 24; shift >= 0; shift -= 8) {
    out->push_back(static_cast<char>((length >> shift) & 0xff));
  }
}

// Reads a length-prefixed string at *at; false when data is too short.
bool ReadPiece(const std::string& data, size_t* at, absl::string_view* piece) {
  if (data.size() - *at < 4) return false;
  size_t length = 0;
  for (int i = 0; i < 4; ++i) length = (length << 8) | static_cast<unsigned char>(data[*at + i]);
  *at += 4;
  if (data.size() - *at < length) return false;
  *piece = absl::string_view(data).substr(*at, length);
  *at += length;
  return true;
}

}  // namespace

absl::StatusOr<std::string> PartitionStore::ExportPartition(
    const tern::v1::PartitionDescriptor& partition) {
  std::string out;
  const auto [begin, end] = KeyRange(partition);
  TERN_RETURN_IF_ERROR(
      engine_->ForEachInRange(engine::ColumnFamily::kData,
                              begin,
                              end,
                              /*reverse=*/false,
                              [&out](absl::string_view key, absl::string_view value) {
                                AppendLength(key.size(), &out);
                                out.append(key.data(), key.size());
                                AppendLength(value.size(), &out);
                                out.append(value.data(), value.size());
                                return true;
                              }));
  return out;
}

absl::Status PartitionStore::ImportPartition(const tern::v1::PartitionDescriptor& partition,
                                             const std::string& data,
                                             engine::WriteBatch* batch) {
  const auto [begin, end] = KeyRange(partition);
  batch->DeleteRange(engine::ColumnFamily::kData, begin, end);
  size_t at = 0;
  while (at < data.size()) {
    absl::string_view key;
    absl::string_view value;
    if (!ReadPiece(data, &at, &key) || !ReadPiece(data, &at, &value) || key < begin || key >= end) {
      return absl::DataLossError("malformed partition snapshot");
    }
    batch->Put(engine::ColumnFamily::kData, key, value);
  }
  return absl::OkStatus();
}

absl::StatusOr<tern::v1::RangeReadResponse> PartitionStore::RangeRead(
    const tern::v1::RangeReadRequest& request) {
  TERN_ASSIGN_OR_RETURN(tern::v1::PartitionDescriptor partition,
                        Check(request.partition(), request.start_key()));
  // Never read past the partition, whatever the request says.
  const std::string partition_end = KeyRange(partition).second;
  std::string end = request.end_key().empty() || request.end_key() > partition_end
                        ? partition_end
                        : request.end_key();
  TERN_ASSIGN_OR_RETURN(std::optional<expr::Condition> filter,
                        ParseWireCondition(request.filter(), expr::ExpressionKind::kFilter));
  TERN_ASSIGN_OR_RETURN(std::optional<std::vector<expr::Path>> projection,
                        ParseWireProjection(request.projection()));
  tern::v1::RangeReadResponse response;
  absl::Status failure;
  uint64_t scanned_bytes = 0;
  TERN_RETURN_IF_ERROR(engine_->ForEachInRange(
      engine::ColumnFamily::kData,
      request.start_key(),
      end,
      !request.forward(),
      [&](absl::string_view key, absl::string_view value) {
        absl::StatusOr<model::Item> item = model::DecodeItem(value);
        if (!item.ok()) {
          failure = item.status();
          return false;
        }
        response.set_scanned_count(response.scanned_count() + 1);
        scanned_bytes += static_cast<uint64_t>(model::ItemSize(*item));
        bool keep = true;
        if (filter.has_value()) {
          absl::StatusOr<bool> holds = expr::EvaluateCondition(*filter, *item);
          if (!holds.ok()) {
            failure = holds.status();
            return false;
          }
          keep = *holds;
        }
        if (keep) {
          response.set_count(response.count() + 1);
          if (!request.count_only()) {
            response.add_items(projection.has_value()
                                   ? model::EncodeItem(expr::Project(*item, *projection))
                                   : std::string(value));
          }
        }
        bool full = (request.limit() > 0 && response.scanned_count() >= request.limit()) ||
                    (request.max_bytes() > 0 && scanned_bytes >= request.max_bytes());
        if (full) {
          response.set_last_evaluated_key(std::string(key));
          response.set_last_evaluated_item(std::string(value));
        }
        return !full;
      }));
  TERN_RETURN_IF_ERROR(failure);
  response.set_scanned_bytes(scanned_bytes);
  return response;
}

}  // namespace tern::partition
