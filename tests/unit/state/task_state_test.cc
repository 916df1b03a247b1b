#include "runtime/state/task_state.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "runtime/kafka/in_memory_broker.h"
#include "runtime/state/changelog.h"
#include "runtime/state/commit_marker.h"
#include "tests/unit/state/state_test_util.h"

namespace brook::state {
namespace {

using testing::MakeConfig;
using testing::MakeEnv;
using testing::OpenTask;
using testing::TempDir;
using Offsets = std::vector<kafka::TopicPartitionOffset>;

constexpr char kKv[] = "Aggregate-Aggregate-Materialize";
constexpr char kWin[] = "Aggregate-Window-Materialize";

std::vector<StoreSpec> TwoStores() {
  return {{kKv, StoreKind::kKeyValue}, {kWin, StoreKind::kWindow}};
}

Offsets CommittedOrDie(const TaskState& task) {
  auto r = task.CommittedOffsets();
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : Offsets{};
}

bool SameOffsets(const Offsets& a, const Offsets& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].topic != b[i].topic || a[i].partition != b[i].partition ||
        a[i].offset != b[i].offset) {
      return false;
    }
  }
  return true;
}

std::map<std::string, std::string> KvContents(TaskState& task) {
  std::map<std::string, std::string> out;
  KeyValueStore& kv = **task.key_value_store(kKv);
  EXPECT_TRUE(kv.Range("", std::nullopt, [&](std::string_view k, std::string_view v) {
                  out.emplace(k, v);
                  return true;
                }).ok());
  return out;
}

std::vector<WindowRecord> WinContents(TaskState& task) {
  auto r = (**task.window_store(kWin)).FetchAll(INT64_MIN, INT64_MAX);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : std::vector<WindowRecord>{};
}

// A producer whose sends fail, to check that a failed changelog write leaves RocksDB untouched.
class FailingProducer : public kafka::Producer {
 public:
  Status Send(kafka::OutRecord) override { return IOError("broker down"); }
  Status Flush(kafka::Millis) override { return Status::Ok(); }
};

TEST(TaskStateTest, CommitStoresOffsetsAtomicallyWithState) {
  TempDir dir;
  auto env = MakeEnv(dir.path());
  kafka::InMemoryBroker broker;
  auto producer = std::move(broker.NewProducer()).value();
  auto task = OpenTask(env, MakeConfig(TwoStores()), &broker, producer.get());
  ASSERT_NE(task, nullptr);
  EXPECT_TRUE(CommittedOrDie(*task).empty());
  KeyValueStore* kv = *task->key_value_store(kKv);

  ASSERT_TRUE(kv->Put("a", "1").ok());
  ASSERT_TRUE(task->Commit({{"in", 1, 7}, {"in", 0, 5}}).ok());
  EXPECT_TRUE(SameOffsets(CommittedOrDie(*task), {{"in", 0, 5}, {"in", 1, 7}}));

  ASSERT_TRUE(kv->Put("a", "2").ok());
  ASSERT_TRUE(task->Commit({{"in", 0, 9}}).ok());
  EXPECT_TRUE(SameOffsets(CommittedOrDie(*task), {{"in", 0, 9}, {"in", 1, 7}}));

  // Uncommitted state and offsets vanish together.
  ASSERT_TRUE(kv->Put("a", "3").ok());
  ASSERT_TRUE(task->PrepareCommit().ok());  // even when already staged and logged
  task.reset();
  task = OpenTask(env, MakeConfig(TwoStores()), &broker, producer.get());
  ASSERT_NE(task, nullptr);
  EXPECT_TRUE(SameOffsets(CommittedOrDie(*task), {{"in", 0, 9}, {"in", 1, 7}}));
  EXPECT_EQ(KvContents(*task), (std::map<std::string, std::string>{{"a", "2"}}));
}

TEST(TaskStateTest, FailedChangelogSendWritesNeitherStateNorOffsets) {
  TempDir dir;
  auto env = MakeEnv(dir.path());
  FailingProducer failing;
  auto task = OpenTask(env, MakeConfig(TwoStores()), nullptr, &failing);
  ASSERT_NE(task, nullptr);
  ASSERT_TRUE((*task->key_value_store(kKv))->Put("a", "1").ok());
  Status st = task->Commit({{"in", 0, 1}});
  EXPECT_EQ(st.code(), StatusCode::kIOError);
  task.reset();
  task = OpenTask(env, MakeConfig(TwoStores()), nullptr, nullptr);
  ASSERT_NE(task, nullptr);
  EXPECT_TRUE(CommittedOrDie(*task).empty());
  EXPECT_TRUE(KvContents(*task).empty());
}

