#include "storage-node/replica/group_storage.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/base/status_macros.h"

namespace tern::replica {
namespace {

using engine::ColumnFamily;
using replication::Entry;
using replication::EntryType;
using replication::Index;

void AppendU64(uint64_t value, std::string* out) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out->push_back(static_cast<char>((value >> shift) & 0xff));
  }
}

uint64_t ReadU64(const std::string& bytes, size_t at) {
  uint64_t value = 0;
  for (size_t i = 0; i < 8; ++i) {
    value = (value << 8) | static_cast<unsigned char>(bytes[at + i]);
  }
  return value;
}

absl::Status Corrupt(absl::string_view what) {
  return absl::DataLossError(absl::StrCat("replication state corrupt: ", what));
}

// State kinds in raft_state, after the group id.
constexpr char kHardState = 'h';
constexpr char kApplied = 'a';
constexpr char kSnapshot = 's';
constexpr char kInitial = 'i';

// Snapshot position: index | term (8 bytes each, big-endian) | membership.
std::string EncodePosition(const replication::SnapshotMeta& meta) {
  std::string out;
  AppendU64(meta.index, &out);
  AppendU64(meta.term, &out);
  out.append(replication::EncodeMembership(meta.membership));
  return out;
}

}  // namespace

GroupStorage::GroupStorage(engine::StorageEngine* engine, uint64_t group_id)
    : engine_(engine), group_id_(group_id) {}

std::string GroupStorage::LogKey(uint64_t group_id, Index index) {
  std::string key;
  AppendU64(group_id, &key);
  AppendU64(index, &key);
  return key;
}

std::string GroupStorage::StateKey(char kind) const {
  std::string key;
  AppendU64(group_id_, &key);
  key.push_back(kind);
  return key;
}

// Entry value: term (8 bytes, big-endian) | type (1 byte) | data.
std::string GroupStorage::EncodeEntry(const Entry& entry) {
  std::string out;
  out.reserve(9 + entry.data.size());
  AppendU64(entry.term, &out);
  out.push_back(static_cast<char>(entry.type));
  out.append(entry.data);
  return out;
}

absl::StatusOr<Entry> GroupStorage::DecodeEntry(Index index, const std::string& bytes) {
  if (bytes.size() < 9) return Corrupt("short log entry");
  Entry entry;
  entry.index = index;
  entry.term = ReadU64(bytes, 0);
  int type = static_cast<unsigned char>(bytes[8]);
  if (type > static_cast<int>(EntryType::kConfig)) return Corrupt("unknown entry type");
  entry.type = static_cast<EntryType>(type);
  entry.data = bytes.substr(9);
  return entry;
}

absl::Status GroupStorage::Found(const replication::Membership& founding) {
  TERN_ASSIGN_OR_RETURN(std::optional<std::string> founded,
                        engine_->Get(ColumnFamily::kRaftState, StateKey(kInitial)));
  if (founded.has_value()) return absl::OkStatus();
  return engine_->Put(ColumnFamily::kRaftState,
                      StateKey(kInitial),
                      replication::EncodeMembership(founding),
                      /*sync=*/true);
}

absl::StatusOr<replication::PersistedState> GroupStorage::Load(
    const replication::Membership& initial) {
  replication::PersistedState state;
  // The founding membership is fixed at the group's first open: a later
  // open (after a restart, with a descriptor the control plane has changed
  // since) must not found the group anew with other voters.
  TERN_RETURN_IF_ERROR(Found(initial));
  TERN_ASSIGN_OR_RETURN(std::optional<std::string> founded,
                        engine_->Get(ColumnFamily::kRaftState, StateKey(kInitial)));
  if (!founded.has_value()) return Corrupt("founding membership");
  TERN_ASSIGN_OR_RETURN(state.initial_membership, replication::DecodeMembership(*founded));
  TERN_ASSIGN_OR_RETURN(std::optional<std::string> hard,
                        engine_->Get(ColumnFamily::kRaftState, StateKey(kHardState)));
  if (hard.has_value()) {
    if (hard->size() != 24) return Corrupt("hard state");
    state.hard_state.term = ReadU64(*hard, 0);
    state.hard_state.vote = ReadU64(*hard, 8);
    state.hard_state.commit = ReadU64(*hard, 16);
    persisted_term_ = state.hard_state.term;
    persisted_vote_ = state.hard_state.vote;
  }
  TERN_ASSIGN_OR_RETURN(std::optional<std::string> applied,
                        engine_->Get(ColumnFamily::kRaftState, StateKey(kApplied)));
  if (applied.has_value()) {
    if (applied->size() != 8) return Corrupt("applied index");
    state.applied = ReadU64(*applied, 0);
  }
  // The commit index is written unsynced (Persist); what was applied was
  // committed, whatever survived of it. RaftCore's constructor raises it
  // the same way (common/replication/raft.cc); keep both.
  state.hard_state.commit = std::max(state.hard_state.commit, state.applied);
  TERN_ASSIGN_OR_RETURN(std::optional<std::string> snapshot,
                        engine_->Get(ColumnFamily::kRaftState, StateKey(kSnapshot)));
  if (snapshot.has_value()) {
    if (snapshot->size() < 16) return Corrupt("snapshot position");
    state.snapshot.index = ReadU64(*snapshot, 0);
    state.snapshot.term = ReadU64(*snapshot, 8);
    TERN_ASSIGN_OR_RETURN(state.snapshot.membership,
                          replication::DecodeMembership(snapshot->substr(16)));
  }
  std::string prefix;
  AppendU64(group_id_, &prefix);
  absl::Status decode;
  TERN_RETURN_IF_ERROR(engine_->ForEach(
      ColumnFamily::kRaftLog, prefix, [&](absl::string_view key, absl::string_view value) {
        Index index = ReadU64(std::string(key), 8);
        absl::StatusOr<Entry> entry = DecodeEntry(index, std::string(value));
        if (!entry.ok()) {
          decode = entry.status();
          return false;
        }
        if (index <= state.snapshot.index) return true;  // compacted, not yet deleted
        Index expected =
            state.entries.empty() ? state.snapshot.index + 1 : state.entries.back().index + 1;
        if (index != expected) {
          decode = Corrupt(absl::StrCat("log gap at index ", index));
          return false;
        }
        state.entries.push_back(*std::move(entry));
        return true;
      }));
  TERN_RETURN_IF_ERROR(decode);
  last_index_ = state.entries.empty() ? state.snapshot.index : state.entries.back().index;
  return state;
}

