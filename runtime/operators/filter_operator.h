// FilterOperator (filter_v1): keeps the rows whose predicate is TRUE.
//  - A stream row without a value never passes.
//  - A table row that fails becomes a tombstone for its key; a table tombstone passes as is.
//  - An expression error is logged and counts as not passing.
// `late` (optional) completes a passing row before it is handed on: the task decodes the
// columns only later steps read there, so a dropped row never pays for them. A row it fails
// is dropped (the callback logs why).
#pragma once

#include <functional>

#include "planner/physical/filter_step.h"
#include "runtime/expr/evaluator.h"
#include "runtime/operators/operator.h"

namespace brook {

class FilterOperator : public Operator {
 public:
  using LateDecode = std::function<bool(Row& row)>;
  FilterOperator(const FilterStep& step, bool over_table, LateDecode late)
      : step_(step), over_table_(over_table), late_(std::move(late)) {}
  Status Process(RowBatch& input, RowBatch& out) override;

 private:
  FilterStep step_;
  bool over_table_;
  LateDecode late_;
  EvalContext eval_;
};

}  // namespace brook
