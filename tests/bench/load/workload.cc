#include "tests/bench/load/workload.h"

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace tern::bench {
namespace {

// Printable ASCII with no JSON escapes.
std::string RandomValue(size_t length, Rng& rng) {
  static constexpr char kAlphabet[] =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_";
  std::string value(length, ' ');
  uint64_t bits = 0;
  for (size_t i = 0; i < length; ++i) {
    if (i % 10 == 0) bits = rng();
    value[i] = kAlphabet[bits & 63];
    bits >>= 6;
  }
  return value;
}

size_t FieldSize(const RecordShape& shape) {
  return static_cast<size_t>(std::max(1, shape.value_size / std::max(1, shape.fields)));
}

}  // namespace

const char* OpName(Op op) {
  switch (op) {
    case Op::kRead:
      return "read";
    case Op::kUpdate:
      return "update";
    case Op::kInsert:
      return "insert";
    case Op::kScan:
      return "scan";
    case Op::kReadModifyWrite:
      return "read_modify_write";
    case Op::kPut:
      return "put";
  }
  return "?";
}

absl::StatusOr<Mix> WorkloadMix(absl::string_view name) {
  const std::string lower = absl::AsciiStrToLower(name);
  Mix mix;
  mix.name = lower;
  mix.distribution = "zipfian";
  if (lower == "a") {
    mix.read = 0.5, mix.update = 0.5;
  } else if (lower == "b") {
    mix.read = 0.95, mix.update = 0.05;
  } else if (lower == "c") {
    mix.read = 1;
  } else if (lower == "d") {
    mix.read = 0.95, mix.insert = 0.05, mix.distribution = "latest";
  } else if (lower == "e") {
    mix.scan = 0.95, mix.insert = 0.05;
  } else if (lower == "f") {
    mix.read = 0.5, mix.read_modify_write = 0.5;
  } else if (lower == "get") {
    mix.read = 1, mix.distribution = "uniform";
  } else if (lower == "put") {
    mix.put = 1, mix.distribution = "uniform";
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown workload '", name, "' (a-f, get, put)"));
  }
  return mix;
}

Op PickOp(const Mix& mix, Rng& rng) {
  double u = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
  if ((u -= mix.read) < 0) return Op::kRead;
  if ((u -= mix.update) < 0) return Op::kUpdate;
  if ((u -= mix.insert) < 0) return Op::kInsert;
  if ((u -= mix.scan) < 0) return Op::kScan;
  if ((u -= mix.read_modify_write) < 0) return Op::kReadModifyWrite;
  if (mix.put > 0) return Op::kPut;
  return Op::kRead;  // rounding at the top of the range
}

std::string GetItemBody(absl::string_view table, absl::string_view key, bool consistent) {
  return absl::StrCat(R"({"TableName":")",
                      table,
                      R"(","Key":{"id":{"S":")",
                      key,
                      R"("}},"ConsistentRead":)",
                      consistent ? "true" : "false",
                      "}");
}

std::string PutItemBody(absl::string_view table,
                        absl::string_view key,
                        const RecordShape& shape,
                        Rng& rng) {
  std::string body =
      absl::StrCat(R"({"TableName":")", table, R"(","Item":{"id":{"S":")", key, "\"}");
  for (int i = 0; i < shape.fields; ++i) {
    absl::StrAppend(
        &body, R"(,"field)", i, R"(":{"S":")", RandomValue(FieldSize(shape), rng), "\"}");
  }
  body += "}}";
  return body;
}

std::string UpdateItemBody(absl::string_view table,
                           absl::string_view key,
                           const RecordShape& shape,
                           Rng& rng) {
  const int field = std::uniform_int_distribution<int>(0, std::max(1, shape.fields) - 1)(rng);
  return absl::StrCat(
      R"({"TableName":")",
      table,
      R"(","Key":{"id":{"S":")",
      key,
      R"("}},"UpdateExpression":"SET #f = :v","ExpressionAttributeNames":{"#f":"field)",
      field,
      R"("},"ExpressionAttributeValues":{":v":{"S":")",
      RandomValue(FieldSize(shape), rng),
      R"("}}})");
}

std::string ScanBody(absl::string_view table, absl::string_view start_key, int limit) {
  return absl::StrCat(R"({"TableName":")",
                      table,
                      R"(","Limit":)",
                      limit,
                      R"(,"ExclusiveStartKey":{"id":{"S":")",
                      start_key,
                      R"("}}})");
}

std::string CreateTableBody(absl::string_view table) {
  return absl::StrCat(R"({"TableName":")",
                      table,
                      R"(","AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],)",
                      R"("KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],)",
                      R"("BillingMode":"PAY_PER_REQUEST"})");
}

}  // namespace tern::bench
