// Three control replicas in one process, each with its own RocksDB, Catalog
// and gRPC server, replicating the catalog over the real transport: a leader
// emerges and its changes reach every replica, followers refuse changes
// naming the leader, the two survivors of a leader crash elect a new one and
// go on, and the crashed replica catches up when it comes back.
#include "control-plane/server/catalog_group.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <functional>
#include <optional>

#include "absl/time/clock.h"
#include "common/base/error_details.h"
#include "common/rpc/rpc.h"
#include "common/testing/testing.h"
#include "common/time/clock.h"
#include "control-plane/catalog/catalog_testing.h"
#include "gtest/gtest.h"
#include "storage-node/engine/rocksdb/rocksdb_engine.h"

namespace tern::control {
namespace {

using testing::IsOk;

constexpr int kReplicas = 3;

using catalog_testing::Nodes;
using catalog_testing::Table;

// Free loopback ports, distinct from each other, that the kernel handed out
// for port 0 and took back. Another process may grab one before the test
// binds it; setup then starts over with fresh ports.
std::optional<std::array<uint16_t, kReplicas>> FreePorts() {
  std::array<int, kReplicas> fds;
  fds.fill(-1);
  std::array<uint16_t, kReplicas> ports{};
  bool ok = true;
  for (int i = 0; i < kReplicas && ok; ++i) {
    fds[i] = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    socklen_t length = sizeof(address);
    ok = fds[i] >= 0 && bind(fds[i], reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
         getsockname(fds[i], reinterpret_cast<sockaddr*>(&address), &length) == 0;
    if (ok) ports[i] = ntohs(address.sin_port);
  }
  for (int fd : fds) {
    if (fd >= 0) close(fd);
  }
  if (!ok) return std::nullopt;
  return ports;
}

// One control replica. The engine and its directory outlive the group, so
// that a crashed replica can come back on the same data.
struct Replica {
  tern::testing::TempDir dir;
  std::unique_ptr<engine::StorageEngine> engine;
  std::unique_ptr<Catalog> catalog;
  std::unique_ptr<CatalogGroup> group;
  std::optional<rpc::StartedServer> server;

  bool up() const { return group != nullptr; }
};

class CatalogGroupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int attempt = 0; attempt < 5; ++attempt) {
      if (TryStartCluster()) return;
      StopAll();
    }
    FAIL() << "could not start three control replicas on free ports";
  }

  void TearDown() override { StopAll(); }

  // Fresh replicas on fresh ports; false when a port was taken meanwhile.
  bool TryStartCluster() {
    std::optional<std::array<uint16_t, kReplicas>> ports = FreePorts();
    if (!ports.has_value()) return false;
    addresses_.clear();
    for (uint16_t port : *ports) addresses_.push_back(config::HostPort{"127.0.0.1", port});
    for (auto& replica : replicas_) {
      replica = std::make_unique<Replica>();
      auto engine = engine::OpenRocksEngine(replica->dir.path());
      EXPECT_THAT(engine, IsOk());
      if (!engine.ok()) return false;
      replica->engine = *std::move(engine);
    }
    for (uint64_t id = 1; id <= kReplicas; ++id) {
      if (!StartReplica(id)) return false;
    }
    return true;
  }

  // Opens replica id's catalog from its engine and starts its group and
  // server; false when its port could not be bound.
  bool StartReplica(uint64_t id) {
    Replica& replica = *replicas_[id - 1];
    replica.catalog = std::make_unique<Catalog>(replica.engine.get(), &clock_);
    absl::Status loaded = replica.catalog->Load();
    EXPECT_THAT(loaded, IsOk());
    if (!loaded.ok()) return false;
    CatalogGroupOptions options;
    options.replica_id = id;
    options.replicas = addresses_;
    options.tick = std::chrono::milliseconds(50);
    auto group = CatalogGroup::Start(options, replica.engine.get(), replica.catalog.get());
    EXPECT_THAT(group, IsOk());
    if (!group.ok()) return false;
    replica.group = *std::move(group);
    // The port was free a moment ago; it may linger briefly after a stop.
    for (int attempt = 0; attempt < 50; ++attempt) {
      auto server = rpc::StartServer(addresses_[id - 1], {replica.group->service()});
      if (server.ok()) {
        replica.server.emplace(*std::move(server));
        return true;
      }
      absl::SleepFor(absl::Milliseconds(100));
    }
    return false;
  }

