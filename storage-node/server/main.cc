// tern-node: a storage node. It owns one RocksDB instance in its data folder,
// hosts partitions and serves their items over gRPC (DataPlane), answers the
// control plane (NodeAdmin) and health checks, serves HTTP /healthz and
// /metrics, and heartbeats to the control plane with its id and AZ.
#include <cstdlib>
#include <random>

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
#include "common/time/clock.h"
#include "storage-node/engine/rocksdb/rocksdb_engine.h"
#include "storage-node/replica/replica_host.h"
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
ABSL_FLAG(std::string,
          grpc_listen_address,
          "",
          "host:port the gRPC server binds, e.g. 0.0.0.0:7100 in a container; "
          "empty: --grpc_address, which is also what peers are told.");
ABSL_FLAG(tern::config::HostPort,
          http_address,
          (tern::config::HostPort{"127.0.0.1", 7110}),
          "host:port for /healthz and /metrics.");
ABSL_FLAG(tern::config::HostPortList,
          control_addresses,
          {},
          "gRPC addresses of the control-plane replicas.");
ABSL_FLAG(int, heartbeat_interval_ms, 1000, "Interval between heartbeats to the control plane.");
ABSL_FLAG(uint64_t,
          block_cache_mb,
          256,
          "RocksDB block cache (uncompressed table blocks, shared by every column family) in MB.");
ABSL_FLAG(uint64_t,
          background_write_mb_per_s,
          32,
          "What RocksDB's memtable flushes and compactions may write per second, in MB (0: no "
          "limit); bounded so that they do not hold up the log's syncs.");
ABSL_FLAG(uint64_t,
          max_wal_mb,
          512,
          "About how much RocksDB write-ahead log a node keeps, in MB (at least 512): past it, the "
          "column families holding the oldest log file are flushed. All of it is replayed at "
          "start.");
ABSL_FLAG(int, raft_tick_ms, 50, "Length of one replication tick in milliseconds.");
ABSL_FLAG(int,
          raft_election_ticks,
          10,
          "Ticks without a leader before a follower campaigns (randomized up to twice this).");
ABSL_FLAG(int, raft_heartbeat_ticks, 2, "Ticks between a leader's heartbeats.");
ABSL_FLAG(int,
          raft_lease_ticks,
          5,
          "Length of the leader lease in ticks; must be below raft_election_ticks.");
ABSL_FLAG(int,
          raft_max_tick_gap_ms,
          100,
          "A leader whose ticker has not run for this long does not serve under its lease "
          "(a paused process). At most (election_ticks - 1 - lease_ticks - 0.5) ticks.");
ABSL_FLAG(bool,
          fault_injection,
          false,
          "Accept NodeAdmin.InjectFaults (`ternctl fault`): dropped or delayed replication "
          "messages and a skewed clock. For fault-injection experiments only.");
ABSL_FLAG(bool,
          testonly_ack_before_commit,
          false,
          "TEST ONLY, breaks durability on purpose: leaders acknowledge writes before they "
          "commit. Used to show that the chaos checkers catch a broken database.");

