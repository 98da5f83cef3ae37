// ternctl: the operator's CLI. Today: a local cluster on this machine.
//   ternctl up      start 3 control replicas, 3 nodes (az-a/b/c), 1 router
//   ternctl down    stop them (data and logs are kept)
//   ternctl status  processes, AZs, addresses and health; nodes; partitions
//   ternctl add-node --az=AZ             start one more storage node
//   ternctl move PARTITION FROM TO       move a partition's replica between nodes
//   ternctl drain NODE [--undo]          move every replica off a node
//   ternctl split PARTITION [--key=HEX]  split a partition in two
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "control-plane/ternctl/cluster_admin.h"
#include "control-plane/ternctl/local_cluster.h"

ABSL_FLAG(std::string, data_dir, "tern-data", "Folder for the cluster's data and logs.");
ABSL_FLAG(std::string, bin_dir, "", "Folder with the daemons (default: ternctl's own folder).");
ABSL_FLAG(std::string, host, "127.0.0.1", "Address every process listens on.");
ABSL_FLAG(int, router_port, 8000, "Port of the DynamoDB endpoint.");
ABSL_FLAG(int, base_port, 7000, "First internal port; see `ternctl --help` for the layout.");
ABSL_FLAG(int, timeout_s, 60, "How long `up` and `add-node` wait for processes to become ready.");
ABSL_FLAG(int,
          node_dead_after_ms,
          0,
          "How long a node may stay silent before the control plane repairs its replicas "
          "(0: the control plane's default). Used by `up`.");
ABSL_FLAG(std::string, az, "az-a", "The AZ of the node that `add-node` starts.");
ABSL_FLAG(bool, undo, false, "With `drain`: the node is no longer draining.");
ABSL_FLAG(std::string,
          key,
          "",
          "With `split`: the storage key to split at, in hex (default: where the data "
          "divides in half).");
ABSL_FLAG(bool,
          by_load,
          false,
          "With `split`: split where the partition's sampled requests divide in half.");
ABSL_FLAG(std::string,
          control_args,
          "",
          "Extra flags for every tern-control, space-separated (with `up`), e.g. "
          "\"--split_size_bytes=1000000\".");

ABSL_FLAG(std::string,
          router_args,
          "",
          "Extra flags for the tern-router, space-separated (with `up`), e.g. "
          "\"--credentials_file=/etc/tern/credentials\".");
ABSL_FLAG(std::string,
          node_args,
          "",
          "Extra flags for every tern-node, space-separated (with `up` and `add-node`), e.g. "
          "\"--fault_injection\".");
ABSL_FLAG(bool,
          netns,
          false,
          "With `up`: run each AZ's control replica and nodes in a network namespace of its own, "
          "joined by a bridge (needs root; give it again at every `up`).");
ABSL_FLAG(int64_t, peer, -1, "With `fault`: the peer node whose link changes (0: every peer).");
ABSL_FLAG(double, drop_out, 0, "With `fault`: share of replication batches sent that are dropped.");
ABSL_FLAG(double,
          drop_in,
          0,
          "With `fault`: share of replication batches received that are dropped.");
ABSL_FLAG(int, delay_ms, 0, "With `fault`: hold replication batches received this long.");
ABSL_FLAG(double,
          clock_rate,
          0,
          "With `fault`: the node's clock runs at this rate (0: unchanged).");
ABSL_FLAG(int64_t, clock_offset_ms, 0, "With `fault` and --clock_rate: wall-clock offset.");
ABSL_FLAG(bool, clear, false, "With `fault`: remove every fault of the node first.");