  // As a crash: the server goes first (it calls into the group's service),
  // then the group, then the catalog (which proposes through the group).
  void StopReplica(uint64_t id) {
    Replica& replica = *replicas_[id - 1];
    if (replica.server.has_value()) {
      replica.server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
      if (replica.group != nullptr) replica.group->DrainService();
      replica.server.reset();
    }
    replica.group.reset();
    replica.catalog.reset();
  }

  void StopAll() {
    for (uint64_t id = 1; id <= kReplicas; ++id) {
      if (replicas_[id - 1] != nullptr) StopReplica(id);
    }
    for (auto& replica : replicas_) replica.reset();
  }

  Catalog& catalog(uint64_t id) { return *replicas_[id - 1]->catalog; }

  // The replicas (up) whose catalog serves.
  std::vector<uint64_t> Serving() {
    std::vector<uint64_t> serving;
    for (uint64_t id = 1; id <= kReplicas; ++id) {
      if (replicas_[id - 1]->up() && catalog(id).Serving().ok()) serving.push_back(id);
    }
    return serving;
  }

  // The one serving replica, waiting up to a minute for exactly one
  // (sanitizer builds on a loaded machine are slow; no timing is asserted);
  // 0 when none.
  uint64_t Leader() {
    uint64_t leader = 0;
    Eventually([&] {
      std::vector<uint64_t> serving = Serving();
      leader = serving.size() == 1 ? serving[0] : 0;
      return leader != 0;
    });
    return leader;
  }

  // Creates the table through whoever leads, again after an election got in
  // the way. A change that timed out may still have been applied, so
  // ALREADY_EXISTS after one counts as created.
  absl::StatusOr<tern::v1::CatalogEntry> CreateOnLeader(const std::string& name) {
    absl::Status status;
    bool maybe_applied = false;
    for (int attempt = 0; attempt < 100; ++attempt) {
      const uint64_t leader = Leader();
      if (leader == 0) return absl::UnavailableError("no leader");
      auto created = catalog(leader).Create(Table(name), Nodes());
      if (created.ok()) return created;
      status = created.status();
      if (status.code() == absl::StatusCode::kAlreadyExists && maybe_applied) {
        return catalog(leader).Get(name);
      }
      if (status.code() == absl::StatusCode::kDeadlineExceeded) maybe_applied = true;
      if (status.code() != absl::StatusCode::kUnavailable &&
          status.code() != absl::StatusCode::kFailedPrecondition &&
          status.code() != absl::StatusCode::kDeadlineExceeded) {
        return status;
      }
      absl::SleepFor(absl::Milliseconds(20));
    }
    return status;
  }

  // Sets the table's status through whoever leads (setting it twice is
  // harmless).
  absl::Status SetStatusOnLeader(const std::string& name, const std::string& status) {
    absl::Status result;
    for (int attempt = 0; attempt < 100; ++attempt) {
      const uint64_t leader = Leader();
      if (leader == 0) return absl::UnavailableError("no leader");
      result = catalog(leader).SetStatus(name, status).status();
      if (result.code() != absl::StatusCode::kUnavailable &&
          result.code() != absl::StatusCode::kFailedPrecondition &&
          result.code() != absl::StatusCode::kDeadlineExceeded) {
        return result;
      }
      absl::SleepFor(absl::Milliseconds(20));
    }
    return result;
  }

