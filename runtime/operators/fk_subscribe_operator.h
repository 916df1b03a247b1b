// FkSubscribeOperator: the left table's side of a foreign-key join (repartition_v1 with
// `foreign_key`). The left rows are sent to the task that holds the right table's rows for their
// foreign key; this operator, which still sees them by the left table's key, keeps each key's
// last row ("<step id>-prior") and tells the join what a change means for the foreign keys
// (Row::fk_change):
//   kUpsert       the row, subscribed to its foreign key (which it had before, if any)
//   kChanged      the row, whose previous version had another non-NULL foreign key
//   kUnsubscribe  the previous version (a tombstone), to drop it from its old foreign key
//   kDelete       the previous version (a tombstone): the left row is gone
// A deletion of a key the table never had is dropped. NULL foreign keys are kept: a LEFT join
// still emits the row.
#pragma once

#include <string>
#include <vector>

#include "planner/physical/repartition_step.h"
#include "runtime/expr/evaluator.h"
#include "runtime/operators/operator.h"
#include "runtime/state/task_state.h"

namespace brook {

class FkSubscribeOperator : public Operator {
 public:
  enum Change : uint8_t { kUpsert = 0, kDelete = 1, kUnsubscribe = 2, kChanged = 3 };

  static state::StoreSpec Store(const std::string& step_id) {
    return {step_id + "-prior", state::StoreKind::kKeyValue, true};
  }
  // `key_columns`: how many leading slots of the left row are the table's key.
  FkSubscribeOperator(const RepartitionStep& step, std::string step_id, size_t key_columns)
      : step_(step), step_id_(std::move(step_id)), key_columns_(key_columns) {}

  Status Open(OperatorContext& ctx) override;
  Status Process(RowBatch& input, RowBatch& out) override;

 private:
  // The foreign key of `values` as bytes; empty when it is NULL or fails (logged).
  std::string ForeignKey(const Row& row, const Value* values);

  RepartitionStep step_;
  std::string step_id_;
  size_t key_columns_;
  state::KeyValueStore* prior_ = nullptr;
  EvalContext eval_;
  std::string key_, stored_;
  std::vector<Value> old_;
};

}  // namespace brook
