// tern-node: a storage node. It owns one RocksDB instance in its data folder,
// hosts partitions and serves their items over gRPC (DataPlane), answers the
// control plane (NodeAdmin) and health checks, serves HTTP /healthz and
// /metrics, and heartbeats to the control plane with its id and AZ.
#include <cstdlib>

#include "absl/flags/flag.h"
#include "absl/strings/string_view.h"
#include "boost/json/object.hpp"
#include "common/base/ids.h"
#include "common/config/host_port.h"
#include "common/daemon/daemon.h"
#include "common/http/server.h"
#include "common/log/log.h"
#include "common/metrics/metrics.h"
#include "common/rpc/rpc.h"
#include "storage-node/engine/rocksdb/rocksdb_engine.h"
#include "storage-node/server/heartbeater.h"
#include "storage-node/server/node_identity.h"
#include "storage-node/server/node_services.h"

ABSL_FLAG(uint64_t, node_id, 0, "This node's id, unique in the cluster. Required.");
ABSL_FLAG(std::string, az, "", "Availability zone of this node, e.g. az-a. Required.");
ABSL_FLAG(std::string, data_dir, "", "Folder for this node's RocksDB and state. Required.");
ABSL_FLAG(tern::config::HostPort,
          grpc_address,
          (tern::config::HostPort{"127.0.0.1", 7100}),
          "host:port for the node's gRPC services.");
ABSL_FLAG(tern::config::HostPort,
          http_address,
          (tern::config::HostPort{"127.0.0.1", 7110}),
          "host:port for /healthz and /metrics.");
ABSL_FLAG(tern::config::HostPortList,
          control_addresses,
          {},
          "gRPC addresses of the control-plane replicas.");
ABSL_FLAG(int, heartbeat_interval_ms, 1000, "Interval between heartbeats to the control plane.");

namespace tern::node {
namespace {

int Run() {
  const base::NodeId node_id(absl::GetFlag(FLAGS_node_id));
  const std::string az = absl::GetFlag(FLAGS_az);
  const std::string data_dir = absl::GetFlag(FLAGS_data_dir);
  if (!node_id.valid() || az.empty() || data_dir.empty()) {
    TERN_LOG(Error, "--node_id (positive), --az and --data_dir are required");
    return 2;
  }
  if (absl::GetFlag(FLAGS_heartbeat_interval_ms) <= 0) {
    TERN_LOG(Error, "--heartbeat_interval_ms must be positive");
    return 2;
  }
  absl::StatusOr<daemon::DataDirLock> lock = daemon::DataDirLock::Acquire(data_dir);
  if (!lock.ok()) return daemon::StartupFailure("cannot use data folder", lock.status());
  absl::StatusOr<std::unique_ptr<engine::StorageEngine>> engine =
      engine::OpenRocksEngine(data_dir + "/rocksdb");
  if (!engine.ok()) return daemon::StartupFailure("cannot open RocksDB", engine.status());
  if (absl::Status status = CheckOrRecordIdentity(engine->get(), node_id, az); !status.ok()) {
    return daemon::StartupFailure("wrong data folder", status);
  }

  metrics::Registry& metrics = metrics::DefaultRegistry();
  metrics::Gauge& storage_bytes =
      metrics.AddGauge("tern_node_storage_bytes", "Live size of the node's RocksDB in bytes.")
          .Add();
  engine::StorageEngine* storage = engine->get();
  metrics.AddCollectHook(
      [&storage_bytes, storage] { storage_bytes.Set(storage->ApproximateSizeBytes()); });

  const config::HostPort grpc_address = absl::GetFlag(FLAGS_grpc_address);
  const config::HostPort http_address = absl::GetFlag(FLAGS_http_address);
  tern::v1::NodeInfo self;
  self.set_node_id(node_id.value());
  self.set_az(az);
  self.set_address(grpc_address.ToString());
  self.set_admin_address(http_address.ToString());
  self.set_version(std::string(daemon::Version()));

  partition::PartitionStore partitions(storage);
  if (absl::Status status = partitions.Load(); !status.ok()) {
    return daemon::StartupFailure("cannot load partitions", status);
  }
  NodeAdminService admin_service(self, &partitions);
  DataPlaneService data_service(&partitions);
  absl::StatusOr<rpc::StartedServer> grpc_server =
      rpc::StartServer(grpc_address, {&admin_service, &data_service});
  if (!grpc_server.ok())
    return daemon::StartupFailure("cannot start gRPC server", grpc_server.status());
  Heartbeater heartbeater(self,
                          absl::GetFlag(FLAGS_control_addresses),
                          std::chrono::milliseconds(absl::GetFlag(FLAGS_heartbeat_interval_ms)),
                          &metrics);

  daemon::AdminEndpoints admin("tern-node", &metrics, [&] {
    boost::json::object health;
    health["node_id"] = node_id.value();
    health["az"] = az;
    health["grpc_address"] = grpc_address.ToString();
    health["data_dir"] = data_dir;
    health["storage_bytes"] = storage->ApproximateSizeBytes();
    health["controls_reachable"] = heartbeater.reachable_controls();
    health["controls"] = heartbeater.control_count();
    health["partitions"] = partitions.partition_count();
    return health;
  });
  http::ServerOptions http_options;
  http_options.address = http_address;
  http_options.threads = 1;
  http::Server http_server(http_options, admin.AsHandler());
  if (absl::Status status = http_server.Start(); !status.ok()) {
    grpc_server->server->Shutdown();
    return daemon::StartupFailure("cannot start HTTP server", status);
  }
  heartbeater.Start();

  TERN_LOG(Info, "tern-node ready")
      .With("node_id", node_id.value())
      .With("az", az)
      .With("grpc_address", grpc_address.ToString())
      .With("http_address", http_address.ToString())
      .With("data_dir", data_dir);

  int signal = daemon::WaitForTerminationSignal();
  TERN_LOG(Info, "stopping").With("signal", signal);
  heartbeater.Stop();
  http_server.Stop();
  grpc_server->server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  engine->reset();  // flushes and closes RocksDB before the lock is released
  TERN_LOG(Info, "tern-node stopped cleanly");
  return EXIT_SUCCESS;
}

}  // namespace
}  // namespace tern::node

int main(int argc, char** argv) {
  tern::daemon::InitProcess(argc,
                            argv,
                            "tern-node",
                            "tern-node --node_id=N --az=AZ --data_dir=DIR [--grpc_address=H:P] "
                            "[--http_address=H:P] [--control_addresses=H:P,...]");
  return tern::node::Run();
}
