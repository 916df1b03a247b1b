#include "runtime/state/key_value_store.h"

#include <gtest/gtest.h>

#include <map>

#include "runtime/kafka/in_memory_broker.h"
#include "runtime/state/changelog.h"
#include "runtime/state/task_state.h"
#include "tests/unit/state/state_test_util.h"

namespace brook::state {
namespace {

using testing::MakeConfig;
using testing::MakeEnv;
using testing::OpenTask;
using testing::TempDir;

constexpr char kStore[] = "Aggregate-Aggregate-Materialize";

std::optional<std::string> GetOrDie(KeyValueStore& kv, std::string_view key) {
  auto r = kv.Get(key);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : std::nullopt;
}

std::map<std::string, std::string> Contents(KeyValueStore& kv) {
  std::map<std::string, std::string> out;
  std::string last;
  bool first = true;
  Status st = kv.Range("", std::nullopt, [&](std::string_view k, std::string_view v) {
    EXPECT_TRUE(first || last < k) << "scan out of order";
    first = false;
    last = std::string(k);
    out.emplace(k, v);
    return true;
  });
  EXPECT_TRUE(st.ok()) << st.ToString();
  return out;
}

class KeyValueStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<TaskState> Open(StateOptions options = {}) {
    env_ = MakeEnv(dir_.path(), options);
    return OpenTask(env_, MakeConfig({{kStore, StoreKind::kKeyValue}}), &broker_, producer_.get());
  }
  KeyValueStore& Store(TaskState& task) { return **task.key_value_store(kStore); }
  // The store's records in its changelog, without the commit markers.
  std::vector<kafka::StoredRecord> Changelog() {
    std::vector<kafka::StoredRecord> out;
    for (auto& r : broker_.ReadAll(ChangelogTopicName("default_", "CTAS_X_0", kStore))) {
      if (r.headers.empty()) out.push_back(std::move(r));
    }
    return out;
  }
  size_t Markers() {
    return broker_.ReadAll(ChangelogTopicName("default_", "CTAS_X_0", kStore)).size() -
           Changelog().size();
  }

  TempDir dir_;
  kafka::InMemoryBroker broker_;
  std::unique_ptr<kafka::Producer> producer_ = std::move(broker_.NewProducer()).value();
  std::shared_ptr<StateEnvironment> env_;
};

TEST_F(KeyValueStoreTest, PutGetDeleteThroughCacheAndCommit) {
  auto task = Open();
  KeyValueStore& kv = Store(*task);
  EXPECT_EQ(GetOrDie(kv, "a"), std::nullopt);
  ASSERT_TRUE(kv.Put("a", "1").ok());
  ASSERT_TRUE(kv.Put("b", "2").ok());
  EXPECT_EQ(GetOrDie(kv, "a"), "1");
  ASSERT_TRUE(kv.Delete("b").ok());
  EXPECT_EQ(GetOrDie(kv, "b"), std::nullopt);
  ASSERT_TRUE(task->Commit({}).ok());
  EXPECT_EQ(GetOrDie(kv, "a"), "1");

  // A cached tombstone hides a committed value before the next commit.
  ASSERT_TRUE(kv.Delete("a").ok());
  EXPECT_EQ(GetOrDie(kv, "a"), std::nullopt);
  ASSERT_TRUE(task->Commit({}).ok());
  ASSERT_TRUE(kv.Put("c", std::string("\0bin\xff", 5)).ok());
  ASSERT_TRUE(task->Commit({}).ok());
  task.reset();

  task = Open();
  KeyValueStore& kv2 = Store(*task);
  EXPECT_FALSE(task->restored());
  EXPECT_EQ(GetOrDie(kv2, "a"), std::nullopt);
  EXPECT_EQ(GetOrDie(kv2, "b"), std::nullopt);
  EXPECT_EQ(GetOrDie(kv2, "c"), std::string("\0bin\xff", 5));
}

TEST_F(KeyValueStoreTest, UncommittedWritesAreDroppedOnClose) {
  auto task = Open();
  ASSERT_TRUE(Store(*task).Put("kept", "1").ok());
  ASSERT_TRUE(task->Commit({}).ok());
  ASSERT_TRUE(Store(*task).Put("lost", "2").ok());
  ASSERT_TRUE(Store(*task).Delete("kept").ok());
  task.reset();
  task = Open();
  EXPECT_EQ(GetOrDie(Store(*task), "kept"), "1");
  EXPECT_EQ(GetOrDie(Store(*task), "lost"), std::nullopt);
}

TEST_F(KeyValueStoreTest, CacheOverflowGoesToPendingBatchNotToDisk) {
  StateOptions options;
  options.cache_max_entries = 2;
  auto task = Open(options);
  KeyValueStore& kv = Store(*task);
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(kv.Put("k" + std::to_string(i), std::to_string(i)).ok());
  }
  ASSERT_TRUE(kv.Delete("k3").ok());
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(GetOrDie(kv, "k" + std::to_string(i)),
              i == 3 ? std::nullopt : std::optional<std::string>(std::to_string(i)));
  }
  EXPECT_EQ(Contents(kv).size(), 9u);
  EXPECT_TRUE(Changelog().empty()) << "the changelog is written only at commit";
  task.reset();  // no commit: nothing of the overflow may have reached RocksDB
  task = Open(options);
  EXPECT_TRUE(Contents(Store(*task)).empty());
}

