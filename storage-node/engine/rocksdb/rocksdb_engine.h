// StorageEngine over one RocksDB instance with a column family per
// engine::ColumnFamily. Thread-safe, as RocksDB is.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "storage-node/engine/storage_engine.h"

namespace tern::engine {

struct RocksEngineOptions {
  // One LRU cache of uncompressed table blocks shared by every column family
  // (RocksDB's default is 8 MB per family: a node serving reads of more data
  // than that read, checksummed and decompressed a block for most Gets).
  size_t block_cache_bytes = 256u << 20;
  // What RocksDB's background work (memtable flushes, compactions) may
  // write per second; 0: no limit. Unlimited, a flush writes its table
  // as fast as the page cache takes it, and the log's syncs behind that
  // write-out took 15-30 ms instead of ~1 ms (a ~100 ms tail on writes).
  size_t background_write_bytes_per_s = 32u << 20;
  // The size of each column family's memtable: a full one is flushed to a
  // table.
  size_t write_buffer_bytes = 64u << 20;
  // About how much write-ahead log may be kept (checked as writes come):
  // past it, the column families that keep the oldest log file are flushed
  // so that it can go. A log file goes only once every family with writes
  // in it has flushed them, and raft_state and meta take few bytes (a few
  // keys written over and over) and fill a memtable in many minutes: without a
  // bound, RocksDB's own is 4x the sum over the families of their memtable
  // size times two memtables each (~3.5 GB at 64 MB), all of it replayed at
  // every start. Several times the memtable size, so that data and
  // raft_log (each about half of the log under writes, less once index and
  // changes take writes too) flush because their memtables fill, not at
  // about the same point of the writes on every replica.
  size_t max_wal_bytes = 512u << 20;
};

// Opens (creating if missing) the database in folder path with every column
// family. kDataLoss when the files are corrupt; kUnavailable when the folder
// is locked by another RocksDB instance or cannot be read.
absl::StatusOr<std::unique_ptr<StorageEngine>> OpenRocksEngine(
    const std::string& path, const RocksEngineOptions& engine_options = {});

}  // namespace tern::engine
