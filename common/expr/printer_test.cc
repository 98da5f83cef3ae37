#include "common/expr/printer.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/expr/expr_test_util.h"
#include "common/expr/parser.h"
#include "common/testing/testing.h"
#include "gtest/gtest.h"

namespace tern::expr {
namespace {

using model::AttributeValue;
using testing::B;
using testing::N;
using testing::Num;
using testing::S;

absl::StatusOr<Condition> Reparse(const WireExpression& wire) {
  return ParseCondition(
      wire.text, ExpressionKind::kCondition, Substitutions{&wire.names, &wire.values}, nullptr);
}

Operand P(std::vector<std::string> names) {
  Path path;
  for (std::string& n : names) path.push_back(PathElement::Name(std::move(n)));
  return Operand::OfPath(std::move(path));
}
Operand V(AttributeValue v) { return Operand::OfValue(std::move(v)); }

Condition Cmp(Operand a, Comparator c, Operand b) {
  Condition out;
  out.kind = Condition::Kind::kCompare;
  out.comparator = c;
  out.operands = {std::move(a), std::move(b)};
  return out;
}
Condition Join(Condition::Kind kind, Condition a, Condition b) {
  Condition out;
  out.kind = kind;
  out.children.push_back(std::move(a));
  out.children.push_back(std::move(b));
  return out;
}
Condition Not(Condition a) {
  Condition out;
  out.kind = Condition::Kind::kNot;
  out.children.push_back(std::move(a));
  return out;
}

TEST(PrinterTest, Golden) {
  const Condition eq = Cmp(P({"status"}), Comparator::kEq, V(S("x")));
  const Condition lt = Cmp(P({"a", "b"}), Comparator::kLt, V(N("1")));
  const Condition ge = Cmp(
      Operand::OfSize({PathElement::Name("a"), PathElement::Index(3)}), Comparator::kGe, V(N("2")));
  using K = Condition::Kind;
  struct Case {
    Condition condition;
    std::string text;
  };
  const std::vector<Case> cases = {
      {eq, "#n0 = :v0"},
      {ge, "size(#n0[3]) >= :v0"},
      {Join(K::kAnd, Join(K::kAnd, eq, lt), ge),
       "#n0 = :v0 AND #n1.#n2 < :v1 AND size(#n1[3]) >= :v2"},
      {Join(K::kAnd, eq, Join(K::kAnd, lt, ge)),
       "#n0 = :v0 AND (#n1.#n2 < :v1 AND size(#n1[3]) >= :v2)"},
      {Join(K::kAnd, Join(K::kOr, eq, lt), ge),
       "(#n0 = :v0 OR #n1.#n2 < :v1) AND size(#n1[3]) >= :v2"},
      {Join(K::kOr, Join(K::kAnd, eq, lt), ge),
       "#n0 = :v0 AND #n1.#n2 < :v1 OR size(#n1[3]) >= :v2"},
      {Join(K::kOr, eq, Join(K::kAnd, lt, ge)),
       "#n0 = :v0 OR #n1.#n2 < :v1 AND size(#n1[3]) >= :v2"},
      {Not(Not(eq)), "NOT NOT #n0 = :v0"},
      {Not(Join(K::kAnd, eq, lt)), "NOT (#n0 = :v0 AND #n1.#n2 < :v1)"},
      {Join(K::kAnd, Not(eq), Not(lt)), "NOT #n0 = :v0 AND NOT #n1.#n2 < :v1"},
  };
  for (const Case& c : cases) {
    const WireExpression wire = PrintCondition(c.condition);
    EXPECT_EQ(wire.text, c.text);
    absl::StatusOr<Condition> back = Reparse(wire);
    ASSERT_TRUE(back.ok()) << wire.text << ": " << back.status();
    EXPECT_TRUE(*back == c.condition) << wire.text;
  }
  // One placeholder per distinct name, one per constant.
  const WireExpression wire = PrintCondition(Join(K::kAnd, eq, eq));
  EXPECT_EQ(wire.text, "#n0 = :v0 AND #n0 = :v1");
  EXPECT_EQ(wire.names, (std::map<std::string, std::string>{{"#n0", "status"}}));
  EXPECT_EQ(wire.values.size(), 2u);
}

// --- Random trees within the checker's rules ----------------------------------

class Generator {
 public:
  explicit Generator(uint64_t seed) : rng_(seed) {}

  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool OneIn(int n) { return Uniform(0, n - 1) == 0; }