TEST(TaskStateTest, RestoresLostDirectoryFromChangelog) {
  TempDir dir;
  auto env = MakeEnv(dir.path());
  kafka::InMemoryBroker broker;
  const std::string kv_topic = ChangelogTopicName("default_", "CTAS_X_0", kKv);
  const std::string win_topic = ChangelogTopicName("default_", "CTAS_X_0", kWin);
  ASSERT_TRUE(broker.CreateTopic({kv_topic, 2}, kafka::Millis(0)).ok());
  ASSERT_TRUE(broker.CreateTopic({win_topic, 2}, kafka::Millis(0)).ok());
  auto producer = std::move(broker.NewProducer()).value();
  const TaskStateConfig config = MakeConfig(TwoStores(), /*partition=*/1);

  std::map<std::string, std::string> kv_before;
  std::vector<WindowRecord> win_before;
  std::string directory;
  {
    auto task = OpenTask(env, config, &broker, producer.get());
    ASSERT_NE(task, nullptr);
    EXPECT_TRUE(task->restored());  // fresh directory, nothing to read yet
    EXPECT_EQ(task->restored_records(), 0u);
    KeyValueStore& kv = **task->key_value_store(kKv);
    WindowStore& win = **task->window_store(kWin);
    for (int round = 0; round < 3; ++round) {
      for (int i = 0; i < 20; ++i) {
        std::string key = "k" + std::to_string(i);
        ASSERT_TRUE(kv.Put(key, key + "@" + std::to_string(round)).ok());
        ASSERT_TRUE(win.Put(key, round * 1000, "w" + std::to_string(round)).ok());
      }
      ASSERT_TRUE(kv.Delete("k" + std::to_string(round)).ok());  // deletes must survive
      ASSERT_TRUE(task->Commit({{"in", 1, (round + 1) * 100}}).ok());
    }
    ASSERT_TRUE(win.ExpireBefore(1000).ok());
    ASSERT_TRUE(kv.Put("k0", "back").ok());
    ASSERT_TRUE(kv.Delete("k1").ok());  // committed earlier, deleted now
    ASSERT_TRUE(task->Commit({{"in", 1, 400}}).ok());
    ASSERT_TRUE(producer->Flush(kafka::Millis(1000)).ok());
    kv_before = KvContents(*task);
    win_before = WinContents(*task);
    directory = task->directory();
  }
  ASSERT_EQ(kv_before.size(), 18u);  // k1 and k2 deleted; k0 re-put after its delete
  ASSERT_EQ(kv_before.count("k1") + kv_before.count("k2"), 0u);
  ASSERT_EQ(kv_before["k0"], "back");
  ASSERT_EQ(win_before.size(), 40u);
  // Another task's partition of the same changelog must not leak in.
  ASSERT_TRUE(broker.Produce({kv_topic, 0, 0, "foreign", "x", {}}).ok());

  std::filesystem::remove_all(directory);
  auto task = OpenTask(env, config, &broker, producer.get());
  ASSERT_NE(task, nullptr);
  EXPECT_TRUE(task->restored());
  EXPECT_GT(task->restored_records(), 0u);
  EXPECT_EQ(KvContents(*task), kv_before);
  EXPECT_EQ(WinContents(*task), win_before);
  auto fetched = (**task->window_store(kWin)).Fetch("k5", INT64_MIN, INT64_MAX);
  ASSERT_TRUE(fetched.ok());
  EXPECT_EQ(*fetched, (std::vector<WindowValue>{{1000, "w1"}, {2000, "w2"}}));
  // The changelog's commit markers carry the input offsets of the restored state.
  EXPECT_TRUE(SameOffsets(CommittedOrDie(*task), {{"in", 1, 400}}));
  EXPECT_EQ(task->commit_seq(), 4);
  EXPECT_EQ(task->restore_dropped_records(), 0u);

  // The restored directory is marked initialized: the next open does not restore again.
  task.reset();
  task = OpenTask(env, config, &broker, producer.get());
  ASSERT_NE(task, nullptr);
  EXPECT_FALSE(task->restored());
  EXPECT_EQ(KvContents(*task), kv_before);
}

