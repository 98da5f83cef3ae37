// Recursive-descent parsers for conditions, projections and updates (the
// lexer is in lexer.cc, validation and substitution in checker.cc).
//
// Messages (each prefixed "Invalid <Kind>: ", <Kind> = ConditionExpression,
// FilterExpression, ProjectionExpression, ...), in the order of precedence
// in which they are reported when an expression has several problems:
//
// | message                                                            | source |
// |--------------------------------------------------------------------|--------|
// | The expression can not be empty;                                   | [D]    |
// | Expression size has exceeded the maximum allowed size; expression  | [E]    |
// |   size: <bytes>   (Condition/Filter; the others stop after ";")    |        |
// | Syntax error; token: "<tok>", near: "<prev tok bad tok next tok>"  | [L][M] |
// |   (token "<EOF>" at the end; near is the source text from the      |        |
// |   token before the bad one to the token after it)                  |        |
// | The IN operator is provided with too many operands; number of      | [P]    |
// |   operands: <n>                                                    |        |
// | The expression has redundant parentheses;                          | [D]    |
// | Invalid function name; function: <name>                            | [D]    |
// | The function is not allowed to be used this way in an expression;  | [D]    |
// |   function: <name>                                                 |        |
// | Attribute name is a reserved keyword; reserved keyword: <name>     | [D]    |
// | An expression attribute name used in the document path is not      | [D]    |
// |   defined; attribute name: <#n>                                    |        |
// | An expression attribute value used in expression is not defined;   | [D]    |
// |   attribute value: <:v>                                            |        |
// | Incorrect number of operands for operator or function; operator or | [D]    |
// |   function: <f>, number of operands: <n>                           |        |
// | The first operand must be distinct from the remaining operands for | [D]    |
// |   this operator or function; operator: <op>, first operand: <path> |        |
// | Operator or function requires a document path; operator or         | [D]    |
// |   function: <f>                                                    |        |
// | Incorrect operand type for operator or function; operator or       | [D][T] |
// |   function: <f or comparator or BETWEEN>, operand type: <type>     |        |
// | Invalid attribute type name found; type: <t>, valid types:         | [D]    |
// |   {B,NULL,SS,BOOL,L,BS,N,NS,S,M}                                   |        |
// | The BETWEEN operator requires same data type for lower and upper   | [D]    |
// |   bounds; lower bound operand: AttributeValue: {N:1}, upper bound  |        |
// |   operand: AttributeValue: {S:x}                                   |        |
// | The BETWEEN operator requires upper bound to be greater than or    | [D]    |
// |   equal to lower bound; lower bound operand: ..., upper ...        |        |
// | Two document paths overlap with each other; must remove or rewrite | [B]    |
// |   one of these paths; path one: [a], path two: [a, b]              |        |
// | Two document paths conflict with each other; must remove or        | [D]    |
// |   rewrite one of these paths; path one: [a, b], path two: [a, [0]] |        |
//
// Updates, conditions and filters, right after syntax errors [O] (the
// source quotes it for a FilterExpression):
// | The expression contains too many operators; operator count: <n>    | [O]    |
//
// UpdateExpression only (precedence: reserved word, unknown function, clause
// twice, undefined name/value, overlap, conflict, ADD/DELETE type, function
// operands) [U]:
// | The "SET" section can only be used once in an update expression;   | [U]    |
// | Incorrect operand type for operator or function; operator: ADD,    | [U]    |
// |   operand type: STRING   (ADD takes N or a set, DELETE a set;      |        |
// |   STRING NUMBER BINARY NULL BOOLEAN LIST MAP)                      |        |
// | Incorrect operand type for operator or function; operator or       | [U]    |
// |   function: + (or -, list_append), operand type: S                 |        |
// | Invalid function name; function: size  (only if_not_exists and     | [U]    |
// |   list_append exist in updates)                                    |        |
// The apply-time messages of UpdateItem are listed in evaluator.h.
//
// Sources (read for facts only):
//   [D] dynalite (architect/dynalite), db/conditionParser.pegjs and the
//       projection grammar: message texts and their precedence
//       (parens, unknown function, misused function, reserved word, then
//       name/value, operand count, distinct, types).
//   [E] captures from real DynamoDB in a public conformance suite: the size
//       message and that only Condition/Filter append the size.
//   [L] LowVoltage's exploration tests against real DynamoDB:
//       'Syntax error; token: "<EOF>", near: "foo"'.
//   [M] moto and ScyllaDB alternator tests (run against DynamoDB):
//       'Syntax error; token: "1", near: "VALUE 1"',
//       'Syntax error; token: "_", near: "SET _123"'.
//   [P] several emulators' tests quoting DynamoDB for the IN limit.
//   [T] alternator test_condition_expression.py (constants of types other
//       than S, N, B in <, <=, >, >= are a ValidationException) and a Trino
//       comment quoting DynamoDB ("operator or function: <=, operand type:
//       BOOL").
//   [U] dynalite db/updateParser.pegjs.
//   [O] aws/aws-sdk-js issue #3721 quotes DynamoDB for a FilterExpression:
//       "Invalid FilterExpression: The expression contains too many
//       operators; operator count: 301"; the limit of 300 "operators or
//       functions" per UpdateExpression is in the DynamoDB developer guide
//       (Constraints, Expression parameters). What DynamoDB counts is not
//       documented: Tern counts every SET / REMOVE / ADD / DELETE action (the
//       '=' of a SET, the implied operator of the others), every + and -, and
//       every function call (including calls nested in arguments); clause
//       keywords and operands are free. Not applied to conditions yet.
//   [B] the brief (docs/dynamodb-reference.md and the issue) for the
//       overlap message.
// Tern-specific: nesting deeper than kMaxNestingDepth is a syntax error at the
// token that goes too deep; an unknown byte is a one-character token (a whole
// UTF-8 sequence when it starts one); lexing errors are reported before
// parsing errors; the IN limit is checked right after syntax; attribute_type's
// first operand must be a document path, and IN applies the distinct-operand
// rule (both seen in emulators, unverified against DynamoDB); in updates an
// undefined name and an undefined value share one precedence slot.
#include "common/expr/parser.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/base/error_details.h"
#include "common/expr/checker.h"
#include "common/expr/lexer.h"

