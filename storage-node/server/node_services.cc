#include "storage-node/server/node_services.h"

#include "common/log/log.h"
#include "common/rpc/rpc.h"

namespace tern::node {
namespace {

template <typename T>
grpc::Status Answer(absl::StatusOr<T> result, T* out) {
  if (!result.ok()) return rpc::ToGrpcStatus(result.status());
  *out = *std::move(result);
  return grpc::Status::OK;
}

}  // namespace

NodeAdminService::NodeAdminService(tern::v1::NodeInfo self, partition::PartitionStore* store)
    : self_(std::move(self)), store_(store) {}

grpc::Status NodeAdminService::GetNodeInfo(grpc::ServerContext*,
                                           const tern::v1::GetNodeInfoRequest*,
                                           tern::v1::NodeInfo* response) {
  *response = self_;
  return grpc::Status::OK;
}

grpc::Status NodeAdminService::OpenPartition(grpc::ServerContext*,
                                             const tern::v1::PartitionRequest* request,
                                             tern::v1::PartitionResponse*) {
  absl::Status status = store_->Open(request->partition());
  if (status.ok()) {
    TERN_LOG(Info, "partition opened").With("partition_id", request->partition().partition_id());
  }
  return rpc::ToGrpcStatus(status);
}

grpc::Status NodeAdminService::DropPartition(grpc::ServerContext*,
                                             const tern::v1::PartitionRequest* request,
                                             tern::v1::PartitionResponse*) {
  absl::Status status = store_->Drop(request->partition());
  if (status.ok()) {
    TERN_LOG(Info, "partition dropped").With("partition_id", request->partition().partition_id());
  }
  return rpc::ToGrpcStatus(status);
}

grpc::Status NodeAdminService::GetPartitionStats(grpc::ServerContext*,
                                                 const tern::v1::PartitionRequest* request,
                                                 tern::v1::PartitionResponse* response) {
  return Answer(store_->Stats(request->partition().partition_id()), response);
}

DataPlaneService::DataPlaneService(partition::PartitionStore* store) : store_(store) {}

grpc::Status DataPlaneService::GetItem(grpc::ServerContext*,
                                       const tern::v1::GetItemRequest* request,
                                       tern::v1::GetItemResponse* response) {
  return Answer(store_->GetItem(*request), response);
}

grpc::Status DataPlaneService::WriteItem(grpc::ServerContext*,
                                         const tern::v1::WriteItemRequest* request,
                                         tern::v1::WriteItemResponse* response) {
  return Answer(store_->WriteItem(*request), response);
}

grpc::Status DataPlaneService::RangeRead(grpc::ServerContext*,
                                         const tern::v1::RangeReadRequest* request,
                                         tern::v1::RangeReadResponse* response) {
  return Answer(store_->RangeRead(*request), response);
}

}  // namespace tern::node
