// The gRPC services of a storage node: NodeAdmin (identity, partition
// open/drop/stats, for the control plane) and DataPlane (item reads and
// writes, for routers). Writes and strongly consistent reads go through the
// partition's replication group (ReplicaHost); items are read from the
// PartitionStore. Thread-safe.
#pragma once

#include "common/exec/executor.h"
#include "common/rpc/async.h"
#include "common/time/skewed_clock.h"
#include "storage-node/load/load_sampler.h"
#include "storage-node/partition/partition_store.h"
#include "storage-node/replica/replica_host.h"
#include "tern/v1/control.grpc.pb.h"
#include "tern/v1/data.grpc.pb.h"

namespace tern::node {

class NodeAdminService final : public tern::v1::NodeAdmin::Service {
 public:
  // store, host and load must outlive the service, and so must
  // fault_clock: the node's clock when it runs with --fault_injection
  // (InjectFaults skews it), else nullptr (InjectFaults is refused).
  NodeAdminService(tern::v1::NodeInfo self,
                   partition::PartitionStore* store,
                   replica::ReplicaHost* host,
                   load::LoadSampler* load,
                   time::SkewedClock* fault_clock = nullptr);

  grpc::Status GetNodeInfo(grpc::ServerContext* context,
                           const tern::v1::GetNodeInfoRequest* request,
                           tern::v1::NodeInfo* response) override;
  grpc::Status OpenPartition(grpc::ServerContext* context,
                             const tern::v1::PartitionRequest* request,
                             tern::v1::PartitionResponse* response) override;
  grpc::Status DropPartition(grpc::ServerContext* context,
                             const tern::v1::PartitionRequest* request,
                             tern::v1::PartitionResponse* response) override;
  grpc::Status GetPartitionStats(grpc::ServerContext* context,
                                 const tern::v1::PartitionRequest* request,
                                 tern::v1::PartitionResponse* response) override;
  grpc::Status TransferLeadership(grpc::ServerContext* context,
                                  const tern::v1::TransferLeadershipRequest* request,
                                  tern::v1::PartitionResponse* response) override;
  grpc::Status ChangeReplicas(grpc::ServerContext* context,
                              const tern::v1::ChangeReplicasRequest* request,
                              tern::v1::PartitionResponse* response) override;
  grpc::Status SplitPartition(grpc::ServerContext* context,
                              const tern::v1::SplitRequest* request,
                              tern::v1::PartitionResponse* response) override;
  grpc::Status FindSplitKey(grpc::ServerContext* context,
                            const tern::v1::PartitionRequest* request,
                            tern::v1::PartitionResponse* response) override;
  grpc::Status InjectFaults(grpc::ServerContext* context,
                            const tern::v1::InjectFaultsRequest* request,
                            tern::v1::FaultState* response) override;

 private:
  const tern::v1::NodeInfo self_;
  partition::PartitionStore* const store_;
  replica::ReplicaHost* const host_;
  load::LoadSampler* const load_;
  time::SkewedClock* const fault_clock_;
};

// Served on the server's completion queues (rpc::QueuedService): a request
// holds no thread while it waits for its write to commit or its read to be
// confirmed. Eventually consistent reads are answered on the thread the
// call arrived on; writes are handed to a small pool, since the write that
// finds its group idle persists the group's log itself
// (ReplicaGroup::Propose).
class DataPlaneService final : public tern::v1::DataPlane::AsyncService, public rpc::QueuedService {
 public:
  // store, host and load must outlive the service.
  DataPlaneService(partition::PartitionStore* store,
                   replica::ReplicaHost* host,
                   load::LoadSampler* load);
  ~DataPlaneService() override;
  // Runs the writes already handed to the pool and stops it; call after the
  // gRPC server shut down, before the server and the store go.
  void Drain();

  // rpc::QueuedService: GetItem, WriteItem, RangeRead and Batch.
  void Serve(rpc::ServerQueues* queues) override;
  void Close() override;

 private:
  template <typename Response>
  using Done = absl::AnyInvocable<void(absl::StatusOr<Response>) &&>;
  // A read of the store, and the key a read counts toward the load at.
  // (Plain functions: pointers to members captured in lambdas crashed
  // under GCC 12's ASan.)
  template <typename Request, typename Response>
  using StoreRead = absl::StatusOr<Response> (*)(partition::PartitionStore*, const Request&);
  template <typename Request>
  using LoadKey = const std::string& (*)(const Request&);

  // Calls read (on some thread) once a read of partition may be served
  // here, with an error when it may not: strongly consistent reads only on
  // the confirmed leader, eventually consistent ones on any voter (not a
  // learner still catching up, nor a replica removed from its group).
  void WhenReadable(uint64_t partition_id,
                    bool consistent,
                    absl::AnyInvocable<void(absl::Status) &&> read);
  // GetItem and RangeRead: once readable, calls done with read(*request)
  // from the store; a served read counts toward the partition's load at key.
  // request must stay valid until done runs or, for eventually consistent
  // reads (served before Read returns), until Read returns.
  template <typename Request, typename Response>
  void Read(const Request* request,
            StoreRead<Request, Response> read,
            LoadKey<Request> key,
            Done<Response> done);
  template <typename Response>
  using Reply = std::shared_ptr<rpc::AsyncReply<Response>>;
  // Read as the answer of a unary call.
  template <typename Request, typename Response>
  void ServeRead(const Request& request,
                 Reply<Response> reply,
                 StoreRead<Request, Response> read,
                 LoadKey<Request> key);
  using BatchReply = std::shared_ptr<rpc::AsyncReply<tern::v1::DataBatchResult>>;
  // Each op as GetItem or WriteItem would serve it; answered once all are done.
  void Batch(const tern::v1::DataBatch& request, BatchReply reply);

  // The group to hand an item write to (counting it toward the partition's
  // load), or why the write is refused here.
  absl::StatusOr<std::shared_ptr<replica::ReplicaGroup>> GroupFor(
      const tern::v1::WriteItemRequest& request);
  // Hands the write to its group on the write pool; done runs when it
  // committed or failed.
  void Write(const tern::v1::WriteItemRequest& request, Done<tern::v1::WriteItemResponse> done);

  partition::PartitionStore* const store_;
  replica::ReplicaHost* const host_;
  load::LoadSampler* const load_;
  std::unique_ptr<rpc::UnaryMethod<tern::v1::GetItemRequest, tern::v1::GetItemResponse>> get_;
  std::unique_ptr<rpc::UnaryMethod<tern::v1::WriteItemRequest, tern::v1::WriteItemResponse>> write_;
  std::unique_ptr<rpc::UnaryMethod<tern::v1::RangeReadRequest, tern::v1::RangeReadResponse>> range_;
  std::unique_ptr<rpc::UnaryMethod<tern::v1::DataBatch, tern::v1::DataBatchResult>> batch_;
  std::unique_ptr<exec::ThreadPool> writes_;
};

}  // namespace tern::node
