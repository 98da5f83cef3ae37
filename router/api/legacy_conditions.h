// DynamoDB's legacy (pre-expression) condition parameters, converted to the
// expression trees of common/expr/ast.h so that one evaluator serves both:
//   Expected + ConditionalOperator            (PutItem, UpdateItem, DeleteItem)
//   QueryFilter / ScanFilter + ConditionalOperator   (Query, Scan)
//   KeyConditions                             (Query; see key_condition.h)
// and the rule that legacy and expression parameters cannot be mixed.
//
// Errors follow DynamoDB: a member of the wrong JSON shape is a
// SerializationException (base::ErrorKind::kSerialization); an unknown
// ComparisonOperator / ConditionalOperator or a filter entry without
// ComparisonOperator is a constraint error in the "N validation error(s)
// detected: ..." envelope; everything else is a free-text ValidationException
// whose exact text, and its source, is listed in legacy_conditions.cc.
//
// Semantics of the conversion (where legacy and expressions differ, the
// legacy behaviour is kept):
//   EQ v  -> a = v              NE v -> a <> v (true when a is missing)
//   LT/LE/GT/GE v -> a < v ...  BETWEEN lo hi -> a BETWEEN lo AND hi
//   IN v1..vn -> a IN (v1, ..., vn)
//   NOT_NULL -> attribute_exists(a)        NULL -> attribute_not_exists(a)
//   CONTAINS v -> contains(a, v)           BEGINS_WITH v -> begins_with(a, v)
//   NOT_CONTAINS v -> attribute_exists(a) AND NOT contains(a, v)
//       (legacy NOT_CONTAINS is false on a missing attribute, unlike
//       NOT contains(...) in an expression)
//   {"Value": v} or {"Exists": true, "Value": v} -> a = v
//   {"Exists": false} -> attribute_not_exists(a)
// Several conditions are joined left to right, in request order, with AND
// (the default) or OR (ConditionalOperator).
//
// Thread-safe free functions.
#pragma once

#include <optional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "boost/json/object.hpp"
#include "common/expr/ast.h"
#include "router/api/validation.h"

namespace tern::router {

// The constraint errors of the legacy members present in request (an unknown
// ConditionalOperator or ComparisonOperator, a QueryFilter / ScanFilter /
// KeyConditions entry without ComparisonOperator), for an operation to report
// together with its other constraint errors. Members of the wrong JSON shape
// are skipped here (the Convert functions report them).
void AddLegacyConstraintErrors(const boost::json::object& request, ValidationErrors* errors);

// DynamoDB's rule that legacy and expression parameters cannot be used
// together: OK unless one of AttributesToGet, AttributeUpdates, Expected,
// ScanFilter, QueryFilter, ConditionalOperator (and KeyConditions, but only
// next to a KeyConditionExpression) is present together with one of
// ProjectionExpression, UpdateExpression, ConditionExpression,
// FilterExpression, KeyConditionExpression. A JSON null counts as absent.
absl::Status CheckExpressionMixing(const boost::json::object& request);

// Expected + ConditionalOperator. nullopt when there is nothing to check
// (Expected absent or empty, no ConditionalOperator). Also reports a
// ConditionalOperator without two or more Expected entries.
absl::StatusOr<std::optional<expr::Condition>> ConvertExpected(const boost::json::object& request);

// member ("QueryFilter" or "ScanFilter") + ConditionalOperator; otherwise as
// ConvertExpected. Call it even when member is absent: a lone
// ConditionalOperator is an error.
absl::StatusOr<std::optional<expr::Condition>> ConvertFilter(const boost::json::object& request,
                                                             const char* member);

// KeyConditions: one or two entries, each EQ, LE, LT, GE, GT, BEGINS_WITH or
// BETWEEN, as an AND of comparisons / begins_with / BETWEEN on top-level
// paths, ready for CheckKeyCondition (key_condition.h), which applies the
// key-schema rules. An absent KeyConditions is an error (the caller uses
// KeyConditionExpression instead when that is present).
absl::StatusOr<expr::Condition> ConvertKeyConditions(const boost::json::object& request);

}  // namespace tern::router
