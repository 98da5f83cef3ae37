#include "common/http/client.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "boost/asio/connect.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"

namespace tern::http {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

absl::StatusOr<ClientResponse> Get(const config::HostPort& address,
                                   absl::string_view target,
                                   std::chrono::milliseconds timeout) {
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  beast::error_code ec;
  asio::ip::tcp::resolver resolver(ioc);
  auto endpoints = resolver.resolve(address.host, std::to_string(address.port), ec);
  if (ec) {
    return absl::UnavailableError(absl::StrCat("resolve ", address.ToString(), ": ", ec.message()));
  }
  bhttp::request<bhttp::empty_body> request{bhttp::verb::get, std::string(target), 11};
  request.set(bhttp::field::host, address.ToString());
  request.set(bhttp::field::user_agent, "tern-http-client");
  bhttp::response<bhttp::string_body> response;
  beast::flat_buffer buffer;
  // Asynchronous operations so that the whole exchange honours the deadline.
  stream.expires_after(timeout);
  stream.async_connect(endpoints, [&](beast::error_code connect_ec, auto) {
    if (connect_ec) {
      ec = connect_ec;
      return;
    }
    bhttp::async_write(stream, request, [&](beast::error_code write_ec, size_t) {
      if (write_ec) {
        ec = write_ec;
        return;
      }
      bhttp::async_read(
          stream, buffer, response, [&](beast::error_code read_ec, size_t) { ec = read_ec; });
    });
  });
  ioc.run();
  beast::error_code ignored;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  if (ec == beast::error::timeout) {
    return absl::DeadlineExceededError(
        absl::StrCat("GET http://", address.ToString(), target, ": no answer in time"));
  }
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat("GET http://", address.ToString(), target, ": ", ec.message()));
  }
  ClientResponse result;
  result.status = static_cast<int>(response.result_int());
  result.content_type = std::string(response[bhttp::field::content_type]);
  result.body = std::move(response.body());
  return result;
}

}  // namespace tern::http
