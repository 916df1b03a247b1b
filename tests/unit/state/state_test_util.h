// Helpers shared by the state tests: a temporary state directory and a task opener.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include "runtime/kafka/in_memory_broker.h"
#include "runtime/state/task_state.h"

namespace brook::state::testing {

// A fresh directory under the system temp dir, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "brook-state-XXXXXX").string();
    char* made = mkdtemp(pattern.data());
    EXPECT_NE(made, nullptr);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline std::shared_ptr<StateEnvironment> MakeEnv(const std::string& dir,
                                                 StateOptions options = {}) {
  options.state_dir = dir;
  options.block_cache_bytes = 8 * kMiB;  // keep tests light
  options.write_buffer_bytes = 1 * kMiB;
  options.total_write_buffer_bytes = 4 * kMiB;
  auto env = StateEnvironment::Create(options);
  EXPECT_TRUE(env.ok()) << env.status().ToString();
  return env.ok() ? *env : nullptr;
}

inline TaskStateConfig MakeConfig(std::vector<StoreSpec> stores, int32_t partition = 0) {
  TaskStateConfig c;
  c.query_id = "CTAS_X_0";
  c.task_id = "0_" + std::to_string(partition);
  c.changelog_partition = partition;
  c.stores = std::move(stores);
  return c;
}

// Opens a task or fails the test.
inline std::unique_ptr<TaskState> OpenTask(const std::shared_ptr<StateEnvironment>& env,
                                           const TaskStateConfig& config,
                                           kafka::InMemoryBroker* broker,
                                           kafka::Producer* producer) {
  auto task = TaskState::Open(env, config, broker, producer);
  EXPECT_TRUE(task.ok()) << task.status().ToString();
  return task.ok() ? std::move(task).value() : nullptr;
}

}  // namespace brook::state::testing
