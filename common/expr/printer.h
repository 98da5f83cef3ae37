// The inverse of common/expr/parser.h: prints a syntax tree back into
// DynamoDB's expression language, so that a tree built in one process (the
// router, from legacy parameters such as Expected, QueryFilter or
// AttributesToGet) can be shipped as text plus substitutions and parsed again
// where it is evaluated.
//
// Every attribute name is printed as a generated placeholder "#n0", "#n1",
// ... (one per distinct name) and every constant as ":v0", ":v1", ... (one per
// occurrence), so that any name (reserved words, dots, arbitrary bytes) and
// any value round-trips. Parentheses are printed exactly where precedence and
// associativity need them (a child of lower precedence, and the right child of
// AND / OR when it is itself AND / OR); never two pairs around one node, which
// the parser rejects as redundant, and never deeper than the nesting the
// parser produced the tree from.
//
// Round trip: for a tree the parser accepted (or one built within the rules
// of ast.h and the parser's checks), parsing the printed text with the
// returned names and values as Substitutions yields an equal tree, as long as
// the text fits in kMaxExpressionBytes (the placeholders may make it longer
// than the original) -- callers must check text.size() if they need that.
//
// Thread-safe free functions.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/expr/ast.h"
#include "common/model/attribute_value.h"

namespace tern::expr {

// An expression in wire form: the text and the ExpressionAttributeNames /
// ExpressionAttributeValues it refers to (all of them, and only them).
struct WireExpression {
  std::string text;
  std::map<std::string, std::string> names;  // "#n0" -> attribute name
  model::Item values;                        // ":v0" -> value
};

// A ConditionExpression / FilterExpression that ParseCondition accepts.
WireExpression PrintCondition(const Condition& condition);

// A ProjectionExpression that ParseProjection accepts (when the paths neither
// overlap nor conflict, as ParseProjection requires).
WireExpression PrintProjection(const std::vector<Path>& paths);

}  // namespace tern::expr