  // True when replica id's catalog holds the table with this id and status.
  bool Has(uint64_t id, const std::string& name, uint64_t table_id, const std::string& status) {
    auto entry = catalog(id).Get(name);
    return entry.ok() && entry->table().table_id() == table_id && entry->table().status() == status;
  }

  static bool Eventually(const std::function<bool()>& condition) {
    for (int i = 0; i < 6000; ++i) {
      if (condition()) return true;
      absl::SleepFor(absl::Milliseconds(10));
    }
    return condition();
  }

  time::ManualClock clock_;
  std::vector<config::HostPort> addresses_;
  std::array<std::unique_ptr<Replica>, kReplicas> replicas_;
};

TEST_F(CatalogGroupTest, LeaderReplicatesToEveryReplicaAndFollowersNameIt) {
  const uint64_t leader = Leader();
  ASSERT_NE(leader, 0u);
  auto created = CreateOnLeader("T");
  ASSERT_THAT(created, IsOk());
  const uint64_t table_id = created->table().table_id();
  ASSERT_THAT(SetStatusOnLeader("T", "ACTIVE"), IsOk());
  for (uint64_t id = 1; id <= kReplicas; ++id) {
    EXPECT_TRUE(Eventually([&] { return Has(id, "T", table_id, "ACTIVE"); })) << id;
  }

  // A follower refuses a change and names the leader and its address. An
  // election may get in the way, so each try asks a follower of the
  // current leader under a fresh name.
  absl::Status refused;
  uint64_t named = 0;
  int attempt = 0;
  EXPECT_TRUE(Eventually([&] {
    const uint64_t current = Leader();
    if (current == 0) return false;
    const uint64_t follower = current % kReplicas + 1;
    refused =
        catalog(follower).Create(Table("Refused" + std::to_string(attempt++)), Nodes()).status();
    named = current;
    return base::NotLeaderHint(refused) == current;
  })) << refused;
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition) << refused;
  EXPECT_EQ(base::NotLeaderAddress(refused), addresses_[named - 1].ToString()) << refused;
}

TEST_F(CatalogGroupTest, SurvivorsElectANewLeaderAndTheCrashedReplicaCatchesUp) {
  auto t = CreateOnLeader("T");
  ASSERT_THAT(t, IsOk());
  for (uint64_t id = 1; id <= kReplicas; ++id) {
    EXPECT_TRUE(Eventually([&] { return Has(id, "T", t->table().table_id(), "CREATING"); })) << id;
  }

  // The leader crashes; the other two elect a new one and go on.
  const uint64_t crashed = Leader();
  ASSERT_NE(crashed, 0u);
  StopReplica(crashed);
  const uint64_t leader = Leader();
  ASSERT_NE(leader, 0u);
  EXPECT_NE(leader, crashed);
  auto u = CreateOnLeader("U");
  ASSERT_THAT(u, IsOk());
  EXPECT_NE(u->table().table_id(), t->table().table_id());
  for (uint64_t id = 1; id <= kReplicas; ++id) {
    if (id == crashed) continue;
    EXPECT_TRUE(Eventually([&] {
      return Has(id, "T", t->table().table_id(), "CREATING") &&
             Has(id, "U", u->table().table_id(), "CREATING");
    })) << id;
  }

  // Back on the same data and port: it catches up on what it missed.
  ASSERT_TRUE(StartReplica(crashed));
  EXPECT_TRUE(Has(crashed, "T", t->table().table_id(), "CREATING"));
  EXPECT_TRUE(Eventually([&] { return Has(crashed, "U", u->table().table_id(), "CREATING"); }));
  ASSERT_THAT(SetStatusOnLeader("U", "ACTIVE"), IsOk());
  EXPECT_TRUE(Eventually([&] { return Has(crashed, "U", u->table().table_id(), "ACTIVE"); }));
}

}  // namespace
}  // namespace tern::control