namespace {

constexpr char kUsage[] =
    "ternctl <command> [args] [flags]\n\n"
    "  up [--netns]               start a local cluster in the background and wait until\n"
    "                             it is ready (also the nodes added with add-node);\n"
    "                             --netns: each AZ in its own network namespace\n"
    "  down                       stop it (data and logs are kept)\n"
    "  status                     list its processes, AZs and health, its nodes as the\n"
    "                             control plane sees them, and the tables' partitions\n"
    "  add-node [--az=AZ]         start one more storage node (at most 10) and wait\n"
    "                             until it is healthy\n"
    "  move PARTITION FROM TO     move a partition's replica from node FROM to node TO\n"
    "  drain NODE [--undo]        move every replica off node NODE (--undo: stop that)\n"
    "  split PARTITION [--key=HEX | --by_load]  split a partition in two, where its\n"
    "                             data (or with --by_load its requests) divides in half,\n"
    "                             or at the storage key given in hex\n"
    "  fault NODE [--peer=N] [--drop_out=P] [--drop_in=P] [--delay_ms=MS]\n"
    "             [--clock_rate=R [--clock_offset_ms=MS]] [--clear]\n"
    "                             inject faults on a node started with\n"
    "                             --node_args=--fault_injection: drop or delay its\n"
    "                             replication messages to/from peer N (default every\n"
    "                             peer), skew its clock; --clear heals it\n\n"
    "--node_dead_after_ms=MS (with up): how long a node may stay silent before the\n"
    "control plane repairs its replicas (0: the control plane's default).\n\n"
    "Ports: router on --router_port; control replica i (0-2) gRPC on base+i, HTTP on\n"
    "base+10+i; node i (0-9) gRPC on base+100+i, HTTP on base+110+i.";

// How many positional arguments each command takes.
const std::map<std::string, size_t>& Commands() {
  static const auto* commands = new std::map<std::string, size_t>{{"up", 0},
                                                                  {"down", 0},
                                                                  {"status", 0},
                                                                  {"add-node", 0},
                                                                  {"move", 3},
                                                                  {"drain", 1},
                                                                  {"split", 1},
                                                                  {"fault", 1}};
  return *commands;
}

// A node or partition id: a positive integer.
bool ParseId(const char* text, uint64_t* id) { return absl::SimpleAtoi(text, id) && *id > 0; }

std::string OwnFolder() {
  std::error_code ec;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? "." : self.parent_path().string();
}

// "--a=1 --b" -> {"--a=1", "--b"}.
std::vector<std::string> SplitArgs(const std::string& flag) {
  return absl::StrSplit(flag, ' ', absl::SkipEmpty());
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(kUsage);
  std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  if (positional.size() < 2) {
    std::cerr << "usage: " << kUsage << "\n";
    return 2;
  }
  const std::string command = positional[1];
  const std::vector<char*> args(positional.begin() + 2, positional.end());
  auto known = Commands().find(command);
  if (known == Commands().end()) {
    std::cerr << "ternctl: unknown command '" << command << "'\nusage: " << kUsage << "\n";
    return 2;
  }
  if (args.size() != known->second) {
    std::cerr << "ternctl " << command << ": takes " << known->second << " argument"
              << (known->second == 1 ? "" : "s") << ", got " << args.size() << "\nusage: " << kUsage
              << "\n";
    return 2;
  }
  std::vector<uint64_t> ids(args.size());
  for (size_t i = 0; i < args.size(); ++i) {
    const char* text = args[i];
    if (command == "fault" && absl::StartsWith(text, "node-")) text += 5;  // node-N or N
    if (!ParseId(text, &ids[i])) {
      std::cerr << "ternctl " << command << ": '" << args[i]
                << "' is not an id (a positive integer)\n";
      return 2;
    }
  }
  tern::ternctl::LocalClusterOptions options;
  options.data_dir =
      std::filesystem::absolute(absl::GetFlag(FLAGS_data_dir)).lexically_normal().string();
  options.bin_dir =
      absl::GetFlag(FLAGS_bin_dir).empty() ? OwnFolder() : absl::GetFlag(FLAGS_bin_dir);
  options.host = absl::GetFlag(FLAGS_host);
  int router_port = absl::GetFlag(FLAGS_router_port);
  int base_port = absl::GetFlag(FLAGS_base_port);
  if (router_port <= 0 || router_port > 65535 || base_port <= 0 || base_port > 65535 ||
      absl::GetFlag(FLAGS_timeout_s) <= 0 || absl::GetFlag(FLAGS_node_dead_after_ms) < 0) {
    std::cerr << "ternctl: ports must be 1-65535, --timeout_s positive and "
                 "--node_dead_after_ms not negative\n";
    return 2;
  }
  if (command == "add-node" && absl::GetFlag(FLAGS_az).empty()) {
    std::cerr << "ternctl add-node: --az must not be empty\n";
    return 2;
  }
  options.router_port = static_cast<uint16_t>(router_port);
  options.base_port = static_cast<uint16_t>(base_port);
  options.ready_timeout = std::chrono::seconds(absl::GetFlag(FLAGS_timeout_s));
  options.node_dead_after_ms = absl::GetFlag(FLAGS_node_dead_after_ms);
  options.control_args = SplitArgs(absl::GetFlag(FLAGS_control_args));
  options.netns = absl::GetFlag(FLAGS_netns);
  options.node_args = SplitArgs(absl::GetFlag(FLAGS_node_args));
  options.router_args = SplitArgs(absl::GetFlag(FLAGS_router_args));

  absl::Status status;
  if (command == "up") {
    status = tern::ternctl::Up(options, std::cout);
    if (status.ok()) {
      std::string endpoint = "http://" + options.host + ":" + std::to_string(options.router_port);
      std::cout
          << "Tern is running.\n"
          << "  endpoint:    " << endpoint << "\n"
          << "  data & logs: " << options.data_dir << "\n"
          << "  status:      ternctl status    stop: ternctl down\n"
          << "Try it:\n"
          << "  AWS_ACCESS_KEY_ID=tern AWS_SECRET_ACCESS_KEY=tern AWS_DEFAULT_REGION=us-east-1 "
          << "aws dynamodb list-tables --endpoint-url " << endpoint << "\n";
    }
  } else if (command == "down") {
    status = tern::ternctl::Down(options, std::cout);
  } else if (command == "status") {
    status = tern::ternctl::Status(options, std::cout);
  } else if (command == "add-node") {
    status = tern::ternctl::AddNode(options, absl::GetFlag(FLAGS_az), std::cout);
  } else if (command == "move") {
    status = tern::ternctl::MovePartition(options, ids[0], ids[1], ids[2], std::cout);
  } else if (command == "split") {
    std::string key;
    if (!absl::GetFlag(FLAGS_key).empty()) {
      key = absl::HexStringToBytes(absl::GetFlag(FLAGS_key));
      if (absl::BytesToHexString(key) != absl::AsciiStrToLower(absl::GetFlag(FLAGS_key))) {
        std::cerr << "ternctl split: --key must be hex\n";
        return 2;
      }
    }
    status = tern::ternctl::SplitPartition(
        options, ids[0], key, absl::GetFlag(FLAGS_by_load), std::cout);
  } else if (command == "fault") {
    tern::ternctl::FaultChange change;
    change.clear = absl::GetFlag(FLAGS_clear);
    change.drop_out = absl::GetFlag(FLAGS_drop_out);
    change.drop_in = absl::GetFlag(FLAGS_drop_in);
    if (absl::GetFlag(FLAGS_delay_ms) < 0 || absl::GetFlag(FLAGS_clock_rate) < 0) {
      std::cerr << "ternctl fault: --delay_ms and --clock_rate must not be negative\n";
      return 2;
    }
    change.delay_ms = static_cast<uint32_t>(absl::GetFlag(FLAGS_delay_ms));
    if (absl::GetFlag(FLAGS_clock_rate) > 0) {
      change.clock_rate = absl::GetFlag(FLAGS_clock_rate);
      change.clock_offset_ms = absl::GetFlag(FLAGS_clock_offset_ms);
    }
    // A link changes when one is named or a link fault given, and by
    // default (`fault N --peer=M` with nothing else heals that link).
    const bool link_fault = change.drop_out != 0 || change.drop_in != 0 || change.delay_ms != 0;
    if (absl::GetFlag(FLAGS_peer) >= 0 || link_fault ||
        (!change.clear && !change.clock_rate.has_value())) {
      change.peer = static_cast<uint64_t>(std::max<int64_t>(0, absl::GetFlag(FLAGS_peer)));
    }
    status = tern::ternctl::InjectFaults(options, absl::StrCat("node-", ids[0]), change, std::cout);
  } else {  // drain
    status = tern::ternctl::DrainNode(options, ids[0], absl::GetFlag(FLAGS_undo), std::cout);
  }
  if (!status.ok()) {
    std::cerr << "ternctl " << command << ": " << status.message() << "\n";
    return 1;
  }
  return 0;
}
