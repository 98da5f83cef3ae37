// tern-bench-static: the machine's ceiling for a DynamoDB endpoint. Answers
// every request with the same GetItem reply (a 1 KB item, request id and
// x-amz-crc32, as the router builds them) on Tern's own HTTP server,
// without parsing anything: what is left is HTTP, the kernel and the load
// generator.
//
//   tern-bench-static --http_address=127.0.0.1:8100 --threads=2
#include <iostream>
#include <string>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "common/config/host_port.h"
#include "common/daemon/daemon.h"
#include "common/http/server.h"
#include "router/api/wire.h"

ABSL_FLAG(tern::config::HostPort,
          http_address,
          (tern::config::HostPort{"127.0.0.1", 8100}),
          "host:port to answer on.");
ABSL_FLAG(int, threads, 2, "HTTP worker threads.");

namespace tern::bench {
namespace {

std::string CannedItem() {
  std::string body = R"({"Item":{"id":{"S":"user00000000000000"})";
  for (int i = 0; i < 10; ++i) {
    absl::StrAppend(&body, R"(,"field)", i, R"(":{"S":")", std::string(100, 'x'), "\"}");
  }
  return body + "}}";
}

int Run() {
  const std::string reply = CannedItem();
  http::ServerOptions options;
  options.address = absl::GetFlag(FLAGS_http_address);
  options.threads = absl::GetFlag(FLAGS_threads);
  http::Server server(options, [&reply](http::Request request, http::Responder respond) {
    std::move(respond)(router::DynamoResponse(request, boost::beast::http::status::ok, reply));
  });
  if (absl::Status status = server.Start(); !status.ok()) {
    std::cerr << "tern-bench-static: " << status << "\n";
    return 1;
  }
  std::cerr << "tern-bench-static on " << options.address.host << ":" << server.port() << "\n";
  daemon::WaitForTerminationSignal();
  server.Stop();
  return 0;
}

}  // namespace
}  // namespace tern::bench

int main(int argc, char** argv) {
  tern::daemon::InitProcess(
      argc, argv, "tern-bench-static", "tern-bench-static [--http_address=H:P]");
  return tern::bench::Run();
}
