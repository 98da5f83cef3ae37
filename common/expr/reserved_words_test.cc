#include "common/expr/reserved_words.h"

#include "gtest/gtest.h"

namespace tern::expr {
namespace {

TEST(ReservedWordsTest, PublishedListIsComplete) { EXPECT_EQ(ReservedWordCountForTesting(), 573u); }

TEST(ReservedWordsTest, CaseInsensitive) {
  for (const char* word : {"status",
                           "STATUS",
                           "Status",
                           "abort",
                           "ZONE",
                           "size",
                           "name",
                           "data",
                           "inntER",
                           "flattern",
                           "loged"}) {
    EXPECT_TRUE(IsReservedWord(word)) << word;
  }
}

TEST(ReservedWordsTest, OrdinaryNames) {
  for (const char* word : {"",
                           "a",
                           "statuses",
                           "Artist",
                           "pk",
                           "sk",
                           "zones",
                           "abor",
                           "Z",
                           "attribute_exists",
                           "contains",
                           "begins_with"}) {
    EXPECT_FALSE(IsReservedWord(word)) << word;
  }
}

}  // namespace
}  // namespace tern::expr
