// Engine::PersistentQuery: a running CSAS/CTAS/INSERT INTO query. Internal to the engine.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "runtime/engine/engine.h"

namespace brook {

struct Engine::PersistentQuery {
  std::string id;
  std::string sql;
  std::string sink;
  std::string source;
  QueryPlan plan;
  std::unique_ptr<kafka::Producer> producer;
  std::unique_ptr<QueryTask> task;
  std::thread thread;
  std::atomic<bool> stop{false};
  std::string state = "RUNNING";
  std::string error;
};

}  // namespace brook
