// Randomized tests: the parsers survive arbitrary input, and the evaluator
// agrees with a small, independently written reference on random items and
// random conditions.
#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "boost/json.hpp"
#include "common/expr/evaluator.h"
#include "common/expr/expr_test_util.h"
#include "common/expr/parser.h"
#include "common/testing/testing.h"
#include "gtest/gtest.h"

namespace tern::expr {
namespace {

using model::AttributeValue;

// --- Robustness ---------------------------------------------------------------

void ParseEverything(absl::string_view text,
                     const std::map<std::string, std::string>& names,
                     const model::Item& values,
                     const model::Item& item) {
  const Substitutions subs{&names, &values};
  SubstitutionUse use;
  absl::StatusOr<Condition> condition = ParseCondition(text, ExpressionKind::kFilter, subs, &use);
  if (condition.ok()) {
    EXPECT_TRUE(EvaluateCondition(*condition, item).ok()) << text;
  } else {
    EXPECT_TRUE(absl::StartsWith(condition.status().message(), "Invalid FilterExpression: "))
        << condition.status();
  }
  absl::StatusOr<UpdateExpression> update = ParseUpdate(text, subs, &use);
  if (update.ok()) {
    model::Item copy = item;
    (void)ApplyUpdate(*update, &copy).ok();
  } else {
    EXPECT_TRUE(absl::StartsWith(update.status().message(), "Invalid UpdateExpression: "))
        << update.status();
  }
  absl::StatusOr<std::vector<Path>> paths = ParseProjection(text, subs, &use);
  if (paths.ok()) {
    (void)Project(item, *paths);
  } else {
    EXPECT_TRUE(absl::StartsWith(paths.status().message(), "Invalid ProjectionExpression: "))
        << paths.status();
  }
}

TEST(FuzzTest, RandomBytes) {
  std::mt19937_64 rng(tern::testing::SeedRandom());
  const auto names = testing::StandardNames();
  const auto values = testing::StandardValues();
  const model::Item item = {{"a", testing::S("x")}};
  for (int i = 0; i < 20000; ++i) {
    std::string text(rng() % 40, '\0');
    for (char& c : text) {
      // Mostly the expression alphabet, sometimes any byte.
      static constexpr absl::string_view kAlphabet = "ab#:()[]<>=,. 0123_-+xNOTANDsize";
      c = rng() % 4 == 0 ? static_cast<char>(rng() % 256) : kAlphabet[rng() % kAlphabet.size()];
    }
    ParseEverything(text, names, values, item);
  }
}

TEST(FuzzTest, RandomTokenSoups) {
  std::mt19937_64 rng(tern::testing::SeedRandom());
  const auto names = testing::StandardNames();
  const auto values = testing::StandardValues();
  const model::Item item = {{"a", testing::S("x")},
                            {"b", AttributeValue::L({testing::N("1")})},
                            {"c", AttributeValue::M({{"d", testing::S("y")}})}};
  const std::vector<std::string> vocabulary = {"a",
                                               "b",
                                               "c",
                                               "d",
                                               "#n",
                                               "#a",
                                               "#x",
                                               ":s",
                                               ":n",
                                               ":l",
                                               ":x",
                                               ":bool",
                                               ":t",
                                               ":bad",
                                               "(",
                                               ")",
                                               "[",
                                               "]",
                                               "0",
                                               "1",
                                               "7",
                                               ",",
                                               ".",
                                               "=",
                                               "<>",
                                               "<",
                                               "<=",
                                               ">",
                                               ">=",
                                               "AND",
                                               "OR",
                                               "NOT",
                                               "BETWEEN",
                                               "IN",
                                               "size",
                                               "contains",
                                               "attribute_exists",
                                               "attribute_not_exists",
                                               "attribute_type",
                                               "begins_with",
                                               "foo",
                                               "status",
                                               "+",
                                               "-",
                                               "SET",
                                               "REMOVE",
                                               "ADD",
                                               "DELETE",
                                               "list_append",
                                               "if_not_exists",
                                               ":ss",
                                               ":ns",
                                               "\xFF",
                                               "_"};
  int parsed = 0;
  int updates = 0;
  for (int i = 0; i < 30000; ++i) {
    std::string text;
    const int length = 1 + static_cast<int>(rng() % 8);
    for (int k = 0; k < length; ++k) {
      if (k > 0 && rng() % 2 == 0) text += ' ';
      text += vocabulary[rng() % vocabulary.size()];
    }
    ParseEverything(text, names, values, item);
    if (ParseCondition(text, ExpressionKind::kCondition, {&names, &values}, nullptr).ok()) {
      ++parsed;
    }
    if (ParseUpdate(text, {&names, &values}, nullptr).ok()) ++updates;
  }
  // The soup is meant to reach the evaluator, not only the error paths.
  EXPECT_GT(parsed, 40) << "parsed " << parsed;
  EXPECT_GT(updates, 3) << "updates " << updates;
}

// --- Evaluator against a reference --------------------------------------------

// The reference's own value model: small, flat and independent of
// model::AttributeValue.
struct RefValue {
  char type = 'S';               // 'S' string, 'N' integer, 'B' bytes, 'T' bool, '0' null,
                                 // 's' string set, 'L' list of integers
  std::string text;              // S, B
  int64_t number = 0;            // N
  bool flag = false;             // T
  std::vector<std::string> set;  // s
  std::vector<int64_t> list;     // L
};

using RefItem = std::map<std::string, RefValue>;

AttributeValue ToModel(const RefValue& v) {
  switch (v.type) {
    case 'S':
      return AttributeValue::S(v.text);
    case 'N':
      return testing::N(absl::StrCat(v.number));
    case 'B':
      return AttributeValue::B(v.text);
    case 'T':
      return AttributeValue::Bool(v.flag);
    case '0':
      return AttributeValue::Null();
    case 's':
      return AttributeValue::SS(v.set);
    default: {
      std::vector<AttributeValue> list;
      for (int64_t n : v.list) list.push_back(testing::N(absl::StrCat(n)));
      return AttributeValue::L(std::move(list));
    }
  }
}

bool RefEqual(const RefValue& a, const RefValue& b) {
  if (a.type != b.type) return false;
  switch (a.type) {
    case 'S':
    case 'B':
      return a.text == b.text;
    case 'N':
      return a.number == b.number;
    case 'T':
      return a.flag == b.flag;
    case '0':
      return true;
    case 's': {
      std::vector<std::string> x = a.set, y = b.set;
      std::sort(x.begin(), x.end());
      std::sort(y.begin(), y.end());
      return x == y;
    }
    default:
      return a.list == b.list;
  }
}

// -1/0/1 for two values of one of the types S, N, B; nullopt otherwise.
std::optional<int> RefOrder(const RefValue* a, const RefValue* b) {
  if (a == nullptr || b == nullptr || a->type != b->type) return std::nullopt;
  if (a->type == 'N') return a->number < b->number ? -1 : a->number > b->number ? 1 : 0;
  if (a->type == 'S' || a->type == 'B') {
    // Bytewise: compare as unsigned chars.
    const auto& x = a->text;
    const auto& y = b->text;
    for (size_t i = 0; i < std::min(x.size(), y.size()); ++i) {
      const auto cx = static_cast<unsigned char>(x[i]);
      const auto cy = static_cast<unsigned char>(y[i]);
      if (cx != cy) return cx < cy ? -1 : 1;
    }
    return x.size() < y.size() ? -1 : x.size() > y.size() ? 1 : 0;
  }
  return std::nullopt;
}

const char* RefTypeName(char type) {
  switch (type) {
    case 'S':
      return "S";
    case 'N':
      return "N";
    case 'B':
      return "B";
    case 'T':
      return "BOOL";
    case '0':
      return "NULL";
    case 's':
      return "SS";
    default:
      return "L";
  }
}

// A random condition, kept both as text (with its placeholder values) and as
// a closure-free tree the reference evaluates.
struct RefCond {
  enum Kind {
    kCmp,
    kBetween,
    kIn,
    kExists,
    kNotExists,
    kType,
    kBegins,
    kContains,
    kSizeCmp,
    kAnd,
    kOr,
    kNot
  } kind = kCmp;
  std::string op;                    // kCmp, kSizeCmp
  std::string path;                  // the attribute tested
  std::optional<std::string> path2;  // kCmp: a second attribute instead of a constant
  std::vector<RefValue> constants;
  std::vector<RefCond> children;
};

class Generator {
 public:
  explicit Generator(uint64_t seed) : rng_(seed) {}

