// RekeyOperator (rekey_v1, PARTITION BY): lays out [new key columns..., carried columns...]
// (see planner/physical/rekey_step.h). For a row without a value only expressions over key
// columns can be computed; the others are NULL. Expression errors are logged and yield NULL.
#pragma once

#include "planner/physical/rekey_step.h"
#include "runtime/expr/evaluator.h"
#include "runtime/operators/operator.h"

namespace brook {

class RekeyOperator : public Operator {
 public:
  // `input_key_count`: how many leading input slots are key columns.
  RekeyOperator(const RekeyStep& step, size_t input_key_count)
      : step_(step), input_key_count_(input_key_count) {}
  Status Process(RowBatch& input, RowBatch& out) override;

 private:
  RekeyStep step_;
  size_t input_key_count_;
  EvalContext eval_;
};

}  // namespace brook
