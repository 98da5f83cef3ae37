#include "storage-node/engine/rocksdb/status_convert.h"

#include "absl/strings/str_cat.h"

namespace tern::engine {

absl::Status FromRocksStatus(const rocksdb::Status& status) {
  if (status.ok()) return absl::OkStatus();
  std::string message = absl::StrCat("rocksdb: ", status.ToString());
  if (status.IsCorruption()) return absl::DataLossError(message);
  if (status.IsNotFound()) return absl::NotFoundError(message);
  if (status.IsInvalidArgument()) return absl::InvalidArgumentError(message);
  if (status.IsNotSupported()) return absl::UnimplementedError(message);
  if (status.IsNoSpace()) return absl::ResourceExhaustedError(message);
  if (status.IsBusy() || status.IsTryAgain() || status.IsTimedOut() || status.IsIncomplete() ||
      status.IsShutdownInProgress()) {
    return absl::UnavailableError(message);
  }
  if (status.IsIOError()) return absl::UnavailableError(message);
  return absl::InternalError(message);
}

}  // namespace tern::engine