namespace tern::expr {

absl::string_view ExpressionKindName(ExpressionKind kind) {
  switch (kind) {
    case ExpressionKind::kCondition:
      return "ConditionExpression";
    case ExpressionKind::kFilter:
      return "FilterExpression";
    case ExpressionKind::kKeyCondition:
      return "KeyConditionExpression";
    case ExpressionKind::kProjection:
      return "ProjectionExpression";
    case ExpressionKind::kUpdate:
      return "UpdateExpression";
  }
  return "Expression";
}

namespace {

using internal::Lex;
using internal::PathRelation;
using internal::RawCondition;
using internal::RawOperand;
using internal::RawPathElement;
using internal::RawSetAction;
using internal::RawUpdate;
using internal::RawValueAction;
using internal::Tok;
using internal::Token;

absl::Status Invalid(ExpressionKind kind, absl::string_view message) {
  return base::Error(base::ErrorKind::kValidation,
                     absl::StrCat("Invalid ", ExpressionKindName(kind), ": ", message));
}

// --- Parser ------------------------------------------------------------------

// Backtracking recursive descent over the token vector. A failed alternative
// records how far it got; the syntax error names the furthest token any
// alternative stopped at, as a PEG parser does.
class Parser {
 public:
  // update_mode: the keywords are SET, REMOVE, ADD, DELETE instead of AND,
  // OR, NOT, BETWEEN, IN.
  Parser(std::vector<Token> tokens, bool update_mode)
      : tokens_(std::move(tokens)), update_mode_(update_mode) {}

  const std::vector<Token>& tokens() const { return tokens_; }

  // The index of the token to blame for a syntax error.
  size_t error_token() const {
    for (size_t i = 0; i < tokens_.size(); ++i) {
      if (tokens_[i].type == Tok::kInvalid) return i;
    }
    return furthest_;
  }

