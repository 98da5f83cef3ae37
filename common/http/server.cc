#include "common/http/server.h"

#include <algorithm>
#include <array>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "boost/asio/dispatch.hpp"
#include "boost/asio/executor_work_guard.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/post.hpp"
#include "boost/asio/steady_timer.hpp"
#include "boost/beast/core.hpp"
#include "common/base/check.h"
#include "common/base/mutex.h"
#include "common/exec/executor.h"
#include "common/log/log.h"

namespace tern::http {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

// An io_context run by one thread (so its handlers need no strand), whose
// shutdown() (destroying every handler not yet run) the server can call once
// its thread has stopped.
struct IoContext : asio::io_context {
  IoContext() : asio::io_context(1) {}
  using asio::io_context::shutdown;
};

class Session;

// Shared by the server and every connection. Connections own it through
// shared_ptr, so a Responder answering after Stop() never touches a destroyed
// io_context; Stop() breaks the cycle (core -> pending handlers -> sessions ->
// core) by destroying the handlers.
//
// Each worker thread runs an io_context of its own, and a connection lives
// on one of them (taken in turn): its reads, its handler call and its writes
// run on that thread, so serving a request hands nothing between the
// workers (one shared io_context made every event wake another worker).
struct Core {
  explicit Core(ServerOptions opts, Handler h)
      : options(std::move(opts)),
        handler(std::move(h)),
        iocs(MakeIoContexts(std::max(1, options.threads))),
        acceptor(*iocs.front()) {}

  static std::vector<std::unique_ptr<IoContext>> MakeIoContexts(int n) {
    std::vector<std::unique_ptr<IoContext>> iocs;
    for (int i = 0; i < n; ++i) iocs.push_back(std::make_unique<IoContext>());
    return iocs;
  }
  // The io_context of the next connection (acceptor's thread only).
  IoContext& NextIoContext() { return *iocs[next_ioc++ % iocs.size()]; }

  const ServerOptions options;
  const Handler handler;
  std::vector<std::unique_ptr<IoContext>> iocs;
  size_t next_ioc = 0;
  tcp::acceptor acceptor;
  std::atomic<int64_t> in_flight{0};
  // Set by Stop() once requests in flight drained, before the io_contexts
  // stop: answers after that are dropped (their connections close).
  std::atomic<bool> stopped{false};
  // Answers being written by their answering threads (Session::Answer):
  // once stopped is set, Stop() waits for them before it stops and shuts
  // down the io_contexts, whose shutdown nothing may run alongside.
  std::atomic<int64_t> answering{0};
  // Sessions answered after stopped, kept until the io_contexts are shut
  // down: destroyed on an answering thread meanwhile, a session's socket
  // and timer would race the shutdown.
  base::Mutex parked_mu;
  std::vector<std::shared_ptr<Session>> parked ABSL_GUARDED_BY(parked_mu);
  bool shut_down ABSL_GUARDED_BY(parked_mu) = false;
};

// The Date header's text, formatted once per second per thread.
const std::string& HttpDate() {
  thread_local int64_t formatted_second = -1;
  thread_local std::string text;
  const absl::Time now = absl::Now();
  const int64_t second = absl::ToUnixSeconds(now);
  if (second != formatted_second) {
    text = absl::FormatTime("%a, %d %b %Y %H:%M:%S GMT", now, absl::UTCTimeZone());
    formatted_second = second;
  }
  return text;
}

// A response on its way out: the head's text and the message (its body).
struct Outgoing {
  std::string head;
  Response response;
};

}  // namespace

std::string WriteHead(const Response& response) {
  std::string head;
  head.reserve(256);
  const unsigned version = response.version();
  const beast::string_view reason = response.reason();
  absl::StrAppend(&head,
                  "HTTP/",
                  version / 10,
                  ".",
                  version % 10,
                  " ",
                  response.result_int(),
                  " ",
                  absl::string_view(reason.data(), reason.size()),
                  "\r\n");
  for (const auto& field : response) {
    const beast::string_view name = field.name_string();
    const beast::string_view value = field.value();
    head.append(name.data(), name.size());
    head.append(": ");
    head.append(value.data(), value.size());
    head.append("\r\n");
  }
  head.append("\r\n");
  return head;
}

namespace {

// A connection. Its reads, and its idle timer, run on its io_context's
// thread. Its answer is written by whichever thread calls the Responder
// (usually the thread that finished the request's work): while a request is
// being handled no operation is pending on the socket, so that thread has the
// connection to itself. It writes the response with one non-blocking send and
// starts reading the next request, so answering wakes nobody (posting the
// answer to the connection's thread cost a wake-up and an epoll interrupt per
// request). Only a response the socket does not take at once is finished
// by an asynchronous write.
class Session : public std::enable_shared_from_this<Session> {
 public:
  static constexpr size_t kReadBufferBytes = 16 << 10;

