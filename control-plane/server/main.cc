// tern-control: one replica of the control plane. It keeps the registry of
// storage nodes (heartbeats, liveness) and its copy of the table catalog,
// replicated over the control replicas (CatalogGroup) in its own RocksDB.
// The catalog group's leader answers catalog calls and runs the table
// lifecycle, leader balancing and repair.
#include <algorithm>
#include <cstdlib>

#include "absl/flags/flag.h"
#include "absl/strings/string_view.h"
#include "boost/json/object.hpp"
#include "common/config/host_port.h"
#include "common/daemon/daemon.h"
#include "common/http/server.h"
#include "common/log/log.h"
#include "common/metrics/metrics.h"
#include "common/rpc/rpc.h"
#include "common/time/clock.h"
#include "control-plane/catalog/catalog.h"
#include "control-plane/registry/node_registry.h"
#include "control-plane/server/catalog_group.h"
#include "control-plane/server/control_service.h"
#include "control-plane/server/leader_balancer.h"
#include "control-plane/server/table_lifecycle.h"
#include "storage-node/engine/rocksdb/rocksdb_engine.h"

ABSL_FLAG(uint64_t, replica_id, 0, "This control-plane replica's id (1, 2, 3, ...). Required.");
ABSL_FLAG(std::string, data_dir, "", "Folder for this replica's data. Required.");
ABSL_FLAG(tern::config::HostPort,
          grpc_address,
          (tern::config::HostPort{"127.0.0.1", 7000}),
          "host:port for the Control gRPC service.");
ABSL_FLAG(std::string,
          grpc_listen_address,
          "",
          "host:port the gRPC server binds, e.g. 0.0.0.0:7000 in a container; "
          "empty: --grpc_address, which is also what peers are told.");
ABSL_FLAG(tern::config::HostPort,
          http_address,
          (tern::config::HostPort{"127.0.0.1", 7010}),
          "host:port for /healthz and /metrics.");
ABSL_FLAG(tern::config::HostPortList,
          replicas,
          {},
          "gRPC addresses of every control-plane replica, this one included, in replica id "
          "order (replica 1 first). Empty: this replica alone.");
ABSL_FLAG(int, node_suspect_after_ms, 3000, "Heartbeat silence after which a node is SUSPECT.");
ABSL_FLAG(int, node_dead_after_ms, 10000, "Heartbeat silence after which a node is DEAD.");
ABSL_FLAG(int,
          default_partitions,
          2,
          "Partitions of a new on-demand table (PROVISIONED tables are sized from their "
          "throughput).");
ABSL_FLAG(int,
          leader_balance_ms,
          5000,
          "Interval between leader-balancing rounds (one leadership move at most per round); "
          "0 disables balancing.");
ABSL_FLAG(int,
          repair_interval_ms,
          500,
          "Interval between repair rounds (replica moves for dead, draining and new nodes); 0 "
          "disables repair.");
ABSL_FLAG(int, repair_max_moves, 2, "Partitions with a replica move in progress at once.");
ABSL_FLAG(uint64_t,
          split_size_bytes,
          0,
          "Split a partition in two once its items pass this many bytes (0: never; "
          "DynamoDB splits at about 10 GB).");
ABSL_FLAG(double,
          split_load_qps,
          0,
          "Split a partition whose leader serves more requests per second than this, where its "
          "sampled load divides in half (0: never).");
ABSL_FLAG(bool, rebalance, true, "Even out replica counts within each AZ (e.g. onto new nodes).");

