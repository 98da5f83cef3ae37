// tern-bench: a YCSB-style load generator speaking the DynamoDB JSON
// protocol over HTTP/1.1 keep-alive connections (Boost.Beast), for Tern,
// dynalite or anything else with a DynamoDB endpoint.
//
//   tern-bench --endpoint=127.0.0.1:8000 --workload=a --records=10000
//       --connections=32 --duration_s=30 [--rate=5000] --json=out.json
//
// Closed loop by default (each connection sends its next request when the
// last one is answered); --rate=R is an open loop at R requests per second
// in all, and latency is measured from when each request was due, so a slow
// server is not hidden by requests the generator failed to send
// (coordinated omission). Requests carry a well-formed, unverified SigV4
// header (servers with signature checks off accept it). Results: latency
// percentiles per operation and overall, throughput, errors by __type, a
// per-second timeline; printed and written as JSON.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "boost/asio/co_spawn.hpp"
#include "boost/asio/connect.hpp"
#include "boost/asio/detached.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/steady_timer.hpp"
#include "boost/asio/strand.hpp"
#include "boost/asio/use_awaitable.hpp"
#include "boost/beast/core/flat_buffer.hpp"
#include "boost/beast/core/tcp_stream.hpp"
#include "boost/beast/http.hpp"
#include "boost/json.hpp"
#include "common/config/host_port.h"
#include "common/exec/executor.h"
#include "tests/bench/load/histogram.h"
#include "tests/bench/load/keys.h"
#include "tests/bench/load/workload.h"

ABSL_FLAG(std::string, endpoint, "127.0.0.1:8000", "host:port of the DynamoDB endpoint.");
ABSL_FLAG(std::string, table, "usertable", "Table to use (created with --create_table).");
ABSL_FLAG(std::string, workload, "a", "YCSB workload a-f, or get / put.");
ABSL_FLAG(std::string, distribution, "", "uniform, zipfian or latest (default: the workload's).");
ABSL_FLAG(uint64_t, records, 10000, "Records in the table (keys 0..records-1).");
ABSL_FLAG(bool, create_table, true, "Create the table (PAY_PER_REQUEST) if it does not exist.");
ABSL_FLAG(bool, preload, true, "Write every record before the run.");
ABSL_FLAG(int, fields, 10, "String attributes per record.");
ABSL_FLAG(int, value_size, 1000, "Bytes of all attributes of a record together.");
ABSL_FLAG(bool, consistent_read, false, "GetItem with ConsistentRead.");
ABSL_FLAG(int, connections, 16, "HTTP connections.");
ABSL_FLAG(int, threads, 1, "Client I/O threads.");
ABSL_FLAG(double, rate, 0, "Open loop at this many requests per second in all; 0: closed loop.");
ABSL_FLAG(double, duration_s, 10, "Measured seconds.");
ABSL_FLAG(double, warmup_s, 2, "Seconds of load before measuring.");
ABSL_FLAG(int, scan_max, 100, "Largest Limit of a workload E scan.");
ABSL_FLAG(uint64_t, seed, 1, "Random seed (each connection derives its own).");
ABSL_FLAG(std::string, label, "", "Name of the target in the output (default: the endpoint).");
ABSL_FLAG(std::string, json, "", "Write the results here as JSON.");
ABSL_FLAG(bool, progress, true, "Show a progress bar on stderr.");

