// Engine::PersistentQuery: a running CSAS/CTAS/INSERT INTO query. Internal to the engine.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
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
  // State is written by the query's own thread and read by statements; it has its own lock so
  // the query thread never takes the engine mutex (TERMINATE joins the thread under it).
  std::string State() const {
    std::lock_guard<std::mutex> lock(state_mu);
    return state;
  }
  void Fail(std::string why) {
    std::lock_guard<std::mutex> lock(state_mu);
    state = "ERROR";
    error = std::move(why);
  }

 private:
  mutable std::mutex state_mu;
  std::string state = "RUNNING";
  std::string error;
};

}  // namespace brook