  Session(tcp::socket socket, std::shared_ptr<Core> core)
      : core_(std::move(core)), socket_(std::move(socket)), idle_timer_(socket_.get_executor()) {}

  void Start() {
    asio::dispatch(socket_.get_executor(), [self = shared_from_this()] {
      beast::error_code ec;
      self->socket_.non_blocking(true, ec);
      if (ec) return self->Close();
      // Beast reads as much as the buffer has room for, at least 512 bytes:
      // with room for a whole request it is one read, not one per 512 bytes
      // (each with a poll of the reactor between them).
      self->buffer_.reserve(kReadBufferBytes);
      self->ArmIdleTimer(std::chrono::steady_clock::now() + self->core_->options.idle_timeout);
      self->Read();
    });
  }

  // The handler's (or the server's own) answer to session's request, from
  // any thread, once per request. The request stops counting as in flight
  // once its answer is written and this caller's reference to the session
  // is gone: Stop() may shut the io_contexts down as soon as none is in
  // flight, and a session destroyed on this thread meanwhile would race it.
  static void Answer(std::shared_ptr<Session> session, Response response) {
    const std::shared_ptr<Core> core = session->core_;
    // Counted before stopped is read, so that Stop() (which sets stopped,
    // then waits for answering to drop to 0) either waits for this answer
    // or this answer sees stopped.
    core->answering.fetch_add(1);
    if (core->stopped.load()) {
      // The io_contexts are stopping or gone: nothing may start on them,
      // and the session waits for their shutdown to be destroyed.
      {
        base::MutexLock lock(&core->parked_mu);
        if (!core->shut_down) core->parked.push_back(std::move(session));
      }
      session.reset();
      core->in_flight.fetch_sub(1);
      core->answering.fetch_sub(1);
      return;
    }
    const bool written = session->Write(std::move(response));
    session.reset();
    if (written) core->in_flight.fetch_sub(1);
    core->answering.fetch_sub(1);
  }

 private:
  static int64_t Now() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }

  // Writes response and then reads the next request (or closes). Runs on
  // the answering thread; the connection is quiescent. False when the rest
  // of the response goes out asynchronously: its completion ends the
  // request's time in flight.
  bool Write(Response response) {
    if (response.find(bhttp::field::date) == response.end()) {
      response.set(bhttp::field::date, HttpDate());
    }
    response.prepare_payload();
    const bool close = response.need_eof();
    // The head as Beast's serializer writes it, then the body: two buffers
    // in one write (Beast's own serializer cost ~20k instructions per
    // response, its generic buffer sequences most of it).
    auto outgoing = std::make_shared<Outgoing>();
    outgoing->head = WriteHead(response);
    outgoing->response = std::move(response);
    const std::string& head = outgoing->head;
    const std::string& body = outgoing->response.body();
    const std::array<asio::const_buffer, 2> buffers{asio::buffer(head), asio::buffer(body)};
    beast::error_code ec;
    const size_t sent = socket_.send(buffers, 0, ec);
    if (ec && ec != asio::error::would_block && ec != asio::error::try_again) {
      Close();
      return true;
    }
    if (sent == head.size() + body.size()) {
      AfterWrite(close);
      return true;
    }
    // The socket's buffer is full: the rest goes out asynchronously, on the
    // connection's thread, where its progress is watched by the idle timer.
    std::array<asio::const_buffer, 2> rest = buffers;
    Consume(rest, sent);
    asio::post(socket_.get_executor(),
               [self = shared_from_this(), outgoing = std::move(outgoing), rest, close] {
                 self->WriteRest(std::move(outgoing), rest, close);
               });
    return false;
  }

  static void Consume(std::array<asio::const_buffer, 2>& buffers, size_t bytes) {
    for (asio::const_buffer& buffer : buffers) {
      const size_t n = std::min(bytes, buffer.size());
      buffer += n;
      bytes -= n;
    }
  }

