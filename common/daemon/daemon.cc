#include "common/daemon/daemon.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "boost/json/serialize.hpp"
#include "common/base/check.h"
#include "common/log/log.h"

ABSL_FLAG(std::string, log_level, "info", "Minimum log level: debug, info, warning or error.");
ABSL_FLAG(bool,
          sched_batch,
          true,
          "Run the daemon's threads under Linux's SCHED_BATCH policy: a thread that wakes "
          "up does not preempt the running one (fewer context switches per request).");

namespace tern::daemon {
namespace bhttp = boost::beast::http;

namespace {

sigset_t TerminationSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  return signals;
}

absl::Time g_start_time = absl::Now();

}  // namespace

absl::string_view Version() { return TERN_VERSION; }

absl::Status UseBatchScheduling() {
  const int policy = sched_getscheduler(0);
  if (policy < 0) {
    return absl::InternalError(
        absl::StrCat("cannot read the scheduling policy: ", std::strerror(errno)));
  }
  // An operator's choice (chrt -f, -i, ...) stands.
  if ((policy & ~SCHED_RESET_ON_FORK) != SCHED_OTHER) return absl::OkStatus();
  sched_param param{};
  param.sched_priority = 0;
  if (sched_setscheduler(0, SCHED_BATCH, &param) != 0) {
    return absl::InternalError(absl::StrCat("cannot use SCHED_BATCH: ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

void InitProcess(int argc, char** argv, absl::string_view process_name, absl::string_view usage) {
  absl::SetProgramUsageMessage(absl::StrCat(usage, "\n\nSee --helpfull for every flag."));
#ifdef NDEBUG
  // Debian's Abseil checks every Mutex acquisition for lock-order cycles
  // (a stack trace and a graph update each time, ~2% of a router's CPU);
  // debug and sanitizer builds keep the check.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
#endif
  std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  if (positional.size() > 1) {
    std::fprintf(
        stderr, "%s: unexpected argument '%s' (flags only; see --help)\n", argv[0], positional[1]);
    std::exit(2);
  }
  log::Level level = log::Level::kInfo;
  if (!log::ParseLevel(absl::GetFlag(FLAGS_log_level), &level)) {
    std::fprintf(stderr, "%s: --log_level must be debug, info, warning or error\n", argv[0]);
    std::exit(2);
  }
  log::Init(std::string(process_name), level);
  if (absl::GetFlag(FLAGS_sched_batch)) {
    // Before any thread starts, so that every thread inherits it.
    if (absl::Status batch = UseBatchScheduling(); !batch.ok()) {
      TERN_LOG(Warning, "scheduling policy unchanged").With("error", batch.ToString());
    }
  }
  sigset_t signals = TerminationSignals();
  TERN_CHECK(pthread_sigmask(SIG_BLOCK, &signals, nullptr) == 0);
  signal(SIGPIPE, SIG_IGN);
  g_start_time = absl::Now();
  metrics::RegisterProcessMetrics(metrics::DefaultRegistry(), process_name, Version());
}

int WaitForTerminationSignal() {
  sigset_t signals = TerminationSignals();
  int received = 0;
  while (sigwait(&signals, &received) != 0) {
  }
  return received;
}

int StartupFailure(absl::string_view what, const absl::Status& status) {
  TERN_LOG(Error, what).With("error", status.ToString());
  return EXIT_FAILURE;
}

absl::StatusOr<DataDirLock> DataDirLock::Acquire(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) {
    return absl::InternalError(
        absl::StrCat("cannot create data folder ", path, ": ", ec.message()));
  }
  std::string lock_path = path + "/LOCK";
  int fd = open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return absl::InternalError(absl::StrCat("cannot open ", lock_path, ": ", strerror(errno)));
  }
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int error = errno;
    close(fd);
    if (error == EWOULDBLOCK) {
      return absl::FailedPreconditionError(
          absl::StrCat("data folder ", path, " is in use by another process"));
    }
    return absl::InternalError(absl::StrCat("cannot lock ", lock_path, ": ", strerror(error)));
  }
  std::string pid = absl::StrCat(getpid(), "\n");
  if (ftruncate(fd, 0) != 0 || write(fd, pid.data(), pid.size()) < 0) {
    close(fd);
    return absl::InternalError(absl::StrCat("cannot write ", lock_path));
  }
  return DataDirLock(fd);
}

DataDirLock::DataDirLock(DataDirLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }

DataDirLock::~DataDirLock() {
  if (fd_ >= 0) close(fd_);
}

AdminEndpoints::AdminEndpoints(std::string process_name,
                               metrics::Registry* registry,
                               HealthFn health)
    : process_name_(std::move(process_name)), registry_(registry), health_(std::move(health)) {}

bool AdminEndpoints::MaybeHandle(const http::Request& request, http::Responder& respond) const {
  absl::string_view target(request.target().data(), request.target().size());
  bool is_read = request.method() == bhttp::verb::get || request.method() == bhttp::verb::head;
  if (!is_read) return false;
  if (target == "/metrics") {
    std::move(respond)(http::MakeResponse(
        request, bhttp::status::ok, std::string(metrics::kContentType), registry_->Serialize()));
    return true;
  }
  if (target == "/healthz") {
    boost::json::object health = health_ ? health_() : boost::json::object();
    health["process"] = process_name_;
    health["version"] = std::string(Version());
    health["pid"] = static_cast<int64_t>(getpid());
    health["uptime_seconds"] = absl::ToDoubleSeconds(absl::Now() - g_start_time);
    if (!health.contains("status")) health["status"] = "SERVING";
    bool serving = health["status"] == "SERVING";
    std::move(respond)(
        http::MakeResponse(request,
                           serving ? bhttp::status::ok : bhttp::status::service_unavailable,
                           "application/json",
                           boost::json::serialize(health)));
    return true;
  }
  return false;
}

http::Handler AdminEndpoints::AsHandler() const {
  return [this](http::Request request, http::Responder respond) {
    if (MaybeHandle(request, respond)) return;
    std::move(respond)(
        http::MakeResponse(request, bhttp::status::not_found, "text/plain", "Not Found\n"));
  };
}

}  // namespace tern::daemon
