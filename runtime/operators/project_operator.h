// ProjectOperator (select_v1): computes the result's key and value columns. The output row is
// [key columns..., value columns...]; a tombstone's value columns stay NULL. Expression errors
// are logged and yield NULL.
#pragma once

#include "planner/physical/project_step.h"
#include "runtime/expr/evaluator.h"
#include "runtime/operators/operator.h"

namespace brook {

class ProjectOperator : public Operator {
 public:
  explicit ProjectOperator(const ProjectStep& step) : step_(step) {}
  Status Process(RowBatch& input, RowBatch& out) override;

 private:
  ProjectStep step_;
  EvalContext eval_;
};

}  // namespace brook