TEST_F(KeyValueStoreTest, MultiGetReadsCacheBatchAndDisk) {
  StateOptions options;
  options.cache_max_entries = 1;
  auto task = Open(options);
  KeyValueStore& kv = Store(*task);
  ASSERT_TRUE(kv.Put("disk", "d").ok());
  ASSERT_TRUE(kv.Put("gone", "g").ok());
  ASSERT_TRUE(task->Commit({}).ok());
  ASSERT_TRUE(kv.Put("batch", "b").ok());
  ASSERT_TRUE(kv.Put("cache", "c").ok());  // overflow: "batch" moves to the pending batch
  ASSERT_TRUE(kv.Delete("gone").ok());
  auto r = kv.MultiGet({"cache", "missing", "disk", "batch", "gone"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::vector<std::optional<std::string>> want = {"c", std::nullopt, "d", "b", std::nullopt};
  EXPECT_EQ(*r, want);
}

TEST_F(KeyValueStoreTest, RangeAndPrefixScanMergeCacheAndDisk) {
  auto task = Open();
  KeyValueStore& kv = Store(*task);
  for (const char* k : {"a", "b1", "b2", "b3", "c"}) ASSERT_TRUE(kv.Put(k, "old").ok());
  ASSERT_TRUE(task->Commit({}).ok());
  ASSERT_TRUE(kv.Put("b2", "new").ok());
  ASSERT_TRUE(kv.Delete("b3").ok());
  ASSERT_TRUE(kv.Put("b0", "new").ok());
  ASSERT_TRUE(kv.Put(std::string("b\xff", 2), "new").ok());

  std::vector<std::pair<std::string, std::string>> seen;
  auto collect = [&](std::string_view k, std::string_view v) {
    seen.emplace_back(k, v);
    return true;
  };
  ASSERT_TRUE(kv.PrefixScan("b", collect).ok());
  std::vector<std::pair<std::string, std::string>> want = {
      {"b0", "new"}, {"b1", "old"}, {"b2", "new"}, {std::string("b\xff", 2), "new"}};
  EXPECT_EQ(seen, want);

  seen.clear();
  ASSERT_TRUE(kv.Range("b1", std::string_view("c"), collect).ok());
  want = {{"b1", "old"}, {"b2", "new"}, {std::string("b\xff", 2), "new"}};
  EXPECT_EQ(seen, want);

  seen.clear();  // early stop
  ASSERT_TRUE(kv.Range("", std::nullopt, [&](std::string_view k, std::string_view v) {
                  seen.emplace_back(k, v);
                  return seen.size() < 2;
                }).ok());
  EXPECT_EQ(seen.size(), 2u);
}

TEST_F(KeyValueStoreTest, CacheAbsorbsRepeatedUpdatesIntoOneChangelogRecord) {
  auto task = Open();
  KeyValueStore& kv = Store(*task);
  for (int i = 1; i <= 1000; ++i) ASSERT_TRUE(kv.Put("hot", std::to_string(i)).ok());
  ASSERT_TRUE(task->Commit({}).ok());
  ASSERT_TRUE(producer_->Flush(kafka::Millis(1000)).ok());
  auto log = Changelog();
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].key, "hot");
  EXPECT_EQ(log[0].value, "1000");

  EXPECT_EQ(Markers(), 1u);

  // An unchanged commit sends nothing, not even a marker; a delete sends a tombstone, to the
  // task's partition.
  ASSERT_TRUE(task->Commit({}).ok());
  EXPECT_EQ(Changelog().size(), 1u);
  EXPECT_EQ(Markers(), 1u);
  ASSERT_TRUE(kv.Put("hot", "x").ok());
  ASSERT_TRUE(kv.Delete("hot").ok());
  ASSERT_TRUE(task->Commit({}).ok());
  log = Changelog();
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[1].key, "hot");
  EXPECT_EQ(log[1].value, std::nullopt);
}

TEST_F(KeyValueStoreTest, StoreLookupChecksNameAndKind) {
  TempDir dir;
  auto env = MakeEnv(dir.path());
  auto task = OpenTask(env, MakeConfig({{"kv", StoreKind::kKeyValue}, {"w", StoreKind::kWindow}}),
                       nullptr, nullptr);
  ASSERT_NE(task, nullptr);
  EXPECT_TRUE(task->key_value_store("kv").ok());
  EXPECT_EQ(task->key_value_store("w").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(task->window_store("kv").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(task->key_value_store("nope").status().code(), StatusCode::kNotFound);

  for (const char* bad : {"__offsets", "", "default"}) {
    auto r = TaskState::Open(env, MakeConfig({{bad, StoreKind::kKeyValue}}, 1), nullptr, nullptr);
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
  }
  auto dup =
      TaskState::Open(env, MakeConfig({{"s", StoreKind::kKeyValue}, {"s", StoreKind::kWindow}}, 2),
                      nullptr, nullptr);
  EXPECT_EQ(dup.status().code(), StatusCode::kInvalidArgument);
  TaskStateConfig escape = MakeConfig({});
  escape.task_id = "../x";
  EXPECT_EQ(TaskState::Open(env, escape, nullptr, nullptr).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace brook::state
