#include "router/routing/data_client.h"

#include "common/config/host_port.h"
#include "common/rpc/rpc.h"

namespace tern::router {
namespace {

constexpr std::chrono::milliseconds kTimeout(5000);

}  // namespace

DataClient::Stubs* DataClient::StubsFor(const std::string& address) {
  base::MutexLock lock(&mu_);
  auto it = stubs_.find(address);
  if (it != stubs_.end()) return it->second.get();
  absl::StatusOr<config::HostPort> parsed = config::ParseHostPort(address);
  if (!parsed.ok()) return nullptr;
  auto channel = rpc::MakeChannel(*parsed);
  auto stubs = std::make_unique<Stubs>();
  stubs->data = tern::v1::DataPlane::NewStub(channel);
  stubs->admin = tern::v1::NodeAdmin::NewStub(channel);
  Stubs* raw = stubs.get();
  stubs_.emplace(address, std::move(stubs));
  return raw;
}

void DataClient::GetItem(
    const std::string& address,
    tern::v1::GetItemRequest request,
    absl::AnyInvocable<void(absl::StatusOr<tern::v1::GetItemResponse>) &&> done) {
  Stubs* stubs = StubsFor(address);
  if (stubs == nullptr) {
    std::move(done)(absl::InternalError("bad replica address " + address));
    return;
  }
  tern::v1::DataPlane::Stub* stub = stubs->data.get();
  rpc::AsyncUnary<tern::v1::GetItemResponse>(
      std::move(request),
      kTimeout,
      [stub](auto* context, auto* req, auto* resp, auto callback) {
        stub->async()->GetItem(context, req, resp, std::move(callback));
      },
      std::move(done));
}

void DataClient::WriteItem(
    const std::string& address,
    tern::v1::WriteItemRequest request,
    absl::AnyInvocable<void(absl::StatusOr<tern::v1::WriteItemResponse>) &&> done) {
  Stubs* stubs = StubsFor(address);
  if (stubs == nullptr) {
    std::move(done)(absl::InternalError("bad replica address " + address));
    return;
  }
  tern::v1::DataPlane::Stub* stub = stubs->data.get();
  rpc::AsyncUnary<tern::v1::WriteItemResponse>(
      std::move(request),
      kTimeout,
      [stub](auto* context, auto* req, auto* resp, auto callback) {
        stub->async()->WriteItem(context, req, resp, std::move(callback));
      },
      std::move(done));
}

void DataClient::RangeRead(
    const std::string& address,
    tern::v1::RangeReadRequest request,
    absl::AnyInvocable<void(absl::StatusOr<tern::v1::RangeReadResponse>) &&> done) {
  Stubs* stubs = StubsFor(address);
  if (stubs == nullptr) {
    std::move(done)(absl::InternalError("bad replica address " + address));
    return;
  }
  tern::v1::DataPlane::Stub* stub = stubs->data.get();
  rpc::AsyncUnary<tern::v1::RangeReadResponse>(
      std::move(request),
      kTimeout,
      [stub](auto* context, auto* req, auto* resp, auto callback) {
        stub->async()->RangeRead(context, req, resp, std::move(callback));
      },
      std::move(done));
}

void DataClient::GetPartitionStats(
    const std::string& address,
    tern::v1::PartitionRequest request,
    absl::AnyInvocable<void(absl::StatusOr<tern::v1::PartitionResponse>) &&> done) {
  Stubs* stubs = StubsFor(address);
  if (stubs == nullptr) {
    std::move(done)(absl::InternalError("bad replica address " + address));
    return;
  }
  tern::v1::NodeAdmin::Stub* stub = stubs->admin.get();
  rpc::AsyncUnary<tern::v1::PartitionResponse>(
      std::move(request),
      kTimeout,
      [stub](auto* context, auto* req, auto* resp, auto callback) {
        stub->async()->GetPartitionStats(context, req, resp, std::move(callback));
      },
      std::move(done));
}

}  // namespace tern::router
