#include "storage-node/replica/wire.h"

namespace tern::replica {
namespace {

using replication::EntryType;
using replication::MessageType;

constexpr int kLastMessageType = static_cast<int>(MessageType::kTimeoutNow);

}  // namespace

// The proto enums list the core's values in the same order, so conversions
// are casts guarded by range checks.
tern::v1::RaftMessage ToProto(uint64_t group_id, const replication::Message& message) {
  tern::v1::RaftMessage proto;
  proto.set_group_id(group_id);
  proto.set_type(static_cast<tern::v1::RaftMessage::Type>(message.type));
  proto.set_from(message.from);
  proto.set_to(message.to);
  proto.set_term(message.term);
  proto.set_index(message.index);
  proto.set_log_term(message.log_term);
  for (const replication::Entry& entry : message.entries) {
    tern::v1::LogEntry* out = proto.add_entries();
    out->set_term(entry.term);
    out->set_index(entry.index);
    out->set_type(static_cast<tern::v1::LogEntry::Type>(entry.type));
    out->set_data(entry.data);
  }
  proto.set_commit(message.commit);
  proto.set_reject(message.reject);
  proto.set_reject_hint(message.reject_hint);
  proto.set_context(message.context);
  proto.set_leadership_transfer(message.leadership_transfer);
  if (message.type == MessageType::kSnapshot) {
    proto.set_snapshot_index(message.snapshot.index);
    proto.set_snapshot_term(message.snapshot.term);
    for (replication::NodeId voter : message.snapshot.membership.voters) {
      proto.mutable_snapshot_membership()->add_voters(voter);
    }
    for (replication::NodeId learner : message.snapshot.membership.learners) {
      proto.mutable_snapshot_membership()->add_learners(learner);
    }
    proto.set_snapshot_data(message.snapshot_data);
  }
  return proto;
}

absl::StatusOr<replication::Message> FromProto(const tern::v1::RaftMessage& proto) {
  if (proto.type() < 0 || proto.type() > kLastMessageType) {
    return absl::InvalidArgumentError("unknown replication message type");
  }
  replication::Message message;
  message.type = static_cast<MessageType>(proto.type());
  message.from = proto.from();
  message.to = proto.to();
  message.term = proto.term();
  message.index = proto.index();
  message.log_term = proto.log_term();
  message.entries.reserve(static_cast<size_t>(proto.entries_size()));
  for (const tern::v1::LogEntry& entry : proto.entries()) {
    if (entry.type() < 0 || entry.type() > static_cast<int>(EntryType::kConfig)) {
      return absl::InvalidArgumentError("unknown log entry type");
    }
    message.entries.push_back(replication::Entry{
        entry.term(), entry.index(), static_cast<EntryType>(entry.type()), entry.data()});
  }
  message.commit = proto.commit();
  message.reject = proto.reject();
  message.reject_hint = proto.reject_hint();
  message.context = proto.context();
  message.leadership_transfer = proto.leadership_transfer();
  if (message.type == MessageType::kSnapshot) {
    message.snapshot.index = proto.snapshot_index();
    message.snapshot.term = proto.snapshot_term();
    message.snapshot.membership.voters.assign(proto.snapshot_membership().voters().begin(),
                                              proto.snapshot_membership().voters().end());
    message.snapshot.membership.learners.assign(proto.snapshot_membership().learners().begin(),
                                                proto.snapshot_membership().learners().end());
    message.snapshot_data = proto.snapshot_data();
  }
  return message;
}

}  // namespace tern::replica