namespace tern::node {
namespace {

// Per-group replication gauges, refreshed at every scrape.
void RegisterReplicaMetrics(metrics::Registry* metrics, replica::ReplicaHost* replicas) {
  auto& leader =
      metrics->AddGauge("tern_replica_is_leader", "1 when this replica leads its group, else 0.");
  auto& term = metrics->AddGauge("tern_replica_term", "Current term of the group's replica.");
  auto& commit = metrics->AddGauge("tern_replica_commit_index", "Highest committed log index.");
  auto& applied = metrics->AddGauge("tern_replica_applied_index", "Highest applied log index.");
  auto& lease = metrics->AddGauge("tern_replica_lease_valid",
                                  "1 when this replica holds a valid leader lease.");
  auto& elections = metrics->AddGauge("tern_replica_elections",
                                      "Elections this replica started since it opened.");
  auto& lag = metrics->AddGauge("tern_replica_follower_lag",
                                "Log entries a follower lacks, as seen by the leader.");
  metrics->AddCollectHook([=, &leader, &term, &commit, &applied, &lease, &elections, &lag] {
    for (const replica::GroupStatus& status : replicas->Statuses()) {
      const metrics::Labels group = {{"group", std::to_string(status.group_id)}};
      leader.Add(group).Set(status.role == replication::Role::kLeader ? 1 : 0);
      term.Add(group).Set(static_cast<double>(status.term));
      commit.Add(group).Set(static_cast<double>(status.commit));
      applied.Add(group).Set(static_cast<double>(status.applied));
      lease.Add(group).Set(status.lease_valid ? 1 : 0);
      elections.Add(group).Set(static_cast<double>(status.elections));
      for (const replication::Progress& progress : status.progress) {
        lag.Add({{"group", std::to_string(status.group_id)},
                 {"follower", std::to_string(progress.id)}})
            .Set(static_cast<double>(status.last - std::min(status.last, progress.match)));
      }
    }
  });
}

int Run() {
  const base::NodeId node_id(absl::GetFlag(FLAGS_node_id));
  const std::string az = absl::GetFlag(FLAGS_az);
  const std::string data_dir = absl::GetFlag(FLAGS_data_dir);
  if (!node_id.valid() || az.empty() || data_dir.empty()) {
    TERN_LOG(Error, "--node_id (positive), --az and --data_dir are required");
    return 2;
  }
  if (absl::GetFlag(FLAGS_block_cache_mb) > (uint64_t{1} << 20)) {
    TERN_LOG(Error, "--block_cache_mb must be at most 1048576 (1 TB)");
    return 2;
  }
  if (absl::GetFlag(FLAGS_background_write_mb_per_s) > (uint64_t{1} << 20)) {
    TERN_LOG(Error, "--background_write_mb_per_s must be at most 1048576 (1 TB/s)");
    return 2;
  }
  // Below a few memtables' worth, the big families would flush at about the
  // same point of the writes on every replica, not when their memtables fill.
  if (absl::GetFlag(FLAGS_max_wal_mb) < 512 ||
      absl::GetFlag(FLAGS_max_wal_mb) > (uint64_t{1} << 20)) {
    TERN_LOG(Error, "--max_wal_mb must be between 512 and 1048576 (1 TB)");
    return 2;
  }
  if (absl::GetFlag(FLAGS_heartbeat_interval_ms) <= 0) {
    TERN_LOG(Error, "--heartbeat_interval_ms must be positive");
    return 2;
  }
  absl::StatusOr<daemon::DataDirLock> lock = daemon::DataDirLock::Acquire(data_dir);
  if (!lock.ok()) return daemon::StartupFailure("cannot use data folder", lock.status());
  engine::RocksEngineOptions engine_options;
  engine_options.block_cache_bytes = absl::GetFlag(FLAGS_block_cache_mb) << 20;
  engine_options.background_write_bytes_per_s = absl::GetFlag(FLAGS_background_write_mb_per_s)
                                                << 20;
  engine_options.max_wal_bytes = absl::GetFlag(FLAGS_max_wal_mb) << 20;
  // Memtables of 48-64 MB, drawn at each start: the replicas of a group
  // take the same writes, and with one size they all flushed within ~20 ms
  // of each other; apart, a write's quorum can do without the one flushing.
  std::random_device entropy;
  engine_options.write_buffer_bytes = (size_t{48} << 20) + entropy() % (size_t{16} << 20);
  absl::StatusOr<std::unique_ptr<engine::StorageEngine>> engine =
      engine::OpenRocksEngine(data_dir + "/rocksdb", engine_options);
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
  absl::StatusOr<config::HostPort> listen_address =
      config::HostPortOr(absl::GetFlag(FLAGS_grpc_listen_address), grpc_address);
  if (!listen_address.ok()) {
    return daemon::StartupFailure("bad --grpc_listen_address", listen_address.status());
  }
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
  replica::HostOptions replica_options;
  replica_options.node_id = node_id.value();
  replica_options.tick = std::chrono::milliseconds(absl::GetFlag(FLAGS_raft_tick_ms));
  replica_options.raft.election_ticks = absl::GetFlag(FLAGS_raft_election_ticks);
  replica_options.raft.heartbeat_ticks = absl::GetFlag(FLAGS_raft_heartbeat_ticks);
  replica_options.raft.lease_ticks = absl::GetFlag(FLAGS_raft_lease_ticks);
  replica_options.raft.random_seed = node_id.value() * 0x2545f4914f6cdd1dULL + 1;
  replica_options.max_tick_gap =
      std::chrono::milliseconds(absl::GetFlag(FLAGS_raft_max_tick_gap_ms));
  if (replica_options.raft.lease_ticks >= replica_options.raft.election_ticks ||
      replica_options.raft.heartbeat_ticks >= replica_options.raft.lease_ticks) {
    return daemon::StartupFailure(
        "bad replication timing",
        absl::InvalidArgumentError("need heartbeat_ticks < lease_ticks < election_ticks"));
  }
  // A follower grants no vote for (election_ticks - 1) ticks after hearing a
  // leader; the leader's lease, a ticker up to half a tick late and a
  // stalled ticker must end before that (docs/replication.md, "The margin").
  if (replica_options.max_tick_gap.count() <= 0 ||
      replica_options.tick * replica_options.raft.lease_ticks + replica_options.tick / 2 +
              replica_options.max_tick_gap >
          replica_options.tick * (replica_options.raft.election_ticks - 1)) {
    return daemon::StartupFailure(
        "bad replication timing",
        absl::InvalidArgumentError("need 0 < raft_max_tick_gap_ms <= (election_ticks - 1 - "
                                   "lease_ticks - 0.5) * raft_tick_ms"));
  }
  // Experiments skew the clock (NodeAdmin.InjectFaults); otherwise the
  // node reads the real one.
  const bool fault_injection = absl::GetFlag(FLAGS_fault_injection);
  time::SkewedClock skewed(time::RealClock());
  time::Clock* clock = fault_injection ? &skewed : time::RealClock();
  replica_options.clock = clock;
  replica_options.ack_before_commit_for_testing = absl::GetFlag(FLAGS_testonly_ack_before_commit);
  if (replica_options.ack_before_commit_for_testing && !fault_injection) {
    return daemon::StartupFailure(
        "bad flags",
        absl::InvalidArgumentError("--testonly_ack_before_commit needs --fault_injection"));
  }
  if (replica_options.ack_before_commit_for_testing) {
    TERN_LOG(Warning, "TEST ONLY: acknowledging writes before they commit");
  }
  replica::ReplicaHost replicas(replica_options, storage, &partitions);
  for (const tern::v1::PartitionDescriptor& partition : partitions.Descriptors()) {
    if (absl::Status status = replicas.OpenGroup(partition); !status.ok()) {
      return daemon::StartupFailure("cannot open replication group", status);
    }
  }
  RegisterReplicaMetrics(&metrics, &replicas);
  load::LoadSampler load(clock);
  NodeAdminService admin_service(
      self, &partitions, &replicas, &load, fault_injection ? &skewed : nullptr);
  DataPlaneService data_service(&partitions, &replicas, &load);
  replica::ReplicationService replication_service(&replicas);
  absl::StatusOr<rpc::StartedServer> grpc_server =
      rpc::StartServer(*listen_address, {&admin_service, &data_service, &replication_service});
  if (!grpc_server.ok())
    return daemon::StartupFailure("cannot start gRPC server", grpc_server.status());
  // Replication batches go out on the server's queue: one thread polls for
  // everything the node's hot calls do.
  replicas.SendOn(grpc_server->queues->queues()[0]);
  Heartbeater heartbeater(
      self,
      absl::GetFlag(FLAGS_control_addresses),
      std::chrono::milliseconds(absl::GetFlag(FLAGS_heartbeat_interval_ms)),
      &metrics,
      [&partitions] {
        std::vector<uint64_t> ids;
        for (const tern::v1::PartitionDescriptor& partition : partitions.Descriptors()) {
          ids.push_back(partition.partition_id());
        }
        return ids;
      });

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
    replicas.Stop();  // no batch goes out on the server's queue once it stops
    grpc_server->Shutdown();
    data_service.Drain();
    replication_service.Drain();
    return daemon::StartupFailure("cannot start HTTP server", status);
  }
  heartbeater.Start();
  replicas.Start();

  TERN_LOG(Info, "tern-node ready")
      .With("node_id", node_id.value())
      .With("write_buffer_bytes", static_cast<uint64_t>(engine_options.write_buffer_bytes))
      .With("max_wal_bytes", static_cast<uint64_t>(engine_options.max_wal_bytes))
      .With("az", az)
      .With("grpc_address", grpc_address.ToString())
      .With("http_address", http_address.ToString())
      .With("data_dir", data_dir);

  int signal = daemon::WaitForTerminationSignal();
  TERN_LOG(Info, "stopping").With("signal", signal);
  heartbeater.Stop();
  replicas.Stop();
  http_server.Stop();
  grpc_server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  // Work the services handed to their own threads ends before the store
  // and the server go (a reply being sent still uses the server).
  data_service.Drain();
  replication_service.Drain();
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
