// Parsers for DynamoDB's expression language: one lexer and a recursive-descent
// parser for each grammar (conditions and filters, projections, updates),
// producing the validated, substituted trees of common/expr/ast.h.
//
// Every error is kInvalidArgument tagged base::ErrorKind::kValidation
// (DynamoDB's ValidationException) and carries DynamoDB's full message,
// prefixed with the expression's parameter name, e.g.
//   Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "a <"
// The table of messages and their sources is at the top of parser.cc.
//
// The parsers accept arbitrary bytes: they never crash, never throw and use
// stack proportional to a bounded nesting depth.
//
// Thread-safe free functions.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/expr/ast.h"
#include "common/model/attribute_value.h"

namespace tern::expr {

// Which request parameter an expression came from; it names the expression in
// messages and selects small differences between them (the size-limit message
// of conditions and filters carries the size, the others do not).
enum class ExpressionKind {
  kCondition,     // ConditionExpression
  kFilter,        // FilterExpression
  kKeyCondition,  // KeyConditionExpression
  kProjection,    // ProjectionExpression
  kUpdate,        // UpdateExpression
};

// The parameter name: "ConditionExpression", "FilterExpression", ...
absl::string_view ExpressionKindName(ExpressionKind kind);

// DynamoDB's limit on the length of one expression string, in bytes.
inline constexpr size_t kMaxExpressionBytes = 4096;
// DynamoDB's limit on the operands after IN.
inline constexpr int kMaxInOperands = 100;
// DynamoDB's limit on the operators and functions of one UpdateExpression,
// ConditionExpression or FilterExpression (see ParseUpdate and ParseCondition
// for what counts).
inline constexpr int kMaxOperators = 300;
// Tern's limit on parenthesis / NOT / function nesting, far beyond anything
// practical; exceeding it is reported as a syntax error at the token that
// went too deep. It bounds the parser's stack use.
inline constexpr int kMaxNestingDepth = 200;

// ExpressionAttributeNames ("#n" -> "name") and ExpressionAttributeValues
// (":v" -> value) of a request. Held by reference: the maps must outlive the
// Substitutions.
struct Substitutions {
  const std::map<std::string, std::string>* names = nullptr;  // null means none
  const model::Item* values = nullptr;                        // null means none
};

// The placeholders an expression referred to (defined or not), so that the
// caller can report the ones that were supplied but never used, as DynamoDB
// does once all of a request's expressions are parsed. Accumulates across
// calls.
struct SubstitutionUse {
  std::set<std::string> names;   // "#n"
  std::set<std::string> values;  // ":v"
};

// Parses a ConditionExpression or FilterExpression (kind says which, for the
// messages). Records the placeholders met in *use (may be null). Returns the
// first error by DynamoDB's precedence: empty / too long, syntax (including
// IN with more than kMaxInOperands operands), more than kMaxOperators
// operators (one per comparison, BETWEEN, IN, AND, OR, NOT and function call),
// redundant parentheses, unknown function, misused function, reserved word,
// undefined name or value, wrong operand count, operands not distinct, wrong
// operand type or bounds.
absl::StatusOr<Condition> ParseCondition(absl::string_view text,
                                         ExpressionKind kind,
                                         const Substitutions& substitutions,
                                         SubstitutionUse* use);

// Parses a ProjectionExpression: comma-separated document paths. Errors as
// for ParseCondition where they apply (empty, too long, syntax, reserved word,
// undefined name), then overlapping or conflicting paths.
absl::StatusOr<std::vector<Path>> ParseProjection(absl::string_view text,
                                                  const Substitutions& substitutions,
                                                  SubstitutionUse* use);

// Parses an UpdateExpression: SET, REMOVE, ADD and DELETE clauses, each at
// most once, in any order. Errors: empty / too long, syntax, more than
// kMaxOperators operators (each action of any clause, each + or -, each
// function call, counted over the whole expression), then by
// DynamoDB's precedence: reserved word, unknown function (only if_not_exists
// and list_append exist here), a clause used twice, undefined name or value,
// overlapping then conflicting target paths, ADD/DELETE operand types,
// function operand counts and types.
absl::StatusOr<UpdateExpression> ParseUpdate(absl::string_view text,
                                             const Substitutions& substitutions,
                                             SubstitutionUse* use);

}  // namespace tern::expr
