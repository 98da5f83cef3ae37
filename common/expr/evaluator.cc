#include "common/expr/evaluator.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/base/error_details.h"
#include "common/base/status_macros.h"
#include "common/model/set_ops.h"

namespace tern::expr {
namespace {

using model::AttributeType;
using model::AttributeValue;

// An operand's value: a pointer into the item or the tree, or a computed
// value (size) held here. Empty when missing.
class OperandValue {
 public:
  OperandValue() = default;
  OperandValue(const OperandValue&) = delete;
  OperandValue& operator=(const OperandValue&) = delete;

  const AttributeValue* get() const { return ptr_; }
  void Point(const AttributeValue* ptr) { ptr_ = ptr; }
  void Own(AttributeValue value) {
    owned_ = std::move(value);
    ptr_ = &*owned_;
  }

 private:
  std::optional<AttributeValue> owned_;
  const AttributeValue* ptr_ = nullptr;
};

std::optional<int64_t> SizeOf(const AttributeValue& value) {
  switch (value.type()) {
    case AttributeType::kS:
      return static_cast<int64_t>(value.s().size());
    case AttributeType::kB:
      return static_cast<int64_t>(value.b().size());
    case AttributeType::kL:
      return static_cast<int64_t>(value.l().size());
    case AttributeType::kM:
      return static_cast<int64_t>(value.m().size());
    case AttributeType::kSS:
      return static_cast<int64_t>(value.ss().size());
    case AttributeType::kNS:
      return static_cast<int64_t>(value.ns().size());
    case AttributeType::kBS:
      return static_cast<int64_t>(value.bs().size());
    default:
      return std::nullopt;
  }
}

void Evaluate(const Operand& operand, const model::Item& item, OperandValue* out) {
  switch (operand.kind) {
    case Operand::Kind::kPath:
      out->Point(ResolvePath(item, operand.path));
      return;
    case Operand::Kind::kValue:
      out->Point(&operand.value);
      return;
    case Operand::Kind::kSize: {
      const AttributeValue* value = ResolvePath(item, operand.path);
      if (value == nullptr) return;
      std::optional<int64_t> size = SizeOf(*value);
      if (!size) return;
      absl::StatusOr<model::Number> n = model::Number::Parse(absl::StrCat(*size));
      if (!n.ok()) return;
      out->Own(AttributeValue::N(*std::move(n)));
      return;
    }
  }
}

bool Orderable(AttributeType type) {
  return type == AttributeType::kS || type == AttributeType::kN || type == AttributeType::kB;
}

// -1/0/1, or nullopt when a and b are not two present values of one
// orderable type.
std::optional<int> Order(const AttributeValue* a, const AttributeValue* b) {
  if (a == nullptr || b == nullptr || a->type() != b->type() || !Orderable(a->type())) {
    return std::nullopt;
  }
  switch (a->type()) {
    case AttributeType::kN:
      return a->n().Compare(b->n());
    case AttributeType::kS: {
      const int c = a->s().compare(b->s());
      return c < 0 ? -1 : c > 0 ? 1 : 0;
    }
    default: {
      const int c = a->b().compare(b->b());
      return c < 0 ? -1 : c > 0 ? 1 : 0;
    }
  }
}

bool Compare(Comparator comparator, const AttributeValue* a, const AttributeValue* b) {
  switch (comparator) {
    case Comparator::kEq:
      return a != nullptr && b != nullptr && *a == *b;
    case Comparator::kNe:
      return a == nullptr || b == nullptr || !(*a == *b);
    default:
      break;
  }
  std::optional<int> order = Order(a, b);
  if (!order) return false;
  switch (comparator) {
    case Comparator::kLt:
      return *order < 0;
    case Comparator::kLe:
      return *order <= 0;
    case Comparator::kGt:
      return *order > 0;
    case Comparator::kGe:
      return *order >= 0;
    default:
      return false;
  }
}

bool Contains(const AttributeValue& haystack, const AttributeValue& needle) {
  switch (haystack.type()) {
    case AttributeType::kS:
      return needle.type() == AttributeType::kS && absl::StrContains(haystack.s(), needle.s());
    case AttributeType::kSS:
      return needle.type() == AttributeType::kS &&
             std::find(haystack.ss().begin(), haystack.ss().end(), needle.s()) !=
                 haystack.ss().end();
    case AttributeType::kBS:
      return needle.type() == AttributeType::kB &&
             std::find(haystack.bs().begin(), haystack.bs().end(), needle.b()) !=
                 haystack.bs().end();
    case AttributeType::kNS:
      return needle.type() == AttributeType::kN &&
             std::find(haystack.ns().begin(), haystack.ns().end(), needle.n()) !=
                 haystack.ns().end();
    case AttributeType::kL:
      return std::find(haystack.l().begin(), haystack.l().end(), needle) != haystack.l().end();
    default:
      return false;
  }
}

bool BeginsWith(const AttributeValue& value, const AttributeValue& prefix) {
  if (value.type() == AttributeType::kS && prefix.type() == AttributeType::kS) {
    return absl::StartsWith(value.s(), prefix.s());
  }
  if (value.type() == AttributeType::kB && prefix.type() == AttributeType::kB) {
    return absl::StartsWith(value.b(), prefix.b());
  }
  return false;
}

absl::StatusOr<bool> EvaluateImpl(const Condition& condition, const model::Item& item) {
  const auto& ops = condition.operands;
  const auto& children = condition.children;
  switch (condition.kind) {
    case Condition::Kind::kAnd: {
      if (children.size() != 2) return false;
      TERN_ASSIGN_OR_RETURN(bool left, EvaluateImpl(children[0], item));
      if (!left) return false;
      return EvaluateImpl(children[1], item);
    }
    case Condition::Kind::kOr: {
      if (children.size() != 2) return false;
      TERN_ASSIGN_OR_RETURN(bool left, EvaluateImpl(children[0], item));
      if (left) return true;
      return EvaluateImpl(children[1], item);
    }
    case Condition::Kind::kNot: {
      if (children.size() != 1) return false;
      TERN_ASSIGN_OR_RETURN(bool inner, EvaluateImpl(children[0], item));
      return !inner;
    }
    case Condition::Kind::kCompare: {
      if (ops.size() != 2) return false;
      OperandValue a, b;
      Evaluate(ops[0], item, &a);
      Evaluate(ops[1], item, &b);
      return Compare(condition.comparator, a.get(), b.get());
    }
    case Condition::Kind::kBetween: {
      if (ops.size() != 3) return false;
      OperandValue x, low, high;
      Evaluate(ops[0], item, &x);
      Evaluate(ops[1], item, &low);
      Evaluate(ops[2], item, &high);
      std::optional<int> above_low = Order(x.get(), low.get());
      std::optional<int> below_high = Order(x.get(), high.get());
      return above_low && below_high && *above_low >= 0 && *below_high <= 0;
    }
    case Condition::Kind::kIn: {
      if (ops.empty()) return false;
      OperandValue x;
      Evaluate(ops[0], item, &x);
      if (x.get() == nullptr) return false;
      for (size_t i = 1; i < ops.size(); ++i) {
        OperandValue candidate;
        Evaluate(ops[i], item, &candidate);
        if (candidate.get() != nullptr && *candidate.get() == *x.get()) return true;
      }
      return false;
    }
    case Condition::Kind::kAttributeExists:
    case Condition::Kind::kAttributeNotExists: {
      if (ops.size() != 1) return false;
      OperandValue x;
      Evaluate(ops[0], item, &x);
      return (x.get() != nullptr) == (condition.kind == Condition::Kind::kAttributeExists);
    }
    case Condition::Kind::kAttributeType: {
      if (ops.size() != 2) return false;
      OperandValue x, type;
      Evaluate(ops[0], item, &x);
      Evaluate(ops[1], item, &type);
      return x.get() != nullptr && type.get() != nullptr &&
             type.get()->type() == AttributeType::kS &&
             model::AttributeTypeName(x.get()->type()) == type.get()->s();
    }
    case Condition::Kind::kBeginsWith: {
      if (ops.size() != 2) return false;
      OperandValue x, prefix;
      Evaluate(ops[0], item, &x);
      Evaluate(ops[1], item, &prefix);
      return x.get() != nullptr && prefix.get() != nullptr && BeginsWith(*x.get(), *prefix.get());
    }
    case Condition::Kind::kContains: {
      if (ops.size() != 2) return false;
      OperandValue x, needle;
      Evaluate(ops[0], item, &x);
      Evaluate(ops[1], item, &needle);
      return x.get() != nullptr && needle.get() != nullptr && Contains(*x.get(), *needle.get());
    }
  }
  return false;
}

// --- Projection -------------------------------------------------------------

// The selected part of a value: the whole of it, or some keys, or some
// indexes.
struct Selection {
  bool whole = false;
  std::map<std::string, Selection> keys;
  std::map<uint32_t, Selection> indexes;
};

void AddPath(Selection* root, const Path& path) {
  Selection* node = root;
  for (const PathElement& element : path) {
    if (node->whole) return;
    node = element.is_index ? &node->indexes[element.index] : &node->keys[element.name];
  }
  node->whole = true;
  node->keys.clear();
  node->indexes.clear();
}

std::optional<AttributeValue> Select(const AttributeValue& value, const Selection& selection) {
  if (selection.whole) return value;
  if (value.type() == AttributeType::kM && !selection.keys.empty()) {
    model::Item out;
    for (const auto& [name, sub] : selection.keys) {
      auto it = value.m().find(name);
      if (it == value.m().end()) continue;
      std::optional<AttributeValue> part = Select(it->second, sub);
      if (part) out.emplace(name, *std::move(part));
    }
    if (out.empty()) return std::nullopt;
    return AttributeValue::M(std::move(out));
  }
  if (value.type() == AttributeType::kL && !selection.indexes.empty()) {
    std::vector<AttributeValue> out;
    for (const auto& [index, sub] : selection.indexes) {
      if (index >= value.l().size()) break;
      std::optional<AttributeValue> part = Select(value.l()[index], sub);
      if (part) out.push_back(*std::move(part));
    }
    if (out.empty()) return std::nullopt;
    return AttributeValue::L(std::move(out));
  }
  return std::nullopt;
}

// --- Updates ----------------------------------------------------------------

absl::Status UpdateError(absl::string_view message) {
  return base::Error(base::ErrorKind::kValidation, message);
}

absl::Status MissingAttribute() {
  return UpdateError(
      "The provided expression refers to an attribute that does not exist in the item");
}

absl::Status WrongType() {
  return UpdateError("An operand in the update expression has an incorrect data type");
}

absl::Status InvalidPath() {
  return UpdateError("The document path provided in the update expression is invalid for update");
}

absl::StatusOr<AttributeValue> EvaluateUpdateOperand(const UpdateOperand& operand,
                                                     const model::Item& item) {
  switch (operand.kind) {
    case UpdateOperand::Kind::kValue:
      return operand.value;
    case UpdateOperand::Kind::kPath: {
      const AttributeValue* value = ResolvePath(item, operand.path);
      if (value == nullptr) return MissingAttribute();
      return *value;
    }
    case UpdateOperand::Kind::kIfNotExists: {
      const AttributeValue* value = ResolvePath(item, operand.path);
      if (value != nullptr) return *value;
      if (operand.args.size() != 1) return MissingAttribute();
      return EvaluateUpdateOperand(operand.args[0], item);
    }
    case UpdateOperand::Kind::kListAppend: {
      if (operand.args.size() != 2) return WrongType();
      TERN_ASSIGN_OR_RETURN(AttributeValue first, EvaluateUpdateOperand(operand.args[0], item));
      TERN_ASSIGN_OR_RETURN(AttributeValue second, EvaluateUpdateOperand(operand.args[1], item));
      if (first.type() != AttributeType::kL || second.type() != AttributeType::kL) {
        return WrongType();
      }
      std::vector<AttributeValue> joined = first.l();
      joined.insert(joined.end(), second.l().begin(), second.l().end());
      return AttributeValue::L(std::move(joined));
    }
  }
  return WrongType();
}

absl::StatusOr<AttributeValue> EvaluateSet(const SetAction& action, const model::Item& item) {
  if (action.operands.empty()) return WrongType();
  TERN_ASSIGN_OR_RETURN(AttributeValue first, EvaluateUpdateOperand(action.operands[0], item));
  if (action.op == SetAction::Op::kAssign) return first;
  if (action.operands.size() != 2) return WrongType();
  TERN_ASSIGN_OR_RETURN(AttributeValue second, EvaluateUpdateOperand(action.operands[1], item));
  if (first.type() != AttributeType::kN || second.type() != AttributeType::kN) return WrongType();
  const model::Number rhs = action.op == SetAction::Op::kPlus ? second.n() : second.n().Negated();
  absl::StatusOr<model::Number> sum = first.n().Add(rhs);
  if (!sum.ok()) return UpdateError(sum.status().message());
  return AttributeValue::N(*std::move(sum));
}

// The value at path in *item for writing, or null when missing.
AttributeValue* MutableResolve(model::Item* item, const Path& path) {
  if (path.empty() || path[0].is_index) return nullptr;
  auto it = item->find(path[0].name);
  if (it == item->end()) return nullptr;
  AttributeValue* value = &it->second;
  for (size_t i = 1; i < path.size(); ++i) {
    if (path[i].is_index) {
      if (value->type() != AttributeType::kL || path[i].index >= value->l().size()) return nullptr;
      value = &(*value->mutable_l())[path[i].index];
    } else {
      if (value->type() != AttributeType::kM) return nullptr;
      auto child = value->mutable_m()->find(path[i].name);
      if (child == value->mutable_m()->end()) return nullptr;
      value = &child->second;
    }
  }
  return value;
}

// Writes value at path; the parent must exist and be a map (name) or a list
// (index; past the end appends).
absl::Status WriteAt(model::Item* item, const Path& path, AttributeValue value) {
  if (path.empty() || path[0].is_index) return InvalidPath();
  if (path.size() == 1) {
    (*item)[path[0].name] = std::move(value);
    return absl::OkStatus();
  }
  AttributeValue* parent = MutableResolve(item, Path(path.begin(), path.end() - 1));
  if (parent == nullptr) return InvalidPath();
  const PathElement& last = path.back();
  if (last.is_index) {
    if (parent->type() != AttributeType::kL) return InvalidPath();
    std::vector<AttributeValue>* list = parent->mutable_l();
    if (last.index < list->size()) {
      (*list)[last.index] = std::move(value);
    } else {
      list->push_back(std::move(value));
    }
  } else {
    if (parent->type() != AttributeType::kM) return InvalidPath();
    (*parent->mutable_m())[last.name] = std::move(value);
  }
  return absl::OkStatus();
}

// Removes the value at path, if any; a missing parent is an error only when
// it is not a container of the right kind (DynamoDB ignores a missing leaf).
absl::Status RemoveAt(model::Item* item, const Path& path) {
  if (path.empty() || path[0].is_index) return InvalidPath();
  if (path.size() == 1) {
    item->erase(path[0].name);
    return absl::OkStatus();
  }
  AttributeValue* parent = MutableResolve(item, Path(path.begin(), path.end() - 1));
  if (parent == nullptr) return absl::OkStatus();
  const PathElement& last = path.back();
  if (last.is_index) {
    if (parent->type() != AttributeType::kL) return InvalidPath();
    std::vector<AttributeValue>* list = parent->mutable_l();
    if (last.index < list->size()) list->erase(list->begin() + last.index);
  } else {
    if (parent->type() != AttributeType::kM) return InvalidPath();
    parent->mutable_m()->erase(last.name);
  }
  return absl::OkStatus();
}

// Whether a sorts after b with indexes compared numerically, so that removing
// in this order never shifts an index still to be removed.
bool RemovesFirst(const Path& a, const Path& b) {
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
    if (a[i] == b[i]) continue;
    if (a[i].is_index && b[i].is_index) return a[i].index > b[i].index;
    if (!a[i].is_index && !b[i].is_index) return a[i].name > b[i].name;
    return a[i].is_index;
  }
  return a.size() > b.size();
}

bool IsSet(AttributeType type) {
  return type == AttributeType::kSS || type == AttributeType::kNS || type == AttributeType::kBS;
}

absl::StatusOr<AttributeValue> Add(const AttributeValue& old, const AttributeValue& operand) {
  if (old.type() != operand.type()) return WrongType();
  switch (old.type()) {
    case AttributeType::kN: {
      absl::StatusOr<model::Number> sum = old.n().Add(operand.n());
      if (!sum.ok()) return UpdateError(sum.status().message());
      return AttributeValue::N(*std::move(sum));
    }
    case AttributeType::kSS:
      return AttributeValue::SS(model::SetUnion(old.ss(), operand.ss()));
    case AttributeType::kNS:
      return AttributeValue::NS(model::SetUnion(old.ns(), operand.ns()));
    case AttributeType::kBS:
      return AttributeValue::BS(model::SetUnion(old.bs(), operand.bs()));
    default:
      return WrongType();
  }
}

// The set left after deleting operand's elements; nullopt when empty.
absl::StatusOr<std::optional<AttributeValue>> Delete(const AttributeValue& old,
                                                     const AttributeValue& operand) {
  if (old.type() != operand.type() || !IsSet(old.type())) return WrongType();
  switch (old.type()) {
    case AttributeType::kSS: {
      auto left = model::SetDifference(old.ss(), operand.ss());
      if (left.empty()) return std::nullopt;
      return AttributeValue::SS(std::move(left));
    }
    case AttributeType::kNS: {
      auto left = model::SetDifference(old.ns(), operand.ns());
      if (left.empty()) return std::nullopt;
      return AttributeValue::NS(std::move(left));
    }
    default: {
      auto left = model::SetDifference(old.bs(), operand.bs());
      if (left.empty()) return std::nullopt;
      return AttributeValue::BS(std::move(left));
    }
  }
}

}  // namespace