  RefValue RandomValue(bool orderable_only = false) {
    RefValue v;
    const int pick = static_cast<int>(rng_() % (orderable_only ? 3 : 7));
    static const char* kStrings[] = {"", "a", "ab", "abc", "b", "ba", "\xC3\xA9"};
    static const char* kBytes[] = {"", "\x01", "\x01\x02", "\x02", "\xFF"};
    switch (pick) {
      case 0:
        v.type = 'S';
        v.text = kStrings[rng_() % 7];
        break;
      case 1:
        v.type = 'N';
        v.number = static_cast<int64_t>(rng_() % 7) - 3;
        break;
      case 2:
        v.type = 'B';
        v.text = kBytes[rng_() % 5];
        break;
      case 3:
        v.type = 'T';
        v.flag = rng_() % 2 == 0;
        break;
      case 4:
        v.type = '0';
        break;
      case 5: {
        v.type = 's';
        std::vector<std::string> all = {"a", "b", "c"};
        for (const auto& s : all) {
          if (rng_() % 2 == 0) v.set.push_back(s);
        }
        if (v.set.empty()) v.set.push_back("a");
        break;
      }
      default:
        v.type = 'L';
        for (int i = static_cast<int>(rng_() % 4); i > 0; --i) {
          v.list.push_back(static_cast<int64_t>(rng_() % 3));
        }
        break;
    }
    return v;
  }

