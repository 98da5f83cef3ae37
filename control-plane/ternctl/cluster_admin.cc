#include "control-plane/ternctl/cluster_admin.h"

#include <algorithm>
#include <iomanip>
#include <map>
#include <memory>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/base/status_macros.h"
#include "control-plane/ternctl/cluster_file.h"
#include "tern/v1/control.grpc.pb.h"

namespace tern::ternctl {

namespace {

// "0000".."ffff": the first two bytes of the partition key hash where a
// partition's storage keys start (keys are table id | hash | ...).
std::string HashSlice(const std::string& key, const char* none) {
  if (key.size() < 10) return none;
  return absl::StrFormat(
      "%02x%02x", static_cast<unsigned char>(key[8]), static_cast<unsigned char>(key[9]));
}

const char* StateName(tern::v1::NodeStatus::State state) {
  switch (state) {
    case tern::v1::NodeStatus::STATE_ALIVE:
      return "alive";
    case tern::v1::NodeStatus::STATE_SUSPECT:
      return "suspect";
    case tern::v1::NodeStatus::STATE_DEAD:
      return "dead";
    default:
      return "unknown";
  }
}

// The nodes as the control plane sees them. Best effort, like PrintPartitions.
void PrintNodes(const std::string& control_address, std::ostream& out) {
  auto control = StubFor<tern::v1::Control>(control_address);
  if (control == nullptr) return;
  grpc::ClientContext context;
  Deadline(&context);
  tern::v1::ListNodesResponse response;
  grpc::Status status = control->ListNodes(&context, tern::v1::ListNodesRequest(), &response);
  if (!status.ok()) {
    out << "\nnodes: control plane at " << control_address
        << " not answering: " << status.error_message() << "\n";
    return;
  }
  std::vector<tern::v1::NodeStatus> nodes(response.nodes().begin(), response.nodes().end());
  std::sort(nodes.begin(), nodes.end(), [](const auto& a, const auto& b) {
    return a.node().node_id() < b.node().node_id();
  });
  out << "\nnodes:\n";
  if (nodes.empty()) out << "  none registered yet\n";
  for (const tern::v1::NodeStatus& node : nodes) {
    out << "  " << std::left << std::setw(9) << absl::StrCat("node-", node.node().node_id())
        << std::setw(6) << node.node().az() << std::setw(9) << StateName(node.state())
        << std::setw(14) << absl::StrCat(node.replica_count(), " replicas") << std::setw(10)
        << (node.draining() ? "draining" : "") << node.node().address() << "\n";
  }
}

// The gRPC address of the first running control replica.
absl::StatusOr<std::string> RunningControl(const LocalClusterOptions& options) {
  TERN_ASSIGN_OR_RETURN(std::vector<Recorded> processes, ReadClusterFile(options));
  std::vector<std::string> running;
  for (const Recorded& p : processes) {
    if (p.spec.kind == "control" && p.spec.grpc && ProcessAlive(p.pid) &&
        ProcessRuns(p.pid, p.spec.binary)) {
      running.push_back(p.spec.grpc->ToString());
    }
  }
  if (running.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("no control replica of the cluster in ", options.data_dir, " is running"));
  }
  // The catalog group's leader answers catalog calls; the others name it.
  // While an election runs (a few seconds at most) nobody does.
  for (int round = 0; round < 50; ++round) {
    for (const std::string& address : running) {
      auto control = StubFor<tern::v1::Control>(address);
      if (control == nullptr) continue;
      grpc::ClientContext context;
      Deadline(&context);
      tern::v1::ListTablesRequest request;
      request.set_limit(1);
      tern::v1::ListTablesResponse response;
      if (control->ListTables(&context, request, &response).ok()) return address;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return running.front();
}

// The control plane's answer as an error: its code, then its message.
absl::Status ControlError(const grpc::Status& status) {
  absl::Status converted = rpc::FromGrpcStatus(status);
  return absl::Status(converted.code(),
                      absl::StrCat(absl::StatusCodeToString(converted.code()),
                                   converted.message().empty() ? "" : ": ",
                                   converted.message()));
}

// The tables' partitions: key ranges, replicas with their AZ and role, and
// what the leader holds. Best effort: what cannot be reached says so.
void PrintPartitions(const std::string& control_address, std::ostream& out) {
  auto control = StubFor<tern::v1::Control>(control_address);
  if (control == nullptr) return;
  grpc::ClientContext list_context;
  Deadline(&list_context);
  tern::v1::ListTablesRequest list;
  tern::v1::ListTablesResponse tables;
  if (!control->ListTables(&list_context, list, &tables).ok()) {
    out << "\npartitions: control plane at " << control_address << " not answering\n";
    return;
  }
  out << "\n"
      << std::left << std::setw(24) << "TABLE" << std::setw(12) << "PARTITION" << std::setw(12)
      << "HASH" << std::setw(52) << "REPLICAS (node:az:role)" << std::setw(9) << "ITEMS"
      << "BYTES\n";
  std::map<std::string, std::unique_ptr<tern::v1::NodeAdmin::Stub>> nodes;
  for (const std::string& name : tables.table_names()) {
    grpc::ClientContext get_context;
    Deadline(&get_context);
    tern::v1::GetTableRequest get;
    get.set_name(name);
    tern::v1::CatalogEntry entry;
    if (!control->GetTable(&get_context, get, &entry).ok()) continue;
    for (const tern::v1::PartitionDescriptor& partition : entry.partitions()) {
      std::vector<std::string> replicas;
      uint64_t items = 0;
      uint64_t bytes = 0;
      for (const tern::v1::ReplicaDescriptor& replica : partition.replicas()) {
        auto& stub = nodes[replica.address()];
        if (stub == nullptr) stub = StubFor<tern::v1::NodeAdmin>(replica.address());
        std::string role = "unreachable";
        if (stub != nullptr) {
          grpc::ClientContext context;
          Deadline(&context);
          tern::v1::PartitionRequest request;
          *request.mutable_partition() = partition;
          tern::v1::PartitionResponse stats;
          if (stub->GetPartitionStats(&context, request, &stats).ok()) {
            role = absl::AsciiStrToLower(stats.role());
            if (stats.role() == "Leader") {
              items = stats.item_count();
              bytes = stats.size_bytes();
            }
          }
        }
        replicas.push_back(absl::StrCat(replica.node_id(), ":", replica.az(), ":", role));
      }
      out << std::left << std::setw(24) << name << std::setw(12) << partition.partition_id()
          << std::setw(12)
          << absl::StrCat(HashSlice(partition.start_key(), "0000"),
                          "..",
                          HashSlice(partition.end_key(), "ffff"))
          << std::setw(52) << absl::StrJoin(replicas, " ") << std::setw(9) << items << bytes
          << "\n";
    }
  }
}

}  // namespace

void PrintControlPlaneView(const LocalClusterOptions& options, std::ostream& out) {
  absl::StatusOr<std::string> control = RunningControl(options);
  if (control.ok()) {
    PrintNodes(*control, out);
    PrintPartitions(*control, out);
  } else {
    out << "\nnodes and partitions: no control replica is running\n";
  }
}

namespace {

// A stub for the first running control replica.
absl::StatusOr<std::unique_ptr<tern::v1::Control::Stub>> RunningControlStub(
    const LocalClusterOptions& options) {
  TERN_ASSIGN_OR_RETURN(std::string address, RunningControl(options));
  auto control = StubFor<tern::v1::Control>(address);
  if (control == nullptr) return absl::DataLossError(absl::StrCat("bad address ", address));
  return control;
}

}  // namespace

absl::Status MovePartition(const LocalClusterOptions& options,
                           uint64_t partition_id,
                           uint64_t from_node,
                           uint64_t to_node,
                           std::ostream& out) {
  TERN_ASSIGN_OR_RETURN(auto control, RunningControlStub(options));
  grpc::ClientContext context;
  Deadline(&context);
  tern::v1::MovePartitionRequest request;
  request.set_partition_id(partition_id);
  request.set_from_node_id(from_node);
  request.set_to_node_id(to_node);
  tern::v1::PartitionDescriptor partition;
  grpc::Status status = control->MovePartition(&context, request, &partition);
  if (!status.ok()) return ControlError(status);
  out << "partition " << partition_id << ": node " << from_node << " -> node " << to_node
      << " (epoch " << partition.epoch() << ")\n";
  return absl::OkStatus();
}

absl::Status SplitPartition(const LocalClusterOptions& options,
                            uint64_t partition_id,
                            const std::string& key,
                            bool by_load,
                            std::ostream& out) {
  TERN_ASSIGN_OR_RETURN(auto control, RunningControlStub(options));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  tern::v1::SplitPartitionRequest request;
  request.set_partition_id(partition_id);
  request.set_split_key(key);
  request.set_by_load(by_load);
  tern::v1::CatalogEntry entry;
  grpc::Status status = control->SplitPartition(&context, request, &entry);
  if (!status.ok()) return ControlError(status);
  for (const tern::v1::PartitionDescriptor& retired : entry.retired()) {
    if (retired.partition_id() != partition_id) continue;
    out << "partition " << partition_id << " split at "
        << absl::BytesToHexString(retired.split_key()) << " into "
        << absl::StrJoin(retired.child_ids(), " and ") << "\n";
  }
  return absl::OkStatus();
}

absl::Status DrainNode(const LocalClusterOptions& options,
                       uint64_t node_id,
                       bool undo,
                       std::ostream& out) {
  TERN_ASSIGN_OR_RETURN(auto control, RunningControlStub(options));
  grpc::ClientContext context;
  Deadline(&context);
  tern::v1::DrainNodeRequest request;
  request.set_node_id(node_id);
  request.set_undo(undo);
  tern::v1::DrainNodeResponse response;
  grpc::Status status = control->DrainNode(&context, request, &response);
  if (!status.ok()) return ControlError(status);
  if (undo) {
    out << "node " << node_id << " no longer draining\n";
  } else {
    out << "node " << node_id << " draining: " << response.replicas_left()
        << " replicas left to move\n";
  }
  return absl::OkStatus();
}

absl::Status InjectFaults(const LocalClusterOptions& options,
                          const std::string& node,
                          const FaultChange& change,
                          std::ostream& out) {
  TERN_ASSIGN_OR_RETURN(std::vector<Recorded> processes, ReadClusterFile(options));
  auto it = std::find_if(processes.begin(), processes.end(), [&node](const Recorded& p) {
    return p.spec.kind == "node" && p.spec.name == node;
  });
  if (it == processes.end() || !it->spec.grpc.has_value()) {
    return absl::NotFoundError(absl::StrCat("the cluster has no storage node ", node));
  }
  if (!ProcessAlive(it->pid) || !ProcessRuns(it->pid, it->spec.binary)) {
    return absl::FailedPreconditionError(absl::StrCat(node, " is not running"));
  }
  tern::v1::InjectFaultsRequest request;
  request.set_clear(change.clear);
  if (change.peer.has_value()) {
    tern::v1::LinkFault* link = request.add_links();
    link->set_peer_node_id(*change.peer);
    link->set_drop_out(change.drop_out);
    link->set_drop_in(change.drop_in);
    link->set_delay_in_ms(change.delay_ms);
  }
  if (change.clock_rate.has_value()) {
    request.set_set_clock(true);
    request.set_clock_rate(*change.clock_rate);
    request.set_clock_offset_ms(change.clock_offset_ms);
  }
  auto admin = StubFor<tern::v1::NodeAdmin>(it->spec.grpc->ToString());
  grpc::ClientContext context;
  Deadline(&context);
  tern::v1::FaultState state;
  grpc::Status status = admin->InjectFaults(&context, request, &state);
  if (!status.ok()) return ControlError(status);
  out << node << ": clock rate " << state.clock_rate() << ", wall clock offset "
      << state.clock_offset_ms() << " ms\n";
  if (state.links().empty()) out << "  no link faults\n";
  for (const tern::v1::LinkFault& link : state.links()) {
    out << "  link to "
        << (link.peer_node_id() == 0 ? std::string("every peer")
                                     : absl::StrCat("node-", link.peer_node_id()))
        << ": drop out " << link.drop_out() << ", drop in " << link.drop_in() << ", delay in "
        << link.delay_in_ms() << " ms\n";
  }
  return absl::OkStatus();
}

}  // namespace tern::ternctl
