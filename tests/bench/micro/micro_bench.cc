// Microbenchmarks of the per-request hot paths: the router's JSON item codec,
// DynamoDB numbers, storage keys, the item storage encoding, expression
// parsing and evaluation, and the replication log append on RocksDB.
//
// Not a test: nothing here asserts on time. Run the binary directly, e.g.
//   tern_micro_bench --benchmark_filter=Json --benchmark_repetitions=5
// BM_LogAppend writes a RocksDB under $TEST_TMPDIR (or /tmp) and, with
// sync=1, measures fsync latency of that disk.
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "benchmark/benchmark.h"
#include "boost/json/object.hpp"
#include "boost/json/parse.hpp"
#include "boost/json/serialize.hpp"
#include "boost/json/value.hpp"
#include "common/base/check.h"
#include "common/expr/ast.h"
#include "common/expr/evaluator.h"
#include "common/expr/parser.h"
#include "common/model/attribute_value.h"
#include "common/model/key_codec.h"
#include "common/model/number.h"
#include "common/replication/raft.h"
#include "common/testing/testing.h"
#include "storage-node/engine/rocksdb/rocksdb_engine.h"
#include "storage-node/engine/storage_engine.h"
#include "storage-node/replica/group_storage.h"

namespace tern::bench {
namespace {

// A PutItem request body as an SDK sends it: an order of about 1 KB with
// every scalar type (S, N, B, BOOL), a small M and an L of small Ms.
const std::string& PutItemBody() {
  static const std::string* const kBody = new std::string(
      R"json({"TableName":"Orders","ReturnConsumedCapacity":"TOTAL","Item":{)json"
      R"json("customer_id":{"S":"c#0001234567"},)json"
      R"json("order_id":{"S":"o#2024-05-17T10:22:31.123Z#8f3a9c"},)json"
      R"json("order_status":{"S":"SHIPPED"},)json"
      R"json("total":{"N":"1234.56"},)json"
      R"json("quantity":{"N":"3"},)json"
      R"json("created_at":{"N":"1715941351"},)json"
      R"json("gift_wrap":{"BOOL":false},)json"
      R"json("signature":{"B":"CzBVep/E6Q4zWH2ix+wRNluApcrvFDleg6jN8hc8YYar0PUaP2SJrtP4HUJnjLHW)json"
      R"json(+yBFao+02f4jSG2St9wBJktwlbrfBClOc5i94gcsUXabwOUKL1R5nsPoDTJXfKHG6xA1Wn+kye4TOF2Cp8zx)json"
      R"json(FjtgharP9Bk+Y4it0vccQWaLsNX6H0RpjrPY/SJHbJG22wAlSm+Uud4DKE1yl7zhBitQdZq/5AkuU3idwucM)json"
      R"json(MVZ7oMXqDzRZfqPI7RI3XIGm"},)json"
      R"json("shipping":{"M":{"street":{"S":"221B Baker Street"},"city":{"S":"London"},)json"
      R"json("postcode":{"S":"NW1 6XE"},"country":{"S":"GB"},"express":{"BOOL":true}}},)json"
      R"json("lines":{"L":[)json"
      R"json({"M":{"sku":{"S":"SKU-000184"},"qty":{"N":"2"},"price":{"N":"499.99"}}},)json"
      R"json({"M":{"sku":{"S":"SKU-007731"},"qty":{"N":"1"},"price":{"N":"234.58"}}}]},)json"
      R"json("note":{"S":"Please leave the parcel with the concierge if nobody answers the )json"
      R"json(door; ring twice. Fragile: contains glassware, keep this side up at all times."})json"
      R"json(}})json");
  return *kBody;
}

// What api.cc and item_common.cc do with a request: parse the body with the
// router's parse options (max_depth raised for 32-level documents), then read
// the Item member into the internal model (items::ParseMember is exactly
// model::ParseItem(request.at(member))).
absl::StatusOr<model::Item> ParseRequestItem(const std::string& body_text) {
  boost::system::error_code ec;
  boost::json::parse_options options;
  options.max_depth = 256;
  boost::json::value body = boost::json::parse(body_text, ec, {}, options);
  if (ec || !body.is_object()) return absl::InvalidArgumentError("request body is not an object");
  const boost::json::object& request = body.as_object();
  auto item = request.find("Item");
  if (item == request.end()) return absl::InvalidArgumentError("request has no Item");
  return model::ParseItem(item->value());
}

// A number from a literal of this file; a failure is a bug here, not a
// benchmark result.
model::Number Num(absl::string_view text) {
  absl::StatusOr<model::Number> number = model::Number::Parse(text);
  TERN_CHECK(number.ok()) << text << ": " << number.status();
  return *std::move(number);
}

