#include "runtime/state/window_store.h"

#include <gtest/gtest.h>

#include "runtime/kafka/in_memory_broker.h"
#include "runtime/state/changelog.h"
#include "runtime/state/key_encoding.h"
#include "runtime/state/task_state.h"
#include "tests/unit/state/state_test_util.h"

namespace brook::state {
namespace {

using testing::MakeConfig;
using testing::MakeEnv;
using testing::OpenTask;
using testing::TempDir;

constexpr char kStore[] = "Aggregate-Aggregate-Materialize";

class WindowStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<TaskState> Open(StateOptions options = {}) {
    env_ = MakeEnv(dir_.path(), options);
    return OpenTask(env_, MakeConfig({{kStore, StoreKind::kWindow}}), &broker_, producer_.get());
  }
  static WindowStore& Store(TaskState& task) { return **task.window_store(kStore); }
  static std::vector<WindowValue> Fetch(WindowStore& w, std::string_view key, int64_t from,
                                        int64_t to) {
    auto r = w.Fetch(key, from, to);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : std::vector<WindowValue>{};
  }
  static std::vector<WindowRecord> FetchAll(WindowStore& w, int64_t from, int64_t to) {
    auto r = w.FetchAll(from, to);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : std::vector<WindowRecord>{};
  }

  TempDir dir_;
  kafka::InMemoryBroker broker_;
  std::unique_ptr<kafka::Producer> producer_ = std::move(broker_.NewProducer()).value();
  std::shared_ptr<StateEnvironment> env_;
};

TEST_F(WindowStoreTest, FetchReturnsOneKeysWindowsInTimeOrder) {
  auto task = Open();
  WindowStore& w = Store(*task);
  // Keys sharing prefixes must not leak into each other's ranges.
  ASSERT_TRUE(w.Put("a", 2000, "a2").ok());
  ASSERT_TRUE(w.Put("a", -1000, "a-1").ok());
  ASSERT_TRUE(w.Put("ab", 1000, "ab1").ok());
  ASSERT_TRUE(w.Put(std::string("a\0", 2), 1000, "a01").ok());
  ASSERT_TRUE(w.Put("", 1000, "empty").ok());
  ASSERT_TRUE(task->Commit({}).ok());
  ASSERT_TRUE(w.Put("a", 1000, "a1").ok());      // cached, between committed windows
  ASSERT_TRUE(w.Put("a", 2000, "a2-new").ok());  // cached update of a committed window
  ASSERT_TRUE(w.Put("a", 3000, "a3").ok());

  std::vector<WindowValue> want = {{-1000, "a-1"}, {1000, "a1"}, {2000, "a2-new"}, {3000, "a3"}};
  EXPECT_EQ(Fetch(w, "a", INT64_MIN, INT64_MAX), want);
  want = {{1000, "a1"}, {2000, "a2-new"}};
  EXPECT_EQ(Fetch(w, "a", 1000, 2000), want) << "both bounds inclusive";
  EXPECT_TRUE(Fetch(w, "a", 2001, 2999).empty());
  EXPECT_TRUE(Fetch(w, "a", 3000, 1000).empty());
  EXPECT_EQ(Fetch(w, "", 0, 5000), (std::vector<WindowValue>{{1000, "empty"}}));
  EXPECT_EQ(Fetch(w, std::string("a\0", 2), 0, 5000), (std::vector<WindowValue>{{1000, "a01"}}));

  ASSERT_TRUE(w.Delete("a", 1000).ok());
  ASSERT_TRUE(w.Delete("a", -1000).ok());  // committed; tombstone in cache
  want = {{2000, "a2-new"}, {3000, "a3"}};
  EXPECT_EQ(Fetch(w, "a", INT64_MIN, INT64_MAX), want);
  auto one = w.Get("a", 3000);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(*one, "a3");

  ASSERT_TRUE(task->Commit({}).ok());
  task.reset();
  task = Open();
  EXPECT_EQ(Fetch(Store(*task), "a", INT64_MIN, INT64_MAX), want);
}

TEST_F(WindowStoreTest, FetchAllOrdersByTimeThenKey) {
  auto task = Open();
  WindowStore& w = Store(*task);
  ASSERT_TRUE(w.Put("b", 1000, "b1").ok());
  ASSERT_TRUE(w.Put("a", 2000, "a2").ok());
  ASSERT_TRUE(task->Commit({}).ok());
  ASSERT_TRUE(w.Put("a", 1000, "a1").ok());
  ASSERT_TRUE(w.Put("c", 3000, "c3").ok());
  ASSERT_TRUE(w.Put("z", -5, "z").ok());
  ASSERT_TRUE(w.Delete("a", 2000).ok());

  std::vector<WindowRecord> want = {{"a", 1000, "a1"}, {"b", 1000, "b1"}, {"c", 3000, "c3"}};
  EXPECT_EQ(FetchAll(w, 0, 3000), want);
  want = {{"z", -5, "z"}, {"a", 1000, "a1"}, {"b", 1000, "b1"}};
  EXPECT_EQ(FetchAll(w, INT64_MIN, 2999), want);
  EXPECT_EQ(FetchAll(w, INT64_MIN, INT64_MAX).size(), 4u);
}

TEST_F(WindowStoreTest, ExpireBeforeDeletesOldWindowsFromBothIndexes) {
  auto task = Open();
  WindowStore& w = Store(*task);
  for (int64_t t : {0, 1000, 2000, 3000}) {
    ASSERT_TRUE(w.Put("a", t, "a" + std::to_string(t)).ok());
    ASSERT_TRUE(w.Put("b", t, "b" + std::to_string(t)).ok());
  }
  ASSERT_TRUE(task->Commit({}).ok());
  ASSERT_TRUE(w.Put("c", 500, "c").ok());  // only in the cache
  auto expired = w.ExpireBefore(2000);
  ASSERT_TRUE(expired.ok()) << expired.status().ToString();
  EXPECT_EQ(*expired, 5u);
  std::vector<WindowValue> want = {{2000, "a2000"}, {3000, "a3000"}};
  EXPECT_EQ(Fetch(w, "a", INT64_MIN, INT64_MAX), want);
  EXPECT_TRUE(Fetch(w, "c", INT64_MIN, INT64_MAX).empty());
  EXPECT_EQ(FetchAll(w, INT64_MIN, INT64_MAX).size(), 4u);
  ASSERT_TRUE(task->Commit({}).ok());
  auto again = w.ExpireBefore(2000);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0u);

  // Tombstones for the expired committed windows reached the changelog, keyed by KeyTime.
  auto log = broker_.ReadAll(ChangelogTopicName("default_", "CTAS_X_0", kStore));
  size_t tombstones = 0;
  for (const auto& r : log) {
    if (r.value) continue;
    ++tombstones;
    ASSERT_TRUE(r.key.has_value());
    auto kt = DecodeKeyTime(*r.key);
    ASSERT_TRUE(kt.ok());
    EXPECT_LT(kt->time, 2000);
  }
  EXPECT_EQ(tombstones, 5u);  // c@500 was never committed, but its delete is logged too

  task.reset();
  task = Open();
  EXPECT_EQ(FetchAll(Store(*task), INT64_MIN, INT64_MAX).size(), 4u);
  EXPECT_EQ(Fetch(Store(*task), "b", INT64_MIN, INT64_MAX).size(), 2u);
}

}  // namespace
}  // namespace brook::state
