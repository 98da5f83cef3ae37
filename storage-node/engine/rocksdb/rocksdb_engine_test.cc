#include "storage-node/engine/rocksdb/rocksdb_engine.h"

#include <chrono>
#include <filesystem>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/testing/testing.h"
#include "gtest/gtest.h"
#include "rocksdb/status.h"
#include "storage-node/engine/rocksdb/status_convert.h"

namespace tern::engine {
namespace {

using ::testing::_;
using testing::IsOk;
using ::testing::Optional;
using testing::StatusIs;

TEST(RocksEngineTest, PutGetAcrossReopen) {
  tern::testing::TempDir dir;
  {
    absl::StatusOr<std::unique_ptr<StorageEngine>> engine = OpenRocksEngine(dir.path());
    ASSERT_THAT(engine, IsOk());
    ASSERT_THAT((*engine)->Put(ColumnFamily::kMeta, "node_id", "7", /*sync=*/true), IsOk());
    ASSERT_THAT((*engine)->Put(ColumnFamily::kData, "node_id", "data", /*sync=*/false), IsOk());
  }
  absl::StatusOr<std::unique_ptr<StorageEngine>> engine = OpenRocksEngine(dir.path());
  ASSERT_THAT(engine, IsOk());
  absl::StatusOr<std::optional<std::string>> meta = (*engine)->Get(ColumnFamily::kMeta, "node_id");
  ASSERT_THAT(meta, IsOk());
  EXPECT_THAT(*meta, Optional(std::string("7")));
  // Column families are separate key spaces.
  EXPECT_THAT(*(*engine)->Get(ColumnFamily::kData, "node_id"), Optional(std::string("data")));
  EXPECT_EQ(*(*engine)->Get(ColumnFamily::kIndex, "node_id"), std::nullopt);
  EXPECT_GT((*engine)->ApproximateSizeBytes(), 0u);
}

// Synced writes from many threads at once share WAL syncs (one at a time,
// each covering every write done before it started): every one of them
// returns, none waits forever, and all of them, with the unsynced ones
// between, are there after a reopen. (Whether a returned write would
// survive a machine crash needs a crash this test cannot make: the close
// flushes everything.)
TEST(RocksEngineTest, ConcurrentSyncedWritesAllLand) {
  tern::testing::TempDir dir;
  constexpr int kThreads = 8;
  constexpr int kWrites = 40;
  {
    absl::StatusOr<std::unique_ptr<StorageEngine>> engine = OpenRocksEngine(dir.path());
    ASSERT_THAT(engine, IsOk());
    StorageEngine* db = engine->get();
    std::vector<std::thread> writers;
    std::vector<absl::Status> failures(kThreads);
    for (int t = 0; t < kThreads; ++t) {
      writers.emplace_back([db, t, &failures] {
        for (int i = 0; i < kWrites && failures[t].ok(); ++i) {
          const std::string key = absl::StrCat(t, "/", i);
          WriteBatch batch;
          batch.Put(ColumnFamily::kRaftLog, key, "log");
          if (i % 2 == 0) {
            failures[t] = db->Write(batch, /*sync=*/true);
          } else {
            failures[t] = db->Write(batch, /*sync=*/false);
            if (failures[t].ok()) failures[t] = db->Put(ColumnFamily::kData, key, "item", true);
          }
        }
      });
    }
    for (std::thread& writer : writers) writer.join();
    for (const absl::Status& failure : failures) EXPECT_THAT(failure, IsOk());
  }
  absl::StatusOr<std::unique_ptr<StorageEngine>> engine = OpenRocksEngine(dir.path());
  ASSERT_THAT(engine, IsOk());
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kWrites; ++i) {
      const std::string key = absl::StrCat(t, "/", i);
      EXPECT_THAT(*(*engine)->Get(ColumnFamily::kRaftLog, key), Optional(std::string("log")));
      if (i % 2 == 1) {
        EXPECT_THAT(*(*engine)->Get(ColumnFamily::kData, key), Optional(std::string("item")));
      }
    }
  }
}

// The bytes of the write-ahead log files in path; a file removed while
// they are counted counts nothing.
uint64_t WriteAheadLogBytes(const std::string& path) {
  uint64_t total = 0;
  std::error_code error;
  for (std::filesystem::directory_iterator it(path, error), end; !error && it != end;
       it.increment(error)) {
    if (it->path().extension() != ".log") continue;
    std::error_code gone;
    const uintmax_t size = it->file_size(gone);
    if (!gone) total += size;
  }
  return total;
}

