#include "router/routing/data_client.h"

#include "common/config/host_port.h"
#include "common/rpc/rpc.h"

namespace tern::router {
namespace {

constexpr std::chrono::milliseconds kTimeout(5000);

}  // namespace

tern::v1::DataPlane::Stub* DataClient::StubFor(const std::string& address) {
  base::MutexLock lock(&mu_);
  auto it = stubs_.find(address);
  if (it != stubs_.end()) return it->second.get();
  absl::StatusOr<config::HostPort> parsed = config::ParseHostPort(address);
  if (!parsed.ok()) return nullptr;
  auto stub = tern::v1::DataPlane::NewStub(rpc::MakeChannel(*parsed));
  tern::v1::DataPlane::Stub* raw = stub.get();
  stubs_.emplace(address, std::move(stub));
  return raw;
}

void DataClient::GetItem(
    const std::string& address,
    tern::v1::GetItemRequest request,
    absl::AnyInvocable<void(absl::StatusOr<tern::v1::GetItemResponse>) &&> done) {
  tern::v1::DataPlane::Stub* stub = StubFor(address);
  if (stub == nullptr) {
    std::move(done)(absl::InternalError("bad replica address " + address));
    return;
  }
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
  tern::v1::DataPlane::Stub* stub = StubFor(address);
  if (stub == nullptr) {
    std::move(done)(absl::InternalError("bad replica address " + address));
    return;
  }
  rpc::AsyncUnary<tern::v1::WriteItemResponse>(
      std::move(request),
      kTimeout,
      [stub](auto* context, auto* req, auto* resp, auto callback) {
        stub->async()->WriteItem(context, req, resp, std::move(callback));
      },
      std::move(done));
}

}  // namespace tern::router
