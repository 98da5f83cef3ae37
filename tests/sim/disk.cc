#include "tests/sim/disk.h"

#include <utility>

namespace tern::sim {

Term DiskState::TermAt(Index index) const {
  if (index == snapshot.index) return snapshot.term;
  const Entry* entry = EntryAt(index);
  return entry ? entry->term : 0;
}

const Entry* DiskState::EntryAt(Index index) const {
  if (index <= snapshot.index || index > last_index()) return nullptr;
  return &log[index - snapshot.index - 1];
}

bool SimDisk::ApplyOp(const Op& op, DiskState* state) {
  switch (op.type) {
    case OpType::kSnapshot:
      state->snapshot = op.meta;
      state->snapshot_data = op.data;
      state->log.clear();
      return true;
    case OpType::kLocalSnapshot: {
      if (op.meta.index < state->snapshot.index || op.meta.index > state->last_index()) {
        return false;
      }
      size_t drop = op.meta.index - state->snapshot.index;
      state->log.erase(state->log.begin(), state->log.begin() + static_cast<ptrdiff_t>(drop));
      state->snapshot = op.meta;
      state->snapshot_data = op.data;
      return true;
    }
    case OpType::kTruncate:
      if (op.index <= state->snapshot.index) return false;
      if (op.index <= state->last_index()) state->log.resize(op.index - state->snapshot.index - 1);
      return true;
    case OpType::kAppend:
      if (op.entry.index != state->last_index() + 1) return false;
      state->log.push_back(op.entry);
      return true;
    case OpType::kHardState:
      state->hard_state = op.hard_state;
      return true;
  }
  return false;
}

bool SimDisk::Write(Op op) {
  if (!ApplyOp(op, &current_)) return false;
  unsynced_.push_back(std::move(op));
  return true;
}

bool SimDisk::InstallSnapshot(const SnapshotMeta& meta, const std::string& data) {
  Op op{OpType::kSnapshot, {}, 0, {}, meta, data};
  return Write(std::move(op));
}

bool SimDisk::Append(const std::vector<Entry>& entries) {
  if (entries.empty()) return true;
  Index first = entries.front().index;
  if (first <= current_.snapshot.index || first > current_.last_index() + 1) return false;
  for (size_t i = 1; i < entries.size(); ++i) {
    if (entries[i].index != entries[i - 1].index + 1) return false;
  }
  if (first <= current_.last_index()) {
    Op truncate{OpType::kTruncate, {}, first, {}, {}, {}};
    if (!Write(std::move(truncate))) return false;
  }
  for (const Entry& entry : entries) {
    Op append{OpType::kAppend, entry, 0, {}, {}, {}};
    if (!Write(std::move(append))) return false;
  }
  return true;
}

void SimDisk::SetHardState(const HardState& hard_state) {
  Op op{OpType::kHardState, {}, 0, hard_state, {}, {}};
  Write(std::move(op));
}

bool SimDisk::SaveLocalSnapshot(const SnapshotMeta& meta, const std::string& data) {
  Op op{OpType::kLocalSnapshot, {}, 0, {}, meta, data};
  return Write(std::move(op));
}

void SimDisk::MakeDurable(const Op& op) {
  ApplyOp(op, &durable_);
  if (op.type == OpType::kHardState) {
    if (op.hard_state.commit < max_durable_commit_) commit_regressed_ = true;
    if (op.hard_state.commit > max_durable_commit_) max_durable_commit_ = op.hard_state.commit;
  }
}

void SimDisk::Sync() {
  for (const Op& op : unsynced_) MakeDurable(op);
  unsynced_.clear();
}

size_t SimDisk::Crash(Rng& rng, double loss_probability) {
  size_t keep = unsynced_.size();
  if (!unsynced_.empty() && rng.Chance(loss_probability)) keep = rng.Uniform(unsynced_.size());
  for (size_t i = 0; i < keep; ++i) MakeDurable(unsynced_[i]);
  size_t lost = unsynced_.size() - keep;
  unsynced_.clear();
  current_ = durable_;
  return lost;
}

PersistedState SimDisk::Load(const Membership& initial_membership) const {
  PersistedState state;
  state.hard_state = durable_.hard_state;
  state.snapshot = durable_.snapshot;
  state.entries = durable_.log;
  state.initial_membership = initial_membership;
  state.applied = durable_.snapshot.index;
  return state;
}

}  // namespace tern::sim