// A write-ahead log file goes only once every family with writes in it has
// flushed them. One write to a family that is written no more (as
// raft_state and meta are, little) kept every log file after it: the bound
// flushes that family once the files add up to more than max_wal_bytes.
TEST(RocksEngineTest, TheWriteAheadLogIsBoundedWhenAFamilyIsLittleWritten) {
  tern::testing::TempDir dir;
  RocksEngineOptions options;
  options.write_buffer_bytes = 1 << 20;
  options.max_wal_bytes = 4 << 20;
  absl::StatusOr<std::unique_ptr<StorageEngine>> engine = OpenRocksEngine(dir.path(), options);
  ASSERT_THAT(engine, IsOk());
  StorageEngine* db = engine->get();
  ASSERT_THAT(db->Put(ColumnFamily::kRaftState, "hard_state", "term 1", /*sync=*/true), IsOk());
  const std::string value(64 << 10, 'v');
  constexpr int kWrites = 640;  // 40 MB, ten times the bound
  for (int i = 0; i < kWrites; ++i) {
    ASSERT_THAT(db->Put(ColumnFamily::kData, absl::StrCat("item/", i), value, /*sync=*/false),
                IsOk());
  }
  // Flushes and the removal of the log files they free run in the
  // background: wait for them (without a bound every file stays, and this
  // fails after the wait).
  uint64_t bytes = WriteAheadLogBytes(dir.path());
  for (int waited_ms = 0; bytes > (12u << 20) && waited_ms < 30'000; waited_ms += 50) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    bytes = WriteAheadLogBytes(dir.path());
  }
  EXPECT_LE(bytes, 12u << 20);
  // Nothing was lost on the way.
  engine->reset();
  engine = OpenRocksEngine(dir.path(), options);
  ASSERT_THAT(engine, IsOk());
  EXPECT_THAT(*(*engine)->Get(ColumnFamily::kRaftState, "hard_state"),
              Optional(std::string("term 1")));
  EXPECT_THAT(*(*engine)->Get(ColumnFamily::kData, absl::StrCat("item/", kWrites - 1)),
              Optional(value));
  EXPECT_THAT(*(*engine)->Get(ColumnFamily::kData, "item/0"), Optional(value));
}

TEST(RocksEngineTest, ScanDeleteAndDeleteRange) {
  tern::testing::TempDir dir;
  absl::StatusOr<std::unique_ptr<StorageEngine>> engine = OpenRocksEngine(dir.path());
  ASSERT_THAT(engine, IsOk());
  StorageEngine& db = **engine;
  for (const char* key : {"a/1", "a/2", "a/3", "b/1"}) {
    ASSERT_THAT(db.Put(ColumnFamily::kData, key, std::string("v") + key, false), IsOk());
  }
  auto rows = db.Scan(ColumnFamily::kData, "a/");
  ASSERT_THAT(rows, IsOk());
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[0], (std::pair<std::string, std::string>("a/1", "va/1")));
  int seen = 0;
  ASSERT_THAT(db.ForEach(ColumnFamily::kData,
                         "",
                         [&seen](absl::string_view, absl::string_view) { return ++seen < 2; }),
              IsOk());
  EXPECT_EQ(seen, 2);
  ASSERT_THAT(db.Delete(ColumnFamily::kData, "a/2", true), IsOk());
  ASSERT_THAT(db.Delete(ColumnFamily::kData, "missing", true), IsOk());
  EXPECT_EQ(db.Scan(ColumnFamily::kData, "a/")->size(), 2u);
  ASSERT_THAT(db.DeleteRange(ColumnFamily::kData, "a/", "a0", true), IsOk());
  EXPECT_TRUE(db.Scan(ColumnFamily::kData, "a/")->empty());
  EXPECT_EQ(db.Scan(ColumnFamily::kData, "b/")->size(), 1u);
}

TEST(RocksEngineTest, ForEachInRangeBothWays) {
  tern::testing::TempDir dir;
  absl::StatusOr<std::unique_ptr<StorageEngine>> opened = OpenRocksEngine(dir.path());
  ASSERT_THAT(opened, IsOk());
  StorageEngine& db = **opened;
  for (const char* key : {"a", "b", "c", "d", "e"}) {
    ASSERT_THAT(db.Put(ColumnFamily::kData, key, key, false), IsOk());
  }
  auto collect = [&db](absl::string_view begin, absl::string_view end, bool reverse, int max) {
    std::string seen;
    EXPECT_THAT(db.ForEachInRange(ColumnFamily::kData,
                                  begin,
                                  end,
                                  reverse,
                                  [&](absl::string_view key, absl::string_view) {
                                    seen.append(key.data(), key.size());
                                    return static_cast<int>(seen.size()) < max;
                                  }),
                IsOk());
    return seen;
  };
  EXPECT_EQ(collect("b", "d", false, 10), "bc");
  EXPECT_EQ(collect("b", "d", true, 10), "cb");
  EXPECT_EQ(collect("b", "", true, 10), "edcb");
  EXPECT_EQ(collect("a", "", false, 2), "ab");
  EXPECT_EQ(collect("c", "c", false, 10), "");
}

