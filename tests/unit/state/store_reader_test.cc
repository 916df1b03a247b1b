// StoreReader: other threads read a task's committed state — never its cache or pending batch —
// and a reader stays valid after its TaskState is gone.
#include "runtime/state/store_reader.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "runtime/kafka/in_memory_broker.h"
#include "runtime/state/task_state.h"
#include "tests/unit/state/state_test_util.h"

namespace brook::state {
namespace {

using testing::MakeConfig;
using testing::MakeEnv;
using testing::OpenTask;
using testing::TempDir;

constexpr char kKv[] = "Materialize";
constexpr char kWin[] = "Windows";

std::vector<std::pair<std::string, std::string>> All(const StoreReader& r) {
  std::vector<std::pair<std::string, std::string>> out;
  EXPECT_TRUE(r.Range("", std::nullopt, [&](std::string_view k, std::string_view v) {
                 out.emplace_back(k, v);
                 return true;
               }).ok());
  return out;
}

TEST(StoreReaderTest, SeesCommittedStateOnlyAndOutlivesItsTask) {
  TempDir dir;
  auto env = MakeEnv(dir.path());
  auto task = OpenTask(env, MakeConfig({{kKv, StoreKind::kKeyValue}, {kWin, StoreKind::kWindow}}),
                       nullptr, nullptr);
  ASSERT_NE(task, nullptr);
  auto reader = task->Reader(kKv);
  ASSERT_TRUE(reader.ok());
  auto windows = task->Reader(kWin);
  ASSERT_TRUE(windows.ok());
  EXPECT_FALSE(task->Reader("nope").ok());
  KeyValueStore* kv = *task->key_value_store(kKv);
  WindowStore* win = *task->window_store(kWin);
  ASSERT_TRUE(kv->Put("a", "1").ok());
  ASSERT_TRUE(win->Put("k", 1000, "w1").ok());
  // Cached, not committed: invisible.
  EXPECT_FALSE((*reader)->Get("a")->has_value());
  ASSERT_TRUE(task->Commit({{"in", 0, 1}}).ok());
  EXPECT_EQ(**(*reader)->Get("a"), "1");
  // A delete and a new key, committed; an uncommitted update stays invisible.
  ASSERT_TRUE(kv->Put("b", "2").ok());
  ASSERT_TRUE(kv->Delete("a").ok());
  ASSERT_TRUE(win->Put("k", 2000, "w2").ok());
  ASSERT_TRUE(task->Commit({{"in", 0, 2}}).ok());
  ASSERT_TRUE(kv->Put("b", "uncommitted").ok());
  EXPECT_EQ(All(**reader), (std::vector<std::pair<std::string, std::string>>{{"b", "2"}}));
  std::vector<std::string> seen;
  ASSERT_TRUE((*windows)
                  ->Fetch("k", 1500, 5000,
                          [&](std::string_view k, int64_t start, std::string_view v) {
                            seen.push_back(std::string(k) + "@" + std::to_string(start) + "=" +
                                           std::string(v));
                            return true;
                          })
                  .ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"k@2000=w2"}));
  seen.clear();
  ASSERT_TRUE((*windows)
                  ->FetchAll([&](std::string_view k, int64_t start, std::string_view v) {
                    seen.push_back(std::string(k) + "@" + std::to_string(start) + "=" +
                                   std::string(v));
                    return true;
                  })
                  .ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"k@1000=w1", "k@2000=w2"}));
  // A key-value read on a window store is refused, and the other way round.
  EXPECT_FALSE((*windows)->Get("k").ok());
  // The task closes (its last update was never committed); the reader still reads.
  task.reset();
  EXPECT_EQ(All(**reader), (std::vector<std::pair<std::string, std::string>>{{"b", "2"}}));
}

// Readers on other threads while the task commits: every read is a committed state.
TEST(StoreReaderTest, ConcurrentReadsSeeWholeCommits) {
  TempDir dir;
  auto env = MakeEnv(dir.path());
  auto task = OpenTask(env, MakeConfig({{kKv, StoreKind::kKeyValue}}), nullptr, nullptr);
  ASSERT_NE(task, nullptr);
  std::shared_ptr<StoreReader> reader = *task->Reader(kKv);
  KeyValueStore* kv = *task->key_value_store(kKv);
  std::atomic<bool> done{false};
  std::atomic<int> torn{0};
  std::thread t([&] {
    while (!done) {
      // Both keys are written in every commit with the same value: a scan never mixes two.
      auto all = All(*reader);
      if (all.size() == 2 && all[0].second != all[1].second) ++torn;
    }
  });
  for (int i = 0; i < 300; ++i) {
    ASSERT_TRUE(kv->Put("x", std::to_string(i)).ok());
    ASSERT_TRUE(kv->Put("y", std::to_string(i)).ok());
    ASSERT_TRUE(task->Commit({{"in", 0, i + 1}}).ok());
  }
  done = true;
  t.join();
  EXPECT_EQ(torn.load(), 0);
  EXPECT_EQ(**reader->Get("x"), "299");
}

// A reader keeps the directory locked; a new TaskState for it waits (bounded) for the reader to
// go instead of failing, as when a pull query reads while the task moves between threads.
TEST(StoreReaderTest, ReopeningWaitsForAReaderOfThePreviousTask) {
  TempDir dir;
  auto env = MakeEnv(dir.path());
  auto task = OpenTask(env, MakeConfig({{kKv, StoreKind::kKeyValue}}), nullptr, nullptr);
  ASSERT_NE(task, nullptr);
  ASSERT_TRUE((*task->key_value_store(kKv))->Put("a", "1").ok());
  ASSERT_TRUE(task->Commit({{"in", 0, 1}}).ok());
  std::shared_ptr<StoreReader> reader = *task->Reader(kKv);
  task.reset();
  std::thread release([&reader] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    reader.reset();
  });
  auto again = TaskState::Open(env, MakeConfig({{kKv, StoreKind::kKeyValue}}), nullptr, nullptr);
  release.join();
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(**(*(*again)->key_value_store(kKv))->Get("a"), "1");
}

}  // namespace
}  // namespace brook::state
