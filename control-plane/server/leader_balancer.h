// LeaderBalancer: keeps the number of partition leaders even across storage
// nodes, so that no node serves most writes and strongly consistent reads.
// Every interval it asks each replica of every ACTIVE table's partitions for
// its role (NodeAdmin.GetPartitionStats) and, when one node leads at least
// two partitions more than another node that also holds one of them, asks
// the leader to hand that partition to it (NodeAdmin.TransferLeadership).
// One move per round, so the cluster settles without churn.
//
// The decision is a pure function (ChooseLeaderMove) tested on its own.
// Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/base/mutex.h"
#include "common/exec/periodic.h"
#include "common/rpc/rpc.h"
#include "control-plane/catalog/catalog.h"
#include "tern/v1/control.grpc.pb.h"

namespace tern::control {

// A partition's replicas and its current leader (0 when unknown).
struct PartitionLeadership {
  tern::v1::PartitionDescriptor partition;
  uint64_t leader = 0;
};

struct LeaderMove {
  size_t partition = 0;  // index into the input
  uint64_t from = 0;
  uint64_t to = 0;
};

// The move that most evens out leaders per node (counting every node that
// holds a replica), or nullopt when the busiest and the idlest node differ by
// at most one, or no partition led by the busiest has a replica on a less
// busy node two below it. Deterministic (ties broken by node id, then
// partition order).
std::optional<LeaderMove> ChooseLeaderMove(const std::vector<PartitionLeadership>& partitions);

class LeaderBalancer {
 public:
  // catalog must outlive this object.
  LeaderBalancer(Catalog* catalog, std::chrono::milliseconds interval);
  ~LeaderBalancer();

  void Start();
  void Stop();

  // One round: observe leaders, make at most one move. Returns the move made.
  std::optional<LeaderMove> RunOnce();

 private:
  Catalog* const catalog_;
  rpc::StubCache<tern::v1::NodeAdmin> nodes_;
  exec::PeriodicTask task_;
};

}  // namespace tern::control