  // Writes what the socket took no room for, on the connection's thread, a
  // piece at a time as the client reads; writing_since_ marks the last
  // progress, so that a client that stops reading an answer is closed by
  // the idle timer (a slow one that keeps reading is not). The completion
  // ends the request's time in flight.
  void WriteRest(std::shared_ptr<Outgoing> outgoing,
                 std::array<asio::const_buffer, 2> rest,
                 bool close) {
    writing_since_ = Now();
    socket_.async_write_some(
        rest,
        [self = shared_from_this(), outgoing = std::move(outgoing), rest, close](
            beast::error_code ec, size_t written) mutable {
          Consume(rest, written);
          if (!ec && asio::buffer_size(rest) != 0) {
            return self->WriteRest(std::move(outgoing), rest, close);
          }
          self->writing_since_ = 0;
          if (ec) {
            self->Close();
          } else {
            self->AfterWrite(close);
          }
          self->core_->in_flight.fetch_sub(1);
        });
  }

  void AfterWrite(bool close) {
    if (close) {
      Close();
    } else {
      Read();
    }
  }

  void Read() {
    parser_.emplace();
    parser_->body_limit(core_->options.body_limit_bytes);
    reading_since_.store(Now());
    bhttp::async_read(
        socket_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, size_t) {
          self->OnRead(ec);
        });
  }

  // The idle timeout: a connection whose read of a request started more
  // than idle_timeout ago is closed, and so is one whose answer has made no
  // progress for as long (a client that stopped reading it). One timer per
  // connection, checked and moved on when it fires, so that serving a
  // request touches no timer (re-arming Beast's stream timer per read cost
  // timerfd updates).
  void ArmIdleTimer(std::chrono::steady_clock::time_point at) {
    idle_timer_.expires_at(at);
    idle_timer_.async_wait(
        [weak = std::weak_ptr<Session>(shared_from_this())](beast::error_code ec) {
          std::shared_ptr<Session> self = weak.lock();
          if (ec || self == nullptr) return;
          self->OnIdleTimer();
        });
  }

  void OnIdleTimer() {
    const auto timeout = core_->options.idle_timeout;
    const int64_t since = writing_since_ != 0 ? writing_since_ : reading_since_.load();
    const auto now = std::chrono::steady_clock::now();
    if (since == 0) {
      // A request is being answered (the next read re-arms no timer: check
      // again a whole timeout from now).
      return ArmIdleTimer(now + timeout);
    }
    const std::chrono::steady_clock::time_point deadline{
        std::chrono::duration_cast<std::chrono::steady_clock::duration>(
            std::chrono::nanoseconds(since)) +
        timeout};
    if (now >= deadline) {
      // The pending read or write ends with operation_aborted; the write's
      // completion ends its request's time in flight.
      return Close();
    }
    ArmIdleTimer(deadline);
  }

  void OnRead(beast::error_code ec) {
    reading_since_.store(0);
    if (ec == bhttp::error::body_limit) {
      RespondAndClose(bhttp::status::payload_too_large, "Request Entity Too Large");
      return;
    }
    const boost::system::error_category& parse_errors =
        bhttp::make_error_code(bhttp::error::end_of_stream).category();
    if (ec && ec.category() == parse_errors && ec != bhttp::error::end_of_stream &&
        ec != bhttp::error::partial_message) {
      RespondAndClose(bhttp::status::bad_request, "Bad Request");
      return;
    }
    if (ec) {
      Close();
      return;
    }
    core_->in_flight.fetch_add(1);
    Request request = parser_->release();
    core_->handler(std::move(request), MakeResponder());
  }

  // The responder keeps the session and the core alive until it is called;
  // if it is destroyed uncalled, the client still gets a 500.
  Responder MakeResponder() {
    struct Guard {
      std::shared_ptr<Session> session;
      bool answered = false;
      ~Guard() {
        if (!answered && session) {
          Response response{bhttp::status::internal_server_error, 11};
          response.set(bhttp::field::content_type, "text/plain");
          response.body() = "Internal Server Error";
          response.keep_alive(false);
          Answer(std::move(session), std::move(response));
        }
      }
    };
    auto guard = std::make_shared<Guard>();
    guard->session = shared_from_this();
    return [guard](Response response) mutable {
      guard->answered = true;
      Answer(std::move(guard->session), std::move(response));
    };
  }

  void RespondAndClose(bhttp::status status, std::string body) {
    core_->in_flight.fetch_add(1);
    Response response{status, 11};
    response.set(bhttp::field::content_type, "text/plain");
    response.body() = std::move(body);
    response.keep_alive(false);
    if (Write(std::move(response))) core_->in_flight.fetch_sub(1);
  }

  void Close() {
    beast::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

  // Declared first so that it is destroyed last, after the socket.
  const std::shared_ptr<Core> core_;
  tcp::socket socket_;
  asio::steady_timer idle_timer_;  // the connection's thread only
  // When the pending read of a request started (steady clock, ns); 0 while a
  // request is being answered. Written by the answering thread, read by the
  // idle timer.
  std::atomic<int64_t> reading_since_{0};
  // When the asynchronous write of an answer last made progress (ns), or 0.
  // The connection's thread only.
  int64_t writing_since_ = 0;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
};