TEST(TaskStateTest, DirectoryWithoutMarkerIsWipedAndRestored) {
  TempDir dir;
  auto env = MakeEnv(dir.path());
  kafka::InMemoryBroker broker;
  auto producer = std::move(broker.NewProducer()).value();
  const TaskStateConfig config = MakeConfig(TwoStores());
  std::string directory;
  {
    auto task = OpenTask(env, config, &broker, producer.get());
    ASSERT_NE(task, nullptr);
    ASSERT_TRUE((*task->key_value_store(kKv))->Put("logged", "1").ok());
    ASSERT_TRUE(task->Commit({{"in", 0, 1}}).ok());
    directory = task->directory();
  }
  {
    // Same directory, no producer: this write exists only locally.
    auto task = OpenTask(env, config, &broker, nullptr);
    ASSERT_NE(task, nullptr);
    ASSERT_TRUE((*task->key_value_store(kKv))->Put("local-only", "1").ok());
    ASSERT_TRUE(task->Commit({{"in", 0, 2}}).ok());
  }
  // As if a restore had been interrupted before it finished.
  ASSERT_TRUE(std::filesystem::remove(std::filesystem::path(directory) / ".brook-initialized"));
  auto task = OpenTask(env, config, &broker, producer.get());
  ASSERT_NE(task, nullptr);
  EXPECT_TRUE(task->restored());
  EXPECT_EQ(KvContents(*task), (std::map<std::string, std::string>{{"logged", "1"}}));
}

// Passes records through to a real producer, except commit markers to one topic, which fail
// (a crash between the markers of one commit).
class MarkerDroppingProducer : public kafka::Producer {
 public:
  MarkerDroppingProducer(kafka::Producer& inner, std::string topic)
      : inner_(inner), topic_(std::move(topic)) {}
  Status Send(kafka::OutRecord r) override {
    if (r.topic == topic_ && !r.headers.empty()) return IOError("crashed before this marker");
    return inner_.Send(std::move(r));
  }
  Status Flush(kafka::Millis timeout) override { return inner_.Flush(timeout); }

 private:
  kafka::Producer& inner_;
  std::string topic_;
};

TEST(TaskStateTest, RestoreLeavesOutACommitWhoseMarkersWereNeverSent) {
  TempDir dir;
  auto env = MakeEnv(dir.path());
  kafka::InMemoryBroker broker;
  auto producer = std::move(broker.NewProducer()).value();
  const TaskStateConfig config = MakeConfig(TwoStores());
  std::string directory;
  {
    auto task = OpenTask(env, config, &broker, producer.get());
    ASSERT_NE(task, nullptr);
    ASSERT_TRUE((*task->key_value_store(kKv))->Put("a", "1").ok());
    ASSERT_TRUE((*task->window_store(kWin))->Put("a", 0, "w1").ok());
    ASSERT_TRUE(task->Commit({{"in", 0, 10}}).ok());
    // The next commit's data reaches the changelogs, then the process dies before the markers.
    ASSERT_TRUE((*task->key_value_store(kKv))->Put("a", "2").ok());
    ASSERT_TRUE((*task->key_value_store(kKv))->Put("b", "1").ok());
    ASSERT_TRUE((*task->window_store(kWin))->Put("a", 0, "w2").ok());
    ASSERT_TRUE(task->PrepareCommit().ok());
    directory = task->directory();
  }
  std::filesystem::remove_all(directory);
  auto task = OpenTask(env, config, &broker, producer.get());
  ASSERT_NE(task, nullptr);
  EXPECT_TRUE(task->restored());
  EXPECT_EQ(KvContents(*task), (std::map<std::string, std::string>{{"a", "1"}}));
  EXPECT_EQ(WinContents(*task), (std::vector<WindowRecord>{{"a", 0, "w1"}}));
  EXPECT_TRUE(SameOffsets(CommittedOrDie(*task), {{"in", 0, 10}}));
  EXPECT_EQ(task->restore_dropped_records(), 3u);
  // Commits go on from the restored sequence number.
  EXPECT_EQ(task->commit_seq(), 1);
  ASSERT_TRUE((*task->key_value_store(kKv))->Put("c", "1").ok());
  ASSERT_TRUE(task->Commit({{"in", 0, 12}}).ok());
  EXPECT_EQ(task->commit_seq(), 2);
  task.reset();
  std::filesystem::remove_all(directory);
  task = OpenTask(env, config, &broker, producer.get());
  ASSERT_NE(task, nullptr);
  EXPECT_EQ(KvContents(*task), (std::map<std::string, std::string>{{"a", "1"}, {"c", "1"}}));
  EXPECT_TRUE(SameOffsets(CommittedOrDie(*task), {{"in", 0, 12}}));
}

