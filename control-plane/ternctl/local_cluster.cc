#include "control-plane/ternctl/local_cluster.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <map>
#include <sstream>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "boost/json.hpp"
#include "common/base/status_macros.h"
#include "common/http/client.h"
#include "common/rpc/rpc.h"
#include "control-plane/ternctl/az_network.h"
#include "control-plane/ternctl/cluster_admin.h"
#include "control-plane/ternctl/cluster_file.h"
#include "tern/v1/control.grpc.pb.h"

namespace tern::ternctl {
namespace fs = std::filesystem;
using std::chrono::milliseconds;

namespace {

constexpr const char* kAzs[] = {"az-a", "az-b", "az-c"};
constexpr int kReplicas = 3;

std::string ClusterFile(const LocalClusterOptions& options) {
  return options.data_dir + "/cluster.json";
}
std::string LogFile(const LocalClusterOptions& options, const std::string& name) {
  return options.data_dir + "/logs/" + name + ".log";
}
std::string AbsoluteDataDir(const LocalClusterOptions& options) {
  return fs::absolute(options.data_dir).lexically_normal().string();
}

}  // namespace

bool ProcessAlive(pid_t pid) {
  if (pid <= 0 || kill(pid, 0) != 0) return false;
  // A zombie has exited; only its parent has not collected it yet.
  std::ifstream stat(absl::StrCat("/proc/", pid, "/stat"));
  std::string content((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  size_t paren = content.rfind(')');
  return paren == std::string::npos || paren + 2 >= content.size() || content[paren + 2] != 'Z';
}

// True when pid runs the given binary, so that a recycled pid is never signalled.
bool ProcessRuns(pid_t pid, const std::string& binary) {
  std::ifstream cmdline(absl::StrCat("/proc/", pid, "/cmdline"));
  std::string argv0;
  std::getline(cmdline, argv0, '\0');
  return !argv0.empty() && fs::path(argv0).filename() == fs::path(binary).filename();
}

namespace {

std::string TailOfFile(const std::string& path, int lines) {
  std::ifstream in(path);
  std::vector<std::string> all;
  std::string line;
  while (std::getline(in, line)) all.push_back(line);
  size_t start = all.size() > static_cast<size_t>(lines) ? all.size() - lines : 0;
  std::string tail;
  for (size_t i = start; i < all.size(); ++i) absl::StrAppend(&tail, "    ", all[i], "\n");
  return tail;
}

bool PortFree(const std::string& host, uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  if (inet_pton(AF_INET, host == "localhost" ? "127.0.0.1" : host.c_str(), &addr.sin_addr) != 1) {
    close(fd);
    return true;  // a name: let the daemon report what it cannot bind
  }
  // As the daemons do, so that connections in TIME_WAIT from a previous run
  // do not count as "in use": only a listener does.
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  bool free = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return free;
}

// Starts spec detached from this terminal, stdout and stderr appended to log.
absl::StatusOr<pid_t> Spawn(const ProcessSpec& spec, const std::string& log_path) {
  std::vector<std::string> argv_storage;
  argv_storage.push_back(spec.binary);
  argv_storage.insert(argv_storage.end(), spec.args.begin(), spec.args.end());
  std::vector<char*> argv;
  for (std::string& arg : argv_storage) argv.push_back(arg.data());
  argv.push_back(nullptr);
  // Opened before fork: the child only calls async-signal-safe functions.
  int netns_fd = -1;
  if (!spec.netns.empty()) {
    netns_fd = OpenNetns(spec.netns);
    if (netns_fd < 0) {
      return absl::FailedPreconditionError(
          absl::StrCat("no network namespace ", spec.netns, " (start with `ternctl up --netns`)"));
    }
  }
  pid_t pid = fork();
  if (pid < 0) {
    if (netns_fd >= 0) close(netns_fd);
    return absl::InternalError(absl::StrCat("fork: ", strerror(errno)));
  }
  if (pid == 0) {
    setsid();
    int null_fd = open("/dev/null", O_RDONLY);
    int log_fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (null_fd < 0 || log_fd < 0) _exit(126);
    dup2(null_fd, STDIN_FILENO);
    dup2(log_fd, STDOUT_FILENO);
    dup2(log_fd, STDERR_FILENO);
    // Signals blocked in this process must not stay blocked in the daemon.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    if (netns_fd >= 0 && setns(netns_fd, CLONE_NEWNET) != 0) {
      dprintf(STDERR_FILENO, "cannot enter network namespace %s\n", spec.netns.c_str());
      _exit(125);
    }
    execv(argv[0], argv.data());
    dprintf(STDERR_FILENO, "exec %s: %s\n", argv[0], strerror(errno));
    _exit(127);
  }
  if (netns_fd >= 0) close(netns_fd);
  return pid;
}

absl::Status WriteClusterFile(const LocalClusterOptions& options,
                              const std::vector<Recorded>& processes) {
  boost::json::array list;
  for (const Recorded& p : processes) {
    boost::json::object entry;
    entry["name"] = p.spec.name;
    entry["kind"] = p.spec.kind;
    entry["az"] = p.spec.az;
    entry["binary"] = p.spec.binary;
    boost::json::array args;
    for (const std::string& arg : p.spec.args) args.push_back(boost::json::string(arg));
    entry["args"] = std::move(args);
    entry["pid"] = p.pid;
    entry["http"] = p.spec.http.ToString();
    entry["grpc"] = p.spec.grpc ? p.spec.grpc->ToString() : "";
    entry["data_dir"] = p.spec.data_dir;
    entry["log"] = LogFile(options, p.spec.name);
    entry["netns"] = p.spec.netns;
    list.push_back(std::move(entry));
  }
  boost::json::object root;
  root["endpoint"] = absl::StrCat("http://", options.host, ":", options.router_port);
  root["processes"] = std::move(list);
  std::string tmp = ClusterFile(options) + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << boost::json::serialize(root) << "\n";
    if (!out) return absl::InternalError(absl::StrCat("cannot write ", tmp));
  }
  fs::rename(tmp, ClusterFile(options));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<Recorded>> ReadClusterFile(const LocalClusterOptions& options) {
  std::ifstream in(ClusterFile(options));
  if (!in) {
    return absl::NotFoundError(absl::StrCat("no cluster in ", options.data_dir));
  }
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  boost::system::error_code ec;
  boost::json::value root = boost::json::parse(content, ec);
  if (ec || !root.is_object() || !root.as_object().contains("processes")) {
    return absl::DataLossError(absl::StrCat(ClusterFile(options), " is not a cluster file"));
  }
  std::vector<Recorded> result;
  for (const boost::json::value& value : root.at("processes").as_array()) {
    const boost::json::object& entry = value.as_object();
    Recorded recorded;
    recorded.spec.name = std::string(entry.at("name").as_string());
    recorded.spec.kind = std::string(entry.at("kind").as_string());
    recorded.spec.az = std::string(entry.at("az").as_string());
    recorded.spec.binary = std::string(entry.at("binary").as_string());
    recorded.spec.data_dir = std::string(entry.at("data_dir").as_string());
    recorded.pid = static_cast<pid_t>(entry.at("pid").to_number<int64_t>());
    if (const boost::json::value* netns = entry.if_contains("netns");
        netns != nullptr && netns->is_string()) {
      recorded.spec.netns = std::string(netns->as_string());
    }
    if (const boost::json::value* args = entry.if_contains("args");
        args != nullptr && args->is_array()) {
      for (const boost::json::value& arg : args->as_array()) {
        if (arg.is_string()) recorded.spec.args.emplace_back(arg.as_string());
      }
    }
    TERN_ASSIGN_OR_RETURN(recorded.spec.http,
                          config::ParseHostPort(std::string(entry.at("http").as_string())));
    std::string grpc(entry.at("grpc").as_string());
    if (!grpc.empty()) {
      TERN_ASSIGN_OR_RETURN(recorded.spec.grpc, config::ParseHostPort(grpc));
    }
    result.push_back(std::move(recorded));
  }
  return result;
}

namespace {

// Whether the process answers /healthz and, for the cluster to be ready,
// whether it already sees its peers.
struct Health {
  bool healthy = false;
  bool wired = false;
  std::string detail;
};

// nodes: how many storage nodes the cluster has, which the router must see.
Health CheckProcess(const ProcessSpec& spec, int nodes) {
  Health health;
  absl::StatusOr<http::ClientResponse> response =
      http::Get(spec.http, "/healthz", milliseconds(1000));
  if (!response.ok()) {
    health.detail = std::string(response.status().message());
    return health;
  }
  boost::system::error_code ec;
  boost::json::value body = boost::json::parse(response->body, ec);
  if (response->status != 200 || ec || !body.is_object()) {
    health.detail = absl::StrCat("/healthz answered ", response->status);
    return health;
  }
  if (spec.grpc.has_value()) {
    absl::Status grpc = rpc::CheckHealth(rpc::MakeChannel(*spec.grpc), 1000);
    if (!grpc.ok()) {
      health.detail = absl::StrCat("gRPC health: ", grpc.message());
      return health;
    }
  }
  health.healthy = true;
  const boost::json::object& obj = body.as_object();
  auto number = [&obj](const char* key) -> int64_t {
    const boost::json::value* v = obj.if_contains(key);
    return v != nullptr && v->is_number() ? v->to_number<int64_t>() : -1;
  };
  if (spec.kind == "node") {
    health.wired = number("controls_reachable") == kReplicas;
    health.detail =
        absl::StrCat("controls reachable ", number("controls_reachable"), "/", kReplicas);
  } else if (spec.kind == "router") {
    health.wired = number("nodes_alive") == nodes;
    health.detail = absl::StrCat("nodes alive ", number("nodes_alive"), "/", nodes);
  } else {
    health.wired = true;
    health.detail = absl::StrCat("nodes alive ", number("nodes_alive"));
  }
  return health;
}

void StopProcesses(const std::vector<Recorded>& processes,
                   std::chrono::seconds timeout,
                   std::ostream& out) {
  // Router first, control plane last: the reverse of the start order.
  std::vector<Recorded> running;
  for (auto it = processes.rbegin(); it != processes.rend(); ++it) {
    if (ProcessAlive(it->pid) && ProcessRuns(it->pid, it->spec.binary)) {
      kill(it->pid, SIGTERM);
      running.push_back(*it);
    }
  }
  absl::Time deadline = absl::Now() + absl::FromChrono(timeout);
  for (const Recorded& p : running) {
    while (ProcessAlive(p.pid) && absl::Now() < deadline) {
      waitpid(p.pid, nullptr, WNOHANG);  // reaps it when it is our own child
      absl::SleepFor(absl::Milliseconds(20));
    }
    if (ProcessAlive(p.pid)) {
      out << "  " << p.spec.name << " (pid " << p.pid << ") did not stop in time; killing\n";
      kill(p.pid, SIGKILL);
      while (ProcessAlive(p.pid)) {
        waitpid(p.pid, nullptr, WNOHANG);
        absl::SleepFor(absl::Milliseconds(10));
      }
    }
    out << "  stopped " << p.spec.name << " (pid " << p.pid << ")\n";
  }
}

int CountNodes(const std::vector<ProcessSpec>& specs) {
  return static_cast<int>(std::count_if(
      specs.begin(), specs.end(), [](const ProcessSpec& spec) { return spec.kind == "node"; }));
}

// What the nodes get as --control_addresses: as a node records it, else the
// control replicas' gRPC addresses.
std::string ControlAddresses(const std::vector<ProcessSpec>& specs) {
  constexpr absl::string_view kFlag = "--control_addresses=";
  std::vector<std::string> controls;
  for (const ProcessSpec& spec : specs) {
    if (spec.kind == "node") {
      for (const std::string& arg : spec.args) {
        if (absl::StartsWith(arg, kFlag)) return arg.substr(kFlag.size());
      }
    }
    if (spec.kind == "control" && spec.grpc) controls.push_back(spec.grpc->ToString());
  }
  return absl::StrJoin(controls, ",");
}

// kNotFound when a binary is missing, kFailedPrecondition when a port is taken.
absl::Status CheckCanStart(const std::vector<ProcessSpec>& specs) {
  for (const ProcessSpec& spec : specs) {
    if (access(spec.binary.c_str(), X_OK) != 0) {
      return absl::NotFoundError(absl::StrCat("cannot run ", spec.binary, " (build first)"));
    }
  }
  for (const ProcessSpec& spec : specs) {
    if (!spec.netns.empty()) continue;  // its namespace has only the cluster's processes
    std::vector<config::HostPort> ports = {spec.http};
    if (spec.grpc) ports.push_back(*spec.grpc);
    for (const config::HostPort& port : ports) {
      if (!PortFree(port.host, port.port)) {
        return absl::FailedPreconditionError(
            absl::StrCat("port ",
                         port.port,
                         " (for ",
                         spec.name,
                         ") is in use; choose others with --base_port / --router_port"));
      }
    }
  }
  return absl::OkStatus();
}

// Spawns specs in order, each logging to its log file; appends what it
// started to started, also when it fails part way.
absl::Status SpawnAll(const LocalClusterOptions& options,
                      const std::vector<ProcessSpec>& specs,
                      std::vector<Recorded>* started) {
  std::error_code ec;
  fs::create_directories(options.data_dir + "/logs", ec);
  if (ec) {
    return absl::InternalError(
        absl::StrCat("cannot create ", options.data_dir, ": ", ec.message()));
  }
  for (const ProcessSpec& spec : specs) {
    TERN_ASSIGN_OR_RETURN(pid_t pid, Spawn(spec, LogFile(options, spec.name)));
    started->push_back(Recorded{spec, pid});
  }
  return absl::OkStatus();
}

// Waits until every process (children of this one) is healthy and sees its
// peers. kUnavailable, quoting its log, when one exits; kDeadlineExceeded,
// naming `what`, after ready_timeout. nodes: the cluster's storage nodes, for
// the router.
absl::Status WaitUntilReady(const LocalClusterOptions& options,
                            const std::vector<Recorded>& processes,
                            int nodes,
                            const std::string& what) {
  absl::Time deadline = absl::Now() + absl::FromChrono(options.ready_timeout);
  std::map<std::string, Health> last;
  for (;;) {
    bool all_ready = true;
    for (const Recorded& p : processes) {
      int wstatus = 0;
      if (waitpid(p.pid, &wstatus, WNOHANG) == p.pid) {
        std::string how = WIFEXITED(wstatus)
                              ? absl::StrCat("exited with status ", WEXITSTATUS(wstatus))
                              : absl::StrCat("died of signal ", WTERMSIG(wstatus));
        return absl::UnavailableError(absl::StrCat(p.spec.name,
                                                   " ",
                                                   how,
                                                   "; end of ",
                                                   LogFile(options, p.spec.name),
                                                   ":\n",
                                                   TailOfFile(LogFile(options, p.spec.name), 10)));
      }
      Health health = CheckProcess(p.spec, nodes);
      last[p.spec.name] = health;
      all_ready = all_ready && health.healthy && health.wired;
    }
    if (all_ready) return absl::OkStatus();
    if (absl::Now() >= deadline) {
      std::string report;
      for (const auto& [name, health] : last) {
        if (!health.healthy || !health.wired)
          absl::StrAppend(&report, "  ", name, ": ", health.detail, "\n");
      }
      return absl::DeadlineExceededError(absl::StrCat(what,
                                                      " not ready after ",
                                                      options.ready_timeout.count(),
                                                      " s:\n",
                                                      report,
                                                      "logs are in ",
                                                      options.data_dir,
                                                      "/logs"));
    }
    absl::SleepFor(absl::Milliseconds(100));
  }
}

// The nodes an earlier AddNode recorded beyond the topology's, placed before
// the router so that they start before it and stop after it.
absl::Status AddRecordedNodes(const LocalClusterOptions& options,
                              const std::vector<Recorded>& recorded,
                              std::vector<ProcessSpec>* specs,
                              std::ostream& out) {
  const std::string controls = ControlAddresses(*specs);
  std::vector<ProcessSpec> added;
  for (const Recorded& p : recorded) {
    if (p.spec.kind != "node" ||
        std::any_of(specs->begin(), specs->end(), [&p](const ProcessSpec& spec) {
          return spec.name == p.spec.name;
        })) {
      continue;
    }
    int id = 0;
    if (!absl::StartsWith(p.spec.name, "node-") ||
        !absl::SimpleAtoi(absl::string_view(p.spec.name).substr(5), &id)) {
      return absl::DataLossError(
          absl::StrCat(ClusterFile(options), " lists a node named ", p.spec.name));
    }
    TERN_ASSIGN_OR_RETURN(ProcessSpec spec, NodeSpec(options, id - 1, p.spec.az, controls));
    out << "Restarting " << spec.name << " (" << spec.az << "), added by `ternctl add-node`\n";
    added.push_back(std::move(spec));
  }
  auto router = std::find_if(
      specs->begin(), specs->end(), [](const ProcessSpec& spec) { return spec.kind == "router"; });
  specs->insert(router, added.begin(), added.end());
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<ProcessSpec>> LocalTopology(const LocalClusterOptions& options) {
  if (options.base_port == 0 || options.base_port + 110 + kReplicas > 65535) {
    return absl::InvalidArgumentError("--base_port must be between 1 and 65422");
  }
  if (options.router_port == 0) return absl::InvalidArgumentError("--router_port must be positive");
  if (options.node_dead_after_ms < 0) {
    return absl::InvalidArgumentError("--node_dead_after_ms must not be negative");
  }
  std::vector<ProcessSpec> specs;
  std::vector<std::string> control_grpc;
  const std::string data_dir = AbsoluteDataDir(options);
  // Control replica i runs in AZ i: on host, or in that AZ's namespace.
  std::vector<AzNetwork> control_networks;
  for (int i = 0; i < kReplicas; ++i) {
    AzNetwork net{"", options.host};
    if (options.netns) {
      TERN_ASSIGN_OR_RETURN(net, AzNetworkFor(options.base_port, kAzs[i]));
    }
    control_networks.push_back(net);
    control_grpc.push_back(absl::StrCat(net.address, ":", options.base_port + i));
  }
  const std::string controls = absl::StrJoin(control_grpc, ",");
  for (int i = 0; i < kReplicas; ++i) {
    ProcessSpec spec;
    spec.name = absl::StrCat("control-", i + 1);
    spec.kind = "control";
    spec.binary = options.bin_dir + "/tern-control";
    spec.data_dir = data_dir + "/" + spec.name;
    spec.az = options.netns ? kAzs[i] : "";
    spec.netns = control_networks[i].netns;
    const std::string& host = control_networks[i].address;
    spec.grpc = config::HostPort{host, static_cast<uint16_t>(options.base_port + i)};
    spec.http = config::HostPort{host, static_cast<uint16_t>(options.base_port + 10 + i)};
    spec.args = {absl::StrCat("--replica_id=", i + 1),
                 "--data_dir=" + spec.data_dir,
                 "--grpc_address=" + spec.grpc->ToString(),
                 "--http_address=" + spec.http.ToString(),
                 "--replicas=" + controls};
    spec.args.insert(spec.args.end(), options.control_args.begin(), options.control_args.end());
    if (options.node_dead_after_ms > 0) {
      spec.args.push_back(absl::StrCat("--node_dead_after_ms=", options.node_dead_after_ms));
      spec.args.push_back(
          absl::StrCat("--node_suspect_after_ms=", std::min(3000, options.node_dead_after_ms)));
    }
    specs.push_back(std::move(spec));
  }
  for (int i = 0; i < kReplicas; ++i) {
    TERN_ASSIGN_OR_RETURN(ProcessSpec spec, NodeSpec(options, i, kAzs[i], controls));
    specs.push_back(std::move(spec));
  }
  ProcessSpec router;
  router.name = "router";
  router.kind = "router";
  router.binary = options.bin_dir + "/tern-router";
  router.http = config::HostPort{options.host, options.router_port};
  router.az = "az-a";  // a router runs in some AZ; its eventual reads prefer that AZ's replica
  router.args = {"--http_address=" + router.http.ToString(),
                 "--control_addresses=" + controls,
                 "--az=" + router.az};
  router.args.insert(router.args.end(), options.router_args.begin(), options.router_args.end());
  specs.push_back(std::move(router));
  return specs;
}

absl::StatusOr<ProcessSpec> NodeSpec(const LocalClusterOptions& options,
                                     int index,
                                     const std::string& az,
                                     const std::string& controls) {
  if (index < 0 || index >= kMaxLocalNodes) {
    return absl::InvalidArgumentError(
        absl::StrCat("a local cluster has at most ", kMaxLocalNodes, " storage nodes"));
  }
  if (az.empty()) return absl::InvalidArgumentError("a node needs an AZ");
  if (options.base_port == 0 || options.base_port + 110 + index > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("--base_port ", options.base_port, " leaves no port for node ", index + 1));
  }
  ProcessSpec spec;
  spec.name = absl::StrCat("node-", index + 1);
  spec.kind = "node";
  spec.az = az;
  spec.binary = options.bin_dir + "/tern-node";
  spec.data_dir = AbsoluteDataDir(options) + "/" + spec.name;
  AzNetwork net{"", options.host};
  if (options.netns) {
    TERN_ASSIGN_OR_RETURN(net, AzNetworkFor(options.base_port, az));
  }
  spec.netns = net.netns;
  spec.grpc = config::HostPort{net.address, static_cast<uint16_t>(options.base_port + 100 + index)};
  spec.http = config::HostPort{net.address, static_cast<uint16_t>(options.base_port + 110 + index)};
  spec.args = {absl::StrCat("--node_id=", index + 1),
               "--az=" + spec.az,
               "--data_dir=" + spec.data_dir,
               "--grpc_address=" + spec.grpc->ToString(),
               "--http_address=" + spec.http.ToString(),
               "--control_addresses=" + controls};
  spec.args.insert(spec.args.end(), options.node_args.begin(), options.node_args.end());
  return spec;
}

absl::Status Up(const LocalClusterOptions& options, std::ostream& out) {
  TERN_ASSIGN_OR_RETURN(std::vector<ProcessSpec> specs, LocalTopology(options));
  // Already running?
  absl::StatusOr<std::vector<Recorded>> existing = ReadClusterFile(options);
  if (existing.ok()) {
    int alive = 0;
    for (const Recorded& p : *existing) {
      if (ProcessAlive(p.pid) && ProcessRuns(p.pid, p.spec.binary)) ++alive;
    }
    if (alive == static_cast<int>(existing->size())) {
      out << "Tern is already running from " << options.data_dir << "\n";
      return absl::OkStatus();
    }
    if (alive > 0) {
      return absl::FailedPreconditionError(absl::StrCat(alive,
                                                        " of ",
                                                        existing->size(),
                                                        " processes of the cluster in ",
                                                        options.data_dir,
                                                        " are running; run `ternctl down` first"));
    }
    TERN_RETURN_IF_ERROR(AddRecordedNodes(options, *existing, &specs, out));
  }
  TERN_RETURN_IF_ERROR(CheckCanStart(specs));
  if (options.netns) TERN_RETURN_IF_ERROR(SetUpAzNetworks(options.base_port));

  std::vector<Recorded> started;
  auto fail = [&](absl::Status status) {
    StopProcesses(started, options.stop_timeout, out);
    (void)WriteClusterFile(options, started);
    if (options.netns) TearDownAzNetworks(options.base_port);
    return status;
  };
  absl::Status spawned = SpawnAll(options, specs, &started);
  if (!spawned.ok()) return fail(spawned);
  TERN_RETURN_IF_ERROR(WriteClusterFile(options, started));
  out << "Starting Tern: 3 control-plane replicas, 3 storage nodes (az-a, az-b, az-c), 1 router"
      << (options.netns ? "; each AZ in its own network namespace" : "") << "\n";
  absl::Status ready = WaitUntilReady(options, started, CountNodes(specs), "cluster");
  if (!ready.ok()) return fail(ready);
  return absl::OkStatus();
}

absl::Status AddNode(const LocalClusterOptions& options, const std::string& az, std::ostream& out) {
  TERN_ASSIGN_OR_RETURN(std::vector<Recorded> processes, ReadClusterFile(options));
  std::vector<ProcessSpec> specs;
  for (const Recorded& p : processes) specs.push_back(p.spec);
  // The new node joins the cluster's layout, whatever --host, --base_port and
  // --router_port say now: control-1 has gRPC port base_port.
  LocalClusterOptions layout = options;
  bool has_control = false;
  for (const Recorded& p : processes) {
    if (p.spec.kind == "control") {
      if (!ProcessAlive(p.pid) || !ProcessRuns(p.pid, p.spec.binary)) {
        return absl::FailedPreconditionError(absl::StrCat(
            p.spec.name, " is not running; start the cluster with `ternctl up` first"));
      }
      if (!has_control && p.spec.grpc) {
        layout.netns = !p.spec.netns.empty();
        if (!layout.netns) layout.host = p.spec.grpc->host;
        layout.base_port = p.spec.grpc->port;
        has_control = true;
      }
    }
    if (p.spec.kind == "router") layout.router_port = p.spec.http.port;
  }
  if (!has_control) {
    return absl::DataLossError(absl::StrCat(ClusterFile(options), " lists no control replica"));
  }
  const int index = CountNodes(specs);
  if (index >= kMaxLocalNodes) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the cluster already has ", index, " storage nodes, as many as the port layout allows"));
  }
  TERN_ASSIGN_OR_RETURN(ProcessSpec spec, NodeSpec(layout, index, az, ControlAddresses(specs)));
  for (const ProcessSpec& existing : specs) {
    if (existing.name == spec.name) {
      return absl::FailedPreconditionError(
          absl::StrCat(ClusterFile(options), " already lists a ", spec.name));
    }
  }
  TERN_RETURN_IF_ERROR(CheckCanStart({spec}));

  // Recorded as soon as it runs, so that `ternctl down` stops it even when
  // this command is interrupted.
  std::vector<Recorded> started;
  absl::Status status = SpawnAll(layout, {spec}, &started);
  std::vector<Recorded> with_node = processes;
  with_node.insert(with_node.end(), started.begin(), started.end());
  if (status.ok()) status = WriteClusterFile(layout, with_node);
  if (status.ok()) status = WaitUntilReady(layout, started, index + 1, spec.name);
  if (!status.ok()) {
    StopProcesses(started, options.stop_timeout, out);
    (void)WriteClusterFile(layout, processes);  // best effort: the error below matters more
    return status;
  }
  out << spec.name << " started in " << spec.az << " (gRPC " << spec.grpc->ToString() << ", pid "
      << started.front().pid << ")\n";
  return absl::OkStatus();
}

absl::Status Down(const LocalClusterOptions& options, std::ostream& out) {
  absl::StatusOr<std::vector<Recorded>> processes = ReadClusterFile(options);
  if (absl::IsNotFound(processes.status())) {
    out << "No Tern cluster in " << options.data_dir << "\n";
    return absl::OkStatus();
  }
  if (!processes.ok()) return processes.status();
  out << "Stopping Tern in " << options.data_dir << "\n";
  StopProcesses(*processes, options.stop_timeout, out);
  for (Recorded& p : *processes) p.pid = 0;
  // The namespaces of a --netns cluster go with it (control-1's gRPC port is
  // the base port their names derive from).
  for (const Recorded& p : *processes) {
    if (p.spec.kind == "control" && !p.spec.netns.empty() && p.spec.grpc) {
      TearDownAzNetworks(p.spec.grpc->port);
      break;
    }
  }
  return WriteClusterFile(options, *processes);
}

absl::Status Status(const LocalClusterOptions& options, std::ostream& out) {
  TERN_ASSIGN_OR_RETURN(std::vector<Recorded> processes, ReadClusterFile(options));
  std::vector<ProcessSpec> specs;
  for (const Recorded& p : processes) specs.push_back(p.spec);
  out << std::left << std::setw(11) << "NAME" << std::setw(9) << "KIND" << std::setw(6) << "AZ"
      << std::setw(9) << "PID" << std::setw(22) << "HTTP" << std::setw(22) << "GRPC"
      << "HEALTH\n";
  int unhealthy = 0;
  for (const Recorded& p : processes) {
    std::string state;
    if (!ProcessAlive(p.pid) || !ProcessRuns(p.pid, p.spec.binary)) {
      state = "stopped";
      ++unhealthy;
    } else {
      Health health = CheckProcess(p.spec, CountNodes(specs));
      state = health.healthy ? absl::StrCat("healthy (", health.detail, ")")
                             : absl::StrCat("UNHEALTHY: ", health.detail);
      if (!health.healthy) ++unhealthy;
    }
    out << std::left << std::setw(11) << p.spec.name << std::setw(9) << p.spec.kind << std::setw(6)
        << (p.spec.az.empty() ? "-" : p.spec.az) << std::setw(9)
        << (p.pid > 0 ? std::to_string(p.pid) : "-") << std::setw(22) << p.spec.http.ToString()
        << std::setw(22) << (p.spec.grpc ? p.spec.grpc->ToString() : "-") << state << "\n";
  }
  PrintControlPlaneView(options, out);
  if (unhealthy > 0) {
    return absl::UnavailableError(
        absl::StrCat(unhealthy, " of ", processes.size(), " processes are not healthy"));
  }
  return absl::OkStatus();
}

}  // namespace tern::ternctl
