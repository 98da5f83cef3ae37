// EncodeMembership / DecodeMembership and the name tables.
//
// Membership wire format (stable; it is stored in kConfig log entries):
//
//   byte     version = 1
//   u32le    number of voters V
//   u64le    voter ids, V of them, strictly increasing, non-zero
//   u32le    number of learners L
//   u64le    learner ids, L of them, strictly increasing, non-zero
//
// Nothing may follow. Voters and learners are disjoint.
#include <algorithm>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/replication/raft.h"

namespace tern::replication {
namespace {

constexpr uint8_t kMembershipVersion = 1;

void PutFixed(std::string* out, uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) {
    out->push_back(static_cast<char>((value >> (8 * i)) & 0xff));
  }
}

bool GetFixed(const std::string& in, size_t* pos, int bytes, uint64_t* value) {
  if (in.size() - *pos < static_cast<size_t>(bytes)) return false;
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) {
    v |= static_cast<uint64_t>(static_cast<uint8_t>(in[*pos + static_cast<size_t>(i)])) << (8 * i);
  }
  *pos += static_cast<size_t>(bytes);
  *value = v;
  return true;
}

bool GetIds(const std::string& in, size_t* pos, std::vector<NodeId>* ids) {
  uint64_t count = 0;
  if (!GetFixed(in, pos, 4, &count)) return false;
  if ((in.size() - *pos) / 8 < count) return false;
  ids->reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t id = 0;
    if (!GetFixed(in, pos, 8, &id)) return false;
    if (id == 0 || (!ids->empty() && ids->back() >= id)) return false;
    ids->push_back(id);
  }
  return true;
}

}  // namespace

std::string EncodeMembership(const Membership& membership) {
  std::string out;
  out.push_back(static_cast<char>(kMembershipVersion));
  PutFixed(&out, membership.voters.size(), 4);
  for (NodeId id : membership.voters) PutFixed(&out, id, 8);
  PutFixed(&out, membership.learners.size(), 4);
  for (NodeId id : membership.learners) PutFixed(&out, id, 8);
  return out;
}

absl::StatusOr<Membership> DecodeMembership(const std::string& bytes) {
  if (bytes.empty() || static_cast<uint8_t>(bytes[0]) != kMembershipVersion) {
    return absl::InvalidArgumentError("membership: bad version");
  }
  size_t pos = 1;
  Membership m;
  if (!GetIds(bytes, &pos, &m.voters) || !GetIds(bytes, &pos, &m.learners) || pos != bytes.size()) {
    return absl::InvalidArgumentError("membership: malformed");
  }
  for (NodeId id : m.learners) {
    if (std::binary_search(m.voters.begin(), m.voters.end(), id)) {
      return absl::InvalidArgumentError("membership: voter is also a learner");
    }
  }
  return m;
}

const char* MessageTypeName(MessageType type) {
  switch (type) {
    case MessageType::kPreVote:
      return "PreVote";
    case MessageType::kPreVoteResponse:
      return "PreVoteResponse";
    case MessageType::kVote:
      return "Vote";
    case MessageType::kVoteResponse:
      return "VoteResponse";
    case MessageType::kAppend:
      return "Append";
    case MessageType::kAppendResponse:
      return "AppendResponse";
    case MessageType::kHeartbeat:
      return "Heartbeat";
    case MessageType::kHeartbeatResponse:
      return "HeartbeatResponse";
    case MessageType::kSnapshot:
      return "Snapshot";
    case MessageType::kTimeoutNow:
      return "TimeoutNow";
  }
  return "Unknown";
}

const char* RoleName(Role role) {
  switch (role) {
    case Role::kFollower:
      return "Follower";
    case Role::kPreCandidate:
      return "PreCandidate";
    case Role::kCandidate:
      return "Candidate";
    case Role::kLeader:
      return "Leader";
    case Role::kLearner:
      return "Learner";
  }
  return "Unknown";
}

}  // namespace tern::replication
