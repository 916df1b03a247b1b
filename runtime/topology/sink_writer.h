// Where a task's result rows go.
//  - SinkWriter (sink_v1): encodes key and value with the sink's formats, sets the record time
//    (the input's, or the sink's TIMESTAMP column) and hands the record to the producer.
//    Encoding failures and bad sink timestamps are logged and the row skipped.
//  - TransientOutput: a push query's rows, in SELECT order, to a RowSink; stops at LIMIT.
// Not thread-safe: one per stream thread.
#pragma once

#include <functional>
#include <memory>
#include <optional>

#include "planner/physical/physical_plan.h"
#include "runtime/kafka/kafka.h"
#include "runtime/operators/operator.h"
#include "runtime/serde/serde.h"

namespace brook {

// A projected row delivered to a transient (push) query's consumer.
struct OutputRow {
  std::vector<Value> columns;  // in SELECT order
  bool tombstone = false;
  int64_t rowtime = 0;
};
using RowSink = std::function<void(OutputRow&&)>;

class SinkWriter {
 public:
  static Result<std::unique_ptr<SinkWriter>> Create(const PhysicalPlan& plan);
  // Sends every row of `rows` (projected: [keys..., values...]); returns how many were sent.
  // Only a producer failing to enqueue is logged per row; nothing here returns an error.
  size_t Write(RowBatch& rows, kafka::Producer& producer, const OperatorContext& ctx);

 private:
  explicit SinkWriter(const PhysicalPlan& plan) : plan_(plan), sink_(*plan.sink()) {}
  const PhysicalPlan& plan_;
  const SinkStep& sink_;
  bool rekeyed_ = false;
  bool session_windows_ = false;  // a session-windowed aggregation: keys carry end + start
  void AppendWindow(const Row& row, std::string& key) const;
  std::unique_ptr<Serde> key_serde_;
  std::unique_ptr<Serde> value_serde_;
};

class TransientOutput {
 public:
  TransientOutput(const PhysicalPlan& plan, RowSink sink)
      : plan_(plan), sink_(std::move(sink)), limit_reached_(plan.limit && *plan.limit <= 0) {}
  // Delivers rows until LIMIT is reached; returns how many were delivered.
  size_t Write(RowBatch& rows);
  bool limit_reached() const { return limit_reached_; }

 private:
  const PhysicalPlan& plan_;
  RowSink sink_;
  int64_t emitted_ = 0;
  bool limit_reached_ = false;
};

}  // namespace brook