namespace tern::bench {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;

// A call not answered in this long counts as failed and its connection is
// reopened.
constexpr std::chrono::seconds kCallTimeout{10};
constexpr size_t kReadBufferBytes = 16 << 10;

struct Options {
  std::string host, port, table, label;
  Mix mix;
  std::string distribution;
  uint64_t records = 0;
  RecordShape shape;
  bool consistent_read = false;
  int connections = 1, threads = 1, scan_max = 100;
  double rate = 0;
  uint64_t seed = 1;
};

struct Reply {
  unsigned status = 0;
  std::string body;
};

// "com.amazonaws...#Name" of an error body, or "HTTP <status>".
std::string ErrorType(const Reply& reply) {
  const std::string marker = "\"__type\":\"";
  size_t at = reply.body.find(marker);
  if (at == std::string::npos) return absl::StrCat("HTTP ", reply.status);
  at += marker.size();
  size_t end = reply.body.find('"', at);
  std::string type = reply.body.substr(at, end - at);
  size_t hash = type.find('#');
  return hash == std::string::npos ? type : type.substr(hash + 1);
}

bhttp::request<bhttp::string_body> MakeRequest(const Options& options,
                                               absl::string_view operation,
                                               std::string body) {
  bhttp::request<bhttp::string_body> request{bhttp::verb::post, "/", 11};
  const std::string date = absl::FormatTime("%Y%m%dT%H%M%SZ", absl::Now(), absl::UTCTimeZone());
  request.set(bhttp::field::host, absl::StrCat(options.host, ":", options.port));
  request.set(bhttp::field::content_type, "application/x-amz-json-1.0");
  request.set("X-Amz-Target", absl::StrCat("DynamoDB_20120810.", operation));
  request.set("X-Amz-Date", date);
  request.set(bhttp::field::authorization,
              absl::StrCat("AWS4-HMAC-SHA256 Credential=bench/",
                           date.substr(0, 8),
                           "/us-east-1/dynamodb/aws4_request, SignedHeaders=content-type;host;"
                           "x-amz-date;x-amz-target, Signature=",
                           std::string(64, '0')));
  request.keep_alive(true);
  request.body() = std::move(body);
  request.prepare_payload();
  return request;
}

// Counters the connections share; the histograms are per connection.
struct Shared {
  std::atomic<bool> stop{false};
  std::atomic<bool> measuring{false};
  std::atomic<uint64_t> inserted{0};      // records present (keys below this)
  std::atomic<uint64_t> preload_next{0};  // next record to preload
  std::atomic<uint64_t> done{0};          // measured operations completed
  std::atomic<uint64_t> failed{0};        // measured operations failed
  std::atomic<uint64_t> second_max{0};    // slowest answer (us) this second
};

struct ConnectionStats {
  absl::Mutex mu;
  LatencyHistogram by_op[kOpCount] ABSL_GUARDED_BY(mu);
  LatencyHistogram all ABSL_GUARDED_BY(mu);
  std::map<std::string, uint64_t> errors ABSL_GUARDED_BY(mu);
  uint64_t read_misses ABSL_GUARDED_BY(mu) = 0;
};

class Connection {
 public:
  Connection(const Options& options,
             const tcp::resolver::results_type& endpoints,
             Shared* shared,
             int index)
      : options_(options),
        endpoints_(endpoints),
        shared_(shared),
        index_(index),
        rng_(options.seed * 0x9e3779b97f4a7c15ULL + static_cast<uint64_t>(index)) {}

  ConnectionStats& stats() { return stats_; }

  asio::awaitable<void> Preload() {
    for (;;) {
      const uint64_t record = shared_->preload_next.fetch_add(1);
      if (record >= options_.records) break;
      Reply reply = co_await CallRetrying(
          "PutItem", PutItemBody(options_.table, RecordKey(record), options_.shape, rng_));
      if (reply.status != 200) {
        std::cerr << "\npreload: " << ErrorType(reply) << ": " << reply.body << "\n";
        shared_->stop = true;
        break;
      }
    }
  }

