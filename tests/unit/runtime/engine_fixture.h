// A test fixture for engine-level tests on the in-memory broker with a private state
// directory: engines, statements, topics and records (aggregation_test.cc, pull_query_test.cc).
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>

#include "common/diagnostic.h"
#include "runtime/engine/engine.h"
#include "runtime/functions/builtins.h"
#include "runtime/kafka/in_memory_broker.h"

namespace brook::testing {

class EngineFixture : public ::testing::Test {
 protected:
  EngineFixture() : broker_(1) {
    RegisterBuiltinFunctions(functions_);
    state_dir_ = std::filesystem::temp_directory_path() /
                 ("brook-engine-test-" + std::to_string(std::random_device{}()));
  }
  ~EngineFixture() override {
    std::error_code ec;
    std::filesystem::remove_all(state_dir_, ec);
  }

  // An unthreaded engine (or threaded, committing every 20 ms) on the broker and state dir.
  std::unique_ptr<Engine> NewEngine(size_t batch = 1000, bool threaded = false,
                                    std::map<std::string, std::string> config = {}) {
    EngineOptions opts;
    for (auto& [k, v] : config) opts.config[k] = v;
    opts.max_batch = batch;
    opts.create_missing_source_topics = true;
    opts.state_dir = state_dir_.string();
    opts.threaded = threaded;
    opts.commit_interval = kafka::Millis(20);
    return std::make_unique<Engine>(broker_, functions_, opts);
  }

  void Run(Engine& e, const std::string& sql) {
    auto r = e.ExecuteScript(sql, session_);
    ASSERT_TRUE(r.ok()) << RenderDiagnostic(r.status(), sql);
  }

  void CreateTopic(const std::string& name, int partitions) {
    kafka::TopicSpec spec;
    spec.name = name;
    spec.partitions = partitions;
    ASSERT_TRUE(broker_.CreateTopic(spec, kafka::Millis(0)).ok());
  }

  void Produce(const std::string& topic, std::optional<std::string> key,
               std::optional<std::string> value, int64_t ts = 0) {
    ASSERT_TRUE(broker_.Produce({topic, -1, ts, std::move(key), std::move(value), {}}).ok());
  }

  kafka::InMemoryBroker broker_;
  FunctionRegistry functions_;
  SessionState session_;
  std::filesystem::path state_dir_;
};

}  // namespace brook::testing
