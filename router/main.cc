// tern-router: the stateless front door. Speaks HTTP on its public port
// (the DynamoDB protocol, GET / health, /healthz, /metrics), finds tables in
// the control plane's catalog and items on the storage nodes, and keeps a
// view of the cluster from the control plane.
#include <cstdlib>
#include <optional>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "boost/json/array.hpp"
#include "boost/json/object.hpp"
#include "common/config/host_port.h"
#include "common/daemon/daemon.h"
#include "common/http/server.h"
#include "common/log/log.h"
#include "common/metrics/metrics.h"
#include "router/api/api.h"
#include "router/api/batch_ops.h"
#include "router/api/item_ops.h"
#include "router/api/query_ops.h"
#include "router/api/table_ops.h"
#include "router/http/front_door.h"
#include "router/routing/catalog_client.h"
#include "router/routing/cluster_watcher.h"
#include "router/routing/data_client.h"
#include "router/routing/map_watcher.h"

ABSL_FLAG(tern::config::HostPort,
          http_address,
          (tern::config::HostPort{"127.0.0.1", 8000}),
          "host:port of the public DynamoDB endpoint (also /healthz and /metrics).");
ABSL_FLAG(std::string,
          advertised_address,
          "",
          "host:port clients reach this router at, reported by DescribeEndpoints and GET / "
          "(e.g. a Service name when --http_address is 0.0.0.0:8000). Empty: --http_address.");
ABSL_FLAG(tern::config::HostPortList,
          control_addresses,
          {},
          "gRPC addresses of the control-plane replicas.");
ABSL_FLAG(int, threads, 2, "HTTP worker threads.");
ABSL_FLAG(std::string,
          account_id,
          "000000000000",
          "The AWS account id Tern shows in ARNs (TableArn, StreamArn, ...).");
ABSL_FLAG(int, table_cache_ms, 1000, "How long the router caches a table's catalog entry.");
ABSL_FLAG(std::string,
          az,
          "",
          "The router's availability zone: eventually consistent reads go to a replica in it "
          "first.");
ABSL_FLAG(int, cluster_refresh_ms, 1000, "Interval between refreshes of the cluster view.");
ABSL_FLAG(std::string,
          credentials_file,
          "",
          "File of access keys, one \"ACCESS_KEY_ID SECRET_ACCESS_KEY\" per line: requests "
          "must carry a valid SigV4 signature by one of them. Empty: any well-formed "
          "signature is accepted.");