bool GroupStorage::Persist(const replication::Ready& ready, engine::WriteBatch* batch) {
  bool sync = ready.snapshot.has_value() || !ready.entries.empty();
  if (ready.snapshot.has_value()) {
    batch->DeleteRange(ColumnFamily::kRaftLog, LogKey(group_id_, 0), LogKey(group_id_ + 1, 0));
    batch->Put(ColumnFamily::kRaftState, StateKey(kSnapshot), EncodePosition(*ready.snapshot));
    SetApplied(ready.snapshot->index, batch);
    last_index_ = ready.snapshot->index;
  }
  if (!ready.entries.empty()) {
    const Index first = ready.entries.front().index;
    if (first <= last_index_) {
      // A new leader overwrote our suffix: drop it before appending.
      batch->DeleteRange(
          ColumnFamily::kRaftLog, LogKey(group_id_, first), LogKey(group_id_ + 1, 0));
    }
    for (const Entry& entry : ready.entries) {
      batch->Put(ColumnFamily::kRaftLog, LogKey(group_id_, entry.index), EncodeEntry(entry));
    }
    last_index_ = ready.entries.back().index;
  }
  if (ready.hard_state.has_value()) {
    std::string hard;
    AppendU64(ready.hard_state->term, &hard);
    AppendU64(ready.hard_state->vote, &hard);
    AppendU64(ready.hard_state->commit, &hard);
    batch->Put(ColumnFamily::kRaftState, StateKey(kHardState), hard);
    if (ChangesTermOrVote(ready)) {
      sync = true;
      persisted_term_ = ready.hard_state->term;
      persisted_vote_ = ready.hard_state->vote;
    }
  }
  return sync;
}

bool GroupStorage::ChangesTermOrVote(const replication::Ready& ready) const {
  return ready.hard_state.has_value() &&
         (ready.hard_state->term != persisted_term_ || ready.hard_state->vote != persisted_vote_);
}

void GroupStorage::SetApplied(Index applied, engine::WriteBatch* batch) const {
  std::string value;
  AppendU64(applied, &value);
  batch->Put(ColumnFamily::kRaftState, StateKey(kApplied), value);
}

void GroupStorage::Compact(const replication::SnapshotMeta& through,
                           engine::WriteBatch* batch) const {
  batch->Put(ColumnFamily::kRaftState, StateKey(kSnapshot), EncodePosition(through));
  batch->DeleteRange(
      ColumnFamily::kRaftLog, LogKey(group_id_, 0), LogKey(group_id_, through.index + 1));
}

void GroupStorage::Initialize(const replication::SnapshotMeta& at,
                              engine::WriteBatch* batch) const {
  batch->Put(
      ColumnFamily::kRaftState, StateKey(kInitial), replication::EncodeMembership(at.membership));
  batch->Put(ColumnFamily::kRaftState, StateKey(kSnapshot), EncodePosition(at));
  std::string hard;
  AppendU64(at.term, &hard);
  AppendU64(0, &hard);
  AppendU64(at.index, &hard);
  batch->Put(ColumnFamily::kRaftState, StateKey(kHardState), hard);
  SetApplied(at.index, batch);
}

absl::Status GroupStorage::FoundJoining(engine::WriteBatch* batch) const {
  TERN_ASSIGN_OR_RETURN(std::optional<std::string> founded,
                        engine_->Get(ColumnFamily::kRaftState, StateKey(kInitial)));
  if (founded.has_value()) return absl::OkStatus();
  batch->Put(ColumnFamily::kRaftState,
             StateKey(kInitial),
             replication::EncodeMembership(replication::Membership{}));
  return absl::OkStatus();
}

void GroupStorage::Drop(engine::WriteBatch* batch) const {
  batch->DeleteRange(ColumnFamily::kRaftLog, LogKey(group_id_, 0), LogKey(group_id_ + 1, 0));
  for (char kind : {kHardState, kApplied, kSnapshot, kInitial}) {
    batch->Delete(ColumnFamily::kRaftState, StateKey(kind));
  }
}

}  // namespace tern::replica