  bool ParseConditionExpression(RawCondition* out) {
    if (!ParseOr(out, 0)) return false;
    return AtEof() || Fail();
  }

  bool ParseProjectionExpression(std::vector<std::vector<RawPathElement>>* out) {
    do {
      std::vector<RawPathElement> path;
      if (!ParsePath(&path)) return false;
      out->push_back(std::move(path));
    } while (ConsumePunct(","));
    return AtEof() || Fail();
  }

 private:
  const Token& Peek() const { return tokens_[pos_]; }
  bool AtEof() const { return Peek().type == Tok::kEof; }

  bool Fail() {
    furthest_ = std::max(furthest_, pos_);
    return false;
  }
  // Stops every alternative: nesting too deep.
  bool TooDeep() {
    fatal_ = true;
    furthest_ = pos_;
    return false;
  }

  bool IsPunct(absl::string_view p) const { return Peek().type == Tok::kPunct && Peek().text == p; }
  bool ConsumePunct(absl::string_view p) {
    if (!IsPunct(p)) return Fail();
    ++pos_;
    return true;
  }
  bool IsKeyword(absl::string_view word) const {
    return Peek().type == Tok::kName && absl::EqualsIgnoreCase(Peek().text, word);
  }
  bool ConsumeKeyword(absl::string_view word) {
    if (!IsKeyword(word)) return Fail();
    ++pos_;
    return true;
  }
  bool IsKeywordText(absl::string_view text) const {
    static constexpr absl::string_view kCondition[] = {"AND", "OR", "NOT", "BETWEEN", "IN"};
    static constexpr absl::string_view kUpdate[] = {"SET", "REMOVE", "ADD", "DELETE"};
    for (absl::string_view k :
         update_mode_ ? absl::MakeConstSpan(kUpdate) : absl::MakeConstSpan(kCondition)) {
      if (absl::EqualsIgnoreCase(text, k)) return true;
    }
    return false;
  }
  bool AtPlainName() const { return Peek().type == Tok::kName && !IsKeywordText(Peek().text); }

  bool ParseOr(RawCondition* out, int depth) {
    if (!ParseAnd(out, depth)) return false;
    while (IsKeyword("OR")) {
      ++pos_;
      RawCondition right;
      if (!ParseAnd(&right, depth)) return false;
      RawCondition node;
      node.kind = RawCondition::kOr;
      node.children.push_back(std::move(*out));
      node.children.push_back(std::move(right));
      *out = std::move(node);
    }
    return true;
  }

  bool ParseAnd(RawCondition* out, int depth) {
    if (!ParseNot(out, depth)) return false;
    while (IsKeyword("AND")) {
      ++pos_;
      RawCondition right;
      if (!ParseNot(&right, depth)) return false;
      RawCondition node;
      node.kind = RawCondition::kAnd;
      node.children.push_back(std::move(*out));
      node.children.push_back(std::move(right));
      *out = std::move(node);
    }
    return true;
  }

  bool ParseNot(RawCondition* out, int depth) {
    if (depth > kMaxNestingDepth) return TooDeep();
    if (IsKeyword("NOT")) {
      ++pos_;
      RawCondition inner;
      if (!ParseNot(&inner, depth + 1)) return false;
      out->kind = RawCondition::kNot;
      out->children.push_back(std::move(inner));
      return true;
    }
    return ParsePrimary(out, depth);
  }

  static std::optional<Comparator> ComparatorOf(const Token& token) {
    if (token.type != Tok::kPunct) return std::nullopt;
    if (token.text == "=") return Comparator::kEq;
    if (token.text == "<>") return Comparator::kNe;
    if (token.text == "<") return Comparator::kLt;
    if (token.text == "<=") return Comparator::kLe;
    if (token.text == ">") return Comparator::kGt;
    if (token.text == ">=") return Comparator::kGe;
    return std::nullopt;
  }