void Accept(const std::shared_ptr<Core>& core) {
  core->acceptor.async_accept(
      core->NextIoContext(), [core](beast::error_code ec, tcp::socket socket) {
        if (ec == asio::error::operation_aborted || !core->acceptor.is_open()) {
          return;
        }
        if (!ec) {
          socket.set_option(tcp::no_delay(true), ec);
          std::make_shared<Session>(std::move(socket), core)->Start();
        }
        Accept(core);
      });
}

}  // namespace

Response MakeResponse(const Request& request,
                      bhttp::status status,
                      std::string content_type,
                      std::string body) {
  Response response{status, request.version()};
  response.set(bhttp::field::content_type, content_type);
  response.keep_alive(request.keep_alive());
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

struct Server::Impl {
  std::shared_ptr<Core> core;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::unique_ptr<exec::ThreadPool> threads;
  uint16_t port = 0;
  bool started = false;
  bool stopped = false;
};

Server::Server(ServerOptions options, Handler handler) : impl_(std::make_unique<Impl>()) {
  impl_->core = std::make_shared<Core>(std::move(options), std::move(handler));
}

Server::~Server() { Stop(); }

absl::Status Server::Start() {
  if (impl_->started) return absl::FailedPreconditionError("server already started");
  const std::shared_ptr<Core>& core = impl_->core;
  const config::HostPort& address = core->options.address;
  beast::error_code ec;
  asio::ip::address ip = asio::ip::make_address(address.host, ec);
  if (ec) {
    tcp::resolver resolver(*core->iocs.front());
    auto results = resolver.resolve(address.host, std::to_string(address.port), ec);
    if (ec || results.empty()) {
      return absl::UnavailableError(absl::StrCat("cannot resolve ", address.ToString()));
    }
    ip = results.begin()->endpoint().address();
  }
  tcp::endpoint endpoint(ip, address.port);
  core->acceptor.open(endpoint.protocol(), ec);
  if (!ec) core->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) core->acceptor.bind(endpoint, ec);
  if (!ec) core->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    beast::error_code ignored;  // ec says why
    core->acceptor.close(ignored);
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", address.ToString(), ": ", ec.message()));
  }
  impl_->port = core->acceptor.local_endpoint().port();
  impl_->started = true;
  for (const std::unique_ptr<IoContext>& ioc : core->iocs) {
    impl_->work.push_back(asio::make_work_guard(*ioc));
  }
  Accept(core);
  impl_->threads = std::make_unique<exec::ThreadPool>("http", core->iocs.size());
  for (const std::unique_ptr<IoContext>& ioc : core->iocs) {
    impl_->threads->Post([ioc = ioc.get()] { ioc->run(); });
  }
  return absl::OkStatus();
}

uint16_t Server::port() const { return impl_->port; }

int64_t Server::in_flight() const { return impl_->core->in_flight.load(); }

void Server::Stop() {
  if (!impl_->started || impl_->stopped) return;
  impl_->stopped = true;
  Core* core = impl_->core.get();
  base::Notification closed;
  asio::post(core->acceptor.get_executor(), [core, &closed] {
    beast::error_code ignored;
    core->acceptor.close(ignored);
    closed.Notify();
  });
  closed.WaitForNotificationWithTimeout(absl::FromChrono(core->options.drain_timeout));
  absl::Time deadline = absl::Now() + absl::FromChrono(core->options.drain_timeout);
  while (core->in_flight.load() > 0 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  if (core->in_flight.load() > 0) {
    TERN_LOG(Warning, "http server stopping with requests in flight")
        .With("in_flight", core->in_flight.load());
  }
  core->stopped.store(true);
  // Answers already past their look at stopped (a request that came on a
  // kept-alive connection after the drain, or one the drain gave up on)
  // finish writing first; later ones see stopped.
  while (core->answering.load() > 0) absl::SleepFor(absl::Microseconds(100));
  impl_->work.clear();
  for (const std::unique_ptr<IoContext>& ioc : core->iocs) ioc->stop();
  impl_->threads->Shutdown();
  for (const std::unique_ptr<IoContext>& ioc : core->iocs) ioc->shutdown();
  std::vector<std::shared_ptr<Session>> parked;
  {
    base::MutexLock lock(&core->parked_mu);
    core->shut_down = true;
    parked.swap(core->parked);
  }
}

}  // namespace tern::http
