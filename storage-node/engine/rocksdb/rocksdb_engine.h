// StorageEngine over one RocksDB instance with a column family per
// engine::ColumnFamily. Thread-safe, as RocksDB is.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "storage-node/engine/storage_engine.h"

namespace tern::engine {

// Opens (creating if missing) the database in folder path with every column
// family. kDataLoss when the files are corrupt; kUnavailable when the folder
// is locked by another RocksDB instance or cannot be read.
absl::StatusOr<std::unique_ptr<StorageEngine>> OpenRocksEngine(const std::string& path);

}  // namespace tern::engine
