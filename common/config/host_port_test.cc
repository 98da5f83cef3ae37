#include "common/config/host_port.h"

#include "gtest/gtest.h"

namespace tern::config {
namespace {

TEST(HostPortTest, ParsesHostAndPort) {
  absl::StatusOr<HostPort> parsed = ParseHostPort("127.0.0.1:8000");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->host, "127.0.0.1");
  EXPECT_EQ(parsed->port, 8000);
  EXPECT_EQ(parsed->ToString(), "127.0.0.1:8000");
  EXPECT_TRUE(ParseHostPort("tern-node-0.tern:7100").ok());
  EXPECT_TRUE(ParseHostPort("localhost:0").ok());
}

TEST(HostPortTest, RejectsMalformedAddresses) {
  for (const char* bad : {"",
                          "8000",
                          ":8000",
                          "host:",
                          "host:http",
                          "host:65536",
                          "host:-1",
                          "host:+80",
                          "bad host:80",
                          "host:80:"}) {
    absl::StatusOr<HostPort> parsed = ParseHostPort(bad);
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

TEST(HostPortTest, ParsesLists) {
  absl::StatusOr<HostPortList> list = ParseHostPortList("a:1, b:2,c:3");
  ASSERT_TRUE(list.ok()) << list.status();
  ASSERT_EQ(list->addresses.size(), 3u);
  EXPECT_EQ(list->addresses[1], (HostPort{"b", 2}));
  EXPECT_TRUE(ParseHostPortList("")->addresses.empty());
  EXPECT_FALSE(ParseHostPortList("a:1,,b:2").ok());
}

TEST(HostPortTest, FlagRoundTrip) {
  HostPortList list;
  std::string error;
  ASSERT_TRUE(AbslParseFlag("x:1,y:2", &list, &error));
  EXPECT_EQ(AbslUnparseFlag(list), "x:1,y:2");
  HostPort address;
  EXPECT_FALSE(AbslParseFlag("nope", &address, &error));
  EXPECT_NE(error.find("not host:port"), std::string::npos);
}

}  // namespace
TEST(HostPortOrTest, ParsesTheTextOrFallsBack) {
  const HostPort advertised{"node-a", 7100};
  absl::StatusOr<HostPort> same = HostPortOr("", advertised);
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(*same, advertised);
  absl::StatusOr<HostPort> any = HostPortOr("0.0.0.0:7100", advertised);
  ASSERT_TRUE(any.ok());
  EXPECT_EQ(*any, (HostPort{"0.0.0.0", 7100}));
  EXPECT_FALSE(HostPortOr("0.0.0.0", advertised).ok());
}

}  // namespace tern::config
