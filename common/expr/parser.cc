// Lexer and recursive-descent parsers for conditions, projections and updates.
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
#include <array>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "common/base/error_details.h"
#include "common/expr/reserved_words.h"
#include "common/model/base64.h"

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

using model::AttributeType;
using model::AttributeValue;

absl::Status Invalid(ExpressionKind kind, absl::string_view message) {
  return base::Error(base::ErrorKind::kValidation,
                     absl::StrCat("Invalid ", ExpressionKindName(kind), ": ", message));
}

// --- Lexer ------------------------------------------------------------------

enum class Tok { kName, kNameRef, kValueRef, kNumber, kPunct, kInvalid, kEof };

struct Token {
  Tok type = Tok::kEof;
  size_t begin = 0;
  size_t end = 0;
  absl::string_view text;
};

bool IsWordChar(char c) { return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// The length of the bad "character" at text[i]: a whole UTF-8 sequence when
// the bytes form one, otherwise one byte.
size_t BadCharLength(absl::string_view text, size_t i) {
  const auto lead = static_cast<unsigned char>(text[i]);
  size_t want = lead >= 0xF0 && lead < 0xF8 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
  if (lead >= 0xF8) want = 1;
  if (i + want > text.size()) return 1;
  for (size_t k = 1; k < want; ++k) {
    if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return 1;
  }
  return want;
}

std::vector<Token> Lex(absl::string_view text) {
  std::vector<Token> tokens;
  size_t i = 0;
  auto push = [&](Tok type, size_t begin, size_t end) {
    tokens.push_back(Token{type, begin, end, text.substr(begin, end - begin)});
  };
  while (i < text.size()) {
    const char c = text[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      ++i;
      continue;
    }
    const size_t begin = i;
    if (absl::ascii_isalpha(static_cast<unsigned char>(c))) {
      while (i < text.size() && IsWordChar(text[i])) ++i;
      push(Tok::kName, begin, i);
    } else if (absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      while (i < text.size() && absl::ascii_isdigit(static_cast<unsigned char>(text[i]))) ++i;
      push(Tok::kNumber, begin, i);
    } else if (c == '#' || c == ':') {
      ++i;
      while (i < text.size() && IsWordChar(text[i])) ++i;
      push(i - begin > 1 ? (c == '#' ? Tok::kNameRef : Tok::kValueRef) : Tok::kInvalid, begin, i);
    } else if ((c == '<' || c == '>') && i + 1 < text.size() &&
               (text[i + 1] == '=' || (c == '<' && text[i + 1] == '>'))) {
      i += 2;
      push(Tok::kPunct, begin, i);
    } else if (absl::string_view("=<>()[],.+-").find(c) != absl::string_view::npos) {
      ++i;
      push(Tok::kPunct, begin, i);
    } else {
      i += BadCharLength(text, i);
      push(Tok::kInvalid, begin, i);
    }
  }
  const size_t end = tokens.empty() ? 0 : tokens.back().end;
  tokens.push_back(Token{Tok::kEof, end, end, absl::string_view()});
  return tokens;
}

// --- Raw trees (before substitution and validation) --------------------------

struct RawPathElement {
  enum Kind { kName, kRef, kIndex } kind = kName;
  std::string text;
  uint32_t index = 0;
};

struct RawOperand {
  enum Kind { kPath, kValue, kFunction } kind = kPath;
  std::vector<RawPathElement> path;  // kPath
  std::string text;                  // kValue: ":v"; kFunction: the name
  std::vector<RawOperand> args;      // kFunction
  int parens = 0;
};

struct RawCondition {
  enum Kind { kCompare, kBetween, kIn, kAnd, kOr, kNot, kFunction } kind = kCompare;
  Comparator comparator = Comparator::kEq;
  std::vector<RawOperand> operands;  // kFunction: operands[0] is the call
  std::vector<RawCondition> children;
  int parens = 0;
};

struct RawSetAction {
  std::vector<RawPathElement> path;
  SetAction::Op op = SetAction::Op::kAssign;
  std::vector<RawOperand> operands;
};

struct RawValueAction {
  std::vector<RawPathElement> path;
  std::string value;  // ":v"
};

struct RawUpdate {
  std::vector<std::string> sections;  // clause keywords in written order
  std::vector<RawSetAction> set;
  std::vector<std::vector<RawPathElement>> remove;
  std::vector<RawValueAction> add;
  std::vector<RawValueAction> del;
};

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

// --- Validation and substitution -----------------------------------------------

// Error categories, in DynamoDB's order of precedence; the first error met in
// each category is kept, and the highest-precedence one is reported.
enum Slot {
  kInCount,
  kParens,
  kUnknownFunction,
  kMisusedFunction,
  kReserved,
  kNameValue,
  kOperandCount,
  kDistinct,
  kFunctionArgs,
  kSlotCount,
};

struct FunctionSpec {
  absl::string_view name;
  size_t operands;
};
constexpr FunctionSpec kFunctions[] = {
    {"attribute_exists", 1},
    {"attribute_not_exists", 1},
    {"attribute_type", 2},
    {"begins_with", 2},
    {"contains", 2},
    {"size", 1},
};

const FunctionSpec* FindFunction(absl::string_view name) {
  for (const FunctionSpec& f : kFunctions) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

bool ValidTypeName(absl::string_view name) {
  for (absl::string_view t : {"S", "N", "B", "NULL", "SS", "BOOL", "L", "BS", "NS", "M"}) {
    if (t == name) return true;
  }
  return false;
}

bool Orderable(AttributeType type) {
  return type == AttributeType::kS || type == AttributeType::kN || type == AttributeType::kB;
}

std::string DescribeValue(const AttributeValue& value) {
  std::string body;
  switch (value.type()) {
    case AttributeType::kS:
      body = value.s();
      break;
    case AttributeType::kN:
      body = value.n().ToString();
      break;
    case AttributeType::kB:
      body = model::Base64Encode(value.b());
      break;
    default:
      break;
  }
  return absl::StrCat("AttributeValue: {", model::AttributeTypeName(value.type()), ":", body, "}");
}

// -1, 0, 1 for S, N, B values of the same type.
int CompareScalars(const AttributeValue& a, const AttributeValue& b) {
  switch (a.type()) {
    case AttributeType::kN:
      return a.n().Compare(b.n());
    case AttributeType::kS: {
      const int c = a.s().compare(b.s());
      return c < 0 ? -1 : c > 0 ? 1 : 0;
    }
    case AttributeType::kB: {
      const int c = a.b().compare(b.b());
      return c < 0 ? -1 : c > 0 ? 1 : 0;
    }
    default:
      return 0;
  }
}

// An operand after substitution, with its type when the parser knows it (a
// constant, or size()).
struct Checked {
  Operand operand;
  std::optional<AttributeType> type;
  bool is_path = false;
};

class Checker {
 public:
  Checker(const Substitutions& substitutions, SubstitutionUse* use)
      : substitutions_(substitutions), use_(use) {}

  std::optional<std::string> FirstError() const {
    for (const auto& error : errors_) {
      if (error) return error;
    }
    return std::nullopt;
  }

  Path CheckPath(const std::vector<RawPathElement>& raw) {
    Path path;
    for (const RawPathElement& element : raw) {
      switch (element.kind) {
        case RawPathElement::kName:
          if (IsReservedWord(element.text)) {
            Set(kReserved,
                absl::StrCat("Attribute name is a reserved keyword; reserved keyword: ",
                             element.text));
          }
          path.push_back(PathElement::Name(element.text));
          break;
        case RawPathElement::kRef: {
          if (use_ != nullptr) use_->names.insert(element.text);
          const std::string* name = nullptr;
          if (substitutions_.names != nullptr) {
            auto it = substitutions_.names->find(element.text);
            if (it != substitutions_.names->end()) name = &it->second;
          }
          if (name == nullptr) {
            Set(kNameValue,
                absl::StrCat("An expression attribute name used in the document path is not "
                             "defined; attribute name: ",
                             element.text));
            path.push_back(PathElement::Name(element.text));
          } else {
            path.push_back(PathElement::Name(*name));
          }
          break;
        }
        case RawPathElement::kIndex:
          path.push_back(PathElement::Index(element.index));
          break;
      }
    }
    return path;
  }

  // The value a ":v" placeholder stands for (its use recorded), or null with
  // the error recorded.
  const AttributeValue* ResolveValue(const std::string& ref) {
    if (use_ != nullptr) use_->values.insert(ref);
    if (substitutions_.values != nullptr) {
      auto it = substitutions_.values->find(ref);
      if (it != substitutions_.values->end()) return &it->second;
    }
    Set(kNameValue,
        absl::StrCat(
            "An expression attribute value used in expression is not defined; attribute value: ",
            ref));
    return nullptr;
  }

  const std::optional<std::string>& ErrorIn(Slot slot) const { return errors_[slot]; }

  Condition CheckCondition(const RawCondition& raw) {
    if (raw.parens >= 2) Set(kParens, "The expression has redundant parentheses;");
    Condition out;
    switch (raw.kind) {
      case RawCondition::kAnd:
      case RawCondition::kOr:
      case RawCondition::kNot:
        out.kind = raw.kind == RawCondition::kAnd  ? Condition::Kind::kAnd
                   : raw.kind == RawCondition::kOr ? Condition::Kind::kOr
                                                   : Condition::Kind::kNot;
        for (const RawCondition& child : raw.children) {
          out.children.push_back(CheckCondition(child));
        }
        return out;
      case RawCondition::kCompare:
        return CheckCompare(raw);
      case RawCondition::kBetween:
        return CheckBetween(raw);
      case RawCondition::kIn:
        return CheckIn(raw);
      case RawCondition::kFunction:
        return CheckFunctionCondition(raw.operands[0]);
    }
    return out;
  }

 private:
  void Set(Slot slot, std::string message) {
    if (!errors_[slot]) errors_[slot] = std::move(message);
  }

  void CheckOrderable(const Checked& operand, absl::string_view op) {
    if (operand.type && !Orderable(*operand.type)) {
      Set(kFunctionArgs,
          absl::StrCat("Incorrect operand type for operator or function; operator or function: ",
                       op,
                       ", operand type: ",
                       model::AttributeTypeName(*operand.type)));
    }
  }

  void CheckDistinct(const Checked& first, const Checked& other, absl::string_view op) {
    if (first.is_path && other.is_path && first.operand.path == other.operand.path) {
      Set(kDistinct,
          absl::StrCat("The first operand must be distinct from the remaining operands for this "
                       "operator or function; operator: ",
                       op,
                       ", first operand: ",
                       PathToString(first.operand.path)));
    }
  }

  // An operand of a comparison, BETWEEN or IN: a function there must be size.
  Checked CheckComparisonOperand(const RawOperand& raw) {
    if (raw.kind == RawOperand::kFunction && raw.text != "size" && FindFunction(raw.text)) {
      Set(kMisusedFunction,
          absl::StrCat(
              "The function is not allowed to be used this way in an expression; function: ",
              raw.text));
    }
    return CheckOperand(raw);
  }

  Checked CheckOperand(const RawOperand& raw) {
    if (raw.parens >= 2) Set(kParens, "The expression has redundant parentheses;");
    Checked out;
    switch (raw.kind) {
      case RawOperand::kPath:
        out.operand = Operand::OfPath(CheckPath(raw.path));
        out.is_path = true;
        return out;
      case RawOperand::kValue: {
        const AttributeValue* value = ResolveValue(raw.text);
        if (value == nullptr) return out;
        out.operand = Operand::OfValue(*value);
        out.type = value->type();
        return out;
      }
      case RawOperand::kFunction:
        return CheckFunctionOperand(raw);
    }
    return out;
  }

  // Checks a call's name, nesting and operand count; returns its checked
  // operands, or nullopt when the name is unknown or the count is wrong.
  std::optional<std::vector<Checked>> CheckCall(const RawOperand& raw) {
    const FunctionSpec* spec = FindFunction(raw.text);
    if (spec == nullptr) {
      Set(kUnknownFunction, absl::StrCat("Invalid function name; function: ", raw.text));
    }
    std::vector<Checked> args;
    for (const RawOperand& arg : raw.args) {
      if (arg.kind == RawOperand::kFunction && arg.text != "size" && FindFunction(arg.text)) {
        Set(kMisusedFunction,
            absl::StrCat(
                "The function is not allowed to be used this way in an expression; function: ",
                arg.text));
      }
      args.push_back(CheckOperand(arg));
    }
    if (spec == nullptr) return std::nullopt;
    if (args.size() != spec->operands) {
      Set(kOperandCount,
          absl::StrCat("Incorrect number of operands for operator or function; operator or "
                       "function: ",
                       raw.text,
                       ", number of operands: ",
                       args.size()));
      return std::nullopt;
    }
    if (args.size() == 2) CheckDistinct(args[0], args[1], raw.text);
    return args;
  }

  void OperandTypeError(absl::string_view function, absl::string_view type) {
    Set(kFunctionArgs,
        absl::StrCat("Incorrect operand type for operator or function; operator or function: ",
                     function,
                     ", operand type: ",
                     type));
  }

  // size(...) as an operand (other functions there are already reported).
  Checked CheckFunctionOperand(const RawOperand& raw) {
    Checked out;
    std::optional<std::vector<Checked>> args = CheckCall(raw);
    if (!args || raw.text != "size") return out;
    Checked& arg = (*args)[0];
    out.type = AttributeType::kN;
    if (arg.type && (*arg.type == AttributeType::kN || *arg.type == AttributeType::kBool ||
                     *arg.type == AttributeType::kNull)) {
      OperandTypeError("size", model::AttributeTypeName(*arg.type));
      return out;
    }
    if (arg.is_path) {
      out.operand = Operand::OfSize(std::move(arg.operand.path));
    } else if (arg.operand.kind == Operand::Kind::kValue && arg.type) {
      // size of a constant is a constant.
      const AttributeValue& v = arg.operand.value;
      int64_t size = 0;
      switch (v.type()) {
        case AttributeType::kS:
          size = static_cast<int64_t>(v.s().size());
          break;
        case AttributeType::kB:
          size = static_cast<int64_t>(v.b().size());
          break;
        case AttributeType::kL:
          size = static_cast<int64_t>(v.l().size());
          break;
        case AttributeType::kM:
          size = static_cast<int64_t>(v.m().size());
          break;
        case AttributeType::kSS:
          size = static_cast<int64_t>(v.ss().size());
          break;
        case AttributeType::kNS:
          size = static_cast<int64_t>(v.ns().size());
          break;
        case AttributeType::kBS:
          size = static_cast<int64_t>(v.bs().size());
          break;
        default:
          break;
      }
      absl::StatusOr<model::Number> n = model::Number::Parse(absl::StrCat(size));
      if (n.ok()) out.operand = Operand::OfValue(AttributeValue::N(*n));
    }
    return out;
  }

  Condition CheckCompare(const RawCondition& raw) {
    Condition out;
    out.kind = Condition::Kind::kCompare;
    out.comparator = raw.comparator;
    Checked a = CheckComparisonOperand(raw.operands[0]);
    Checked b = CheckComparisonOperand(raw.operands[1]);
    CheckDistinct(a, b, ComparatorText(raw.comparator));
    if (raw.comparator != Comparator::kEq && raw.comparator != Comparator::kNe) {
      CheckOrderable(a, ComparatorText(raw.comparator));
      CheckOrderable(b, ComparatorText(raw.comparator));
    }
    out.operands.push_back(std::move(a.operand));
    out.operands.push_back(std::move(b.operand));
    return out;
  }

  Condition CheckBetween(const RawCondition& raw) {
    Condition out;
    out.kind = Condition::Kind::kBetween;
    std::vector<Checked> ops;
    for (const RawOperand& operand : raw.operands) ops.push_back(CheckComparisonOperand(operand));
    for (const Checked& op : ops) CheckOrderable(op, "BETWEEN");
    const Checked& low = ops[1];
    const Checked& high = ops[2];
    if (low.operand.kind == Operand::Kind::kValue && high.operand.kind == Operand::Kind::kValue &&
        low.type && high.type && Orderable(*low.type) && Orderable(*high.type)) {
      const std::string bounds = absl::StrCat("lower bound operand: ",
                                              DescribeValue(low.operand.value),
                                              ", upper bound operand: ",
                                              DescribeValue(high.operand.value));
      if (*low.type != *high.type) {
        Set(kFunctionArgs,
            absl::StrCat(
                "The BETWEEN operator requires same data type for lower and upper bounds; ",
                bounds));
      } else if (CompareScalars(low.operand.value, high.operand.value) > 0) {
        Set(kFunctionArgs,
            absl::StrCat("The BETWEEN operator requires upper bound to be greater than or equal "
                         "to lower bound; ",
                         bounds));
      }
    }
    for (Checked& op : ops) out.operands.push_back(std::move(op.operand));
    return out;
  }

  Condition CheckIn(const RawCondition& raw) {
    Condition out;
    out.kind = Condition::Kind::kIn;
    const size_t count = raw.operands.size() - 1;
    if (count > static_cast<size_t>(kMaxInOperands)) {
      Set(kInCount,
          absl::StrCat("The IN operator is provided with too many operands; number of operands: ",
                       count));
    }
    std::vector<Checked> ops;
    for (const RawOperand& operand : raw.operands) ops.push_back(CheckComparisonOperand(operand));
    for (size_t i = 1; i < ops.size(); ++i) CheckDistinct(ops[0], ops[i], "IN");
    for (Checked& op : ops) out.operands.push_back(std::move(op.operand));
    return out;
  }

  Condition CheckFunctionCondition(const RawOperand& raw) {
    if (raw.parens >= 2) Set(kParens, "The expression has redundant parentheses;");
    Condition out;
    out.kind = Condition::Kind::kAttributeExists;
    if (raw.text == "size") {
      Set(kMisusedFunction,
          "The function is not allowed to be used this way in an expression; function: size");
    }
    std::optional<std::vector<Checked>> args = CheckCall(raw);
    if (!args || raw.text == "size") return out;
    const absl::string_view name = raw.text;
    if (name == "attribute_exists" || name == "attribute_not_exists") {
      out.kind = name == "attribute_exists" ? Condition::Kind::kAttributeExists
                                            : Condition::Kind::kAttributeNotExists;
      RequirePath((*args)[0], name);
    } else if (name == "attribute_type") {
      out.kind = Condition::Kind::kAttributeType;
      RequirePath((*args)[0], name);
      const Checked& type = (*args)[1];
      if (!type.type) {
        OperandTypeError(name, "{NS,SS,L,BS,N,M,B,BOOL,NULL,S}");
      } else if (*type.type != AttributeType::kS) {
        OperandTypeError(name, model::AttributeTypeName(*type.type));
      } else if (!ValidTypeName(type.operand.value.s())) {
        Set(kFunctionArgs,
            absl::StrCat("Invalid attribute type name found; type: ",
                         type.operand.value.s(),
                         ", valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}"));
      }
    } else if (name == "begins_with") {
      out.kind = Condition::Kind::kBeginsWith;
      for (const Checked& arg : *args) {
        if (arg.type && *arg.type != AttributeType::kS && *arg.type != AttributeType::kB) {
          OperandTypeError(name, model::AttributeTypeName(*arg.type));
          break;
        }
      }
    } else {
      out.kind = Condition::Kind::kContains;
    }
    for (Checked& arg : *args) out.operands.push_back(std::move(arg.operand));
    return out;
  }

  void RequirePath(const Checked& arg, absl::string_view function) {
    if (!arg.is_path) {
      Set(kFunctionArgs,
          absl::StrCat("Operator or function requires a document path; operator or function: ",
                       function));
    }
  }

  const Substitutions& substitutions_;
  SubstitutionUse* use_;
  std::array<std::optional<std::string>, kSlotCount> errors_;
};

absl::string_view PathRelation(const Path& a, const Path& b);

// Validates and substitutes an UpdateExpression, with the precedence of
// dynalite's update grammar.
class UpdateChecker {
 public:
  UpdateChecker(const Substitutions& substitutions, SubstitutionUse* use)
      : names_(substitutions, use), substitutions_values_(substitutions.values) {}

  std::optional<std::string> FirstError() const {
    // Reserved words and undefined placeholders are recorded by names_.
    const std::optional<std::string>* order[] = {&names_.ErrorIn(kReserved),
                                                 &errors_[kUnknown],
                                                 &errors_[kSection],
                                                 &names_.ErrorIn(kNameValue),
                                                 &errors_[kOverlap],
                                                 &errors_[kConflict],
                                                 &errors_[kOperand],
                                                 &errors_[kFunction]};
    for (const auto* error : order) {
      if (*error) return *error;
    }
    return std::nullopt;
  }

  UpdateExpression Check(const RawUpdate& raw) {
    std::set<std::string> seen;
    for (const std::string& section : raw.sections) {
      if (!seen.insert(section).second) {
        Set(kSection,
            absl::StrCat(
                "The \"", section, "\" section can only be used once in an update expression;"));
      }
    }
    UpdateExpression out;
    for (const RawSetAction& action : raw.set) {
      SetAction set;
      set.path = Target(action.path);
      set.op = action.op;
      for (const RawOperand& operand : action.operands) set.operands.push_back(Convert(operand));
      if (set.op != SetAction::Op::kAssign) {
        CheckImmediateTypes(
            action.operands, set.op == SetAction::Op::kPlus ? "+" : "-", AttributeType::kN);
      }
      out.set.push_back(std::move(set));
    }
    for (const auto& path : raw.remove) out.remove.push_back(Target(path));
    for (const RawValueAction& action : raw.add) {
      out.add.push_back(ConvertValueAction(action, "ADD"));
    }
    for (const RawValueAction& action : raw.del) {
      out.del.push_back(ConvertValueAction(action, "DELETE"));
    }
    return out;
  }

 private:
  enum UpdateSlot { kUnknown, kSection, kOverlap, kConflict, kOperand, kFunction, kCount };

  void Set(UpdateSlot slot, std::string message) {
    if (!errors_[slot]) errors_[slot] = std::move(message);
  }

  // A path an action writes: checked against every earlier one.
  Path Target(const std::vector<RawPathElement>& raw) {
    Path path = names_.CheckPath(raw);
    for (const Path& earlier : targets_) {
      const absl::string_view relation = PathRelation(earlier, path);
      if (relation.empty()) continue;
      Set(relation == "overlap" ? kOverlap : kConflict,
          absl::StrCat("Two document paths ",
                       relation,
                       " with each other; must remove or rewrite one of these paths; path one: ",
                       PathToString(earlier),
                       ", path two: ",
                       PathToString(path)));
    }
    targets_.push_back(path);
    return path;
  }

  ValueAction ConvertValueAction(const RawValueAction& raw, absl::string_view op) {
    ValueAction action;
    action.path = Target(raw.path);
    const AttributeValue* value = names_.ResolveValue(raw.value);
    if (value == nullptr) return action;
    action.value = *value;
    const char* type_name = nullptr;
    switch (value->type()) {
      case AttributeType::kS:
        type_name = "STRING";
        break;
      case AttributeType::kN:
        type_name = op == "ADD" ? nullptr : "NUMBER";
        break;
      case AttributeType::kB:
        type_name = "BINARY";
        break;
      case AttributeType::kNull:
        type_name = "NULL";
        break;
      case AttributeType::kBool:
        type_name = "BOOLEAN";
        break;
      case AttributeType::kL:
        type_name = "LIST";
        break;
      case AttributeType::kM:
        type_name = "MAP";
        break;
      default:
        break;
    }
    if (type_name != nullptr) {
      Set(kOperand,
          absl::StrCat("Incorrect operand type for operator or function; operator: ",
                       op,
                       ", operand type: ",
                       type_name));
    }
    return action;
  }

  // Constants among operands must have type `want` for function/operator f.
  void CheckImmediateTypes(const std::vector<RawOperand>& operands,
                           absl::string_view f,
                           AttributeType want) {
    for (const RawOperand& operand : operands) {
      if (operand.kind != RawOperand::kValue) continue;
      const AttributeValue* value = Lookup(operand.text);
      if (value != nullptr && value->type() != want) {
        Set(kFunction,
            absl::StrCat("Incorrect operand type for operator or function; operator or function: ",
                         f,
                         ", operand type: ",
                         model::AttributeTypeName(value->type())));
        return;
      }
    }
  }

  // Looks a value up without recording anything (Convert records).
  const AttributeValue* Lookup(const std::string& ref) {
    const model::Item* values = substitutions_values_;
    if (values == nullptr) return nullptr;
    auto it = values->find(ref);
    return it == values->end() ? nullptr : &it->second;
  }

  UpdateOperand Convert(const RawOperand& raw) {
    UpdateOperand out;
    switch (raw.kind) {
      case RawOperand::kPath:
        out.kind = UpdateOperand::Kind::kPath;
        out.path = names_.CheckPath(raw.path);
        return out;
      case RawOperand::kValue: {
        const AttributeValue* value = names_.ResolveValue(raw.text);
        if (value != nullptr) out.value = *value;
        return out;
      }
      case RawOperand::kFunction:
        break;
    }
    const bool list_append = raw.text == "list_append";
    if (!list_append && raw.text != "if_not_exists") {
      Set(kUnknown, absl::StrCat("Invalid function name; function: ", raw.text));
    }
    std::vector<UpdateOperand> args;
    for (const RawOperand& arg : raw.args) args.push_back(Convert(arg));
    if (!list_append && raw.text != "if_not_exists") return out;
    if (args.size() != 2) {
      Set(kFunction,
          absl::StrCat("Incorrect number of operands for operator or function; operator or "
                       "function: ",
                       raw.text,
                       ", number of operands: ",
                       args.size()));
      return out;
    }
    if (list_append) {
      CheckImmediateTypes(raw.args, "list_append", AttributeType::kL);
      out.kind = UpdateOperand::Kind::kListAppend;
      out.args = std::move(args);
      return out;
    }
    if (raw.args[0].kind != RawOperand::kPath) {
      Set(kFunction,
          "Operator or function requires a document path; operator or function: if_not_exists");
      return out;
    }
    out.kind = UpdateOperand::Kind::kIfNotExists;
    out.path = std::move(args[0].path);
    out.args.push_back(std::move(args[1]));
    return out;
  }

  Checker names_;
  const model::Item* substitutions_values_ = nullptr;
  std::vector<Path> targets_;
  std::array<std::optional<std::string>, kCount> errors_;
};

// "overlap" when one path is a prefix of (or equal to) the other, "conflict"
// when they agree up to a step that is a name in one and an index in the
// other; empty otherwise.
absl::string_view PathRelation(const Path& a, const Path& b) {
  const size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    if (a[i] == b[i]) continue;
    if (a[i].is_index != b[i].is_index) return "conflict";
    return "";
  }
  return "overlap";
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
  Checker checker(substitutions, use);
  Condition condition = checker.CheckCondition(raw);
  if (std::optional<std::string> error = checker.FirstError()) return Invalid(kind, *error);
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
  Checker checker(substitutions, use);
  std::vector<Path> paths;
  paths.reserve(raw.size());
  for (const auto& path : raw) paths.push_back(checker.CheckPath(path));
  if (std::optional<std::string> error = checker.FirstError()) return Invalid(kind, *error);
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
  UpdateChecker checker(substitutions, use);
  UpdateExpression update = checker.Check(raw);
  if (std::optional<std::string> error = checker.FirstError()) return Invalid(kind, *error);
  return update;
}

}  // namespace tern::expr