  std::string Bytes(int max_len) {
    std::string out(static_cast<size_t>(Uniform(0, max_len)), '\0');
    for (char& c : out) c = static_cast<char>(Uniform(0, 255));
    return out;
  }

  std::string Name() {
    static const char* const kNames[] = {
        "a", "b", "status", "x.y", "", "#n0", ":v0", "with space", "size", "AND", "名前", "a[0]"};
    if (OneIn(5)) return Bytes(6);
    return kNames[Uniform(0, static_cast<int>(std::size(kNames)) - 1)];
  }

  Path RandomPath() {
    Path path{PathElement::Name(Name())};
    const int extra = Uniform(0, 3);
    for (int i = 0; i < extra; ++i) {
      if (OneIn(2)) {
        path.push_back(PathElement::Name(Name()));
      } else {
        static const uint32_t kIndexes[] = {0, 1, 7, 1000, INT32_MAX};
        path.push_back(PathElement::Index(kIndexes[Uniform(0, 4)]));
      }
    }
    return path;
  }

  model::Number Number() {
    static const char* const kNumbers[] = {
        "0", "-1.5", "1", "2", "1E+10", "12345678901234567890123456789012345678", "-1E-130"};
    return Num(kNumbers[Uniform(0, static_cast<int>(std::size(kNumbers)) - 1)]);
  }

  // A value of an orderable type (S, N or B): type 0, 1, 2.
  AttributeValue Scalar(int type) {
    switch (type) {
      case 0:
        return S(Bytes(4));
      case 1:
        return AttributeValue::N(Number());
      default:
        return B(Bytes(4));
    }
  }

  AttributeValue AnyValue(int depth = 0) {
    switch (Uniform(0, depth > 1 ? 7 : 9)) {
      case 0:
      case 1:
      case 2:
        return Scalar(Uniform(0, 2));
      case 3:
        return AttributeValue::Bool(OneIn(2));
      case 4:
        return AttributeValue::Null();
      case 5:
        return AttributeValue::SS({Bytes(3) + "s", "t"});
      case 6:
        return AttributeValue::NS({Num("1"), Num("3")});
      case 7:
        return AttributeValue::BS({Bytes(2) + "b"});
      case 8:
        return AttributeValue::L({AnyValue(depth + 1), AnyValue(depth + 1)});
      default:
        return AttributeValue::M({{Bytes(3), AnyValue(depth + 1)}});
    }
  }

  // A path, size(path) or a constant; `orderable` restricts constants to S, N, B.
  Operand AnyOperand(bool orderable) {
    switch (Uniform(0, 2)) {
      case 0:
        return Operand::OfPath(RandomPath());
      case 1:
        return Operand::OfSize(RandomPath());
      default:
        return Operand::OfValue(orderable ? Scalar(Uniform(0, 2)) : AnyValue());
    }
  }

  // An operand that is not the path `first` (the distinct-operand rule).
  Operand DistinctOperand(const Operand& first, bool orderable) {
    while (true) {
      Operand op = AnyOperand(orderable);
      if (!(first.kind == Operand::Kind::kPath && op.kind == Operand::Kind::kPath &&
            first.path == op.path)) {
        return op;
      }
    }
  }

