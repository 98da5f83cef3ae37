// StorageEngine: a node's durable key-value store, split into column families
// by purpose (docs/formats/node-storage.md). Only engine/rocksdb knows which
// library sits underneath.
//
// Thread-safety: every method is thread-safe. Errors: kNotFound is never used
// for a missing key (Get returns nullopt); kUnavailable for retryable I/O
// errors, kDataLoss for corruption, kInternal otherwise.
#pragma once

#include <cstdint>
#include <functional>
#include <iterator>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tern::engine {

enum class ColumnFamily {
  kRaftLog,    // replicated log entries, per group
  kRaftState,  // term, vote, applied index, membership, per group
  kData,       // table items
  kIndex,      // local and global secondary index entries
  kChanges,    // change records for streams and point-in-time recovery
  kMeta,       // node identity and node-wide metadata
};

// The column family's name on disk.
absl::string_view ColumnFamilyName(ColumnFamily cf);

// Writes applied together, atomically, by StorageEngine::Write: all or none
// survive a crash. Thread-compatible.
class WriteBatch {
 public:
  enum class Kind { kPut, kDelete, kDeleteRange };
  struct Op {
    Kind kind;
    ColumnFamily cf;
    std::string key;    // kDeleteRange: begin
    std::string value;  // kDeleteRange: end
  };

  void Put(ColumnFamily cf, absl::string_view key, absl::string_view value) {
    ops_.push_back(Op{Kind::kPut, cf, std::string(key), std::string(value)});
  }
  void Delete(ColumnFamily cf, absl::string_view key) {
    ops_.push_back(Op{Kind::kDelete, cf, std::string(key), std::string()});
  }
  // Removes every key in [begin, end).
  void DeleteRange(ColumnFamily cf, absl::string_view begin, absl::string_view end) {
    ops_.push_back(Op{Kind::kDeleteRange, cf, std::string(begin), std::string(end)});
  }

  // Moves other's operations to the end of this batch.
  void Append(WriteBatch&& other) {
    ops_.insert(ops_.end(),
                std::make_move_iterator(other.ops_.begin()),
                std::make_move_iterator(other.ops_.end()));
    other.ops_.clear();
  }

  // What the batch leaves at key, as a read after it would see it: true
  // when an operation of the batch touches key, with *value its last Put's
  // value or nullopt when deleted (by Delete or DeleteRange); false when
  // the engine's own value shows through. Scans the batch: O(ops).
  bool Find(ColumnFamily cf, absl::string_view key, std::optional<std::string>* value) const {
    for (auto op = ops_.rbegin(); op != ops_.rend(); ++op) {
      if (op->cf != cf) continue;
      switch (op->kind) {
        case Kind::kPut:
          if (op->key != key) continue;
          *value = op->value;
          return true;
        case Kind::kDelete:
          if (op->key != key) continue;
          *value = std::nullopt;
          return true;
        case Kind::kDeleteRange:
          if (key < op->key || key >= op->value) continue;
          *value = std::nullopt;
          return true;
      }
    }
    return false;
  }

  const std::vector<Op>& ops() const { return ops_; }
  bool empty() const { return ops_.empty(); }
  size_t size() const { return ops_.size(); }
  void Clear() { ops_.clear(); }
  // Drops the operations after the first size ones.
  void Truncate(size_t size) {
    if (size < ops_.size()) ops_.resize(size);
  }

 private:
  std::vector<Op> ops_;
};

class StorageEngine {
 public:
  virtual ~StorageEngine() = default;

  // The value at key, or nullopt when there is none.
  virtual absl::StatusOr<std::optional<std::string>> Get(ColumnFamily cf,
                                                         absl::string_view key) = 0;

  // Writes key = value; when sync, returns only after the write is durable.
  // (A synced write may be visible to readers before it is durable, i.e.
  // before the call returns: callers that answer anyone do so only after.
  // Once a sync fails, every later synced write fails.)
  virtual absl::Status Put(ColumnFamily cf,
                           absl::string_view key,
                           absl::string_view value,
                           bool sync) = 0;

  // Removes key; removing a missing key is OK.
  virtual absl::Status Delete(ColumnFamily cf, absl::string_view key, bool sync) = 0;

  // Applies every operation of batch atomically, in order; when sync, returns
  // only after the whole batch is durable.
  virtual absl::Status Write(const WriteBatch& batch, bool sync) = 0;

  // Removes every key in [begin, end).
  virtual absl::Status DeleteRange(ColumnFamily cf,
                                   absl::string_view begin,
                                   absl::string_view end,
                                   bool sync) = 0;

  // Calls fn for every key starting with prefix, in key order, until fn
  // returns false. fn must not call back into the engine.
  virtual absl::Status ForEach(
      ColumnFamily cf,
      absl::string_view prefix,
      const std::function<bool(absl::string_view key, absl::string_view value)>& fn) = 0;

  // Calls fn for every key in [begin, end) (end empty: no upper bound), in
  // key order or, when reverse, in reverse key order, until fn returns false.
  // fn must not call back into the engine.
  virtual absl::Status ForEachInRange(
      ColumnFamily cf,
      absl::string_view begin,
      absl::string_view end,
      bool reverse,
      const std::function<bool(absl::string_view key, absl::string_view value)>& fn) = 0;

  // Every (key, value) starting with prefix, in key order.
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> Scan(ColumnFamily cf,
                                                                        absl::string_view prefix) {
    std::vector<std::pair<std::string, std::string>> rows;
    absl::Status status = ForEach(cf, prefix, [&rows](absl::string_view k, absl::string_view v) {
      rows.emplace_back(std::string(k), std::string(v));
      return true;
    });
    if (!status.ok()) return status;
    return rows;
  }

  // Live on-disk size of every column family together, in bytes.
  virtual uint64_t ApproximateSizeBytes() = 0;
};

}  // namespace tern::engine
