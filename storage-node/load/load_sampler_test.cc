#include "storage-node/load/load_sampler.h"

#include <random>

#include "common/testing/testing.h"
#include "gtest/gtest.h"

namespace tern::load {
namespace {

using testing::IsOk;
using testing::StatusIs;

std::string Key(int i) {
  char buffer[8];
  snprintf(buffer, sizeof(buffer), "k%04d", i);
  return buffer;
}

// Requests spread over 100 keys in random order, key i drawn weight(i) times.
LoadSample Shuffled(const std::function<int(int)>& weight, uint64_t seed) {
  LoadSample sample;
  for (int i = 0; i < 100; ++i) {
    for (int n = 0; n < weight(i); ++n) sample.keys.push_back(Key(i));
  }
  std::mt19937_64 rng(seed);
  std::shuffle(sample.keys.begin(), sample.keys.end(), rng);
  return sample;
}

TEST(ChooseLoadSplitTest, SplitsWhereTheLoadDividesInHalf) {
  // Uniform: the middle key.
  absl::StatusOr<std::string> uniform = ChooseLoadSplit(Shuffled([](int) { return 4; }, 1), "");
  ASSERT_THAT(uniform, IsOk());
  EXPECT_EQ(*uniform, Key(50));
  // Keys 80-99 draw ten times as much: the split moves right.
  absl::StatusOr<std::string> skewed =
      ChooseLoadSplit(Shuffled([](int i) { return i >= 80 ? 20 : 2; }, 2), "");
  ASSERT_THAT(skewed, IsOk());
  EXPECT_GT(*skewed, Key(80));
  EXPECT_LT(*skewed, Key(95));
}

TEST(ChooseLoadSplitTest, RefusesWhenOneKeyDominates) {
  EXPECT_THAT(
      ChooseLoadSplit(Shuffled([](int i) { return i == 7 ? 500 : 1; }, 3), ""),
      StatusIs(absl::StatusCode::kFailedPrecondition, ::testing::HasSubstr("one partition key")));
}

TEST(ChooseLoadSplitTest, RefusesSequentialAccess) {
  LoadSample sequential;
  for (int i = 0; i < 100; ++i) sequential.keys.push_back(Key(i));
  EXPECT_THAT(ChooseLoadSplit(sequential, ""),
              StatusIs(absl::StatusCode::kFailedPrecondition, ::testing::HasSubstr("sequential")));
}

TEST(ChooseLoadSplitTest, RefusesTooFewSamplesAndKeysOutsideThePartition) {
  LoadSample few;
  few.keys = {Key(2), Key(1), Key(3)};
  EXPECT_THAT(ChooseLoadSplit(few, ""),
              StatusIs(absl::StatusCode::kFailedPrecondition, ::testing::_));
  // Every sampled key at or below the partition's start: nothing to split at.
  EXPECT_THAT(ChooseLoadSplit(Shuffled([](int) { return 2; }, 4), Key(99)),
              StatusIs(absl::StatusCode::kFailedPrecondition, ::testing::_));
}

TEST(LoadSamplerTest, SamplesOneInNAndMeasuresTheRate) {
  time::ManualClock clock;
  LoadSampler sampler(&clock, /*capacity=*/10, /*sample_every=*/2, std::chrono::seconds(10));
  for (int i = 0; i < 30; ++i) sampler.Record(7, Key(i));
  LoadSample sample = sampler.Sample(7);
  ASSERT_EQ(sample.keys.size(), 10u);  // 15 sampled, the last 10 kept
  EXPECT_EQ(sample.keys.front(), Key(10));
  EXPECT_EQ(sample.keys.back(), Key(28));
  clock.Advance(std::chrono::seconds(10));
  sampler.Record(7, Key(0));  // closes the window: 30 requests in 10 s
  EXPECT_DOUBLE_EQ(sampler.RequestsPerSecond(7), 3.0);
  EXPECT_EQ(sampler.RequestsPerSecond(8), 0);
  sampler.Forget(7);
  EXPECT_TRUE(sampler.Sample(7).keys.empty());
}

}  // namespace
}  // namespace tern::load
