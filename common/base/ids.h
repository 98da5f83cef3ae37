// Strong identifier types: a Term can never be passed where a LogIndex is
// expected, nor a NodeId where a PartitionId is. Each is a thin wrapper over an
// unsigned 64-bit integer, ordered, hashable and printable; zero is "none".
// Thread-compatible value types.
#pragma once

#include <compare>
#include <cstdint>
#include <ostream>
#include <string>

#include "absl/strings/str_cat.h"

namespace tern::base {

template <typename Tag>
class StrongId {
 public:
  using ValueType = uint64_t;

  constexpr StrongId() = default;
  constexpr explicit StrongId(ValueType value) : value_(value) {}

  constexpr ValueType value() const { return value_; }
  // True for every id except the zero "none" value.
  constexpr bool valid() const { return value_ != 0; }

  constexpr auto operator<=>(const StrongId&) const = default;

  // "node-7", "term-3", ...
  std::string ToString() const { return absl::StrCat(Tag::kPrefix, value_); }

  template <typename H>
  friend H AbslHashValue(H h, const StrongId& id) {
    return H::combine(std::move(h), id.value_);
  }
  friend std::ostream& operator<<(std::ostream& os, const StrongId& id) {
    return os << Tag::kPrefix << id.value_;
  }

 private:
  ValueType value_ = 0;
};

// Ids that also step forward: terms and log indexes.
template <typename Tag>
class StrongCounter : public StrongId<Tag> {
 public:
  using StrongId<Tag>::StrongId;
  constexpr StrongCounter(StrongId<Tag> id) : StrongId<Tag>(id) {}  // NOLINT
  constexpr StrongCounter Next() const { return StrongCounter(this->value() + 1); }
  // REQUIRES: value() > 0.
  constexpr StrongCounter Prev() const { return StrongCounter(this->value() - 1); }
};

struct NodeIdTag {
  static constexpr const char* kPrefix = "node-";
};
struct PartitionIdTag {
  static constexpr const char* kPrefix = "partition-";
};
struct GroupIdTag {
  static constexpr const char* kPrefix = "group-";
};
struct TableIdTag {
  static constexpr const char* kPrefix = "table-";
};
struct TermTag {
  static constexpr const char* kPrefix = "term-";
};
struct LogIndexTag {
  static constexpr const char* kPrefix = "index-";
};

using NodeId = StrongId<NodeIdTag>;
using PartitionId = StrongId<PartitionIdTag>;
using GroupId = StrongId<GroupIdTag>;
using TableId = StrongId<TableIdTag>;
using Term = StrongCounter<TermTag>;
using LogIndex = StrongCounter<LogIndexTag>;

}  // namespace tern::base
