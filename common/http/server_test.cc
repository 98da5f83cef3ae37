#include "common/http/server.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "boost/asio/connect.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/read.hpp"
#include "boost/asio/write.hpp"
#include "boost/beast/core.hpp"
#include "common/exec/executor.h"
#include "common/http/client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tern::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using std::chrono::milliseconds;
using ::testing::HasSubstr;

// Sends raw bytes on one connection and returns everything the server sends
// back until it closes the connection.
std::string RawExchange(uint16_t port, const std::string& bytes) {
  asio::io_context ioc;
  asio::ip::tcp::socket socket(ioc);
  socket.connect({asio::ip::make_address("127.0.0.1"), port});
  asio::write(socket, asio::buffer(bytes));
  std::string reply;
  beast::error_code ec;
  char chunk[4096];
  for (;;) {
    size_t n = socket.read_some(asio::buffer(chunk), ec);
    if (ec) break;
    reply.append(chunk, n);
  }
  return reply;
}

// Sends a GET of target on socket (HTTP/1.1, kept alive).
void WriteGet(asio::ip::tcp::socket& socket, const std::string& target) {
  bhttp::request<bhttp::string_body> request{bhttp::verb::get, target, 11};
  request.set(bhttp::field::host, "x");
  bhttp::write(socket, request);
}

// A request counts as in flight until its answer is written, which ends a
// moment after the client has read it.
bool NoneInFlightSoon(const Server& server) {
  for (int i = 0; i < 500 && server.in_flight() != 0; ++i) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  return server.in_flight() == 0;
}

class ServerTest : public ::testing::Test {
 protected:
  void StartServer(Handler handler, uint64_t body_limit = 1024) {
    ServerOptions options;
    options.body_limit_bytes = body_limit;
    server_ = std::make_unique<Server>(options, std::move(handler));
    ASSERT_TRUE(server_->Start().ok());
    address_ = config::HostPort{"127.0.0.1", server_->port()};
  }

  static Handler Echo() {
    return [](Request request, Responder respond) {
      std::string body = std::string(request.method_string()) + " " +
                         std::string(request.target()) + " " + request.body();
      std::move(respond)(MakeResponse(request, bhttp::status::ok, "text/plain", body));
    };
  }

  std::unique_ptr<Server> server_;
  config::HostPort address_;
};

TEST_F(ServerTest, AnswersGet) {
  StartServer(Echo());
  absl::StatusOr<ClientResponse> response = Get(address_, "/hello", milliseconds(2000));
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "GET /hello ");
  EXPECT_EQ(response->content_type, "text/plain");
}

TEST_F(ServerTest, KeepsConnectionAliveAcrossRequests) {
  StartServer(Echo());
  std::string two_requests =
      "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\none"
      "POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\ntwo";
  std::string reply = RawExchange(server_->port(), two_requests);
  EXPECT_THAT(reply, HasSubstr("POST /a one"));
  EXPECT_THAT(reply, HasSubstr("POST /b two"));
  EXPECT_THAT(reply, HasSubstr("Date: "));
}

TEST_F(ServerTest, RejectsBodyOverLimitWith413) {
  StartServer(Echo(), /*body_limit=*/16);
  std::string request = "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 17\r\n\r\n12345678901234567";
  std::string reply = RawExchange(server_->port(), request);
  EXPECT_THAT(reply, HasSubstr("HTTP/1.1 413"));
}

TEST_F(ServerTest, RejectsMalformedRequestWith400) {
  StartServer(Echo());
  std::string reply = RawExchange(server_->port(), "NOT HTTP AT ALL\r\n\r\n");
  EXPECT_THAT(reply, HasSubstr("HTTP/1.1 400"));
}

