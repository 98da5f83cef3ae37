// Conversions between the replication core's messages and their protobuf
// form (proto/tern/v1/replication.proto). Thread-compatible (pure functions).
#pragma once

#include <cstdint>

#include "absl/status/statusor.h"
#include "common/replication/raft.h"
#include "tern/v1/replication.pb.h"

namespace tern::replica {

tern::v1::RaftMessage ToProto(uint64_t group_id, const replication::Message& message);

// INVALID_ARGUMENT for an unknown message or entry type.
absl::StatusOr<replication::Message> FromProto(const tern::v1::RaftMessage& proto);

}  // namespace tern::replica