absl::Status ApplyUpdate(const UpdateExpression& update, model::Item* item) {
  const model::Item& before = *item;
  // Every right-hand side reads the item as it was.
  std::vector<AttributeValue> set_values;
  set_values.reserve(update.set.size());
  for (const SetAction& action : update.set) {
    TERN_ASSIGN_OR_RETURN(AttributeValue value, EvaluateSet(action, before));
    set_values.push_back(std::move(value));
  }
  model::Item after = before;
  for (size_t i = 0; i < update.set.size(); ++i) {
    TERN_RETURN_IF_ERROR(WriteAt(&after, update.set[i].path, std::move(set_values[i])));
  }
  std::vector<Path> removals = update.remove;
  std::sort(removals.begin(), removals.end(), RemovesFirst);
  for (const Path& path : removals) TERN_RETURN_IF_ERROR(RemoveAt(&after, path));
  for (const ValueAction& action : update.add) {
    if (action.value.type() != AttributeType::kN && !IsSet(action.value.type())) {
      return WrongType();
    }
    const AttributeValue* old = MutableResolve(&after, action.path);
    if (old == nullptr) {
      TERN_RETURN_IF_ERROR(WriteAt(&after, action.path, action.value));
      continue;
    }
    TERN_ASSIGN_OR_RETURN(AttributeValue sum, Add(*old, action.value));
    TERN_RETURN_IF_ERROR(WriteAt(&after, action.path, std::move(sum)));
  }
  for (const ValueAction& action : update.del) {
    const AttributeValue* old = MutableResolve(&after, action.path);
    if (old == nullptr) {
      if (!IsSet(action.value.type())) return WrongType();
      continue;
    }
    TERN_ASSIGN_OR_RETURN(std::optional<AttributeValue> left, Delete(*old, action.value));
    if (left) {
      TERN_RETURN_IF_ERROR(WriteAt(&after, action.path, *std::move(left)));
    } else {
      TERN_RETURN_IF_ERROR(RemoveAt(&after, action.path));
    }
  }
  *item = std::move(after);
  return absl::OkStatus();
}

