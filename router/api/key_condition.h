// A Query's key condition (a parsed KeyConditionExpression, or KeyConditions
// converted by legacy_conditions.h) checked against the key schema of the
// table or index queried, with DynamoDB's messages, and turned into the key
// range to read: one hash key value and at most one condition on the range
// key. The messages and their sources are listed in key_condition.cc.
//
// Thread-safe free function.
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "common/expr/ast.h"
#include "common/model/attribute_value.h"

namespace tern::router {

// The key attributes of the table or index queried.
struct KeySchemaView {
  std::string hash_name;
  model::AttributeType hash_type = model::AttributeType::kS;
  std::optional<std::string> range_name;
  model::AttributeType range_type = model::AttributeType::kS;
};

// hash = the hash key's value; op and its values restrict the range key.
struct KeyRange {
  model::AttributeValue hash;
  enum class Op { kNone, kEq, kLt, kLe, kGt, kGe, kBetween, kBeginsWith };
  Op op = Op::kNone;
  model::AttributeValue low, high;  // kBetween uses both; the others use low
};

// Checks condition, in two steps as DynamoDB does:
//  1. its shape, depth first and left to right: only AND joins; only =, <,
//     <=, >, >=, BETWEEN and begins_with; each condition names exactly one
//     top-level attribute, compared with values (a value on the left of a
//     comparison is accepted and the comparison mirrored); one condition per
//     attribute;
//  2. against schema: one or two conditions, the hash key's with =, the
//     other on the range key, values of the key's type.
// Errors are ValidationExceptions.
absl::StatusOr<KeyRange> CheckKeyCondition(const expr::Condition& condition,
                                           const KeySchemaView& schema);

}  // namespace tern::router
