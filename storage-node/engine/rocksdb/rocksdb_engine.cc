#include "storage-node/engine/rocksdb/rocksdb_engine.h"

#include <array>
#include <vector>

#include "absl/strings/string_view.h"
#include "common/base/mutex.h"
#include "common/base/status_macros.h"
#include "rocksdb/cache.h"
#include "rocksdb/db.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/options.h"
#include "rocksdb/rate_limiter.h"
#include "rocksdb/table.h"
#include "rocksdb/write_batch.h"
#include "storage-node/engine/rocksdb/status_convert.h"

namespace tern::engine {
namespace {

constexpr std::array<ColumnFamily, 6> kAllFamilies = {
    ColumnFamily::kRaftLog,
    ColumnFamily::kRaftState,
    ColumnFamily::kData,
    ColumnFamily::kIndex,
    ColumnFamily::kChanges,
    ColumnFamily::kMeta,
};

rocksdb::Slice ToSlice(absl::string_view view) { return rocksdb::Slice(view.data(), view.size()); }

class RocksEngine final : public StorageEngine {
 public:
  RocksEngine(std::unique_ptr<rocksdb::DB> db, std::vector<rocksdb::ColumnFamilyHandle*> handles)
      : db_(std::move(db)), handles_(std::move(handles)) {}

  ~RocksEngine() override {
    for (rocksdb::ColumnFamilyHandle* handle : handles_) {
      db_->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
    }
    db_->Close().PermitUncheckedError();
  }

  absl::StatusOr<std::optional<std::string>> Get(ColumnFamily cf, absl::string_view key) override {
    std::string value;
    rocksdb::Status status = db_->Get(rocksdb::ReadOptions(), Handle(cf), ToSlice(key), &value);
    if (status.IsNotFound()) return std::optional<std::string>();
    TERN_RETURN_IF_ERROR(FromRocksStatus(status));
    return std::optional<std::string>(std::move(value));
  }

  absl::Status Put(ColumnFamily cf,
                   absl::string_view key,
                   absl::string_view value,
                   bool sync) override {
    TERN_RETURN_IF_ERROR(FromRocksStatus(
        db_->Put(rocksdb::WriteOptions(), Handle(cf), ToSlice(key), ToSlice(value))));
    return sync ? Sync() : absl::OkStatus();
  }

  absl::Status Delete(ColumnFamily cf, absl::string_view key, bool sync) override {
    TERN_RETURN_IF_ERROR(
        FromRocksStatus(db_->Delete(rocksdb::WriteOptions(), Handle(cf), ToSlice(key))));
    return sync ? Sync() : absl::OkStatus();
  }

  absl::Status Write(const WriteBatch& batch, bool sync) override {
    rocksdb::WriteBatch rocks;
    for (const WriteBatch::Op& op : batch.ops()) {
      rocksdb::Status status;
      switch (op.kind) {
        case WriteBatch::Kind::kPut:
          status = rocks.Put(Handle(op.cf), ToSlice(op.key), ToSlice(op.value));
          break;
        case WriteBatch::Kind::kDelete:
          status = rocks.Delete(Handle(op.cf), ToSlice(op.key));
          break;
        case WriteBatch::Kind::kDeleteRange:
          status = rocks.DeleteRange(Handle(op.cf), ToSlice(op.key), ToSlice(op.value));
          break;
      }
      TERN_RETURN_IF_ERROR(FromRocksStatus(status));
    }
    TERN_RETURN_IF_ERROR(FromRocksStatus(db_->Write(rocksdb::WriteOptions(), &rocks)));
    return sync ? Sync() : absl::OkStatus();
  }

  absl::Status DeleteRange(ColumnFamily cf,
                           absl::string_view begin,
                           absl::string_view end,
                           bool sync) override {
    TERN_RETURN_IF_ERROR(FromRocksStatus(
        db_->DeleteRange(rocksdb::WriteOptions(), Handle(cf), ToSlice(begin), ToSlice(end))));
    return sync ? Sync() : absl::OkStatus();
  }