TEST_F(ServerTest, HandlerMayAnswerFromAnotherThread) {
  exec::ThreadPool pool("answer", 1);
  StartServer([&pool](Request request, Responder respond) {
    pool.Post([request = std::move(request), respond = std::move(respond)]() mutable {
      std::move(respond)(MakeResponse(request, bhttp::status::accepted, "text/plain", "later"));
    });
  });
  absl::StatusOr<ClientResponse> response = Get(address_, "/", milliseconds(2000));
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 202);
  EXPECT_EQ(response->body, "later");
  server_->Stop();
}

// Answers written by another thread keep the connection: each one starts
// the next read from that thread.
TEST_F(ServerTest, KeepsConnectionAliveWhenAnsweredFromAnotherThread) {
  exec::ThreadPool pool("answer", 2);
  StartServer([&pool](Request request, Responder respond) {
    pool.Post([request = std::move(request), respond = std::move(respond)]() mutable {
      std::move(respond)(
          MakeResponse(request, bhttp::status::ok, "text/plain", std::string(request.target())));
    });
  });
  asio::io_context ioc;
  asio::ip::tcp::socket socket(ioc);
  socket.connect({asio::ip::make_address("127.0.0.1"), server_->port()});
  beast::flat_buffer buffer;
  for (int i = 0; i < 200; ++i) {
    WriteGet(socket, "/" + std::to_string(i));
    bhttp::response<bhttp::string_body> response;
    bhttp::read(socket, buffer, response);
    ASSERT_EQ(response.body(), "/" + std::to_string(i));
    ASSERT_TRUE(response.keep_alive());
  }
  EXPECT_TRUE(NoneInFlightSoon(*server_));
}

// A response larger than the socket takes at once is finished
// asynchronously, and the connection goes on to the next request.
TEST_F(ServerTest, WritesResponsesLargerThanTheSocketBuffer) {
  const std::string big(24 << 20, 'b');
  exec::ThreadPool pool("answer", 1);
  StartServer([&pool, &big](Request request, Responder respond) {
    pool.Post([request = std::move(request), respond = std::move(respond), &big]() mutable {
      std::string body = request.target() == "/big" ? big : "small";
      std::move(respond)(MakeResponse(request, bhttp::status::ok, "text/plain", std::move(body)));
    });
  });
  asio::io_context ioc;
  asio::ip::tcp::socket socket(ioc);
  socket.connect({asio::ip::make_address("127.0.0.1"), server_->port()});
  beast::flat_buffer buffer;
  for (const char* target : {"/big", "/small", "/big"}) {
    WriteGet(socket, target);
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(64 << 20);
    bhttp::read(socket, buffer, parser);
    EXPECT_EQ(parser.get().body().size(), std::string(target) == "/big" ? big.size() : 5);
    EXPECT_TRUE(parser.get().body() == big || parser.get().body() == "small");
  }
  EXPECT_TRUE(NoneInFlightSoon(*server_));
}

// Answers that come while Stop() gives up on draining them (here, around
// its 50 ms drain timeout) are written before the connections' threads stop,
// or dropped: neither crashes nor races the shutdown (run under TSan).
TEST(ServerStopTest, AnswersRacingStopAreWrittenOrDropped) {
  for (int delay_ms : {20, 45, 50, 55, 80}) {
    exec::ThreadPool pool("late", 1);
    ServerOptions options;
    options.drain_timeout = milliseconds(50);
    Server server(options, [&pool, delay_ms](Request request, Responder respond) {
      pool.Post([request = std::move(request), respond = std::move(respond), delay_ms]() mutable {
        std::this_thread::sleep_for(milliseconds(delay_ms));
        std::move(respond)(MakeResponse(request, bhttp::status::ok, "text/plain", "late"));
      });
    });
    ASSERT_TRUE(server.Start().ok());
    asio::io_context ioc;
    asio::ip::tcp::socket socket(ioc);
    socket.connect({asio::ip::make_address("127.0.0.1"), server.port()});
    WriteGet(socket, "/");
    for (int i = 0; i < 500 && server.in_flight() == 0; ++i) {
      std::this_thread::sleep_for(milliseconds(1));
    }
    ASSERT_EQ(server.in_flight(), 1) << delay_ms;
    server.Stop();
    pool.Shutdown();  // the answer has been given
    EXPECT_EQ(server.in_flight(), 0) << delay_ms;
  }
}

