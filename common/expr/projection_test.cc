#include <map>
#include <string>
#include <vector>

#include "common/expr/evaluator.h"
#include "common/expr/expr_test_util.h"
#include "common/expr/parser.h"
#include "gtest/gtest.h"

namespace tern::expr {
namespace {

using model::AttributeValue;
using testing::N;
using testing::S;

class ProjectionTest : public ::testing::Test {
 protected:
  ProjectionTest() {
    item_["a"] = S("1");
    item_["b"] = AttributeValue::M(
        {{"c", S("2")}, {"d", S("3")}, {"e", AttributeValue::M({{"f", S("4")}, {"g", S("5")}})}});
    item_["l"] = AttributeValue::L(
        {S("l0"), S("l1"), AttributeValue::M({{"x", S("6")}, {"y", S("7")}}), S("l3")});
    item_["x.y"] = S("dotted");
  }

  model::Item ProjectText(absl::string_view text) {
    absl::StatusOr<std::vector<Path>> paths =
        ParseProjection(text, Substitutions{&names_, nullptr}, nullptr);
    EXPECT_TRUE(paths.ok()) << text << ": " << paths.status();
    if (!paths.ok()) return {};
    return Project(item_, *paths);
  }

  model::Item item_;
  std::map<std::string, std::string> names_ = testing::StandardNames();
};

TEST_F(ProjectionTest, TopLevel) {
  EXPECT_EQ(ProjectText("a"), (model::Item{{"a", S("1")}}));
  EXPECT_EQ(ProjectText("a, absent"), (model::Item{{"a", S("1")}}));
  EXPECT_EQ(ProjectText("absent"), model::Item());
  EXPECT_EQ(ProjectText("#dot"), (model::Item{{"x.y", S("dotted")}}));
  EXPECT_EQ(ProjectText("a, b, l, #dot"), item_);
}

TEST_F(ProjectionTest, NestedMapsKeepTheirStructure) {
  EXPECT_EQ(ProjectText("b.c"), (model::Item{{"b", AttributeValue::M({{"c", S("2")}})}}));
  EXPECT_EQ(
      ProjectText("b.e.g, b.c"),
      (model::Item{
          {"b", AttributeValue::M({{"c", S("2")}, {"e", AttributeValue::M({{"g", S("5")}})}})}}));
  EXPECT_EQ(ProjectText("b.zz"), model::Item());
  EXPECT_EQ(ProjectText("a.zz"), model::Item());
  EXPECT_EQ(ProjectText("b[0]"), model::Item());
}

TEST_F(ProjectionTest, ListElementsAreCompactedInIndexOrder) {
  EXPECT_EQ(ProjectText("l[3], l[1]"), (model::Item{{"l", AttributeValue::L({S("l1"), S("l3")})}}));
  EXPECT_EQ(ProjectText("l[9]"), model::Item());
  EXPECT_EQ(ProjectText("l[1], l[9]"), (model::Item{{"l", AttributeValue::L({S("l1")})}}));
  EXPECT_EQ(ProjectText("l[2].y, l[0]"),
            (model::Item{{"l", AttributeValue::L({S("l0"), AttributeValue::M({{"y", S("7")}})})}}));
  EXPECT_EQ(ProjectText("l[0].y"), model::Item());
  EXPECT_EQ(ProjectText("l.x"), model::Item());
}

TEST_F(ProjectionTest, OverlappingPathsSelectTheirUnion) {
  // ParseProjection refuses them; Project still answers sensibly.
  std::vector<Path> paths = {{PathElement::Name("b"), PathElement::Name("c")},
                             {PathElement::Name("b")}};
  EXPECT_EQ(Project(item_, paths), (model::Item{{"b", item_["b"]}}));
}

}  // namespace
}  // namespace tern::expr