  asio::awaitable<void> Run(Clock::time_point start) {
    auto keys = MakeKeyChooser(options_.distribution, options_.records, &shared_->inserted);
    if (!keys.ok()) co_return;
    const double interval_s = options_.rate > 0 ? options_.connections / options_.rate : 0;
    // Connections start staggered over one interval, so that an open loop
    // sends evenly rather than in bursts of one request per connection.
    Clock::time_point due =
        start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(
                    interval_s * index_ / std::max(1, options_.connections)));
    asio::steady_timer timer(co_await asio::this_coro::executor);
    while (!shared_->stop) {
      if (interval_s > 0) {
        due +=
            std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(interval_s));
        if (due > Clock::now()) {
          timer.expires_at(due);
          co_await timer.async_wait(asio::use_awaitable);
        }
      } else {
        due = Clock::now();
      }
      const Op op = PickOp(options_.mix, rng_);
      Reply reply = co_await Do(op, **keys);
      const bool measured = shared_->measuring.load();
      if (!measured) continue;
      const auto micros = static_cast<uint64_t>(
          std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - due).count());
      absl::MutexLock lock(&stats_.mu);
      if (reply.status == 200) {
        stats_.by_op[static_cast<int>(op)].Record(micros);
        stats_.all.Record(micros);
        uint64_t slowest = shared_->second_max.load(std::memory_order_relaxed);
        while (micros > slowest && !shared_->second_max.compare_exchange_weak(
                                       slowest, micros, std::memory_order_relaxed)) {
        }
        if ((op == Op::kRead) && reply.body.find("\"Item\"") == std::string::npos) {
          ++stats_.read_misses;
        }
        shared_->done.fetch_add(1);
      } else {
        ++stats_.errors[ErrorType(reply)];
        shared_->failed.fetch_add(1);
      }
    }
  }

 private:
  asio::awaitable<Reply> Do(Op op, KeyChooser& keys) {
    const std::string& table = options_.table;
    switch (op) {
      case Op::kRead:
        co_return co_await Call(
            "GetItem", GetItemBody(table, RecordKey(keys.Next(rng_)), options_.consistent_read));
      case Op::kUpdate:
        co_return co_await Call(
            "UpdateItem", UpdateItemBody(table, RecordKey(keys.Next(rng_)), options_.shape, rng_));
      case Op::kInsert: {
        const uint64_t record = shared_->inserted.fetch_add(1);
        co_return co_await Call("PutItem",
                                PutItemBody(table, RecordKey(record), options_.shape, rng_));
      }
      case Op::kPut:
        co_return co_await Call(
            "PutItem", PutItemBody(table, RecordKey(keys.Next(rng_)), options_.shape, rng_));
      case Op::kScan: {
        const int limit = std::uniform_int_distribution<int>(1, options_.scan_max)(rng_);
        co_return co_await Call("Scan", ScanBody(table, RecordKey(keys.Next(rng_)), limit));
      }
      case Op::kReadModifyWrite: {
        const std::string key = RecordKey(keys.Next(rng_));
        Reply read = co_await Call("GetItem", GetItemBody(table, key, options_.consistent_read));
        if (read.status != 200) co_return read;
        co_return co_await Call("UpdateItem", UpdateItemBody(table, key, options_.shape, rng_));
      }
    }
    co_return Reply{};
  }

  // One request; a broken connection is an error ("connection") and is
  // reopened for the next call.
  asio::awaitable<Reply> Call(absl::string_view operation, std::string body) {
    try {
      if (!socket_) {
        socket_.emplace(co_await asio::this_coro::executor);
        socket_->expires_after(kCallTimeout);
        co_await socket_->async_connect(endpoints_, asio::use_awaitable);
        socket_->socket().set_option(tcp::no_delay(true));
        buffer_.clear();
        // Reads take what the buffer has room for (at least 512 bytes):
        // room for a whole answer reads it in one call, not three.
        buffer_.reserve(kReadBufferBytes);
      }
      socket_->expires_after(kCallTimeout);
      auto request = MakeRequest(options_, operation, std::move(body));
      co_await bhttp::async_write(*socket_, request, asio::use_awaitable);
      bhttp::response<bhttp::string_body> response;
      co_await bhttp::async_read(*socket_, buffer_, response, asio::use_awaitable);
      Reply reply{response.result_int(), std::move(response.body())};
      if (!response.keep_alive()) socket_.reset();
      co_return reply;
    } catch (const std::exception& e) {
      socket_.reset();
      co_return Reply{0, R"({"__type":"#ConnectionError"})"};
    }
  }

  // Preload retries throttling and 5xx a few times.
  asio::awaitable<Reply> CallRetrying(absl::string_view operation, std::string body) {
    Reply reply;
    for (int attempt = 0; attempt < 10; ++attempt) {
      reply = co_await Call(operation, body);
      if (reply.status == 200 || (reply.status >= 400 && reply.status < 500 &&
                                  ErrorType(reply).find("Throughput") == std::string::npos &&
                                  ErrorType(reply) != "ThrottlingException")) {
        break;
      }
      asio::steady_timer timer(co_await asio::this_coro::executor, std::chrono::milliseconds(100));
      co_await timer.async_wait(asio::use_awaitable);
    }
    co_return reply;
  }

  const Options& options_;
  const tcp::resolver::results_type& endpoints_;
  Shared* shared_;
  const int index_;
  Rng rng_;
  std::optional<beast::tcp_stream> socket_;
  beast::flat_buffer buffer_;
  ConnectionStats stats_;
};