namespace tern::router {
namespace {

const char* StateName(tern::v1::NodeStatus::State state) {
  switch (state) {
    case tern::v1::NodeStatus::STATE_ALIVE:
      return "ALIVE";
    case tern::v1::NodeStatus::STATE_SUSPECT:
      return "SUSPECT";
    case tern::v1::NodeStatus::STATE_DEAD:
      return "DEAD";
    default:
      return "UNKNOWN";
  }
}

int Run() {
  if (absl::GetFlag(FLAGS_threads) <= 0 || absl::GetFlag(FLAGS_cluster_refresh_ms) <= 0) {
    TERN_LOG(Error, "--threads and --cluster_refresh_ms must be positive");
    return 2;
  }
  metrics::Registry& metrics = metrics::DefaultRegistry();
  ClusterWatcher watcher(absl::GetFlag(FLAGS_control_addresses),
                         std::chrono::milliseconds(absl::GetFlag(FLAGS_cluster_refresh_ms)),
                         &metrics);

  daemon::AdminEndpoints admin("tern-router", &metrics, [&watcher] {
    ClusterSnapshot snapshot = watcher.snapshot();
    boost::json::object health;
    health["control_reachable"] = snapshot.control_reachable;
    health["nodes_alive"] = snapshot.CountInState(tern::v1::NodeStatus::STATE_ALIVE);
    boost::json::array nodes;
    for (const tern::v1::NodeStatus& node : snapshot.nodes) {
      boost::json::object entry;
      entry["node_id"] = node.node().node_id();
      entry["az"] = node.node().az();
      entry["address"] = node.node().address();
      entry["state"] = StateName(node.state());
      nodes.push_back(std::move(entry));
    }
    health["nodes"] = std::move(nodes);
    return health;
  });

  http::ServerOptions http_options;
  http_options.address = absl::GetFlag(FLAGS_http_address);
  http_options.threads = absl::GetFlag(FLAGS_threads);
  absl::StatusOr<config::HostPort> advertised =
      config::HostPortOr(absl::GetFlag(FLAGS_advertised_address), http_options.address);
  if (!advertised.ok()) {
    return daemon::StartupFailure("bad --advertised_address", advertised.status());
  }
  const config::HostPortList controls = absl::GetFlag(FLAGS_control_addresses);
  if (controls.addresses.empty()) {
    TERN_LOG(Error, "--control_addresses must name at least one control-plane replica");
    return 2;
  }
  CatalogClient catalog(controls.addresses,
                        std::chrono::milliseconds(absl::GetFlag(FLAGS_table_cache_ms)));
  MapWatcher map_watcher(controls.addresses, &catalog);
  metrics::Family<metrics::Gauge>& map_version = metrics.AddGauge(
      "tern_router_partition_map_version", "Version of the last partition map streamed in.");
  metrics::Family<metrics::Gauge>& maps = metrics.AddGauge(
      "tern_router_partition_maps", "Partition maps and unchanged-version beats streamed in.");
  metrics.AddCollectHook([&] {
    map_version.Add({}).Set(static_cast<double>(catalog.map_version()));
    maps.Add({}).Set(static_cast<double>(map_watcher.maps_received()));
  });
  DataClient data(absl::GetFlag(FLAGS_az),
                  [&catalog](uint64_t partition_id, const std::string& key, bool refresh) {
                    return catalog.CachedPartition(partition_id, key, refresh);
                  });
  metrics::Family<metrics::Gauge>& batch_calls = metrics.AddGauge(
      "tern_router_data_batch_calls", "DataPlane.Batch calls sent to storage nodes.");
  metrics::Family<metrics::Gauge>& batch_ops = metrics.AddGauge(
      "tern_router_data_batch_ops", "Item ops those calls carried (ops / calls: coalescing).");
  metrics.AddCollectHook([&] {
    const DataClient::BatchStats stats = data.batch_stats();
    batch_calls.Add({}).Set(static_cast<double>(stats.calls));
    batch_ops.Add({}).Set(static_cast<double>(stats.ops));
  });
  std::optional<CredentialStore> credentials;
  if (const std::string path = absl::GetFlag(FLAGS_credentials_file); !path.empty()) {
    absl::StatusOr<CredentialStore> loaded = CredentialStore::Load(path);
    if (!loaded.ok())
      return daemon::StartupFailure("cannot load --credentials_file", loaded.status());
    credentials = *std::move(loaded);
    TERN_LOG(Info, "verifying signatures").With("access_keys", credentials->size());
  }
  Api api(
      absl::GetFlag(FLAGS_account_id), &metrics, credentials.has_value() ? &*credentials : nullptr);
  RegisterTableOperations(&api, &catalog, &data, advertised->ToString());
  RegisterItemOperations(&api, &catalog, &data);
  RegisterQueryOperations(&api, &catalog, &data);
  RegisterBatchOperations(&api, &catalog, &data);
  FrontDoor front_door(advertised->ToString(), &admin, &api, &metrics);
  http::Server server(http_options, [&front_door](http::Request request, http::Responder respond) {
    front_door.Handle(std::move(request), std::move(respond));
  });
  if (absl::Status status = server.Start(); !status.ok()) {
    return daemon::StartupFailure("cannot start HTTP server", status);
  }
  watcher.Start();
  map_watcher.Start();
  TERN_LOG(Info, "tern-router ready")
      .With("endpoint", absl::StrCat("http://", http_options.address.host, ":", server.port()))
      .With("control_addresses", config::AbslUnparseFlag(absl::GetFlag(FLAGS_control_addresses)));

  int signal = daemon::WaitForTerminationSignal();
  TERN_LOG(Info, "stopping").With("signal", signal);
  server.Stop();
  watcher.Stop();
  map_watcher.Stop();
  TERN_LOG(Info, "tern-router stopped cleanly");
  return EXIT_SUCCESS;
}

}  // namespace
}  // namespace tern::router

int main(int argc, char** argv) {
  tern::daemon::InitProcess(
      argc, argv, "tern-router", "tern-router [--http_address=H:P] [--control_addresses=H:P,...]");
  return tern::router::Run();
}