namespace tern::control {
namespace {

int Run() {
  const uint64_t replica_id = absl::GetFlag(FLAGS_replica_id);
  const std::string data_dir = absl::GetFlag(FLAGS_data_dir);
  if (replica_id == 0 || data_dir.empty()) {
    TERN_LOG(Error, "--replica_id (positive) and --data_dir are required");
    return 2;
  }
  if (absl::GetFlag(FLAGS_node_suspect_after_ms) <= 0 ||
      absl::GetFlag(FLAGS_node_dead_after_ms) < absl::GetFlag(FLAGS_node_suspect_after_ms)) {
    TERN_LOG(Error, "need 0 < --node_suspect_after_ms <= --node_dead_after_ms");
    return 2;
  }
  if (absl::GetFlag(FLAGS_default_partitions) < 1 ||
      absl::GetFlag(FLAGS_default_partitions) > kMaxPartitionsPerTable) {
    TERN_LOG(Error, "--default_partitions must be between 1 and 1024");
    return 2;
  }
  absl::StatusOr<daemon::DataDirLock> lock = daemon::DataDirLock::Acquire(data_dir);
  if (!lock.ok()) return daemon::StartupFailure("cannot use data folder", lock.status());
  absl::StatusOr<std::unique_ptr<engine::StorageEngine>> store =
      engine::OpenRocksEngine(data_dir + "/rocksdb");
  if (!store.ok()) return daemon::StartupFailure("cannot open RocksDB", store.status());
  Catalog catalog(store->get(), time::RealClock(), absl::GetFlag(FLAGS_default_partitions));
  if (absl::Status status = catalog.Load(); !status.ok()) {
    return daemon::StartupFailure("cannot load the catalog", status);
  }
  NodeRegistry registry(
      time::RealClock(),
      NodeRegistryOptions{std::chrono::milliseconds(absl::GetFlag(FLAGS_node_suspect_after_ms)),
                          std::chrono::milliseconds(absl::GetFlag(FLAGS_node_dead_after_ms))});
  TableLifecycle lifecycle(&catalog, &registry, std::chrono::milliseconds(100));
  const int balance_ms = absl::GetFlag(FLAGS_leader_balance_ms);
  LeaderBalancer balancer(&catalog, std::chrono::milliseconds(std::max(balance_ms, 1)));
  RepairOptions repair_options;
  const int repair_ms = absl::GetFlag(FLAGS_repair_interval_ms);
  repair_options.interval = std::chrono::milliseconds(std::max(repair_ms, 1));
  repair_options.max_moves =
      static_cast<size_t>(std::max(absl::GetFlag(FLAGS_repair_max_moves), 1));
  repair_options.rebalance = absl::GetFlag(FLAGS_rebalance);
  repair_options.split_size_bytes = absl::GetFlag(FLAGS_split_size_bytes);
  repair_options.split_load_qps = absl::GetFlag(FLAGS_split_load_qps);
  Repairer repairer(&catalog, &registry, repair_options);

  metrics::Registry& metrics = metrics::DefaultRegistry();
  metrics::Family<metrics::Gauge>& nodes_gauge =
      metrics.AddGauge("tern_control_nodes", "Registered storage nodes by state.");
  metrics.AddCollectHook([&registry, &nodes_gauge] {
    nodes_gauge.Add({{"state", "alive"}})
        .Set(registry.CountInState(tern::v1::NodeStatus::STATE_ALIVE));
    nodes_gauge.Add({{"state", "suspect"}})
        .Set(registry.CountInState(tern::v1::NodeStatus::STATE_SUSPECT));
    nodes_gauge.Add({{"state", "dead"}})
        .Set(registry.CountInState(tern::v1::NodeStatus::STATE_DEAD));
  });

  ControlService service(replica_id, &registry, &catalog, &repairer, &metrics);
  const config::HostPort grpc_address = absl::GetFlag(FLAGS_grpc_address);
  absl::StatusOr<config::HostPort> listen_address =
      config::HostPortOr(absl::GetFlag(FLAGS_grpc_listen_address), grpc_address);
  if (!listen_address.ok()) {
    return daemon::StartupFailure("bad --grpc_listen_address", listen_address.status());
  }
  CatalogGroupOptions group_options;
  group_options.replica_id = replica_id;
  group_options.replicas = absl::GetFlag(FLAGS_replicas).addresses;
  if (group_options.replicas.empty()) group_options.replicas = {grpc_address};
  absl::StatusOr<std::unique_ptr<CatalogGroup>> catalog_group =
      CatalogGroup::Start(group_options, store->get(), &catalog);
  if (!catalog_group.ok()) {
    return daemon::StartupFailure("cannot start the catalog group", catalog_group.status());
  }
  absl::StatusOr<rpc::StartedServer> grpc_server =
      rpc::StartServer(*listen_address, {&service, (*catalog_group)->service()});
  if (!grpc_server.ok())
    return daemon::StartupFailure("cannot start gRPC server", grpc_server.status());

  daemon::AdminEndpoints admin("tern-control", &metrics, [&] {
    boost::json::object health;
    health["replica_id"] = replica_id;
    health["grpc_address"] = grpc_address.ToString();
    health["nodes_alive"] = registry.CountInState(tern::v1::NodeStatus::STATE_ALIVE);
    health["tables"] = catalog.List("", 0).table_names_size();
    health["catalog_leader"] = catalog.IsLeader();
    return health;
  });
  http::ServerOptions http_options;
  http_options.address = absl::GetFlag(FLAGS_http_address);
  http_options.threads = 1;
  http::Server http_server(http_options, admin.AsHandler());
  if (absl::Status status = http_server.Start(); !status.ok()) {
    grpc_server->Shutdown();
    (*catalog_group)->DrainService();
    return daemon::StartupFailure("cannot start HTTP server", status);
  }

  lifecycle.Start();
  if (balance_ms > 0) balancer.Start();
  if (repair_ms > 0) repairer.Start();
  TERN_LOG(Info, "tern-control ready")
      .With("replica_id", replica_id)
      .With("grpc_address", grpc_address.ToString())
      .With("http_address", http_options.address.ToString())
      .With("replicas", config::AbslUnparseFlag(absl::GetFlag(FLAGS_replicas)))
      .With("data_dir", data_dir);

  int signal = daemon::WaitForTerminationSignal();
  TERN_LOG(Info, "stopping").With("signal", signal);
  http_server.Stop();
  repairer.Stop();
  balancer.Stop();
  lifecycle.Stop();
  grpc_server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  (*catalog_group)->DrainService();  // before the server goes
  TERN_LOG(Info, "tern-control stopped cleanly");
  return EXIT_SUCCESS;
}

}  // namespace
}  // namespace tern::control

int main(int argc, char** argv) {
  tern::daemon::InitProcess(argc,
                            argv,
                            "tern-control",
                            "tern-control --replica_id=N --data_dir=DIR [--grpc_address=H:P] "
                            "[--http_address=H:P] [--replicas=H:P,...]");
  return tern::control::Run();
}
