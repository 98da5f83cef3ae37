#include "storage-node/server/node_identity.h"

#include "absl/strings/str_cat.h"
#include "common/base/status_macros.h"

namespace tern::node {
namespace {
constexpr char kIdentityKey[] = "node_identity";
}  // namespace

absl::Status CheckOrRecordIdentity(engine::StorageEngine* engine,
                                   base::NodeId node_id,
                                   const std::string& az) {
  std::string identity = absl::StrCat(node_id.value(), "/", az);
  TERN_ASSIGN_OR_RETURN(std::optional<std::string> stored,
                        engine->Get(engine::ColumnFamily::kMeta, kIdentityKey));
  if (!stored.has_value()) {
    return engine->Put(engine::ColumnFamily::kMeta, kIdentityKey, identity, /*sync=*/true);
  }
  if (*stored != identity) {
    return absl::FailedPreconditionError(absl::StrCat(
        "data folder belongs to node ", *stored, ", not to node ", identity, " (node id/AZ)"));
  }
  return absl::OkStatus();
}

}  // namespace tern::node
