// PartitionStore: the partition replicas a node hosts and the items in them.
// Partitions are recorded in the meta column family ("partition/<id>") and
// items live in the data column family under their storage keys
// (common/model/key_codec.h). A write is a read-modify-write decided here, so
// conditions and updates see the item as it is when the write applies.
//
// A replication group serializes each partition's writes (DecideWrite runs
// during apply); WriteItem is the unreplicated path used by tests. Splits
// retire a partition in favour of two children over the same items.
// Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "common/base/mutex.h"
#include "storage-node/engine/storage_engine.h"
#include "tern/v1/control.pb.h"
#include "tern/v1/data.pb.h"

namespace tern::partition {

class PartitionStore {
 public:
  // engine must outlive the store.
  explicit PartitionStore(engine::StorageEngine* engine);

  // Reads the partitions recorded on disk.
  absl::Status Load();

  // Records the partition (idempotent); a partition recorded as retired by
  // a split stays retired.
  absl::Status Open(const tern::v1::PartitionDescriptor& partition);
  // Deletes the partition's record and its items, except items in the range
  // of another partition hosted here (a split's children share their
  // parent's items; a retired partition owns none). Idempotent.
  absl::Status Drop(const tern::v1::PartitionDescriptor& partition);

  // The decision part of a split, applied in the partition's replicated log:
  // records the partition as retired (its requests are refused with
  // base::WrongPartition from now on) and the plan's children (same items,
  // no data copied), adding the records to batch. Returns the children this
  // node did not host yet (already-hosted ones keep their state); none when
  // the partition was split already. INVALID_ARGUMENT when the plan does not
  // fit the partition. Deterministic.
  absl::StatusOr<std::vector<tern::v1::PartitionDescriptor>> DecideSplit(
      uint64_t partition_id, const tern::v1::SplitPlan& plan, engine::WriteBatch* batch);

  // The partition's record, or nullopt when not hosted here.
  std::optional<tern::v1::PartitionDescriptor> Descriptor(uint64_t partition_id) const;

  // Records retired (from a snapshot of its group: the split happened while
  // this replica was away) in place of the partition's record, adding it to
  // batch; items are left alone (they are the children's).
  // Records the children of a split this replica did not apply (it caught
  // up through a snapshot of the retired parent), in batch; those it hosts
  // already keep their record. Returns the ones recorded.
  std::vector<tern::v1::PartitionDescriptor> RecordChildren(
      const std::vector<tern::v1::PartitionDescriptor>& children, engine::WriteBatch* batch);
  absl::Status RecordRetired(const tern::v1::PartitionDescriptor& retired,
                             engine::WriteBatch* batch);

  // Where the partition's items divide in half by size, at a partition-key
  // boundary. FAILED_PRECONDITION when no such boundary exists (one
  // partition key holds most of the data, or the partition is empty).
  absl::StatusOr<std::string> FindSplitKey(uint64_t partition_id);
  // Item count and DynamoDB size of the partition's items. NOT_FOUND.
  absl::StatusOr<tern::v1::PartitionResponse> Stats(uint64_t partition_id);

  // NOT_FOUND when the partition is not hosted here; INVALID_ARGUMENT when the
  // key lies outside it.
  absl::StatusOr<tern::v1::GetItemResponse> GetItem(const tern::v1::GetItemRequest& request);
  // PUT, DELETE or UPDATE (AttributeActions or UpdateExpression), returning
  // the old and new item; with a condition that is false, writes nothing and
  // sets condition_failed.
  // Errors as GetItem, plus DynamoDB validation errors from applying updates.
  absl::StatusOr<tern::v1::WriteItemResponse> WriteItem(const tern::v1::WriteItemRequest& request);

  // The decision part of WriteItem, for a caller that serializes writes to
  // the partition itself (a replication group applying its log): evaluates
  // the condition and update against the item as stored (as the changes
  // already in batch leave it, when they touch it), and adds the resulting
  // change to batch instead of writing it; a refused write adds nothing. A
  // failed read of the engine is a base::StorageError. Deterministic: the same
  // request on the same stored item gives the same response and change on
  // every replica. answered: whether the caller reads the response; a put
  // without a condition does not depend on the stored item, so unanswered
  // it is decided without reading it (the response then has no old item).
  absl::StatusOr<tern::v1::WriteItemResponse> DecideWrite(const tern::v1::WriteItemRequest& request,
                                                          bool answered,
                                                          engine::WriteBatch* batch);

  // The partition's items as one string (a replication snapshot): a
  // sequence of (key length, key, value length, value), lengths as 4-byte
  // big-endian integers.
  absl::StatusOr<std::string> ExportPartition(const tern::v1::PartitionDescriptor& partition);
  // Adds to batch the replacement of the partition's items by data (from
  // ExportPartition). DATA_LOSS when data is malformed.
  absl::Status ImportPartition(const tern::v1::PartitionDescriptor& partition,
                               const std::string& data,
                               engine::WriteBatch* batch);

  // A page of a Query or Scan (see RangeReadRequest). Errors as GetItem.
  absl::StatusOr<tern::v1::RangeReadResponse> RangeRead(const tern::v1::RangeReadRequest& request);

  size_t partition_count() const;
  // The partitions recorded here.
  std::vector<tern::v1::PartitionDescriptor> Descriptors() const;

 private:
  // The partition's descriptor after checking that key belongs to it.
  absl::StatusOr<tern::v1::PartitionDescriptor> Check(const tern::v1::PartitionRef& ref,
                                                      const std::string& key) const;

  engine::StorageEngine* const engine_;
  mutable base::Mutex mu_;
  std::map<uint64_t, tern::v1::PartitionDescriptor> partitions_ ABSL_GUARDED_BY(mu_);
  // Serializes read-modify-write cycles.
  base::Mutex write_mu_ ABSL_ACQUIRED_BEFORE(mu_);
};

}  // namespace tern::partition
