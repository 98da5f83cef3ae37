// The network of a local cluster started with `ternctl up --netns`: each AZ
// in a network namespace of its own, joined to the others by a bridge in the
// host's namespace, so that fault-injection experiments can cut or degrade
// the links between AZs with nftables inside a namespace. The router and
// ternctl stay in the host's namespace and reach every AZ over the bridge.
//
// Names and addresses derive from the cluster's base port, so clusters with
// different base ports do not collide: namespace tern<base>-a (az-a), bridge
// ternbr<base>, subnet 10.<base/256>.<base%256>.0/24 with az-a at .1, az-b
// at .2, az-c at .3 and the bridge at .254. Needs root (CAP_NET_ADMIN).
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace tern::ternctl {

struct AzNetwork {
  std::string netns;    // the namespace's name, e.g. tern7000-a
  std::string address;  // the AZ's IPv4 address, e.g. 10.27.88.1
};

// The network of az (az-a, az-b or az-c); kInvalidArgument for other AZs.
absl::StatusOr<AzNetwork> AzNetworkFor(uint16_t base_port, const std::string& az);

// Creates the bridge and the three namespaces with their links, unless they
// exist already. kInternal naming the `ip` command that failed.
absl::Status SetUpAzNetworks(uint16_t base_port);

// Deletes the namespaces and the bridge (what exists of them).
void TearDownAzNetworks(uint16_t base_port);

// A file descriptor (O_CLOEXEC) of namespace netns for setns(), or -1
// (errno set). Opened before fork, so that the child between fork and exec
// only calls setns().
int OpenNetns(const std::string& netns);

}  // namespace tern::ternctl