TEST(TaskStateTest, RestoreKeepsACommitWhoseMarkerReachedOnlyOneStore) {
  TempDir dir;
  auto env = MakeEnv(dir.path());
  kafka::InMemoryBroker broker;
  auto producer = std::move(broker.NewProducer()).value();
  const TaskStateConfig config = MakeConfig(TwoStores());
  std::string directory;
  {
    auto task = OpenTask(env, config, &broker, producer.get());
    ASSERT_NE(task, nullptr);
    ASSERT_TRUE((*task->key_value_store(kKv))->Put("a", "1").ok());
    ASSERT_TRUE((*task->window_store(kWin))->Put("a", 0, "w1").ok());
    ASSERT_TRUE(task->Commit({{"in", 0, 10}}).ok());
    directory = task->directory();
  }
  {
    // Commit 2: every store's data is durable, then the marker reaches the key-value store's
    // changelog only.
    MarkerDroppingProducer dropping(*producer,
                                    ChangelogTopicName(config.service_id, config.query_id, kWin));
    auto task = OpenTask(env, config, &broker, &dropping);
    ASSERT_NE(task, nullptr);
    ASSERT_TRUE((*task->key_value_store(kKv))->Put("a", "2").ok());
    ASSERT_TRUE((*task->window_store(kWin))->Put("a", 0, "w2").ok());
    EXPECT_EQ(task->Commit({{"in", 0, 20}}).code(), StatusCode::kIOError);
  }
  std::filesystem::remove_all(directory);
  auto task = OpenTask(env, config, &broker, producer.get());
  ASSERT_NE(task, nullptr);
  // Commit 2 is the newest one a marker names: both stores are restored to it.
  EXPECT_EQ(KvContents(*task), (std::map<std::string, std::string>{{"a", "2"}}));
  EXPECT_EQ(WinContents(*task), (std::vector<WindowRecord>{{"a", 0, "w2"}}));
  EXPECT_TRUE(SameOffsets(CommittedOrDie(*task), {{"in", 0, 20}}));
  EXPECT_EQ(task->commit_seq(), 2);
}

TEST(TaskStateTest, RestoreIgnoresMalformedMarkers) {
  TempDir dir;
  auto env = MakeEnv(dir.path());
  kafka::InMemoryBroker broker;
  const TaskStateConfig config = MakeConfig({{kKv, StoreKind::kKeyValue}});
  const std::string topic = ChangelogTopicName(config.service_id, config.query_id, kKv);
  auto marker = [&](std::string value) {
    kafka::OutRecord r{topic, 0, 0, std::string(kCommitMarkerKey), std::move(value), {}};
    r.headers.push_back({std::string(kCommitMarkerHeader), "1"});
    ASSERT_TRUE(broker.Produce(r).ok());
  };
  ASSERT_TRUE(broker.Produce({topic, 0, 0, "a", "1", {}}).ok());
  marker("brook-commit 1\nseq 1\n0 5 in\n");
  ASSERT_TRUE(broker.Produce({topic, 0, 0, "a", "2", {}}).ok());
  for (std::string bad :
       {"", "brook-commit 2\nseq 9\n", "brook-commit 1\nseq -3\n",
        "brook-commit 1\nseq 9\n0 x in\n", "brook-commit 1\nseq 9\n0 5\n",
        "brook-commit 1\nseq 99999999999999999999\n", "brook-commit 1\nseq 9\n0 5 in"}) {
    marker(bad);
  }
  auto task = OpenTask(env, config, &broker, nullptr);
  ASSERT_NE(task, nullptr);
  // Only the well-formed marker counts: "a" = "2" came after it and no marker completes it.
  std::map<std::string, std::string> contents;
  ASSERT_TRUE((*task->key_value_store(kKv))
                  ->Range("", std::nullopt,
                          [&](std::string_view k, std::string_view v) {
                            contents.emplace(k, v);
                            return true;
                          })
                  .ok());
  EXPECT_EQ(contents, (std::map<std::string, std::string>{{"a", "1"}}));
  EXPECT_TRUE(SameOffsets(CommittedOrDie(*task), {{"in", 0, 5}}));
}

