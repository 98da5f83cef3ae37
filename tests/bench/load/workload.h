// The YCSB core workloads over the DynamoDB API, and the request bodies.
//
//   A  50% read, 50% update               zipfian
//   B  95% read,  5% update               zipfian
//   C 100% read                           zipfian
//   D  95% read,  5% insert               latest
//   E  95% scan,  5% insert               zipfian (scans of 1-100 items)
//   F  50% read, 50% read-modify-write    zipfian
//   get 100% GetItem, put 100% PutItem of whole records (uniform): the
//   single-operation targets of docs/benchmarks.md.
//
// read = GetItem, update = UpdateItem of one field, insert = PutItem of a
// new record, scan = Scan with Limit from a random ExclusiveStartKey,
// read-modify-write = GetItem then UpdateItem. Records have `fields`
// string attributes field0.. of value_size / fields bytes each, under the
// hash key "id".
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "tests/bench/load/keys.h"

namespace tern::bench {

enum class Op { kRead, kUpdate, kInsert, kScan, kReadModifyWrite, kPut };
constexpr int kOpCount = 6;
const char* OpName(Op op);

struct Mix {
  std::string name;
  double read = 0, update = 0, insert = 0, scan = 0, read_modify_write = 0, put = 0;
  std::string distribution;  // default key distribution
};

// "a".."f" (either case), "get" or "put".
absl::StatusOr<Mix> WorkloadMix(absl::string_view name);

// Picks the next operation of `mix`.
Op PickOp(const Mix& mix, Rng& rng);

struct RecordShape {
  int fields = 10;
  int value_size = 1000;  // bytes of all fields together
};

// DynamoDB JSON request bodies.
std::string GetItemBody(absl::string_view table, absl::string_view key, bool consistent);
std::string PutItemBody(absl::string_view table,
                        absl::string_view key,
                        const RecordShape& shape,
                        Rng& rng);
std::string UpdateItemBody(absl::string_view table,
                           absl::string_view key,
                           const RecordShape& shape,
                           Rng& rng);
std::string ScanBody(absl::string_view table, absl::string_view start_key, int limit);
std::string CreateTableBody(absl::string_view table);

}  // namespace tern::bench
