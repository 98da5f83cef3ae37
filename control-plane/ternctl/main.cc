// ternctl: the operator's CLI. Today: a local cluster on this machine.
//   ternctl up      start 3 control replicas, 3 nodes (az-a/b/c), 1 router
//   ternctl down    stop them (data and logs are kept)
//   ternctl status  processes, AZs, addresses and health
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "control-plane/ternctl/local_cluster.h"

ABSL_FLAG(std::string, data_dir, "tern-data", "Folder for the cluster's data and logs.");
ABSL_FLAG(std::string, bin_dir, "", "Folder with the daemons (default: ternctl's own folder).");
ABSL_FLAG(std::string, host, "127.0.0.1", "Address every process listens on.");
ABSL_FLAG(int, router_port, 8000, "Port of the DynamoDB endpoint.");
ABSL_FLAG(int, base_port, 7000, "First internal port; see `ternctl --help` for the layout.");
ABSL_FLAG(int, timeout_s, 60, "How long `up` waits for the cluster to become ready.");

namespace {

constexpr char kUsage[] =
    "ternctl <up|down|status> [flags]\n\n"
    "  up      start a local cluster in the background and wait until it is ready\n"
    "  down    stop it (data and logs are kept)\n"
    "  status  list its processes, AZs and health\n\n"
    "Ports: router on --router_port; control replica i (0-2) gRPC on base+i, HTTP on\n"
    "base+10+i; node i gRPC on base+100+i, HTTP on base+110+i.";

std::string OwnFolder() {
  std::error_code ec;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? "." : self.parent_path().string();
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(kUsage);
  std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  if (positional.size() != 2) {
    std::cerr << "usage: " << kUsage << "\n";
    return 2;
  }
  const std::string command = positional[1];
  tern::ternctl::LocalClusterOptions options;
  options.data_dir =
      std::filesystem::absolute(absl::GetFlag(FLAGS_data_dir)).lexically_normal().string();
  options.bin_dir =
      absl::GetFlag(FLAGS_bin_dir).empty() ? OwnFolder() : absl::GetFlag(FLAGS_bin_dir);
  options.host = absl::GetFlag(FLAGS_host);
  int router_port = absl::GetFlag(FLAGS_router_port);
  int base_port = absl::GetFlag(FLAGS_base_port);
  if (router_port <= 0 || router_port > 65535 || base_port <= 0 || base_port > 65535 ||
      absl::GetFlag(FLAGS_timeout_s) <= 0) {
    std::cerr << "ternctl: ports must be 1-65535 and --timeout_s positive\n";
    return 2;
  }
  options.router_port = static_cast<uint16_t>(router_port);
  options.base_port = static_cast<uint16_t>(base_port);
  options.ready_timeout = std::chrono::seconds(absl::GetFlag(FLAGS_timeout_s));

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
  } else {
    std::cerr << "ternctl: unknown command '" << command << "'\nusage: " << kUsage << "\n";
    return 2;
  }
  if (!status.ok()) {
    std::cerr << "ternctl " << command << ": " << status.message() << "\n";
    return 1;
  }
  return 0;
}
