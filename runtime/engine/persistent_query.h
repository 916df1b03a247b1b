// Engine::PersistentQuery: a running CSAS/CTAS/INSERT INTO query — its topology and the stream
// threads that run it (ksql.streams.num.stream.threads, default 1). Internal to the engine.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
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
  // The query's stream threads. A thread that failed is replaced by a new one (Retry), so
  // readers on other threads than the query's own take threads_mu.
  std::vector<std::unique_ptr<StreamThread>> threads;
  mutable std::mutex threads_mu;
  std::vector<std::thread> os_threads;  // one per stream thread when the engine is threaded
  std::atomic<bool> stop{false};
  // Builds a stream thread like the query's first ones (but restoring state): used to replace
  // a thread that failed.
  std::function<Result<std::unique_ptr<StreamThread>>()> new_thread;
  // ksql.query.retry.backoff.initial.ms / .max.ms: the wait before the first restart after a
  // failure, doubled after each further failure up to the maximum.
  int64_t retry_initial_ms = 15000;
  int64_t retry_max_ms = 900000;

  const PhysicalPlan& plan() const { return topology->plan(); }
  uint64_t records_in() const { return Sum(&StreamThread::records_in, retired_.records_in); }
  uint64_t skipped_by_broker() const {
    return Sum(&StreamThread::skipped_by_broker, retired_.skipped_by_broker);
  }
  uint64_t late_records() const { return Sum(&StreamThread::late_records, retired_.late_records); }
  uint64_t backpressure_pauses() const {
    return Sum(&StreamThread::backpressure_pauses, retired_.backpressure_pauses);
  }
  uint64_t records_out() const { return Sum(&StreamThread::records_out, retired_.records_out); }
  // Replaces thread `i` (which failed and is abandoned: nothing of it is committed) by a new one
  // from `new_thread`, keeping its counters. Called by the thread's own OS thread.
  Status ReplaceThread(size_t i) {
    auto fresh = new_thread();
    if (!fresh.ok()) return fresh.status();
    std::unique_ptr<StreamThread> old;
    {
      std::lock_guard<std::mutex> lock(threads_mu);
      old = std::move(threads[i]);
      retired_.records_in += old->records_in();
      retired_.records_out += old->records_out();
      retired_.skipped_by_broker += old->skipped_by_broker();
      retired_.late_records += old->late_records();
      retired_.backpressure_pauses += old->backpressure_pauses();
      threads[i] = std::move(fresh).value();
    }
    return Status::Ok();
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
    return failed_threads > 0 ? "ERROR" : "RUNNING";
  }
  // The newest errors, oldest first (ksqlDB's queryErrors, at most kMaxErrors).
  std::vector<QueryError> Errors() const {
    std::lock_guard<std::mutex> lock(state_mu);
    return errors;
  }
  // A stream thread failed: the query is in ERROR until every failed thread runs again.
  void Fail(const Status& why) {
    std::lock_guard<std::mutex> lock(state_mu);
    ++failed_threads;
    RecordError(why);
  }
  // A failed thread was replaced and runs again.
  void Recovered() {
    std::lock_guard<std::mutex> lock(state_mu);
    if (failed_threads > 0) --failed_threads;
  }
  // A failure while replacing a failed thread (the thread is still failed).
  void RetryFailed(const Status& why) {
    std::lock_guard<std::mutex> lock(state_mu);
    RecordError(why);
  }

  static constexpr size_t kMaxErrors = 10;  // ksql.query.error.max.queue.size's default

 private:
  uint64_t Sum(uint64_t (StreamThread::*counter)() const, uint64_t retired) const {
    std::lock_guard<std::mutex> lock(threads_mu);
    uint64_t n = retired;
    for (const auto& t : threads) n += (t.get()->*counter)();
    return n;
  }
  void RecordError(const Status& why) {
    QueryError e;
    e.timestamp_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    e.message = why.ToString();
    // ksqlDB's classification: the environment (Kafka, disks, time-outs) is SYSTEM, a defect of
    // brook UNKNOWN, anything the query's definition or data caused USER.
    switch (why.code()) {
      case StatusCode::kIOError:
      case StatusCode::kTimeout:
      case StatusCode::kResourceExhausted:
        e.type = "SYSTEM";
        break;
      case StatusCode::kInternal:
        e.type = "UNKNOWN";
        break;
      default:
        e.type = "USER";
        break;
    }
    errors.push_back(std::move(e));
    if (errors.size() > kMaxErrors) errors.erase(errors.begin());
  }

  struct Counters {
    uint64_t records_in = 0, records_out = 0, skipped_by_broker = 0, late_records = 0,
             backpressure_pauses = 0;
  };
  Counters retired_;  // of threads replaced after a failure; guarded by threads_mu
  mutable std::mutex state_mu;
  int failed_threads = 0;
  std::vector<QueryError> errors;
};

}  // namespace brook
