#include "common/metrics/metrics.h"

#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tern::metrics {
namespace {

using ::testing::HasSubstr;

TEST(MetricsTest, CounterFamilyWithLabels) {
  Registry registry;
  Family<Counter>& requests = registry.AddCounter("tern_requests_total", "Requests served.");
  requests.Add({{"op", "GetItem"}}).Increment();
  requests.Add({{"op", "GetItem"}}).Increment(2);
  requests.Add({{"op", "PutItem"}}).Increment();
  EXPECT_EQ(&requests, &registry.AddCounter("tern_requests_total", "Requests served."));
  EXPECT_EQ(registry.Serialize(),
            "# HELP tern_requests_total Requests served.\n"
            "# TYPE tern_requests_total counter\n"
            "tern_requests_total{op=\"GetItem\"} 3\n"
            "tern_requests_total{op=\"PutItem\"} 1\n");
}

TEST(MetricsTest, GaugeGoesBothWays) {
  Registry registry;
  Gauge& gauge = registry.AddGauge("tern_inflight", "In flight.").Add();
  gauge.Increment(5);
  gauge.Decrement(2);
  EXPECT_EQ(gauge.value(), 3);
  gauge.Set(0.25);
  EXPECT_THAT(registry.Serialize(), HasSubstr("tern_inflight 0.25\n"));
}

TEST(MetricsTest, HistogramIsCumulative) {
  Registry registry;
  Histogram& latency =
      registry.AddHistogram("tern_latency_seconds", "Latency.", {0.1, 1.0}).Add({{"op", "Get"}});
  latency.Observe(0.05);
  latency.Observe(0.1);  // bounds are inclusive
  latency.Observe(0.5);
  latency.Observe(7);
  EXPECT_EQ(registry.Serialize(),
            "# HELP tern_latency_seconds Latency.\n"
            "# TYPE tern_latency_seconds histogram\n"
            "tern_latency_seconds_bucket{le=\"0.1\",op=\"Get\"} 2\n"
            "tern_latency_seconds_bucket{le=\"1\",op=\"Get\"} 3\n"
            "tern_latency_seconds_bucket{le=\"+Inf\",op=\"Get\"} 4\n"
            "tern_latency_seconds_sum{op=\"Get\"} 7.65\n"
            "tern_latency_seconds_count{op=\"Get\"} 4\n");
}

TEST(MetricsTest, EscapesLabelValuesAndHelp) {
  Registry registry;
  registry.AddGauge("tern_x", "line one\nback\\slash").Add({{"path", "a\"b\\c\nd"}}).Set(1);
  EXPECT_EQ(registry.Serialize(),
            "# HELP tern_x line one\\nback\\\\slash\n"
            "# TYPE tern_x gauge\n"
            "tern_x{path=\"a\\\"b\\\\c\\nd\"} 1\n");
}

TEST(MetricsTest, FormatsSpecialValues) {
  EXPECT_EQ(FormatValue(1e21), "1e+21");
  EXPECT_EQ(FormatValue(123456789), "123456789");
  EXPECT_EQ(FormatValue(0.1), "0.1");
  EXPECT_EQ(FormatValue(1.0 / 0.0), "+Inf");
  EXPECT_EQ(FormatValue(-1.0 / 0.0), "-Inf");
  EXPECT_EQ(FormatValue(0.0 / 0.0), "NaN");
}

TEST(MetricsTest, NameValidation) {
  EXPECT_TRUE(IsValidMetricName("tern_node:rate5m"));
  EXPECT_FALSE(IsValidMetricName("9lives"));
  EXPECT_FALSE(IsValidMetricName("has-dash"));
  EXPECT_TRUE(IsValidLabelName("op"));
  EXPECT_FALSE(IsValidLabelName("__reserved"));
  EXPECT_FALSE(IsValidLabelName("a:b"));
}

TEST(MetricsDeathTest, TypeClashIsAProgrammingError) {
  Registry registry;
  registry.AddCounter("tern_clash", "x");
  EXPECT_DEATH(registry.AddGauge("tern_clash", "x"), "registered as counter");
}

TEST(MetricsTest, ConcurrentIncrementsAreNotLost) {
  Registry registry;
  Counter& counter = registry.AddCounter("tern_hits_total", "Hits.").Add();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&counter] {
      for (int i = 0; i < 10000; ++i) counter.Increment();
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(counter.value(), 40000);
}

TEST(MetricsTest, ProcessMetricsAreSampledOnScrape) {
  Registry registry;
  RegisterProcessMetrics(registry, "tern-test", "1.2.3");
  std::string text = registry.Serialize();
  EXPECT_THAT(text, HasSubstr("tern_build_info{process=\"tern-test\",version=\"1.2.3\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE process_cpu_seconds_total counter\n"));
  EXPECT_THAT(text, HasSubstr("process_resident_memory_bytes "));
  EXPECT_THAT(text, HasSubstr("process_open_fds "));
  EXPECT_EQ(text.find("process_resident_memory_bytes 0\n"), std::string::npos);
  EXPECT_EQ(text.find("process_start_time_seconds 0\n"), std::string::npos);
}

}  // namespace
}  // namespace tern::metrics
