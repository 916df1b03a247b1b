// JoinOperator (join_v1): joins the rows of its two inputs — side 0 the left, side 1 the right —
// on the join key and emits [left row..., right row...], with NULLs for a missing side. Both
// inputs arrive partitioned by the join key, so a task sees every row of its keys. One class per
// shape, each in its own file:
//  - stream-table (stream_table_join.cc): a right (table) row upserts or deletes its key in the
//    store "<id>-right-store"; a left (stream) row looks its key up and emits the joined row
//    (INNER: only when found; LEFT: with NULLs otherwise), at the stream row's time.
//  - table-table (table_table_join.cc): both sides are kept by key ("<id>-left-store",
//    "<id>-right-store"); a change on either side emits the key's new join result, or a
//    tombstone when a result existed and no longer does; the time is the later of the two rows'.
//  - stream-stream (stream_stream_join.cc): both sides are buffered in window stores for
//    WITHIN + GRACE; see that file for matching, late records and when unmatched rows are
//    emitted.
// The stores have changelogs, so a task rebuilt elsewhere resumes with them.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "planner/physical/join_step.h"
#include "runtime/expr/evaluator.h"
#include "runtime/operators/operator.h"
#include "runtime/state/task_state.h"

namespace brook {

class JoinOperator : public Operator {
 public:
  static std::vector<state::StoreSpec> Stores(const JoinStep& step, const std::string& step_id);
  static Result<std::unique_ptr<Operator>> Create(const JoinStep& step, std::string step_id);

  Status Process(RowBatch& input, RowBatch& out) override {
    return Internal("a join's rows must say which side they come from");
  }

 protected:
  JoinOperator(const JoinStep& step, std::string step_id)
      : step_(step), step_id_(std::move(step_id)) {}

  // The join key of `row` (of `side`) as store key bytes, into `key`. False when the key is
  // NULL or fails to compute (logged): such a row joins nothing.
  bool KeyOf(int side, const Row& row, std::string& key);
  // Appends the output row: `left` / `right` values, or NULLs for a null pointer; the record
  // identity of `from`, and time `rowtime`.
  void Emit(const Value* left, const Value* right, const Row& from, int64_t rowtime,
            RowBatch& out) const;
  // A stored row: its time, then its values (common/value_codec.h).
  static void EncodeStored(const Row& row, std::string& out);
  // Decodes a stored row into `values` (width `width`) and its time. False if malformed.
  static bool DecodeStored(std::string_view bytes, size_t width, std::vector<Value>& values,
                           int64_t& rowtime);

  JoinStep step_;
  std::string step_id_;
  EvalContext eval_;
  mutable EvalContext key_eval_;  // Emit's key evaluation (errors were reported by KeyOf)
  const std::vector<Value> left_nulls_ = std::vector<Value>(step_.left_width);
  const std::vector<Value> right_nulls_ = std::vector<Value>(step_.right_width);
};

}  // namespace brook