TEST(RocksEngineTest, WriteBatchAcrossFamilies) {
  tern::testing::TempDir dir;
  absl::StatusOr<std::unique_ptr<StorageEngine>> opened = OpenRocksEngine(dir.path());
  ASSERT_THAT(opened, IsOk());
  StorageEngine& db = **opened;
  ASSERT_THAT(db.Put(ColumnFamily::kData, "gone", "x", false), IsOk());
  ASSERT_THAT(db.Put(ColumnFamily::kRaftLog, "r1", "x", false), IsOk());
  ASSERT_THAT(db.Put(ColumnFamily::kRaftLog, "r2", "x", false), IsOk());
  WriteBatch batch;
  batch.Put(ColumnFamily::kData, "item", "v");
  batch.Delete(ColumnFamily::kData, "gone");
  batch.Put(ColumnFamily::kRaftState, "applied", "7");
  batch.DeleteRange(ColumnFamily::kRaftLog, "r1", "r3");
  ASSERT_THAT(db.Write(batch, /*sync=*/true), IsOk());
  EXPECT_EQ(**db.Get(ColumnFamily::kData, "item"), "v");
  EXPECT_FALSE(db.Get(ColumnFamily::kData, "gone")->has_value());
  EXPECT_EQ(**db.Get(ColumnFamily::kRaftState, "applied"), "7");
  EXPECT_TRUE(db.Scan(ColumnFamily::kRaftLog, "r")->empty());
}

TEST(WriteBatchTest, FindSeesTheBatchsLastChangeToAKey) {
  WriteBatch batch;
  std::optional<std::string> value;
  EXPECT_FALSE(batch.Find(ColumnFamily::kData, "a", &value));
  batch.Put(ColumnFamily::kData, "a", "1");
  batch.Put(ColumnFamily::kMeta, "b", "meta");
  ASSERT_TRUE(batch.Find(ColumnFamily::kData, "a", &value));
  EXPECT_EQ(value, std::optional<std::string>("1"));
  EXPECT_FALSE(batch.Find(ColumnFamily::kData, "b", &value));  // another family
  batch.Put(ColumnFamily::kData, "a", "2");
  ASSERT_TRUE(batch.Find(ColumnFamily::kData, "a", &value));
  EXPECT_EQ(value, std::optional<std::string>("2"));
  batch.Delete(ColumnFamily::kData, "a");
  ASSERT_TRUE(batch.Find(ColumnFamily::kData, "a", &value));
  EXPECT_EQ(value, std::nullopt);
  batch.Put(ColumnFamily::kData, "c", "3");
  batch.DeleteRange(ColumnFamily::kData, "b", "d");
  ASSERT_TRUE(batch.Find(ColumnFamily::kData, "c", &value));
  EXPECT_EQ(value, std::nullopt);
  EXPECT_FALSE(batch.Find(ColumnFamily::kData, "d", &value));  // the range's end is outside
  const size_t size = batch.size();
  batch.Put(ColumnFamily::kData, "d", "4");
  batch.Truncate(size);
  EXPECT_FALSE(batch.Find(ColumnFamily::kData, "d", &value));
}

TEST(RocksEngineTest, SecondOpenOfSameFolderFails) {
  tern::testing::TempDir dir;
  absl::StatusOr<std::unique_ptr<StorageEngine>> first = OpenRocksEngine(dir.path());
  ASSERT_THAT(first, IsOk());
  EXPECT_THAT(OpenRocksEngine(dir.path()), StatusIs(absl::StatusCode::kUnavailable, _));
}

TEST(StatusConvertTest, MapsCodes) {
  EXPECT_THAT(FromRocksStatus(rocksdb::Status::OK()), IsOk());
  EXPECT_THAT(FromRocksStatus(rocksdb::Status::Corruption("bad block")),
              StatusIs(absl::StatusCode::kDataLoss, ::testing::HasSubstr("bad block")));
  EXPECT_THAT(FromRocksStatus(rocksdb::Status::Busy()),
              StatusIs(absl::StatusCode::kUnavailable, _));
  EXPECT_THAT(FromRocksStatus(rocksdb::Status::IOError("disk")),
              StatusIs(absl::StatusCode::kUnavailable, _));
  EXPECT_THAT(FromRocksStatus(rocksdb::Status::NoSpace()),
              StatusIs(absl::StatusCode::kResourceExhausted, _));
  EXPECT_THAT(FromRocksStatus(rocksdb::Status::InvalidArgument("x")),
              StatusIs(absl::StatusCode::kInvalidArgument, _));
}

}  // namespace
}  // namespace tern::engine