  // A comparison, BETWEEN, IN or function condition; else '(' Or ')'.
  bool ParsePrimary(RawCondition* out, int depth) {
    if (depth > kMaxNestingDepth) return TooDeep();
    const size_t start = pos_;
    if (TryOperandCondition(out, depth)) return true;
    if (fatal_) return false;
    pos_ = start;
    *out = RawCondition();
    if (!ConsumePunct("(")) return false;
    if (!ParseOr(out, depth + 1)) return false;
    if (!ConsumePunct(")")) return false;
    ++out->parens;
    return true;
  }

  bool TryOperandCondition(RawCondition* out, int depth) {
    RawOperand first;
    if (!ParseOperand(&first, depth + 1)) return false;
    if (std::optional<Comparator> comparator = ComparatorOf(Peek())) {
      ++pos_;
      RawOperand second;
      if (!ParseOperand(&second, depth + 1)) return false;
      out->kind = RawCondition::kCompare;
      out->comparator = *comparator;
      out->operands.push_back(std::move(first));
      out->operands.push_back(std::move(second));
      return true;
    }
    if (IsKeyword("BETWEEN")) {
      ++pos_;
      RawOperand low;
      RawOperand high;
      if (!ParseOperand(&low, depth + 1) || !ConsumeKeyword("AND") ||
          !ParseOperand(&high, depth + 1)) {
        return false;
      }
      out->kind = RawCondition::kBetween;
      out->operands.push_back(std::move(first));
      out->operands.push_back(std::move(low));
      out->operands.push_back(std::move(high));
      return true;
    }
    if (IsKeyword("IN")) {
      ++pos_;
      out->kind = RawCondition::kIn;
      out->operands.push_back(std::move(first));
      if (!ConsumePunct("(")) return false;
      do {
        RawOperand item;
        if (!ParseOperand(&item, depth + 1)) return false;
        out->operands.push_back(std::move(item));
      } while (ConsumePunct(","));
      return ConsumePunct(")");
    }
    if (first.kind == RawOperand::kFunction && first.parens == 0) {
      out->kind = RawCondition::kFunction;
      out->operands.push_back(std::move(first));
      return true;
    }
    return Fail();
  }

  bool ParseOperand(RawOperand* out, int depth) {
    if (depth > kMaxNestingDepth) return TooDeep();
    if (IsPunct("(")) {
      ++pos_;
      if (!ParseOperand(out, depth + 1)) return false;
      if (!ConsumePunct(")")) return false;
      ++out->parens;
      return true;
    }
    if (Peek().type == Tok::kValueRef) {
      out->kind = RawOperand::kValue;
      out->text = std::string(Peek().text);
      ++pos_;
      return true;
    }
    if (AtPlainName() && tokens_[pos_ + 1].type == Tok::kPunct && tokens_[pos_ + 1].text == "(") {
      out->kind = RawOperand::kFunction;
      out->text = std::string(Peek().text);
      pos_ += 2;
      do {
        RawOperand arg;
        if (!ParseOperand(&arg, depth + 1)) return false;
        out->args.push_back(std::move(arg));
      } while (ConsumePunct(","));
      return ConsumePunct(")");
    }
    out->kind = RawOperand::kPath;
    return ParsePath(&out->path);
  }

  bool ParsePathName(std::vector<RawPathElement>* path) {
    if (AtPlainName()) {
      path->push_back(RawPathElement{RawPathElement::kName, std::string(Peek().text), 0});
    } else if (Peek().type == Tok::kNameRef) {
      path->push_back(RawPathElement{RawPathElement::kRef, std::string(Peek().text), 0});
    } else {
      return Fail();
    }
    ++pos_;
    return true;
  }

  bool ParsePath(std::vector<RawPathElement>* path) {
    if (!ParsePathName(path)) return false;
    while (true) {
      if (IsPunct(".")) {
        ++pos_;
        if (!ParsePathName(path)) return false;
      } else if (IsPunct("[")) {
        ++pos_;
        if (Peek().type != Tok::kNumber) return Fail();
        uint64_t index = 0;
        for (char c : Peek().text) {
          index = index * 10 + static_cast<uint64_t>(c - '0');
          if (index > INT32_MAX) return Fail();
        }
        ++pos_;
        path->push_back(
            RawPathElement{RawPathElement::kIndex, std::string(), static_cast<uint32_t>(index)});
        if (!ConsumePunct("]")) return false;
      } else {
        return true;
      }
    }
  }