  absl::Status ForEach(
      ColumnFamily cf,
      absl::string_view prefix,
      const std::function<bool(absl::string_view, absl::string_view)>& fn) override {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), Handle(cf)));
    for (it->Seek(ToSlice(prefix)); it->Valid(); it->Next()) {
      rocksdb::Slice key = it->key();
      if (!key.starts_with(ToSlice(prefix))) break;
      rocksdb::Slice value = it->value();
      if (!fn(absl::string_view(key.data(), key.size()),
              absl::string_view(value.data(), value.size()))) {
        break;
      }
    }
    return FromRocksStatus(it->status());
  }

  absl::Status ForEachInRange(
      ColumnFamily cf,
      absl::string_view begin,
      absl::string_view end,
      bool reverse,
      const std::function<bool(absl::string_view, absl::string_view)>& fn) override {
    rocksdb::ReadOptions options;
    rocksdb::Slice lower = ToSlice(begin);
    rocksdb::Slice upper = ToSlice(end);
    options.iterate_lower_bound = &lower;
    if (!end.empty()) options.iterate_upper_bound = &upper;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options, Handle(cf)));
    if (reverse) {
      it->SeekToLast();
    } else {
      it->Seek(lower);
    }
    for (; it->Valid(); reverse ? it->Prev() : it->Next()) {
      rocksdb::Slice key = it->key();
      rocksdb::Slice value = it->value();
      if (!fn(absl::string_view(key.data(), key.size()),
              absl::string_view(value.data(), value.size()))) {
        break;
      }
    }
    return FromRocksStatus(it->status());
  }

  uint64_t ApproximateSizeBytes() override {
    uint64_t total = 0;
    for (rocksdb::ColumnFamilyHandle* handle : handles_) {
      uint64_t size = 0;
      if (db_->GetIntProperty(handle, rocksdb::DB::Properties::kLiveSstFilesSize, &size)) {
        total += size;
      }
      if (db_->GetIntProperty(handle, rocksdb::DB::Properties::kCurSizeAllMemTables, &size)) {
        total += size;
      }
    }
    return total;
  }

 private:
  // Makes every write that returned before this call durable. A synced
  // write goes through RocksDB's write queue unsynced and then waits here
  // for a WAL sync (DB::SyncWAL, which does not hold the write queue) that
  // started after it: RocksDB's own synced write holds the queue through
  // its fsync, so every other write of the node (other groups' log
  // appends, applied items) waited behind it. One sync runs at a time and
  // covers every write that returned before it started: writers that
  // arrive meanwhile share the next one (group commit).
  absl::Status Sync() {
    base::MutexLock lock(&sync_mu_);
    const uint64_t ticket = ++writes_;
    for (;;) {
      // A failed sync fails every later one: a retried fsync after a
      // writeback error may succeed with the lost pages never written.
      if (!sync_error_.ok()) return sync_error_;
      if (synced_ >= ticket) return absl::OkStatus();
      if (!syncing_) break;
      sync_mu_.Await([this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(sync_mu_) { return !syncing_; });
    }
    syncing_ = true;
    const uint64_t covers = writes_;
    sync_mu_.Unlock();
    const rocksdb::Status synced = db_->SyncWAL();
    sync_mu_.Lock();
    syncing_ = false;
    if (!synced.ok()) {
      sync_error_ = FromRocksStatus(synced);
      return sync_error_;
    }
    synced_ = std::max(synced_, covers);
    return absl::OkStatus();
  }

  // handles_[0] is the default family; ours follow in kAllFamilies order.
  rocksdb::ColumnFamilyHandle* Handle(ColumnFamily cf) const {
    return handles_[static_cast<size_t>(cf) + 1];
  }

  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  base::Mutex sync_mu_;
  uint64_t writes_ ABSL_GUARDED_BY(sync_mu_) = 0;  // synced writes that asked for a sync
  uint64_t synced_ ABSL_GUARDED_BY(sync_mu_) = 0;  // the last of them a sync covered
  bool syncing_ ABSL_GUARDED_BY(sync_mu_) = false;
  absl::Status sync_error_ ABSL_GUARDED_BY(sync_mu_);
};

}  // namespace

absl::string_view ColumnFamilyName(ColumnFamily cf) {
  switch (cf) {
    case ColumnFamily::kRaftLog:
      return "raft_log";
    case ColumnFamily::kRaftState:
      return "raft_state";
    case ColumnFamily::kData:
      return "data";
    case ColumnFamily::kIndex:
      return "index";
    case ColumnFamily::kChanges:
      return "changes";
    case ColumnFamily::kMeta:
      return "meta";
  }
  return "unknown";
}

absl::StatusOr<std::unique_ptr<StorageEngine>> OpenRocksEngine(
    const std::string& path, const RocksEngineOptions& engine_options) {
  rocksdb::Options options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  options.max_background_jobs = 2;
  options.keep_log_file_num = 5;
  // Background writes at a bounded rate, and handed to the disk a
  // megabyte at a time as they go (not all at the table's final sync), so
  // that a flush does not hold up the log's syncs (RocksEngineOptions).
  if (engine_options.background_write_bytes_per_s > 0) {
    options.rate_limiter.reset(rocksdb::NewGenericRateLimiter(
        static_cast<int64_t>(engine_options.background_write_bytes_per_s)));
  }
  options.bytes_per_sync = 1 << 20;
  options.max_total_wal_size = engine_options.max_wal_bytes;

  // Every family's tables share one block cache; a Bloom filter per table
  // lets a Get skip the tables that cannot hold its key.
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(engine_options.block_cache_bytes);
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  rocksdb::ColumnFamilyOptions family;
  family.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  family.write_buffer_size = engine_options.write_buffer_bytes;

  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  descriptors.emplace_back(rocksdb::kDefaultColumnFamilyName, family);
  for (ColumnFamily cf : kAllFamilies) {
    descriptors.emplace_back(std::string(ColumnFamilyName(cf)), family);
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  TERN_RETURN_IF_ERROR(
      FromRocksStatus(rocksdb::DB::Open(options, path, descriptors, &handles, &raw)));
  return std::unique_ptr<StorageEngine>(
      new RocksEngine(std::unique_ptr<rocksdb::DB>(raw), std::move(handles)));
}

}  // namespace tern::engine
