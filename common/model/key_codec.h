// Storage keys (docs/formats/key-encoding.md): every item of every table on a
// node lives in one key space, ordered so that a partition is a contiguous
// range and the items of one partition key are contiguous and sorted by sort
// key:
//
//   table_id (8 bytes, big-endian)
//   | xxh64(pk bytes, seed 0) (8 bytes, big-endian)
//   | pk bytes: type tag ('S', 'N' or 'B') + 4-byte big-endian length + value
//   | sk bytes: type tag + order-preserving value (S and B raw; N ordered)
//
// S and B values are their raw bytes; N values are Number::EncodeOrdered().
// The hash is fixed forever: changing it would move every item.
// Thread-compatible (pure functions).
#pragma once

#include <cstdint>
#include <string>

#include "common/model/attribute_value.h"

namespace tern::model {

// The first bytes of every key of the table.
std::string TablePrefix(uint64_t table_id);

// The smallest key greater than every key of the table.
std::string TableEnd(uint64_t table_id);

// The 64-bit hash of the partition key that places it in the key space.
uint64_t PartitionKeyHash(const AttributeValue& partition_key);

// REQUIRES: partition_key (and sort_key, if given) are S, N or B.
std::string EncodeStorageKey(uint64_t table_id,
                             const AttributeValue& partition_key,
                             const AttributeValue* sort_key);

}  // namespace tern::model
