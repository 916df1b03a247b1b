// MaterializeOperator (materialize_v1): writes every result row of a table query into the
// query's materialization store — the latest row per key (per key and window for windowed
// tables), deleted by tombstones — and passes the rows on unchanged. Pull queries read the
// committed store through state::StoreReader (runtime/engine/pull_query.h); the row layout is
// documented in planner/physical/materialize_step.h and decoded by DecodeMaterializedRow.
#pragma once

#include <string>
#include <vector>

#include "planner/physical/materialize_step.h"
#include "runtime/operators/operator.h"
#include "runtime/state/task_state.h"

namespace brook {

class MaterializeOperator : public Operator {
 public:
  MaterializeOperator(const MaterializeStep& step, std::string step_id)
      : step_(step), step_id_(std::move(step_id)) {}
  // The store of the step (named after `step_id`).
  static state::StoreSpec Store(const MaterializeStep& step, const std::string& step_id);

  Status Open(OperatorContext& ctx) override;
  Status Process(RowBatch& input, RowBatch& out) override;

 private:
  MaterializeStep step_;
  std::string step_id_;
  state::KeyValueStore* rows_ = nullptr;   // non-windowed
  state::WindowStore* windows_ = nullptr;  // windowed
  int64_t max_window_start_ = INT64_MIN;
  int64_t expired_before_ = INT64_MIN;  // windows before this start are already expired
  std::string key_buf_;
  std::string value_buf_;
};

// A stored row, decoded: what a pull query rebuilds its input row from.
struct MaterializedRow {
  std::vector<Value> key;     // the key columns
  std::vector<Value> values;  // the value columns
  int64_t rowtime = 0;
  int64_t window_start = 0;  // windowed tables
  int64_t window_end = 0;
};

// Encodes the store key of `key_count` key columns (order-preserving: a scan returns rows in
// key order; common/value_codec.h).
void EncodeMaterializedKey(const Value* key, size_t key_count, std::string& out);
// Decodes a stored key and value (window start given for windowed stores). False when the bytes
// are malformed.
[[nodiscard]] bool DecodeMaterializedRow(const MaterializeStep& step, std::string_view key,
                                         std::string_view value, int64_t window_start,
                                         MaterializedRow& row);

}  // namespace brook
