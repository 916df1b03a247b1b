// FlatMapOperator (flat_map_v1): each input row becomes one row per value its table function
// calls return — [input row..., one column per call] — the calls zipped, the shorter padded
// with NULL. A call (or an argument) that fails is logged and its input row skipped.
// Bound: one input row yields at most kMaxRowsPerInput rows (65 536, e.g. CUBE_EXPLODE of 16
// elements); a row that would yield more is logged and skipped, so one hostile record cannot
// hold gigabytes in a batch. (ksqlDB lets CUBE_EXPLODE reach 2^20 rows.)
#pragma once

#include "planner/physical/flat_map_step.h"
#include "runtime/expr/evaluator.h"
#include "runtime/operators/operator.h"

namespace brook {

class FlatMapOperator : public Operator {
 public:
  static constexpr size_t kMaxRowsPerInput = 65536;
  explicit FlatMapOperator(const FlatMapStep& step) : step_(step), results_(step.calls.size()) {}
  Status Process(RowBatch& input, RowBatch& out) override;

 private:
  FlatMapStep step_;
  EvalContext eval_;
  std::vector<Value> args_;
  std::vector<std::vector<Value>> results_;  // per call, for the current row
};

}  // namespace brook
