// QueryTask: runs one QueryPlan — consume, decode, filter, rekey, project, encode, produce —
// for every partition of the source topic it is assigned. Single-threaded: the owner (a
// StreamThread, the deterministic driver, or an HTTP request serving a push query) calls
// PollOnce in a loop.
//
// At-least-once: after a batch, outputs are flushed (acknowledged) before the batch's input
// offsets are committed. Undecodable records and expression failures are skipped/NULLed and
// written to the processing log; they never stop the query.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "planner/physical/plan.h"
#include "runtime/engine/processing_log.h"
#include "runtime/expr/evaluator.h"
#include "runtime/kafka/kafka.h"
#include "runtime/serde/serde.h"

namespace brook {

// A projected row delivered to a transient (push) query's consumer.
struct OutputRow {
  std::vector<Value> columns;  // in SELECT order
  bool tombstone = false;
  int64_t rowtime = 0;
};
using RowSink = std::function<void(OutputRow&&)>;

struct QueryTaskOptions {
  std::string group_id;
  bool from_beginning = true;       // auto.offset.reset=earliest
  kafka::Millis flush_timeout{30000};  // producer acknowledgement wait per batch (default 30 s)
};

class QueryTask {
 public:
  // `producer` is required for persistent plans (plan.sink set); `sink` for transient ones.
  static Result<std::unique_ptr<QueryTask>> Create(const QueryPlan& plan,
                                                   kafka::KafkaClientFactory& kafka,
                                                   kafka::Producer* producer, RowSink sink,
                                                   ProcessingLog* log, QueryTaskOptions options);

  // Polls up to `max_records` and processes them; returns how many input records were read.
  Result<size_t> PollOnce(size_t max_records, kafka::Millis timeout);

  bool limit_reached() const { return limit_reached_; }
  // Counters may be read from other threads (metrics, SHOW QUERIES).
  uint64_t records_in() const { return records_in_.load(std::memory_order_relaxed); }
  uint64_t records_out() const { return records_out_.load(std::memory_order_relaxed); }
  // Stream time of one input partition: the largest record timestamp seen on it (-1: none).
  // Every partition is its own task in the DESIGN.md sense: its own event time and offsets.
  int64_t stream_time(int32_t partition) const;
  const QueryPlan& plan() const { return plan_; }
  Result<int64_t> Lag() { return consumer_->Lag(); }

 private:
  QueryTask(const QueryPlan& plan, ProcessingLog* log) : plan_(plan), log_(log) {}
  void ProcessRecord(const kafka::RecordView& r);
  void Emit(const kafka::RecordView& r, const Value* row, bool tombstone, int64_t rowtime);
  void LogError(ProcessingLogEntry::Type type, const kafka::RecordView& r, const std::string& step,
                const std::string& target, const std::string& message);

  QueryPlan plan_;
  ProcessingLog* log_;
  kafka::Millis flush_timeout_{30000};
  std::unique_ptr<kafka::Consumer> consumer_;
  kafka::Producer* producer_ = nullptr;
  RowSink sink_;
  std::unique_ptr<Serde> key_serde_;
  std::unique_ptr<Serde> value_serde_;
  // Two-phase decoding (JSON with a WHERE clause): value_serde_ decodes only the columns the
  // filter reads; post_filter_serde_ decodes the rest for records that pass.
  std::unique_ptr<Serde> post_filter_serde_;
  std::unique_ptr<Serde> sink_key_serde_;
  std::unique_ptr<Serde> sink_value_serde_;
  std::vector<kafka::RecordView> batch_;
  std::vector<Value> row_;
  std::vector<Value> rekeyed_;
  std::vector<Value> out_key_;
  std::vector<Value> out_value_;
  EvalContext eval_;
  size_t key_count_ = 0;
  size_t value_count_ = 0;   // value columns decoded by the value serde (no header columns)
  std::vector<int> header_slots_;  // flat-row slots of header columns, parallel to header_keys_
  std::vector<std::optional<std::string>> header_keys_;
  std::atomic<uint64_t> records_in_{0};
  std::atomic<uint64_t> records_out_{0};
  int64_t emitted_ = 0;
  bool limit_reached_ = false;
  bool input_key_null_ = false;
  std::vector<int64_t> stream_time_;  // per input partition
};

}  // namespace brook