// A connection that sends no request for idle_timeout is closed; one that
// keeps sending requests is not.
TEST(ServerIdleTest, ClosesConnectionsIdleForTheTimeout) {
  ServerOptions options;
  options.idle_timeout = std::chrono::seconds(1);
  Server server(options, [](Request request, Responder respond) {
    std::move(respond)(MakeResponse(request, bhttp::status::ok, "text/plain", "ok"));
  });
  ASSERT_TRUE(server.Start().ok());
  asio::io_context ioc;
  asio::ip::tcp::socket busy(ioc);
  busy.connect({asio::ip::make_address("127.0.0.1"), server.port()});
  asio::ip::tcp::socket idle(ioc);
  idle.connect({asio::ip::make_address("127.0.0.1"), server.port()});
  beast::flat_buffer buffer;
  // Requests every 200 ms for 2.4 s: the busy connection outlives two idle
  // timeouts.
  for (int i = 0; i < 12; ++i) {
    WriteGet(busy, "/");
    bhttp::response<bhttp::string_body> response;
    bhttp::read(busy, buffer, response);
    ASSERT_EQ(response.body(), "ok") << "request " << i;
    std::this_thread::sleep_for(milliseconds(200));
  }
  // The idle connection was closed: reading it ends at once (EOF). Waits
  // at most 5 s, so that a server that never closes fails the test.
  timeval wait{.tv_sec = 5, .tv_usec = 0};
  ASSERT_EQ(setsockopt(idle.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof(wait)), 0);
  char byte;
  EXPECT_EQ(::recv(idle.native_handle(), &byte, 1, 0), 0) << "the idle connection is still open";
}

// A server answering "/big" with 32 MB, far more than the sockets' buffers
// hold, on connections idle for one second.
class ServerWriteTimeoutTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions options;
    options.idle_timeout = std::chrono::seconds(1);
    server_ = std::make_unique<Server>(options, [this](Request request, Responder respond) {
      std::move(respond)(MakeResponse(request, bhttp::status::ok, "text/plain", big_));
    });
    ASSERT_TRUE(server_->Start().ok());
    // A small receive buffer that Linux does not grow (it may grow to 32 MB
    // here): most of the answer waits on the server until the client reads.
    socket_.open(asio::ip::tcp::v4());
    const int receive_buffer = 256 << 10;
    ASSERT_EQ(setsockopt(socket_.native_handle(),
                         SOL_SOCKET,
                         SO_RCVBUF,
                         &receive_buffer,
                         sizeof(receive_buffer)),
              0);
    socket_.connect({asio::ip::make_address("127.0.0.1"), server_->port()});
    // Every read below waits at most 5 s, so that a server that neither
    // closes nor writes fails the test instead of hanging it.
    timeval wait{.tv_sec = 5, .tv_usec = 0};
    ASSERT_EQ(setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof(wait)), 0);
    WriteGet(socket_, "/big");
  }

  // Reads up to limit bytes (all there is when 0); returns how many, and
  // sets closed when the server closed the connection.
  size_t Read(size_t limit, bool* closed) {
    std::vector<char> chunk(1 << 16);
    size_t total = 0;
    *closed = false;
    while (limit == 0 || total < limit) {
      const size_t want = limit == 0 ? chunk.size() : std::min(chunk.size(), limit - total);
      const ssize_t n = ::recv(socket_.native_handle(), chunk.data(), want, 0);
      if (n <= 0) {
        *closed = n == 0 || errno == ECONNRESET;
        break;
      }
      total += n;
    }
    return total;
  }

  const std::string big_ = std::string(32 << 20, 'b');
  std::unique_ptr<Server> server_;
  asio::io_context ioc_;
  asio::ip::tcp::socket socket_{ioc_};
};