// A stream thread that lost a task removes its directory after the cleanup delay, unless a
// TaskState of this process (the task's new stream thread) has it open.
TEST(TaskStateTest, AnOpenTaskDirectoryIsNeverRemovedAsUnused) {
  TempDir dir;
  auto env = MakeEnv(dir.path());
  const TaskStateConfig config = MakeConfig({{kKv, StoreKind::kKeyValue}});
  auto task = OpenTask(env, config, nullptr, nullptr);
  ASSERT_NE(task, nullptr);
  const std::string directory = task->directory();
  {
    auto second = TaskState::Open(env, config, nullptr, nullptr);  // waits for the lock: fails
    (void)second;
  }
  EXPECT_FALSE(TaskState::RemoveDirectoryIfUnused(directory));
  EXPECT_TRUE(std::filesystem::exists(directory));
  task.reset();
  EXPECT_TRUE(TaskState::RemoveDirectoryIfUnused(directory));
  EXPECT_FALSE(std::filesystem::exists(directory));
}

// A counting aggregation over an input topic: count per key, one Get + Put per record.
class CountingTask {
 public:
  static constexpr char kInput[] = "pageviews";

  static void Process(TaskState& task, const std::vector<kafka::StoredRecord>& input, int64_t from,
                      int64_t to) {
    KeyValueStore& kv = **task.key_value_store(kKv);
    for (const kafka::StoredRecord& r : input) {
      if (r.offset < from || r.offset >= to) continue;
      auto old = kv.Get(*r.key);
      ASSERT_TRUE(old.ok());
      int count = old->has_value() ? std::stoi(**old) : 0;
      ASSERT_TRUE(kv.Put(*r.key, std::to_string(count + 1)).ok());
    }
  }

  static std::map<std::string, std::string> Expected(const std::vector<kafka::StoredRecord>& input,
                                                     int64_t to) {
    std::map<std::string, int> counts;
    for (const auto& r : input) {
      if (r.offset < to) ++counts[*r.key];
    }
    std::map<std::string, std::string> out;
    for (const auto& [k, c] : counts) out[k] = std::to_string(c);
    return out;
  }
};

TEST(TaskStateTest, CrashThenReplayFromStoredOffsetCountsEachRecordOnce) {
  TempDir dir;
  StateOptions options;
  options.cache_max_entries = 3;  // 7 keys: the cache overflows into the pending batch
  auto env = MakeEnv(dir.path(), options);
  kafka::InMemoryBroker broker;
  auto producer = std::move(broker.NewProducer()).value();
  for (int i = 0; i < 100; ++i) {
    std::string key = "user" + std::to_string(i * i % 7);
    ASSERT_TRUE(broker.Produce({CountingTask::kInput, 0, i, key, "view", {}}).ok());
  }
  const auto input = broker.ReadAll(CountingTask::kInput);
  const TaskStateConfig config = MakeConfig({{kKv, StoreKind::kKeyValue}});
  std::string directory;
  {
    auto task = OpenTask(env, config, &broker, producer.get());
    ASSERT_NE(task, nullptr);
    for (int64_t next = 20; next <= 60; next += 20) {
      CountingTask::Process(*task, input, next - 20, next);
      ASSERT_TRUE(task->Commit({{CountingTask::kInput, 0, next}}).ok());
      ASSERT_TRUE(producer->Flush(kafka::Millis(1000)).ok());
    }
    CountingTask::Process(*task, input, 60, 85);  // processed, never committed
    ASSERT_NE(KvContents(*task), CountingTask::Expected(input, 60));
    directory = task->directory();
  }  // crash

  auto task = OpenTask(env, config, &broker, producer.get());
  ASSERT_NE(task, nullptr);
  EXPECT_FALSE(task->restored());
  EXPECT_EQ(KvContents(*task), CountingTask::Expected(input, 60));
  Offsets resume = CommittedOrDie(*task);
  ASSERT_TRUE(SameOffsets(resume, {{CountingTask::kInput, 0, 60}}));
  CountingTask::Process(*task, input, resume[0].offset, 100);
  ASSERT_TRUE(task->Commit({{CountingTask::kInput, 0, 100}}).ok());
  EXPECT_EQ(KvContents(*task), CountingTask::Expected(input, 100));
  task.reset();

  // Losing the directory as well: the changelog holds exactly the committed counts (the
  // uncommitted overflow before the crash was never logged).
  std::filesystem::remove_all(directory);
  task = OpenTask(env, config, &broker, producer.get());
  ASSERT_NE(task, nullptr);
  EXPECT_TRUE(task->restored());
  EXPECT_EQ(KvContents(*task), CountingTask::Expected(input, 100));
}

}  // namespace
}  // namespace brook::state