const AttributeValue* ResolvePath(const model::Item& item, const Path& path) {
  if (path.empty() || path[0].is_index) return nullptr;
  auto it = item.find(path[0].name);
  if (it == item.end()) return nullptr;
  const AttributeValue* value = &it->second;
  for (size_t i = 1; i < path.size(); ++i) {
    const PathElement& element = path[i];
    if (element.is_index) {
      if (value->type() != AttributeType::kL || element.index >= value->l().size()) return nullptr;
      value = &value->l()[element.index];
    } else {
      if (value->type() != AttributeType::kM) return nullptr;
      auto child = value->m().find(element.name);
      if (child == value->m().end()) return nullptr;
      value = &child->second;
    }
  }
  return value;
}

absl::StatusOr<bool> EvaluateCondition(const Condition& condition, const model::Item& item) {
  return EvaluateImpl(condition, item);
}

model::Item Project(const model::Item& item, const std::vector<Path>& paths) {
  Selection root;
  for (const Path& path : paths) {
    if (!path.empty() && !path[0].is_index) AddPath(&root, path);
  }
  model::Item out;
  for (const auto& [name, sub] : root.keys) {
    auto it = item.find(name);
    if (it == item.end()) continue;
    std::optional<AttributeValue> part = Select(it->second, sub);
    if (part) out.emplace(name, *std::move(part));
  }
  return out;
}

}  // namespace tern::expr
