// Test fixtures shared by the catalog's and the catalog group's tests.
#pragma once

#include <string>
#include <vector>

#include "tern/v1/control.pb.h"

namespace tern::control::catalog_testing {

// An on-demand table named name.
inline tern::v1::TableDescriptor Table(const std::string& name) {
  tern::v1::TableDescriptor table;
  table.set_name(name);
  table.set_billing_mode("PAY_PER_REQUEST");
  return table;
}

// Three nodes, ids 1-3, in az-a, az-b and az-c.
inline std::vector<tern::v1::NodeInfo> Nodes() {
  std::vector<tern::v1::NodeInfo> nodes(3);
  for (int i = 0; i < 3; ++i) {
    nodes[i].set_node_id(i + 1);
    nodes[i].set_az(std::string("az-") + static_cast<char>('a' + i));
    nodes[i].set_address("127.0.0.1:710" + std::to_string(i));
  }
  return nodes;
}

}  // namespace tern::control::catalog_testing
