// The one place where RocksDB statuses become absl::Status: retryable I/O
// errors become kUnavailable, corruption kDataLoss, everything else keeps the
// closest code.
#pragma once

#include "absl/status/status.h"
#include "rocksdb/status.h"

namespace tern::engine {

absl::Status FromRocksStatus(const rocksdb::Status& status);

}  // namespace tern::engine