model::AttributeValue N(absl::string_view text) { return model::AttributeValue::N(Num(text)); }
model::AttributeValue S(std::string text) { return model::AttributeValue::S(std::move(text)); }

void Skip(benchmark::State& state, const absl::Status& status) {
  state.SkipWithError(status.ToString().c_str());
}

// --- Router JSON ------------------------------------------------------------

// Router, PutItem: request body text to model::Item (boost::json::parse + ParseItem).
void BM_JsonParseItem(benchmark::State& state) {
  const std::string& body = PutItemBody();
  for (auto _ : state) {
    absl::StatusOr<model::Item> item = ParseRequestItem(body);
    if (!item.ok()) {
      Skip(state, item.status());
      break;
    }
    benchmark::DoNotOptimize(item);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
}
BENCHMARK(BM_JsonParseItem);

// Router, PutItem: the model conversion alone (ParseItem on an already parsed JSON value).
void BM_JsonToItem(benchmark::State& state) {
  boost::system::error_code ec;
  boost::json::value body = boost::json::parse(PutItemBody(), ec);
  if (ec || !body.is_object() || !body.as_object().contains("Item")) {
    state.SkipWithError("fixture body does not parse");
    return;
  }
  const boost::json::value& json = body.as_object().at("Item");
  for (auto _ : state) {
    absl::StatusOr<model::Item> item = model::ParseItem(json);
    if (!item.ok()) {
      Skip(state, item.status());
      break;
    }
    benchmark::DoNotOptimize(item);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_JsonToItem);

// Router, GetItem: model::Item to the {"Item": ...} response body text (ToJson + serialize).
void BM_JsonSerializeItem(benchmark::State& state) {
  absl::StatusOr<model::Item> item = ParseRequestItem(PutItemBody());
  if (!item.ok()) return Skip(state, item.status());
  int64_t bytes = 0;
  for (auto _ : state) {
    boost::json::object response;
    response["Item"] = model::ToJson(*item);
    std::string text = boost::json::serialize(response);
    bytes += static_cast<int64_t>(text.size());
    benchmark::DoNotOptimize(text);
  }
  state.SetBytesProcessed(bytes);
}
BENCHMARK(BM_JsonSerializeItem);

// --- Numbers ----------------------------------------------------------------

// An integer, a long negative decimal, the largest exponent and a small fraction.
constexpr const char* kNumbers[] = {"12345", "-3.14159265358979", "1E+125", "0.000001234"};

// Every N in a request (items, expression values, keys) goes through Number::Parse.
void BM_NumberParse(benchmark::State& state) {
  const absl::string_view text = kNumbers[state.range(0)];
  state.SetLabel(std::string(text));
  for (auto _ : state) {
    absl::StatusOr<model::Number> number = model::Number::Parse(text);
    if (!number.ok()) {
      Skip(state, number.status());
      break;
    }
    benchmark::DoNotOptimize(number);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_NumberParse)->DenseRange(0, 3);

// Every N in a response is written in canonical form (Number::ToString).
void BM_NumberToString(benchmark::State& state) {
  const absl::string_view text = kNumbers[state.range(0)];
  state.SetLabel(std::string(text));
  const model::Number number = Num(text);
  for (auto _ : state) {
    std::string canonical = number.ToString();
    benchmark::DoNotOptimize(canonical);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_NumberToString)->DenseRange(0, 3);

// --- Storage keys -----------------------------------------------------------

struct KeyCase {
  const char* label;
  model::AttributeValue partition_key;
  std::optional<model::AttributeValue> sort_key;
};

std::vector<KeyCase> KeyCases() {
  std::vector<KeyCase> cases;
  cases.push_back({"S pk + S sk", S("c#0001234567"), S("o#2024-05-17T10:22:31.123Z#8f3a9c")});
  cases.push_back({"N pk + N sk", N("1715941351"), N("-3.14159265358979")});
  cases.push_back(
      {"B pk", model::AttributeValue::B(std::string("\x8f\x3a\x9c\x01\xff\x00\x42\x17", 8)), {}});
  return cases;
}

// Every item read and write: the storage key of its primary key (EncodeStorageKey).
void BM_EncodeStorageKey(benchmark::State& state) {
  const std::vector<KeyCase> cases = KeyCases();
  const KeyCase& key = cases[static_cast<size_t>(state.range(0))];
  state.SetLabel(key.label);
  const model::AttributeValue* sort_key = key.sort_key.has_value() ? &*key.sort_key : nullptr;
  for (auto _ : state) {
    std::string encoded = model::EncodeStorageKey(/*table_id=*/42, key.partition_key, sort_key);
    benchmark::DoNotOptimize(encoded);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EncodeStorageKey)->DenseRange(0, 2);

// --- Item storage encoding --------------------------------------------------

// Storage node write path: model::Item to the bytes stored in the data column family.
void BM_EncodeItem(benchmark::State& state) {
  absl::StatusOr<model::Item> item = ParseRequestItem(PutItemBody());
  if (!item.ok()) return Skip(state, item.status());
  int64_t bytes = 0;
  for (auto _ : state) {
    std::string encoded = model::EncodeItem(*item);
    bytes += static_cast<int64_t>(encoded.size());
    benchmark::DoNotOptimize(encoded);
  }
  state.SetBytesProcessed(bytes);
}
BENCHMARK(BM_EncodeItem);

// Storage node read path (GetItem, Query, conditions): stored bytes back to model::Item.
void BM_DecodeItem(benchmark::State& state) {
  absl::StatusOr<model::Item> item = ParseRequestItem(PutItemBody());
  if (!item.ok()) return Skip(state, item.status());
  const std::string encoded = model::EncodeItem(*item);
  for (auto _ : state) {
    absl::StatusOr<model::Item> decoded = model::DecodeItem(encoded);
    if (!decoded.ok()) {
      Skip(state, decoded.status());
      break;
    }
    benchmark::DoNotOptimize(decoded);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * encoded.size()));
}
BENCHMARK(BM_DecodeItem);

// --- Expressions ------------------------------------------------------------

constexpr char kCondition[] = "attribute_exists(a) AND b > :v AND begins_with(c, :p)";
constexpr char kUpdate[] = "SET a = a + :one, b = list_append(b, :l) REMOVE c";

model::Item ConditionValues() {
  model::Item values;
  values[":v"] = N("7");
  values[":p"] = S("user#");
  return values;
}

model::Item UpdateValues() {
  model::Item values;
  values[":one"] = N("1");
  values[":l"] = model::AttributeValue::L({S("SKU-009912")});
  return values;
}

// The 1 KB order plus the attributes the condition reads; every clause holds,
// so AND evaluates all three.
absl::StatusOr<model::Item> ConditionItem() {
  absl::StatusOr<model::Item> item = ParseRequestItem(PutItemBody());
  if (!item.ok()) return item;
  (*item)["a"] = N("10");
  (*item)["b"] = N("42");
  (*item)["c"] = S("user#0001234567");
  return item;
}

// The 1 KB order plus the attributes the update writes.
absl::StatusOr<model::Item> UpdateItem() {
  absl::StatusOr<model::Item> item = ParseRequestItem(PutItemBody());
  if (!item.ok()) return item;
  (*item)["a"] = N("10");
  (*item)["b"] = model::AttributeValue::L({S("SKU-000184"), S("SKU-007731")});
  (*item)["c"] = S("stale");
  return item;
}

// Router, conditional writes: ConditionExpression text to a validated tree (ParseCondition).
void BM_ParseCondition(benchmark::State& state) {
  const model::Item values = ConditionValues();
  const expr::Substitutions substitutions{/*names=*/nullptr, &values};
  for (auto _ : state) {
    expr::SubstitutionUse use;
    absl::StatusOr<expr::Condition> condition =
        expr::ParseCondition(kCondition, expr::ExpressionKind::kCondition, substitutions, &use);
    if (!condition.ok()) {
      Skip(state, condition.status());
      break;
    }
    benchmark::DoNotOptimize(condition);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseCondition);

// Router and storage node, UpdateItem: UpdateExpression text to a validated tree (ParseUpdate).
void BM_ParseUpdate(benchmark::State& state) {
  const model::Item values = UpdateValues();
  const expr::Substitutions substitutions{/*names=*/nullptr, &values};
  for (auto _ : state) {
    expr::SubstitutionUse use;
    absl::StatusOr<expr::UpdateExpression> update = expr::ParseUpdate(kUpdate, substitutions, &use);
    if (!update.ok()) {
      Skip(state, update.status());
      break;
    }
    benchmark::DoNotOptimize(update);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseUpdate);

// Storage node, conditional write: a parsed ConditionExpression against the stored item.
void BM_EvaluateCondition(benchmark::State& state) {
  const model::Item values = ConditionValues();
  absl::StatusOr<expr::Condition> condition = expr::ParseCondition(
      kCondition, expr::ExpressionKind::kCondition, expr::Substitutions{nullptr, &values}, nullptr);
  if (!condition.ok()) return Skip(state, condition.status());
  absl::StatusOr<model::Item> item = ConditionItem();
  if (!item.ok()) return Skip(state, item.status());
  absl::StatusOr<bool> first = expr::EvaluateCondition(*condition, *item);
  if (!first.ok()) return Skip(state, first.status());
  if (!*first) {
    state.SkipWithError("fixture condition is false; it would not exercise every clause");
    return;
  }
  for (auto _ : state) {
    absl::StatusOr<bool> holds = expr::EvaluateCondition(*condition, *item);
    benchmark::DoNotOptimize(holds);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EvaluateCondition);

// Storage node, UpdateItem: a parsed UpdateExpression applied to a copy of the stored
// item (the copy is part of the real path too; BM_ItemCopy measures it alone).
void BM_ApplyUpdate(benchmark::State& state) {
  const model::Item values = UpdateValues();
  absl::StatusOr<expr::UpdateExpression> update =
      expr::ParseUpdate(kUpdate, expr::Substitutions{nullptr, &values}, nullptr);
  if (!update.ok()) return Skip(state, update.status());
  absl::StatusOr<model::Item> stored = UpdateItem();
  if (!stored.ok()) return Skip(state, stored.status());
  for (auto _ : state) {
    model::Item item = *stored;
    absl::Status applied = expr::ApplyUpdate(*update, &item);
    if (!applied.ok()) {
      Skip(state, applied);
      break;
    }
    benchmark::DoNotOptimize(item);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ApplyUpdate);

// Baseline for BM_ApplyUpdate: copying the 1 KB item alone.
void BM_ItemCopy(benchmark::State& state) {
  absl::StatusOr<model::Item> stored = UpdateItem();
  if (!stored.ok()) return Skip(state, stored.status());
  for (auto _ : state) {
    model::Item item = *stored;
    benchmark::DoNotOptimize(item);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ItemCopy);

// --- Replication log --------------------------------------------------------

constexpr size_t kEntryBytes = 1024;
// Entries appended between compactions, so that long runs keep the log short.
constexpr replication::Index kCompactEvery = 4096;

// Storage node, persist step of a Ready (replica_group.cc): entries and hard
// state into one WriteBatch (GroupStorage::Persist), written to RocksDB.
// Args: entries per Ready, and whether the write is synced as the replica does.
void BM_LogAppend(benchmark::State& state) {
  const size_t batch_entries = static_cast<size_t>(state.range(0));
  const bool sync = state.range(1) != 0;

  // Entry payload: encoded items, as a write command mostly is, cut to 1 KB.
  absl::StatusOr<model::Item> item = ParseRequestItem(PutItemBody());
  if (!item.ok()) return Skip(state, item.status());
  const std::string encoded = model::EncodeItem(*item);
  std::string payload;
  while (payload.size() < kEntryBytes) payload += encoded;
  payload.resize(kEntryBytes);

  // Declared before the engine so that the folder outlives the database.
  tern::testing::TempDir dir;
  absl::StatusOr<std::unique_ptr<engine::StorageEngine>> engine =
      engine::OpenRocksEngine(dir.path());
  if (!engine.ok()) return Skip(state, engine.status());
  replica::GroupStorage storage(engine->get(), /*group_id=*/7);
  const replication::Membership members{{1, 2, 3}, {}};
  absl::StatusOr<replication::PersistedState> loaded = storage.Load(members);
  if (!loaded.ok()) return Skip(state, loaded.status());

  const replication::Term term = 1;
  replication::Ready ready;
  ready.entries.resize(batch_entries);
  for (replication::Entry& entry : ready.entries) {
    entry.term = term;
    entry.type = replication::EntryType::kNormal;
    entry.data = payload;
  }
  replication::Index next = 1;
  replication::Index compacted = 0;
  engine::WriteBatch batch;
  for (auto _ : state) {
    for (replication::Entry& entry : ready.entries) entry.index = next++;
    // A leader's commit trails its last entry; the hard state changes with it.
    ready.hard_state = replication::HardState{term, /*vote=*/1, ready.entries.front().index - 1};
    batch.Clear();
    storage.Persist(ready, &batch);
    absl::Status written = (*engine)->Write(batch, sync);
    if (!written.ok()) {
      Skip(state, written);
      break;
    }
    if (next - 1 - compacted >= kCompactEvery) {
      state.PauseTiming();
      compacted = next - 1;
      engine::WriteBatch compaction;
      storage.Compact(replication::SnapshotMeta{compacted, term, members}, &compaction);
      absl::Status compact = (*engine)->Write(compaction, /*sync=*/false);
      state.ResumeTiming();
      if (!compact.ok()) {
        Skip(state, compact);
        break;
      }
    }
  }
  const int64_t entries = static_cast<int64_t>(state.iterations() * batch_entries);
  state.SetItemsProcessed(entries);
  state.SetBytesProcessed(entries * static_cast<int64_t>(kEntryBytes));
}
BENCHMARK(BM_LogAppend)
    ->ArgNames({"entries", "sync"})
    ->ArgsProduct({{1, 16}, {0, 1}})
    ->UseRealTime();

}  // namespace
}  // namespace tern::bench

BENCHMARK_MAIN();
