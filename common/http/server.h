// An asynchronous HTTP/1.1 server on Boost.Asio/Beast: keep-alive, a body
// limit answered with 413, and handlers that may answer later from any thread.
//
// Threading: Start() runs `threads` workers taken from a
// tern::exec::ThreadPool, each with an io_context of its own. Each connection
// is served on one worker, taken in turn (its own strand, in effect); the
// Responder handed to a handler is thread-safe, must be called exactly once,
// and may outlive the handler call. The thread that calls it writes the
// response (one non-blocking send; what the socket does not take goes out
// on the connection's worker) and starts reading the next request. Stop()
// stops accepting, waits up to drain_timeout for requests in flight, then
// closes every connection.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "boost/beast/http.hpp"
#include "common/config/host_port.h"

namespace tern::http {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;
using Responder = absl::AnyInvocable<void(Response) &&>;
// Called on the connection's worker thread; must not block.
using Handler = std::function<void(Request request, Responder respond)>;

struct ServerOptions {
  config::HostPort address{"127.0.0.1", 0};  // port 0 picks a free port
  int threads = 2;
  uint64_t body_limit_bytes = 16 * 1024 * 1024;
  // A connection is closed when it sends no request for this long, or when
  // the answer it is being sent makes no progress for this long (a client
  // that stopped reading).
  std::chrono::seconds idle_timeout{300};
  std::chrono::milliseconds drain_timeout{5000};
};

// Builds a response with the body, content type and length set. keep_alive
// follows the request.
Response MakeResponse(const Request& request,
                      boost::beast::http::status status,
                      std::string content_type,
                      std::string body);

// The status line and header fields of response as they go on the wire
// (what Boost.Beast's serializer writes), through the blank line that ends
// them. The server writes this and then the body.
std::string WriteHead(const Response& response);

class Server {
 public:
  Server(ServerOptions options, Handler handler);
  // Calls Stop().
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds, listens and starts serving. kUnavailable when the address is in
  // use or cannot be bound; kFailedPrecondition when called twice.
  absl::Status Start();
  // The bound port (useful with port 0). REQUIRES: Start() succeeded.
  uint16_t port() const;
  // Idempotent; safe to call when Start() failed or was never called.
  void Stop();

  // Requests received whose answers are not yet written.
  int64_t in_flight() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tern::http
