// Item updates as UpdateItem's AttributeUpdates defines them (and as plain
// SET/REMOVE expressions reduce to): PUT, DELETE and ADD on top-level
// attributes, applied in order. The storage node applies them to the stored
// item, so that the read-modify-write is one atomic step there.
// Thread-compatible (pure functions).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "common/model/attribute_value.h"

namespace tern::model {

enum class UpdateAction { kPut, kDelete, kAdd };

struct AttributeUpdate {
  std::string name;
  UpdateAction action = UpdateAction::kPut;
  std::optional<AttributeValue> value;
};

// Applies updates to *item in order. On error *item is unchanged.
// kInvalidArgument with DynamoDB's message: "Type mismatch for attribute to
// update" (ADD or DELETE on a value of another type), overflow of a number.
absl::Status ApplyUpdates(const std::vector<AttributeUpdate>& updates, Item* item);

}  // namespace tern::model