  RefItem RandomItem() {
    RefItem item;
    for (const char* name : kNames) {
      if (rng_() % 4 != 0) item[name] = RandomValue();
    }
    return item;
  }

  RefCond RandomCondition(int depth) {
    RefCond c;
    const int pick = static_cast<int>(rng_() % (depth > 0 ? 12 : 9));
    c.path = kNames[rng_() % 4];
    static const char* kOps[] = {"=", "<>", "<", "<=", ">", ">="};
    switch (pick) {
      case 0:
      case 1: {
        c.kind = RefCond::kCmp;
        c.op = kOps[rng_() % 6];
        const bool ordered = c.op != "=" && c.op != "<>";
        if (rng_() % 4 == 0) {
          std::string other = kNames[rng_() % 4];
          if (other != c.path) c.path2 = other;
        }
        if (!c.path2) c.constants.push_back(RandomValue(ordered));
        break;
      }
      case 2: {
        c.kind = RefCond::kBetween;
        RefValue low = RandomValue(true);
        RefValue high = RandomValue(true);
        high.type = low.type;  // same type; then order the bounds
        if (low.type == 'N') high.number = low.number + static_cast<int64_t>(rng_() % 3);
        if (low.type != 'N') {
          if (high.text < low.text) high.text = low.text;
          std::optional<int> order = RefOrder(&low, &high);
          if (order && *order > 0) std::swap(low, high);
        }
        c.constants = {low, high};
        break;
      }
      case 3:
        c.kind = RefCond::kIn;
        for (int i = 1 + static_cast<int>(rng_() % 3); i > 0; --i) {
          c.constants.push_back(RandomValue());
        }
        break;
      case 4:
        c.kind = rng_() % 2 == 0 ? RefCond::kExists : RefCond::kNotExists;
        break;
      case 5: {
        c.kind = RefCond::kType;
        RefValue t;
        t.type = 'S';
        static const char* kTypes[] = {"S", "N", "B", "BOOL", "NULL", "SS", "L", "M"};
        t.text = kTypes[rng_() % 8];
        c.constants.push_back(t);
        break;
      }
      case 6: {
        c.kind = RefCond::kBegins;
        RefValue v = RandomValue(true);
        if (v.type == 'N') v.type = 'S';
        c.constants.push_back(v);
        break;
      }
      case 7:
        c.kind = RefCond::kContains;
        c.constants.push_back(RandomValue());
        break;
      case 8: {
        c.kind = RefCond::kSizeCmp;
        c.op = kOps[rng_() % 6];
        RefValue n;
        n.type = 'N';
        n.number = static_cast<int64_t>(rng_() % 4);
        c.constants.push_back(n);
        break;
      }
      case 9:
      case 10:
        c.kind = pick == 9 ? RefCond::kAnd : RefCond::kOr;
        c.children.push_back(RandomCondition(depth - 1));
        c.children.push_back(RandomCondition(depth - 1));
        break;
      default:
        c.kind = RefCond::kNot;
        c.children.push_back(RandomCondition(depth - 1));
        break;
    }
    return c;
  }

