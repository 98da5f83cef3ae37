#include "common/model/update.h"

#include <algorithm>

#include "common/base/status_macros.h"
#include "common/model/set_ops.h"

namespace tern::model {
namespace {

absl::Status TypeMismatch() { return ValidationError("Type mismatch for attribute to update"); }

// existing ADD value. REQUIRES: value is N or a set.
absl::StatusOr<AttributeValue> AddTo(const AttributeValue& existing, const AttributeValue& value) {
  if (existing.type() != value.type()) return TypeMismatch();
  switch (value.type()) {
    case AttributeType::kN: {
      TERN_ASSIGN_OR_RETURN(Number sum, existing.n().Add(value.n()));
      return AttributeValue::N(sum);
    }
    case AttributeType::kSS:
      return AttributeValue::SS(SetUnion(existing.ss(), value.ss()));
    case AttributeType::kNS:
      return AttributeValue::NS(SetUnion(existing.ns(), value.ns()));
    case AttributeType::kBS:
      return AttributeValue::BS(SetUnion(existing.bs(), value.bs()));
    default:
      return TypeMismatch();
  }
}

// existing DELETE value: the set difference; nullopt when nothing remains.
absl::StatusOr<std::optional<AttributeValue>> RemoveFrom(const AttributeValue& existing,
                                                         const AttributeValue& value) {
  if (existing.type() != value.type()) return TypeMismatch();
  std::optional<AttributeValue> rest;
  switch (value.type()) {
    case AttributeType::kSS: {
      auto left = SetDifference(existing.ss(), value.ss());
      if (!left.empty()) rest = AttributeValue::SS(std::move(left));
      break;
    }
    case AttributeType::kNS: {
      auto left = SetDifference(existing.ns(), value.ns());
      if (!left.empty()) rest = AttributeValue::NS(std::move(left));
      break;
    }
    case AttributeType::kBS: {
      auto left = SetDifference(existing.bs(), value.bs());
      if (!left.empty()) rest = AttributeValue::BS(std::move(left));
      break;
    }
    default:
      return TypeMismatch();
  }
  return rest;
}

}  // namespace

absl::Status ApplyUpdates(const std::vector<AttributeUpdate>& updates, Item* item) {
  Item result = *item;
  for (const AttributeUpdate& update : updates) {
    auto it = result.find(update.name);
    switch (update.action) {
      case UpdateAction::kPut:
        if (!update.value.has_value()) return ValidationError("PUT requires a value");
        result[update.name] = *update.value;
        break;
      case UpdateAction::kDelete:
        if (!update.value.has_value()) {
          result.erase(update.name);
        } else if (it != result.end()) {
          TERN_ASSIGN_OR_RETURN(std::optional<AttributeValue> rest,
                                RemoveFrom(it->second, *update.value));
          if (rest.has_value()) {
            it->second = *std::move(rest);
          } else {
            result.erase(it);
          }
        }
        break;
      case UpdateAction::kAdd:
        if (!update.value.has_value()) return ValidationError("ADD requires a value");
        if (it == result.end()) {
          result[update.name] = *update.value;
        } else {
          TERN_ASSIGN_OR_RETURN(AttributeValue sum, AddTo(it->second, *update.value));
          it->second = std::move(sum);
        }
        break;
    }
  }
  *item = std::move(result);
  return absl::OkStatus();
}

}  // namespace tern::model
