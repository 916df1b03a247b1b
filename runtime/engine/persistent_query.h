// Engine::PersistentQuery: a running CSAS/CTAS/INSERT INTO query — its topology and the stream
// threads that run it (ksql.streams.num.stream.threads, default 1). Internal to the engine.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "runtime/engine/engine.h"
#include "runtime/topology/stream_thread.h"

namespace brook {

struct Engine::PersistentQuery {
  std::string id;
  std::string sql;
  std::string sink;
  std::string source;
  std::shared_ptr<const Topology> topology;
  // The materialized result table pull queries read (CTAS, CREATE SOURCE TABLE), or null.
  std::shared_ptr<MaterializedView> view;
  std::vector<std::unique_ptr<StreamThread>> threads;
  std::vector<std::thread> os_threads;  // one per stream thread when the engine is threaded
  std::atomic<bool> stop{false};

  const PhysicalPlan& plan() const { return topology->plan(); }
  uint64_t records_in() const {
    uint64_t n = 0;
    for (const auto& t : threads) n += t->records_in();
    return n;
  }
  uint64_t skipped_by_broker() const {
    uint64_t n = 0;
    for (const auto& t : threads) n += t->skipped_by_broker();
    return n;
  }
  uint64_t late_records() const {
    uint64_t n = 0;
    for (const auto& t : threads) n += t->late_records();
    return n;
  }
  uint64_t backpressure_pauses() const {
    uint64_t n = 0;
    for (const auto& t : threads) n += t->backpressure_pauses();
    return n;
  }
  uint64_t records_out() const {
    uint64_t n = 0;
    for (const auto& t : threads) n += t->records_out();
    return n;
  }
  // Stops the OS threads (each commits what it processed on its way out) and joins them.
  void Join() {
    stop = true;
    for (std::thread& t : os_threads) {
      if (t.joinable()) t.join();
    }
    os_threads.clear();
  }
  // State is written by the query's own threads and read by statements; it has its own lock so
  // the query threads never take the engine mutex (TERMINATE joins them under it).
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