  // SET's right-hand side: operand [(+|-) operand], or the same in parentheses.
  bool ParseSetValue(RawSetAction* out, int depth) {
    if (depth > kMaxNestingDepth) return TooDeep();
    const size_t start = pos_;
    RawOperand first;
    if (ParseOperand(&first, depth + 1)) {
      out->operands.push_back(std::move(first));
      if (IsPunct("+") || IsPunct("-")) {
        out->op = Peek().text == "+" ? SetAction::Op::kPlus : SetAction::Op::kMinus;
        ++pos_;
        RawOperand second;
        if (!ParseOperand(&second, depth + 1)) return false;
        out->operands.push_back(std::move(second));
      }
      return true;
    }
    if (fatal_) return false;
    pos_ = start;
    out->operands.clear();
    if (!ConsumePunct("(")) return false;
    if (!ParseSetValue(out, depth + 1)) return false;
    return ConsumePunct(")");
  }

 public:
  bool ParseUpdateExpression(RawUpdate* out) {
    do {
      if (IsKeyword("SET")) {
        ++pos_;
        out->sections.push_back("SET");
        do {
          RawSetAction action;
          if (!ParsePath(&action.path) || !ConsumePunct("=") || !ParseSetValue(&action, 0)) {
            return false;
          }
          out->set.push_back(std::move(action));
        } while (ConsumePunct(","));
      } else if (IsKeyword("REMOVE")) {
        ++pos_;
        out->sections.push_back("REMOVE");
        do {
          std::vector<RawPathElement> path;
          if (!ParsePath(&path)) return false;
          out->remove.push_back(std::move(path));
        } while (ConsumePunct(","));
      } else if (IsKeyword("ADD") || IsKeyword("DELETE")) {
        const bool add = IsKeyword("ADD");
        ++pos_;
        out->sections.push_back(add ? "ADD" : "DELETE");
        do {
          RawValueAction action;
          if (!ParsePath(&action.path)) return false;
          if (Peek().type != Tok::kValueRef) return Fail();
          action.value = std::string(Peek().text);
          ++pos_;
          (add ? out->add : out->del).push_back(std::move(action));
        } while (ConsumePunct(","));
      } else {
        return Fail();
      }
    } while (!AtEof());
    return true;
  }