// A client that stops reading an answer is closed after the idle timeout:
// its connection does not hold the server's buffers and the request forever.
TEST_F(ServerWriteTimeoutTest, ClosesAClientThatStopsReadingAnAnswer) {
  std::this_thread::sleep_for(std::chrono::seconds(3));
  bool closed = false;
  const size_t got = Read(0, &closed);
  EXPECT_TRUE(closed) << "the connection is still open after " << got << " bytes";
  EXPECT_LT(got, big_.size());
  EXPECT_TRUE(NoneInFlightSoon(*server_));
}

// A slow client that keeps reading gets the whole answer, though it takes
// longer than the idle timeout: the timeout counts from the last progress.
TEST_F(ServerWriteTimeoutTest, KeepsASlowClientThatKeepsReading) {
  const auto start = std::chrono::steady_clock::now();
  bool closed = false;
  size_t got = 0;
  // 2 MB every 200 ms, until more than the body (the head came too).
  while (got <= big_.size() && !closed) {
    got += Read(std::min<size_t>(2 << 20, big_.size() + 1 - got), &closed);
    std::this_thread::sleep_for(milliseconds(200));
  }
  EXPECT_FALSE(closed) << "closed after " << got << " bytes";
  EXPECT_GT(got, big_.size());
  EXPECT_GT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  EXPECT_TRUE(NoneInFlightSoon(*server_));
}

TEST_F(ServerTest, DroppedResponderStillAnswers500) {
  StartServer([](Request, Responder) {});
  absl::StatusOr<ClientResponse> response = Get(address_, "/", milliseconds(2000));
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 500);
  EXPECT_TRUE(NoneInFlightSoon(*server_));
}

TEST_F(ServerTest, BusyPortIsUnavailable) {
  StartServer(Echo());
  Server second(ServerOptions{.address = address_}, Echo());
  absl::Status status = second.Start();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(status.message()), HasSubstr("cannot listen on"));
}

TEST_F(ServerTest, StopIsIdempotentAndRefusesNewConnections) {
  StartServer(Echo());
  server_->Stop();
  server_->Stop();
  absl::StatusOr<ClientResponse> response = Get(address_, "/", milliseconds(500));
  EXPECT_FALSE(response.ok());
}

// The head the server writes itself, followed by the body, is byte for
// byte what Beast's serializer writes.
TEST(WriteHeadTest, MatchesBeastsSerializer) {
  std::vector<Response> responses;
  Response ok{boost::beast::http::status::ok, 11};
  ok.set(boost::beast::http::field::content_type, "application/x-amz-json-1.0");
  ok.set("x-amzn-RequestId", "ABCDEF");
  ok.set("x-amz-crc32", "12345");
  ok.insert("X-Repeated", "one");
  ok.insert("X-Repeated", "two");
  ok.body() = R"({"Item":{"id":{"S":"a"}}})";
  ok.prepare_payload();
  responses.push_back(ok);
  Response old{boost::beast::http::status::bad_request, 10};
  old.keep_alive(true);
  old.body() = "Bad Request";
  old.prepare_payload();
  responses.push_back(old);
  Response reason{boost::beast::http::status::internal_server_error, 11};
  reason.reason("Something Else");
  reason.keep_alive(false);
  reason.prepare_payload();
  responses.push_back(reason);
  Response unknown{static_cast<boost::beast::http::status>(599), 11};
  unknown.body() = std::string(70000, 'x');
  unknown.prepare_payload();
  responses.push_back(unknown);
  for (const Response& response : responses) {
    std::ostringstream beast;
    beast << response;
    EXPECT_EQ(WriteHead(response) + response.body(), beast.str());
  }
}

TEST(ClientTest, UnreachableServerIsUnavailable) {
  // Port 1 on loopback is essentially never listening.
  absl::StatusOr<ClientResponse> response =
      Get(config::HostPort{"127.0.0.1", 1}, "/", milliseconds(500));
  EXPECT_EQ(response.status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace tern::http
