#include "control-plane/ternctl/az_network.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace tern::ternctl {
namespace {

constexpr const char* kAzs[] = {"az-a", "az-b", "az-c"};

std::string Subnet(uint16_t base_port) {
  return absl::StrCat("10.", base_port / 256, ".", base_port % 256, ".");
}
std::string Bridge(uint16_t base_port) { return absl::StrCat("ternbr", base_port); }
std::string HostSide(uint16_t base_port, char letter) {
  return absl::StrCat("tv", base_port, std::string(1, letter));
}

// Runs `tool args...` (output discarded); kInternal naming it when it fails.
absl::Status Run(const std::string& tool, std::vector<std::string> args) {
  args.insert(args.begin(), tool);
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  pid_t pid = fork();
  if (pid < 0) return absl::InternalError(absl::StrCat("fork: ", strerror(errno)));
  if (pid == 0) {
    int null_fd = open("/dev/null", O_WRONLY);
    if (null_fd >= 0) {
      dup2(null_fd, STDOUT_FILENO);
      dup2(null_fd, STDERR_FILENO);
    }
    execvp(argv[0], argv.data());
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return absl::OkStatus();
  return absl::InternalError(absl::StrCat("`",
                                          absl::StrJoin(args, " "),
                                          "` failed (exit ",
                                          WIFEXITED(status) ? WEXITSTATUS(status) : -1,
                                          "); --netns needs root and iproute2"));
}

absl::Status Ip(std::vector<std::string> args) { return Run("ip", std::move(args)); }

// Where bridged traffic passes the host's firewall (br_netfilter, loaded by
// Docker, which also sets the FORWARD policy to DROP), frames between the
// AZs' links on the bridge would be dropped: accept them explicitly. Best
// effort: without iptables there is no such firewall to pass.
void AcceptBridgeForwarding(const std::string& bridge) {
  const std::vector<std::string> rule = {"FORWARD", "-i", bridge, "-o", bridge, "-j", "ACCEPT"};
  std::vector<std::string> check = {"-C"};
  check.insert(check.end(), rule.begin(), rule.end());
  if (Run("iptables", check).ok()) return;
  std::vector<std::string> insert = {"-I"};
  insert.insert(insert.end(), rule.begin(), rule.end());
  (void)Run("iptables", insert);
}

void DropBridgeForwarding(const std::string& bridge) {
  (void)Run("iptables", {"-D", "FORWARD", "-i", bridge, "-o", bridge, "-j", "ACCEPT"});
}

bool NetnsExists(const std::string& netns) {
  std::error_code ec;
  return std::filesystem::exists("/run/netns/" + netns, ec);
}

bool LinkExists(const std::string& name) {
  std::error_code ec;
  return std::filesystem::exists("/sys/class/net/" + name, ec);
}

}  // namespace

absl::StatusOr<AzNetwork> AzNetworkFor(uint16_t base_port, const std::string& az) {
  for (int i = 0; i < 3; ++i) {
    if (az == kAzs[i]) {
      return AzNetwork{absl::StrCat("tern", base_port, "-", std::string(1, 'a' + i)),
                       absl::StrCat(Subnet(base_port), i + 1)};
    }
  }
  return absl::InvalidArgumentError(
      absl::StrCat("with --netns the AZs are az-a, az-b and az-c, not '", az, "'"));
}

absl::Status SetUpAzNetworks(uint16_t base_port) {
  const std::string bridge = Bridge(base_port);
  if (!LinkExists(bridge)) {
    absl::Status made = Ip({"link", "add", bridge, "type", "bridge"});
    if (made.ok()) made = Ip({"addr", "add", Subnet(base_port) + "254/24", "dev", bridge});
    if (!made.ok()) {
      (void)Ip({"link", "del", bridge});
      return made;
    }
  }
  if (absl::Status up = Ip({"link", "set", bridge, "up"}); !up.ok()) return up;
  AcceptBridgeForwarding(bridge);
  for (const char* az : kAzs) {
    absl::StatusOr<AzNetwork> net = AzNetworkFor(base_port, az);
    if (!net.ok()) return net.status();
    if (NetnsExists(net->netns)) continue;
    const std::string host_side = HostSide(base_port, az[3]);
    // Inside each namespace the AZ's end of its link is called eth0.
    const std::vector<std::vector<std::string>> steps = {
        {"netns", "add", net->netns},
        {"link", "add", host_side, "type", "veth", "peer", "name", "eth0", "netns", net->netns},
        {"link", "set", host_side, "master", bridge, "up"},
        {"-n", net->netns, "addr", "add", net->address + "/24", "dev", "eth0"},
        {"-n", net->netns, "link", "set", "eth0", "up"},
        {"-n", net->netns, "link", "set", "lo", "up"},
    };
    for (const auto& step : steps) {
      if (absl::Status status = Ip(step); !status.ok()) {
        (void)Ip({"link", "del", host_side});
        (void)Ip({"netns", "del", net->netns});
        return status;
      }
    }
  }
  return absl::OkStatus();
}

void TearDownAzNetworks(uint16_t base_port) {
  for (const char* az : kAzs) {
    absl::StatusOr<AzNetwork> net = AzNetworkFor(base_port, az);
    // Deleting the namespace deletes its end of the link and so the pair.
    if (net.ok() && NetnsExists(net->netns)) (void)Ip({"netns", "del", net->netns});
    const std::string host_side = HostSide(base_port, az[3]);
    if (LinkExists(host_side)) (void)Ip({"link", "del", host_side});
  }
  if (LinkExists(Bridge(base_port))) {
    DropBridgeForwarding(Bridge(base_port));
    (void)Ip({"link", "del", Bridge(base_port)});
  }
}

int OpenNetns(const std::string& netns) {
  return open(("/run/netns/" + netns).c_str(), O_RDONLY | O_CLOEXEC);
}

}  // namespace tern::ternctl