 private:
  std::vector<Token> tokens_;
  bool update_mode_ = false;
  size_t pos_ = 0;
  size_t furthest_ = 0;
  bool fatal_ = false;
};

std::string SyntaxErrorMessage(absl::string_view text, const std::vector<Token>& tokens, size_t i) {
  const Token& bad = tokens[i];
  const size_t begin = i > 0 ? tokens[i - 1].begin : bad.begin;
  size_t end = bad.end;
  if (i + 1 < tokens.size() && tokens[i + 1].type != Tok::kEof) end = tokens[i + 1].end;
  const absl::string_view token_text = bad.type == Tok::kEof ? "<EOF>" : bad.text;
  return absl::StrCat(
      "Syntax error; token: \"", token_text, "\", near: \"", text.substr(begin, end - begin), "\"");
}

// Empty and size checks shared by every expression kind.
absl::Status CheckText(absl::string_view text, ExpressionKind kind) {
  if (absl::StripAsciiWhitespace(text).empty()) {
    return Invalid(kind, "The expression can not be empty;");
  }
  if (text.size() > kMaxExpressionBytes) {
    std::string message = "Expression size has exceeded the maximum allowed size;";
    if (kind == ExpressionKind::kCondition || kind == ExpressionKind::kFilter) {
      absl::StrAppend(&message, " expression size: ", text.size());
    }
    return Invalid(kind, message);
  }
  return absl::OkStatus();
}

// The operator count of an update's operand: one per function call, nested
// calls included.
int OperatorCount(const RawOperand& operand) {
  if (operand.kind != RawOperand::kFunction) return 0;
  int count = 1;
  for (const RawOperand& arg : operand.args) count += OperatorCount(arg);
  return count;
}

// See [O] above for what counts.
int OperatorCount(const RawUpdate& update) {
  int count = static_cast<int>(update.set.size() + update.remove.size() + update.add.size() +
                               update.del.size());
  for (const RawSetAction& action : update.set) {
    if (action.op != SetAction::Op::kAssign) ++count;
    for (const RawOperand& operand : action.operands) count += OperatorCount(operand);
  }
  return count;
}

// The operator count of a condition or filter: one per comparison, BETWEEN,
// IN, AND, OR, NOT and function call (size() included).
int OperatorCount(const RawCondition& condition) {
  int count = 1;
  for (const RawOperand& operand : condition.operands) count += OperatorCount(operand);
  for (const RawCondition& child : condition.children) count += OperatorCount(child);
  return count;
}

}  // namespace

absl::StatusOr<Condition> ParseCondition(absl::string_view text,
                                         ExpressionKind kind,
                                         const Substitutions& substitutions,
                                         SubstitutionUse* use) {
  if (absl::Status status = CheckText(text, kind); !status.ok()) return status;
  Parser parser(Lex(text), /*update_mode=*/false);
  RawCondition raw;
  if (!parser.ParseConditionExpression(&raw)) {
    return Invalid(kind, SyntaxErrorMessage(text, parser.tokens(), parser.error_token()));
  }
  if (const int count = OperatorCount(raw); count > kMaxOperators) {
    return Invalid(
        kind, absl::StrCat("The expression contains too many operators; operator count: ", count));
  }
  std::optional<std::string> error;
  Condition condition = internal::CheckCondition(raw, substitutions, use, &error);
  if (error) return Invalid(kind, *error);
  return condition;
}

absl::StatusOr<std::vector<Path>> ParseProjection(absl::string_view text,
                                                  const Substitutions& substitutions,
                                                  SubstitutionUse* use) {
  constexpr ExpressionKind kind = ExpressionKind::kProjection;
  if (absl::Status status = CheckText(text, kind); !status.ok()) return status;
  Parser parser(Lex(text), /*update_mode=*/false);
  std::vector<std::vector<RawPathElement>> raw;
  if (!parser.ParseProjectionExpression(&raw)) {
    return Invalid(kind, SyntaxErrorMessage(text, parser.tokens(), parser.error_token()));
  }
  std::optional<std::string> error;
  std::vector<Path> paths = internal::CheckProjection(raw, substitutions, use, &error);
  if (error) return Invalid(kind, *error);
  for (size_t i = 0; i < paths.size(); ++i) {
    for (size_t j = i + 1; j < paths.size(); ++j) {
      const absl::string_view relation = PathRelation(paths[i], paths[j]);
      if (!relation.empty()) {
        return Invalid(kind,
                       absl::StrCat("Two document paths ",
                                    relation,
                                    " with each other; must remove or rewrite one of these "
                                    "paths; path one: ",
                                    PathToString(paths[i]),
                                    ", path two: ",
                                    PathToString(paths[j])));
      }
    }
  }
  return paths;
}

absl::StatusOr<UpdateExpression> ParseUpdate(absl::string_view text,
                                             const Substitutions& substitutions,
                                             SubstitutionUse* use) {
  constexpr ExpressionKind kind = ExpressionKind::kUpdate;
  if (absl::Status status = CheckText(text, kind); !status.ok()) return status;
  Parser parser(Lex(text), /*update_mode=*/true);
  RawUpdate raw;
  if (!parser.ParseUpdateExpression(&raw)) {
    return Invalid(kind, SyntaxErrorMessage(text, parser.tokens(), parser.error_token()));
  }
  if (const int count = OperatorCount(raw); count > kMaxOperators) {
    return Invalid(
        kind, absl::StrCat("The expression contains too many operators; operator count: ", count));
  }
  std::optional<std::string> error;
  UpdateExpression update = internal::CheckUpdate(raw, substitutions, use, &error);
  if (error) return Invalid(kind, *error);
  return update;
}

}  // namespace tern::expr