// Blocking call for setup (CreateTable, DescribeTable).
Reply CallOnce(const Options& options,
               const tcp::resolver::results_type& endpoints,
               absl::string_view operation,
               std::string body) {
  asio::io_context ioc;
  tcp::socket socket(ioc);
  boost::system::error_code ec;
  asio::connect(socket, endpoints, ec);
  if (ec) return Reply{0, R"({"__type":"#ConnectionError"})"};
  auto request = MakeRequest(options, operation, std::move(body));
  bhttp::write(socket, request, ec);
  beast::flat_buffer buffer;
  bhttp::response<bhttp::string_body> response;
  if (!ec) bhttp::read(socket, buffer, response, ec);
  if (ec) return Reply{0, R"({"__type":"#ConnectionError"})"};
  return Reply{response.result_int(), response.body()};
}

bool EnsureTable(const Options& options, const tcp::resolver::results_type& endpoints) {
  const std::string describe = absl::StrCat(R"({"TableName":")", options.table, "\"}");
  Reply reply = CallOnce(options, endpoints, "DescribeTable", describe);
  if (reply.status != 200) {
    reply = CallOnce(options, endpoints, "CreateTable", CreateTableBody(options.table));
    if (reply.status != 200 && ErrorType(reply) != "ResourceInUseException") {
      std::cerr << "CreateTable: " << ErrorType(reply) << ": " << reply.body << "\n";
      return false;
    }
  }
  for (int i = 0; i < 600; ++i) {
    reply = CallOnce(options, endpoints, "DescribeTable", describe);
    if (reply.status == 200 && reply.body.find("\"ACTIVE\"") != std::string::npos) return true;
    absl::SleepFor(absl::Milliseconds(100));
  }
  std::cerr << "table " << options.table << " not ACTIVE after 60 s: " << reply.body << "\n";
  return false;
}

// Runs `ioc` on `threads` pool threads until it has no work left; calls
// tick() about once a second meanwhile.
void RunPhase(asio::io_context& ioc, int threads, const std::function<void()>& tick) {
  exec::ThreadPool pool("bench", static_cast<size_t>(threads));
  absl::Mutex mu;
  int running = threads;
  for (int i = 0; i < threads; ++i) {
    pool.Post([&] {
      ioc.run();
      absl::MutexLock lock(&mu);
      --running;
    });
  }
  absl::MutexLock lock(&mu);
  while (!mu.AwaitWithTimeout(absl::Condition(
                                  +[](int* n) { return *n == 0; }, &running),
                              absl::Seconds(1))) {
    mu.Unlock();
    tick();
    mu.Lock();
  }
}

void PrintProgress(double elapsed, double total, uint64_t ops_in_second, uint64_t failed) {
  constexpr int kWidth = 30;
  const int filled = total > 0 ? static_cast<int>(kWidth * std::min(1.0, elapsed / total)) : 0;
  std::string bar(static_cast<size_t>(filled), '=');
  bar.resize(kWidth, ' ');
  std::cerr << absl::StrFormat("\r[%s] %5.1f/%.0f s %9d ops/s  errors %d   ",
                               bar,
                               elapsed,
                               total,
                               ops_in_second,
                               failed)
            << std::flush;
}

boost::json::object Summary(const LatencyHistogram& h) {
  boost::json::object out;
  out["count"] = h.count();
  out["mean_us"] = h.mean();
  out["p50_us"] = h.Percentile(50);
  out["p90_us"] = h.Percentile(90);
  out["p99_us"] = h.Percentile(99);
  out["p999_us"] = h.Percentile(99.9);
  out["max_us"] = h.max();
  return out;
}

int Main() {
  Options options;
  absl::StatusOr<config::HostPort> endpoint = config::ParseHostPort(absl::GetFlag(FLAGS_endpoint));
  absl::StatusOr<Mix> mix = WorkloadMix(absl::GetFlag(FLAGS_workload));
  if (!endpoint.ok() || !mix.ok()) {
    std::cerr << (endpoint.ok() ? mix.status() : endpoint.status()).message() << "\n";
    return 2;
  }
  options.host = endpoint->host;
  options.port = std::to_string(endpoint->port);
  options.label =
      absl::GetFlag(FLAGS_label).empty() ? endpoint->ToString() : absl::GetFlag(FLAGS_label);
  options.table = absl::GetFlag(FLAGS_table);
  options.mix = *mix;
  options.distribution = absl::GetFlag(FLAGS_distribution).empty()
                             ? mix->distribution
                             : absl::GetFlag(FLAGS_distribution);
  options.records = absl::GetFlag(FLAGS_records);
  options.shape.fields = absl::GetFlag(FLAGS_fields);
  options.shape.value_size = absl::GetFlag(FLAGS_value_size);
  options.consistent_read = absl::GetFlag(FLAGS_consistent_read);
  options.connections = absl::GetFlag(FLAGS_connections);
  options.threads = absl::GetFlag(FLAGS_threads);
  options.rate = absl::GetFlag(FLAGS_rate);
  options.scan_max = absl::GetFlag(FLAGS_scan_max);
  options.seed = absl::GetFlag(FLAGS_seed);
  const double duration_s = absl::GetFlag(FLAGS_duration_s);
  const double warmup_s = absl::GetFlag(FLAGS_warmup_s);
  if (options.records == 0 || options.connections <= 0 || options.threads <= 0 ||
      options.rate < 0 || duration_s <= 0 || warmup_s < 0 || options.shape.fields <= 0 ||
      options.shape.value_size <= 0 || options.scan_max <= 0) {
    std::cerr << "bad flags: records, connections, threads, duration, fields, value_size and "
                 "scan_max must be positive; rate and warmup not negative\n";
    return 2;
  }
  Shared shared;
  shared.inserted = options.records;
  if (!MakeKeyChooser(options.distribution, options.records, &shared.inserted).ok()) {
    std::cerr << "unknown distribution " << options.distribution << "\n";
    return 2;
  }
  std::cerr << "seed " << options.seed << "\n";

  asio::io_context resolver_context;
  tcp::resolver resolver(resolver_context);
  boost::system::error_code ec;
  const tcp::resolver::results_type endpoints = resolver.resolve(options.host, options.port, ec);
  if (ec) {
    std::cerr << "cannot resolve " << options.host << ": " << ec.message() << "\n";
    return 1;
  }
  if (absl::GetFlag(FLAGS_create_table) && !EnsureTable(options, endpoints)) return 1;

  // One io_context for both phases, declared first: the connections'
  // sockets belong to it and must go before it.
  asio::io_context ioc;
  std::vector<std::unique_ptr<Connection>> connections;
  for (int i = 0; i < options.connections; ++i) {
    connections.push_back(std::make_unique<Connection>(options, endpoints, &shared, i));
  }
  const bool progress = absl::GetFlag(FLAGS_progress);
  if (absl::GetFlag(FLAGS_preload)) {
    auto started = Clock::now();
    for (auto& connection : connections) {
      asio::co_spawn(asio::make_strand(ioc), connection->Preload(), asio::detached);
    }
    RunPhase(ioc, options.threads, [&] {
      if (progress) {
        std::cerr << absl::StrFormat("\rpreload %d/%d records   ",
                                     std::min(shared.preload_next.load(), options.records),
                                     options.records)
                  << std::flush;
      }
    });
    if (shared.stop) return 1;
    std::cerr << absl::StrFormat("\rpreloaded %d records in %.1f s\n",
                                 options.records,
                                 std::chrono::duration<double>(Clock::now() - started).count());
  }

  // The run: warm-up, then measured seconds; a per-second timeline.
  ioc.restart();
  const Clock::time_point start = Clock::now();
  for (auto& connection : connections) {
    asio::co_spawn(asio::make_strand(ioc), connection->Run(start), asio::detached);
  }
  boost::json::array timeline;
  uint64_t last_done = 0, last_failed = 0;
  Clock::time_point measure_start{};
  RunPhase(ioc, options.threads, [&] {
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    if (!shared.measuring && elapsed >= warmup_s) {
      measure_start = Clock::now();
      shared.measuring = true;
      return;
    }
    if (!shared.measuring) {
      if (progress) std::cerr << absl::StrFormat("\rwarming up %.0f s   ", warmup_s - elapsed);
      return;
    }
    const uint64_t done = shared.done.load(), failed = shared.failed.load();
    boost::json::object second;
    second["t"] = std::chrono::duration<double>(Clock::now() - measure_start).count();
    second["ops"] = done - last_done;
    second["errors"] = failed - last_failed;
    second["max_us"] = shared.second_max.exchange(0);
    timeline.push_back(std::move(second));
    if (progress) {
      PrintProgress(elapsed - warmup_s, duration_s, done - last_done, failed);
    }
    last_done = done;
    last_failed = failed;
    if (elapsed >= warmup_s + duration_s) shared.stop = true;
  });
  const double measured_s = std::chrono::duration<double>(Clock::now() - measure_start).count();
  if (progress) std::cerr << "\n";

  LatencyHistogram all, by_op[kOpCount];
  std::map<std::string, uint64_t> errors;
  uint64_t read_misses = 0;
  for (auto& connection : connections) {
    ConnectionStats& stats = connection->stats();
    absl::MutexLock lock(&stats.mu);
    all.Merge(stats.all);
    for (int i = 0; i < kOpCount; ++i) by_op[i].Merge(stats.by_op[i]);
    for (const auto& [type, count] : stats.errors) errors[type] += count;
    read_misses += stats.read_misses;
  }
  boost::json::object result;
  result["target"] = options.label;
  result["endpoint"] = absl::StrCat(options.host, ":", options.port);
  result["workload"] = options.mix.name;
  result["distribution"] = options.distribution;
  result["records"] = options.records;
  result["fields"] = options.shape.fields;
  result["value_size"] = options.shape.value_size;
  result["consistent_read"] = options.consistent_read;
  result["connections"] = options.connections;
  result["threads"] = options.threads;
  result["rate"] = options.rate;
  result["seed"] = options.seed;
  result["duration_s"] = measured_s;
  result["ops"] = all.count();
  result["throughput"] = measured_s > 0 ? all.count() / measured_s : 0;
  result["read_misses"] = read_misses;
  boost::json::object error_counts;
  uint64_t error_total = 0;
  for (const auto& [type, count] : errors) {
    error_counts[type] = count;
    error_total += count;
  }
  result["errors"] = error_total;
  result["error_types"] = std::move(error_counts);
  result["latency"] = Summary(all);
  boost::json::object ops;
  for (int i = 0; i < kOpCount; ++i) {
    if (by_op[i].count() > 0) ops[OpName(static_cast<Op>(i))] = Summary(by_op[i]);
  }
  result["latency_by_op"] = std::move(ops);
  result["timeline"] = std::move(timeline);

  std::cout << absl::StrFormat(
      "%s workload %s: %.0f ops/s over %.1f s, %d errors; latency us p50 %d p99 %d p99.9 %d "
      "max %d\n",
      options.label,
      options.mix.name,
      measured_s > 0 ? all.count() / measured_s : 0.0,
      measured_s,
      error_total,
      all.Percentile(50),
      all.Percentile(99),
      all.Percentile(99.9),
      all.max());
  for (const auto& [type, count] : errors) std::cout << "  error " << type << ": " << count << "\n";
  if (const std::string path = absl::GetFlag(FLAGS_json); !path.empty()) {
    std::ofstream out(path);
    out << boost::json::serialize(result) << "\n";
    if (!out) {
      std::cerr << "cannot write " << path << "\n";
      return 1;
    }
  }
  return 0;
}

}  // namespace
}  // namespace tern::bench

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "tern-bench --endpoint=H:P --workload=a|..|f|get|put [--records=N --preload "
      "--connections=C --duration_s=S --rate=R --json=FILE]");
  absl::ParseCommandLine(argc, argv);
  return tern::bench::Main();
}
