// DataClient: asynchronous DataPlane calls to storage nodes, one channel per
// node address. Thread-safe; callbacks run on gRPC threads.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "common/base/mutex.h"
#include "tern/v1/control.grpc.pb.h"
#include "tern/v1/data.grpc.pb.h"

namespace tern::router {

class DataClient {
 public:
  void GetItem(const std::string& address,
               tern::v1::GetItemRequest request,
               absl::AnyInvocable<void(absl::StatusOr<tern::v1::GetItemResponse>) &&> done);
  void WriteItem(const std::string& address,
                 tern::v1::WriteItemRequest request,
                 absl::AnyInvocable<void(absl::StatusOr<tern::v1::WriteItemResponse>) &&> done);
  // A page of a Query or Scan.
  void RangeRead(const std::string& address,
                 tern::v1::RangeReadRequest request,
                 absl::AnyInvocable<void(absl::StatusOr<tern::v1::RangeReadResponse>) &&> done);
  // Item count and size of one partition replica (NodeAdmin.GetPartitionStats).
  void GetPartitionStats(
      const std::string& address,
      tern::v1::PartitionRequest request,
      absl::AnyInvocable<void(absl::StatusOr<tern::v1::PartitionResponse>) &&> done);

 private:
  struct Stubs {
    std::unique_ptr<tern::v1::DataPlane::Stub> data;
    std::unique_ptr<tern::v1::NodeAdmin::Stub> admin;
  };
  // nullptr when address is not host:port.
  Stubs* StubsFor(const std::string& address);

  base::Mutex mu_;
  std::map<std::string, std::unique_ptr<Stubs>> stubs_ ABSL_GUARDED_BY(mu_);
};

}  // namespace tern::router
