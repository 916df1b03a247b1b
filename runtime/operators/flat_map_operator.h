// FlatMapOperator (flat_map_v1): each input row becomes one row per value its table function
// calls return — [input row..., one column per call] — the calls zipped, the shorter padded
// with NULL. A call (or an argument) that fails is logged and its input row skipped.
#pragma once

#include "planner/physical/flat_map_step.h"
#include "runtime/expr/evaluator.h"
#include "runtime/operators/operator.h"

namespace brook {

class FlatMapOperator : public Operator {
 public:
  explicit FlatMapOperator(const FlatMapStep& step) : step_(step), results_(step.calls.size()) {}
  Status Process(RowBatch& input, RowBatch& out) override;

 private:
  FlatMapStep step_;
  EvalContext eval_;
  std::vector<Value> args_;
  std::vector<std::vector<Value>> results_;  // per call, for the current row
};

}  // namespace brook
