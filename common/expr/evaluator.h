// Evaluation of parsed expressions (common/expr/ast.h) against an item, with
// DynamoDB's semantics:
//   - =, <> compare any two values (N numerically, sets as sets); an operand
//     that is missing makes = false and <> true.
//   - <, <=, >, >=, BETWEEN (inclusive) hold only between two present values
//     of the same type S, N or B (N numerically, S and B by bytes); anything
//     else (missing attribute, mismatched or unordered types) is false, not
//     an error.
//   - IN holds when the first operand equals (as =) one of the others.
//   - attribute_type names one of S, SS, N, NS, B, BS, BOOL, NULL, L, M;
//     begins_with works on S and B; contains on S (substring), SS/NS/BS
//     (membership) and L (an element equal to the operand); size is the UTF-8
//     bytes of S, the bytes of B and the element count of sets, L and M.
//
// Thread-safe free functions; the tree and item are only read.
#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "common/expr/ast.h"
#include "common/model/attribute_value.h"

namespace tern::expr {

// The value at path in item, or null when some step is missing (absent name,
// index past the end, or a step into a value of another type). The pointer is
// into item and lives as long as item is unchanged.
const model::AttributeValue* ResolvePath(const model::Item& item, const Path& path);

// Whether item satisfies condition. A tree from ParseCondition never yields an
// error; the StatusOr leaves room for evaluation errors (kInvalidArgument
// tagged kValidation) should a future construct need them.
absl::StatusOr<bool> EvaluateCondition(const Condition& condition, const model::Item& item);

// The part of item that paths select, as a ProjectionExpression returns it:
// nested maps keep their structure with only the selected keys; list elements
// selected by index are kept in index order, compacted; a path that does not
// resolve selects nothing, and a map or list from which nothing was selected
// is left out. REQUIRES: paths as ParseProjection returns them (no two
// overlapping); overlapping paths select their union.
model::Item Project(const model::Item& item, const std::vector<Path>& paths);

// Applies update to *item as UpdateItem does: every operand is read from the
// item as it was before the update; then SET actions are applied in order,
// then REMOVE (list elements after a removed one shift down; several indexes
// of one list all refer to the original positions), then ADD (numbers add,
// sets union, a missing attribute is created), then DELETE (set difference; an
// emptied set is removed). SET on a list index past the end appends.
// On error *item is unchanged and the status is kInvalidArgument tagged
// kValidation with DynamoDB's message:
//   "The provided expression refers to an attribute that does not exist in
//    the item" (a SET operand path that is missing),
//   "An operand in the update expression has an incorrect data type"
//    (+/- on non-numbers, list_append on non-lists, ADD/DELETE on another type),
//   "The document path provided in the update expression is invalid for
//    update" (a parent that is missing or not a map/list),
//   or Number's overflow message.
absl::Status ApplyUpdate(const UpdateExpression& update, model::Item* item);

}  // namespace tern::expr