  static constexpr const char* kNames[] = {"a", "b", "c", "d"};

 private:
  std::mt19937_64 rng_;
};

// Renders c as expression text, adding its constants to *values.
std::string Render(const RefCond& c, model::Item* values) {
  auto constant = [&](const RefValue& v) {
    const std::string name = absl::StrCat(":v", values->size());
    (*values)[name] = ToModel(v);
    return name;
  };
  switch (c.kind) {
    case RefCond::kCmp:
      return absl::StrCat(c.path, " ", c.op, " ", c.path2 ? *c.path2 : constant(c.constants[0]));
    case RefCond::kBetween: {
      const std::string low = constant(c.constants[0]);
      return absl::StrCat(c.path, " BETWEEN ", low, " AND ", constant(c.constants[1]));
    }
    case RefCond::kIn: {
      std::string out = absl::StrCat(c.path, " IN (");
      for (size_t i = 0; i < c.constants.size(); ++i) {
        absl::StrAppend(&out, i > 0 ? ", " : "", constant(c.constants[i]));
      }
      return out + ")";
    }
    case RefCond::kExists:
      return absl::StrCat("attribute_exists(", c.path, ")");
    case RefCond::kNotExists:
      return absl::StrCat("attribute_not_exists(", c.path, ")");
    case RefCond::kType:
      return absl::StrCat("attribute_type(", c.path, ", ", constant(c.constants[0]), ")");
    case RefCond::kBegins:
      return absl::StrCat("begins_with(", c.path, ", ", constant(c.constants[0]), ")");
    case RefCond::kContains:
      return absl::StrCat("contains(", c.path, ", ", constant(c.constants[0]), ")");
    case RefCond::kSizeCmp:
      return absl::StrCat("size(", c.path, ") ", c.op, " ", constant(c.constants[0]));
    case RefCond::kAnd: {
      const std::string left = Render(c.children[0], values);
      return absl::StrCat("(", left, ") AND (", Render(c.children[1], values), ")");
    }
    case RefCond::kOr: {
      const std::string left = Render(c.children[0], values);
      return absl::StrCat("(", left, ") OR (", Render(c.children[1], values), ")");
    }
    case RefCond::kNot:
      return absl::StrCat("NOT (", Render(c.children[0], values), ")");
  }
  return "";
}

bool RefCompare(const std::string& op, const RefValue* a, const RefValue* b) {
  if (op == "=") return a != nullptr && b != nullptr && RefEqual(*a, *b);
  if (op == "<>") return a == nullptr || b == nullptr || !RefEqual(*a, *b);
  std::optional<int> order = RefOrder(a, b);
  if (!order) return false;
  if (op == "<") return *order < 0;
  if (op == "<=") return *order <= 0;
  if (op == ">") return *order > 0;
  return *order >= 0;
}

bool RefEvaluate(const RefCond& c, const RefItem& item) {
  auto it = item.find(c.path);
  const RefValue* x = it == item.end() ? nullptr : &it->second;
  switch (c.kind) {
    case RefCond::kCmp: {
      const RefValue* other = nullptr;
      if (c.path2) {
        auto jt = item.find(*c.path2);
        other = jt == item.end() ? nullptr : &jt->second;
      } else {
        other = &c.constants[0];
      }
      return RefCompare(c.op, x, other);
    }
    case RefCond::kBetween: {
      std::optional<int> lo = RefOrder(x, &c.constants[0]);
      std::optional<int> hi = RefOrder(x, &c.constants[1]);
      return lo && hi && *lo >= 0 && *hi <= 0;
    }
    case RefCond::kIn:
      if (x == nullptr) return false;
      for (const RefValue& v : c.constants) {
        if (RefEqual(*x, v)) return true;
      }
      return false;
    case RefCond::kExists:
      return x != nullptr;
    case RefCond::kNotExists:
      return x == nullptr;
    case RefCond::kType:
      return x != nullptr && c.constants[0].text == RefTypeName(x->type);
    case RefCond::kBegins:
      return x != nullptr && x->type == c.constants[0].type &&
             x->text.compare(0, c.constants[0].text.size(), c.constants[0].text) == 0 &&
             x->text.size() >= c.constants[0].text.size();
    case RefCond::kContains: {
      if (x == nullptr) return false;
      const RefValue& v = c.constants[0];
      if (x->type == 'S') return v.type == 'S' && x->text.find(v.text) != std::string::npos;
      if (x->type == 's') {
        return v.type == 'S' && std::count(x->set.begin(), x->set.end(), v.text) > 0;
      }
      if (x->type == 'L') {
        return v.type == 'N' && std::count(x->list.begin(), x->list.end(), v.number) > 0;
      }
      return false;
    }
    case RefCond::kSizeCmp: {
      if (x == nullptr) return RefCompare(c.op, nullptr, &c.constants[0]);
      RefValue size;
      size.type = 'N';
      if (x->type == 'S' || x->type == 'B') {
        size.number = static_cast<int64_t>(x->text.size());
      } else if (x->type == 's') {
        size.number = static_cast<int64_t>(x->set.size());
      } else if (x->type == 'L') {
        size.number = static_cast<int64_t>(x->list.size());
      } else {
        return RefCompare(c.op, nullptr, &c.constants[0]);
      }
      return RefCompare(c.op, &size, &c.constants[0]);
    }
    case RefCond::kAnd:
      return RefEvaluate(c.children[0], item) && RefEvaluate(c.children[1], item);
    case RefCond::kOr:
      return RefEvaluate(c.children[0], item) || RefEvaluate(c.children[1], item);
    case RefCond::kNot:
      return !RefEvaluate(c.children[0], item);
  }
  return false;
}

TEST(PropertyTest, EvaluatorAgreesWithReference) {
  Generator gen(tern::testing::SeedRandom());
  int true_count = 0;
  constexpr int kRounds = 20000;
  for (int round = 0; round < kRounds; ++round) {
    const RefItem ref_item = gen.RandomItem();
    model::Item item;
    for (const auto& [name, value] : ref_item) item[name] = ToModel(value);
    const RefCond ref_cond = gen.RandomCondition(2);
    model::Item values;
    const std::string text = Render(ref_cond, &values);
    absl::StatusOr<Condition> condition =
        ParseCondition(text, ExpressionKind::kCondition, {nullptr, &values}, nullptr);
    ASSERT_TRUE(condition.ok()) << text << ": " << condition.status();
    absl::StatusOr<bool> got = EvaluateCondition(*condition, item);
    ASSERT_TRUE(got.ok());
    const bool want = RefEvaluate(ref_cond, ref_item);
    std::string item_text;
    for (const auto& [name, value] : item) {
      absl::StrAppend(&item_text, name, "=", boost::json::serialize(model::ToJson(value)), " ");
    }
    ASSERT_EQ(*got, want) << text << "\nitem: " << item_text;
    if (want) ++true_count;
  }
  // Both outcomes must be well represented for the comparison to mean much.
  EXPECT_GT(true_count, kRounds / 10);
  EXPECT_LT(true_count, kRounds * 9 / 10);
}

}  // namespace
}  // namespace tern::expr