  Condition RandomCondition(int depth) {
    Condition c;
    const int pick = depth >= 5 ? Uniform(3, 12) : Uniform(0, 12);
    switch (pick) {
      case 0:
        c.kind = Condition::Kind::kAnd;
        break;
      case 1:
        c.kind = Condition::Kind::kOr;
        break;
      case 2:
        c.kind = Condition::Kind::kNot;
        c.children.push_back(RandomCondition(depth + 1));
        return c;
      case 3:
      case 4: {
        c.kind = Condition::Kind::kCompare;
        c.comparator = static_cast<Comparator>(Uniform(0, 5));
        const bool orderable = c.comparator != Comparator::kEq && c.comparator != Comparator::kNe;
        c.operands.push_back(AnyOperand(orderable));
        c.operands.push_back(DistinctOperand(c.operands[0], orderable));
        return c;
      }
      case 5: {
        c.kind = Condition::Kind::kBetween;
        c.operands.push_back(AnyOperand(true));
        if (OneIn(2)) {
          const int type = Uniform(0, 2);
          AttributeValue low = Scalar(type);
          AttributeValue high = Scalar(type);
          if (!Ordered(low, high)) std::swap(low, high);
          c.operands.push_back(Operand::OfValue(std::move(low)));
          c.operands.push_back(Operand::OfValue(std::move(high)));
        } else {
          c.operands.push_back(Operand::OfPath(RandomPath()));
          c.operands.push_back(AnyOperand(true));
          if (OneIn(2)) std::swap(c.operands[1], c.operands[2]);
        }
        return c;
      }
      case 6: {
        c.kind = Condition::Kind::kIn;
        c.operands.push_back(AnyOperand(false));
        const int count = OneIn(20) ? kMaxInOperands : Uniform(1, 5);
        for (int i = 0; i < count; ++i) {
          c.operands.push_back(DistinctOperand(c.operands[0], false));
        }
        return c;
      }
      case 7:
        c.kind =
            OneIn(2) ? Condition::Kind::kAttributeExists : Condition::Kind::kAttributeNotExists;
        c.operands.push_back(Operand::OfPath(RandomPath()));
        return c;
      case 8: {
        static const char* const kTypes[] = {
            "S", "N", "B", "NULL", "SS", "BOOL", "L", "BS", "NS", "M"};
        c.kind = Condition::Kind::kAttributeType;
        c.operands.push_back(Operand::OfPath(RandomPath()));
        c.operands.push_back(Operand::OfValue(S(kTypes[Uniform(0, 9)])));
        return c;
      }
      case 9:
      case 10: {
        c.kind = Condition::Kind::kBeginsWith;
        for (int i = 0; i < 2; ++i) {
          if (OneIn(2)) {
            c.operands.push_back(Operand::OfPath(RandomPath()));
          } else {
            c.operands.push_back(Operand::OfValue(OneIn(2) ? S(Bytes(3)) : B(Bytes(3))));
          }
        }
        if (c.operands[0] == c.operands[1] && c.operands[0].kind == Operand::Kind::kPath) {
          c.operands[1].path.push_back(PathElement::Index(0));
        }
        return c;
      }
      default:
        c.kind = Condition::Kind::kContains;
        c.operands.push_back(AnyOperand(false));
        c.operands.push_back(DistinctOperand(c.operands[0], false));
        return c;
    }
    c.children.push_back(RandomCondition(depth + 1));
    c.children.push_back(RandomCondition(depth + 1));
    return c;
  }

 private:
  static bool Ordered(const AttributeValue& a, const AttributeValue& b) {
    switch (a.type()) {
      case model::AttributeType::kN:
        return a.n().Compare(b.n()) <= 0;
      case model::AttributeType::kS:
        return a.s() <= b.s();
      default:
        return a.b() <= b.b();
    }
  }

  std::mt19937_64 rng_;
};

TEST(PrinterTest, RandomConditionsRoundTrip) {
  Generator gen(tern::testing::SeedRandom());
  int too_long = 0;
  constexpr int kRounds = 3000;
  for (int i = 0; i < kRounds; ++i) {
    const Condition condition = gen.RandomCondition(0);
    const WireExpression wire = PrintCondition(condition);
    if (wire.text.size() > kMaxExpressionBytes) {
      ++too_long;  // a huge random tree; the printer is fine, the limit is not its business
      continue;
    }
    absl::StatusOr<Condition> back = Reparse(wire);
    ASSERT_TRUE(back.ok()) << wire.text << "\n" << back.status();
    ASSERT_TRUE(*back == condition) << wire.text;
  }
  EXPECT_LT(too_long, kRounds / 100);
}

TEST(PrinterTest, RandomProjectionsRoundTrip) {
  Generator gen(tern::testing::SeedRandom());
  for (int i = 0; i < 1000; ++i) {
    // Distinct top-level names: the paths can neither overlap nor conflict.
    std::vector<Path> paths;
    const int count = gen.Uniform(1, 8);
    for (int k = 0; k < count; ++k) {
      Path path = gen.RandomPath();
      path[0].name = absl::StrCat(k, path[0].name);
      paths.push_back(std::move(path));
    }
    const WireExpression wire = PrintProjection(paths);
    EXPECT_TRUE(wire.values.empty());
    absl::StatusOr<std::vector<Path>> back =
        ParseProjection(wire.text, Substitutions{&wire.names, &wire.values}, nullptr);
    ASSERT_TRUE(back.ok()) << wire.text << "\n" << back.status();
    ASSERT_TRUE(*back == paths) << wire.text;
  }
}

}  // namespace
}  // namespace tern::expr
