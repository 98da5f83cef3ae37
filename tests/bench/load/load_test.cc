#include <atomic>
#include <cmath>
#include <map>

#include "boost/json/parse.hpp"
#include "common/testing/testing.h"
#include "gtest/gtest.h"
#include "tests/bench/load/histogram.h"
#include "tests/bench/load/keys.h"
#include "tests/bench/load/workload.h"

namespace tern::bench {
namespace {

using testing::IsOk;

TEST(LatencyHistogramTest, PercentilesAreWithinTheBucketPrecision) {
  LatencyHistogram h;
  for (uint64_t v = 1; v <= 100000; ++v) h.Record(v);
  EXPECT_EQ(h.count(), 100000u);
  EXPECT_EQ(h.max(), 100000u);
  EXPECT_NEAR(h.mean(), 50000.5, 0.01);
  for (double p : {1.0, 50.0, 90.0, 99.0, 99.9}) {
    const double exact = p / 100.0 * 100000;
    EXPECT_NEAR(static_cast<double>(h.Percentile(p)), exact, exact * 0.016) << p;
    EXPECT_GE(static_cast<double>(h.Percentile(p)), exact) << p;  // upper edges
  }
  EXPECT_EQ(h.Percentile(100), 100000u);
  // Small values are exact.
  LatencyHistogram small;
  for (uint64_t v : {3, 5, 7, 100}) small.Record(v);
  EXPECT_EQ(small.Percentile(50), 5u);
  EXPECT_EQ(small.Percentile(75), 7u);
  EXPECT_EQ(LatencyHistogram().Percentile(99), 0u);
}

TEST(LatencyHistogramTest, MergeAddsAndHugeValuesFit) {
  LatencyHistogram a, b;
  a.Record(10);
  b.Record(uint64_t{1} << 62);
  a.Merge(b);
  EXPECT_EQ(a.count(), 2u);
  EXPECT_EQ(a.max(), uint64_t{1} << 62);
  EXPECT_EQ(a.Percentile(50), 10u);
  a.Clear();
  EXPECT_EQ(a.count(), 0u);
}

TEST(KeysTest, ZipfianFavoursLowRanks) {
  const uint64_t seed = 42;
  std::cout << "seed " << seed << "\n";
  Rng rng(seed);
  ZipfianRanks ranks(1000);
  std::map<uint64_t, int> counts;
  for (int i = 0; i < 200000; ++i) {
    uint64_t r = ranks.Next(rng);
    ASSERT_LT(r, 1000u);
    ++counts[r];
  }
  // With theta 0.99, P(rank 0) = 1 / zeta(1000) ~ 13%, and rank 1 about half as likely.
  EXPECT_NEAR(counts[0] / 200000.0, 0.134, 0.01);
  EXPECT_NEAR(static_cast<double>(counts[1]) / counts[0], std::pow(0.5, 0.99), 0.05);
  EXPECT_GT(counts[0], counts[10] * 8);
}

TEST(KeysTest, ChoosersStayInRangeAndLatestFollowsInserts) {
  std::atomic<uint64_t> inserted{500};
  Rng rng(7);
  for (const char* distribution : {"uniform", "zipfian", "latest"}) {
    auto keys = MakeKeyChooser(distribution, 500, &inserted);
    ASSERT_THAT(keys, IsOk());
    std::map<uint64_t, int> seen;
    for (int i = 0; i < 20000; ++i) {
      uint64_t k = (*keys)->Next(rng);
      ASSERT_LT(k, 500u) << distribution;
      ++seen[k];
    }
    EXPECT_GT(seen.size(), 100u) << distribution;
  }
  auto latest = MakeKeyChooser("latest", 500, &inserted);
  inserted = 1000;
  int recent = 0;
  for (int i = 0; i < 1000; ++i) recent += (*latest)->Next(rng) >= 990 ? 1 : 0;
  EXPECT_GT(recent, 300);  // the newest ten records take a large share
  EXPECT_FALSE(MakeKeyChooser("hotspot", 500, &inserted).ok());
  EXPECT_FALSE(MakeKeyChooser("uniform", 0, &inserted).ok());
  EXPECT_NE(RecordKey(1), RecordKey(2));
  EXPECT_EQ(RecordKey(1).size(), 20u);
}

TEST(WorkloadTest, MixesFollowYcsb) {
  Rng rng(3);
  absl::StatusOr<Mix> a = WorkloadMix("A");
  ASSERT_THAT(a, IsOk());
  int reads = 0;
  for (int i = 0; i < 10000; ++i) reads += PickOp(*a, rng) == Op::kRead ? 1 : 0;
  EXPECT_NEAR(reads, 5000, 300);
  absl::StatusOr<Mix> e = WorkloadMix("e");
  ASSERT_THAT(e, IsOk());
  int scans = 0;
  for (int i = 0; i < 10000; ++i) scans += PickOp(*e, rng) == Op::kScan ? 1 : 0;
  EXPECT_NEAR(scans, 9500, 150);
  EXPECT_EQ(WorkloadMix("d")->distribution, "latest");
  EXPECT_EQ(PickOp(*WorkloadMix("put"), rng), Op::kPut);
  EXPECT_FALSE(WorkloadMix("g").ok());
}

TEST(WorkloadTest, BodiesAreDynamoDbJson) {
  Rng rng(5);
  RecordShape shape{10, 1000};
  boost::json::value put = boost::json::parse(PutItemBody("t", "user1", shape, rng));
  const boost::json::object& item = put.at("Item").as_object();
  EXPECT_EQ(item.size(), 11u);
  EXPECT_EQ(item.at("field3").at("S").as_string().size(), 100u);
  boost::json::value update = boost::json::parse(UpdateItemBody("t", "user1", shape, rng));
  EXPECT_EQ(update.at("UpdateExpression").as_string(), "SET #f = :v");
  boost::json::value get = boost::json::parse(GetItemBody("t", "user1", true));
  EXPECT_EQ(get.at("Key").at("id").at("S").as_string(), "user1");
  EXPECT_TRUE(get.at("ConsistentRead").as_bool());
  boost::json::value scan = boost::json::parse(ScanBody("t", "user1", 7));
  EXPECT_EQ(scan.at("Limit").as_int64(), 7);
  boost::json::value create = boost::json::parse(CreateTableBody("t"));
  EXPECT_EQ(create.at("BillingMode").as_string(), "PAY_PER_REQUEST");
}

}  // namespace
}  // namespace tern::bench
