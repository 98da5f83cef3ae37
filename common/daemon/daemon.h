// What every Tern daemon (tern-router, tern-node, tern-control) does the same
// way: flag parsing and logging set-up, termination signals, the data-folder
// lock, and the admin HTTP endpoints (/healthz and /metrics).
//
// Threading: InitProcess() must run first in main, before any thread starts,
// so that every thread inherits the blocked termination signals and
// WaitForTerminationSignal() is the only place they are received.
#pragma once

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "boost/json/object.hpp"
#include "common/http/server.h"
#include "common/metrics/metrics.h"

namespace tern::daemon {

// The version of this build, e.g. "0.1.0".
absl::string_view Version();

// Parses flags (exits with usage on bad ones), initialises structured logging
// from --log_level, blocks SIGTERM/SIGINT/SIGHUP, ignores SIGPIPE, runs the
// process under SCHED_BATCH unless --sched_batch=false (see
// UseBatchScheduling) and registers the process metrics for process_name.
void InitProcess(int argc, char** argv, absl::string_view process_name, absl::string_view usage);

// Puts the calling thread, and so every thread it starts afterwards, under
// Linux's SCHED_BATCH policy (same priority, no privilege needed), unless it
// runs under a policy other than the default (an operator's choice stays).
// A thread that wakes up then does not preempt the one running on its CPU,
// which runs on until it blocks or its time slice ends. A daemon's threads
// hand work to each other (and to other Tern processes on the machine) at
// every request; with wake-up preemption each hand-off could also cost the
// waker a context switch (docs/decisions.md, 36).
absl::Status UseBatchScheduling();

// Blocks until SIGTERM, SIGINT or SIGHUP arrives; returns the signal number.
int WaitForTerminationSignal();

// Logs what failed, with the status, as one error line and returns
// EXIT_FAILURE, for the start-up paths of a daemon's main.
int StartupFailure(absl::string_view what, const absl::Status& status);

// An exclusive lock on a data folder, held for the life of the object, so that
// two processes can never share one folder.
class DataDirLock {
 public:
  // Creates path (and parents) if missing, then locks path/LOCK.
  // kFailedPrecondition when another process holds it; kInternal on I/O errors.
  static absl::StatusOr<DataDirLock> Acquire(const std::string& path);

  DataDirLock(DataDirLock&& other) noexcept;
  DataDirLock& operator=(DataDirLock&&) = delete;
  ~DataDirLock();

 private:
  explicit DataDirLock(int fd) : fd_(fd) {}
  int fd_;
};

// Serves GET /healthz (the JSON object from health(), plus process, version
// and uptime) and GET /metrics (the registry in Prometheus text format).
class AdminEndpoints {
 public:
  using HealthFn = std::function<boost::json::object()>;
  AdminEndpoints(std::string process_name, metrics::Registry* registry, HealthFn health);

  // Answers and returns true when request is for /healthz or /metrics; returns
  // false, leaving respond untouched, for any other request.
  bool MaybeHandle(const http::Request& request, http::Responder& respond) const;

  // A complete handler: the endpoints above, 404 for everything else.
  http::Handler AsHandler() const;

 private:
  const std::string process_name_;
  metrics::Registry* const registry_;
  const HealthFn health_;
};

}  // namespace tern::daemon
