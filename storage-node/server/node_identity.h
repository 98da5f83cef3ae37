// A node's identity (node id and AZ) is written into its data folder on first
// start and checked on every later start, so that a data folder is never
// served under another node's name or in another AZ by mistake.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "common/base/ids.h"
#include "storage-node/engine/storage_engine.h"

namespace tern::node {

// Records (node_id, az) when the engine has none; otherwise checks they match.
// kFailedPrecondition naming both identities on a mismatch.
absl::Status CheckOrRecordIdentity(engine::StorageEngine* engine,
                                   base::NodeId node_id,
                                   const std::string& az);

}  // namespace tern::node
