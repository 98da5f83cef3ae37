#include "common/model/key_codec.h"

#include <xxhash.h>

namespace tern::model {
namespace {

void AppendBigEndian64(uint64_t value, std::string* out) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out->push_back(static_cast<char>((value >> shift) & 0xFF));
  }
}

char TypeTag(const AttributeValue& value) {
  switch (value.type()) {
    case AttributeType::kS:
      return 'S';
    case AttributeType::kN:
      return 'N';
    default:
      return 'B';
  }
}

std::string ScalarBytes(const AttributeValue& value) {
  switch (value.type()) {
    case AttributeType::kS:
      return value.s();
    case AttributeType::kN:
      return value.n().EncodeOrdered();
    default:
      return value.b();
  }
}

std::string PartitionKeyBytes(const AttributeValue& partition_key) {
  std::string bytes = ScalarBytes(partition_key);
  std::string out;
  out.reserve(5 + bytes.size());
  out.push_back(TypeTag(partition_key));
  uint32_t length = static_cast<uint32_t>(bytes.size());
  for (int shift = 24; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((length >> shift) & 0xFF));
  }
  out.append(bytes);
  return out;
}

}  // namespace

std::string TablePrefix(uint64_t table_id) {
  std::string out;
  AppendBigEndian64(table_id, &out);
  return out;
}

std::string TableEnd(uint64_t table_id) { return TablePrefix(table_id + 1); }

uint64_t PartitionKeyHash(const AttributeValue& partition_key) {
  std::string bytes = PartitionKeyBytes(partition_key);
  return XXH64(bytes.data(), bytes.size(), 0);
}

std::string EncodeStorageKey(uint64_t table_id,
                             const AttributeValue& partition_key,
                             const AttributeValue* sort_key) {
  std::string pk = PartitionKeyBytes(partition_key);
  std::string out = TablePrefix(table_id);
  AppendBigEndian64(XXH64(pk.data(), pk.size(), 0), &out);
  out.append(pk);
  if (sort_key != nullptr) {
    out.push_back(TypeTag(*sort_key));
    out.append(ScalarBytes(*sort_key));
  }
  return out;
}

}  // namespace tern::model
