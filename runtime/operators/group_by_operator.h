// GroupByOperator: the first half of aggregate_v1. For each row it evaluates the GROUP BY key
// and the aggregate calls' arguments and emits a contribution row for AggregateOperator:
//   [op INT, key values..., arguments...]
//   kAdd      fold the arguments into the key's group (stream rows; a table key's first row)
//   kUndo     take them back out (a table tombstone, or a table row that left its group)
//   kReplace  a table row that stays in its group: old arguments, then new ones (one result,
//             as Kafka's KIP-904)
// A stream row without a value is ignored; a row whose key has a NULL is dropped and logged.
// For table input the last contribution of each source key is kept in the store
// "<step id>-GroupBy-Prior", so an update or a tombstone can undo it.
//
// Without a repartition its rows go straight to the AggregateOperator of the same task; with
// one they go through the query's internal topic, keyed by the group key (repartition.h), so
// every group lives in exactly one task.
#pragma once

#include <string>
#include <vector>

#include "planner/physical/aggregate_step.h"
#include "runtime/expr/evaluator.h"
#include "runtime/operators/operator.h"
#include "runtime/state/task_state.h"

namespace brook {

class GroupByOperator : public Operator {
 public:
  enum Op : int32_t { kAdd = 0, kUndo = 1, kReplace = 2 };

  static std::vector<state::StoreSpec> Stores(const AggregateStep& step,
                                              const std::string& step_id);
  GroupByOperator(const AggregateStep& step, std::string step_id);

  Status Open(OperatorContext& ctx) override;
  Status Process(RowBatch& input, RowBatch& out) override;

 private:
  // Evaluates key and arguments of `row` into key_ / args_; false if a key value is NULL.
  bool Extract(const Row& row);
  void Append(Op op, const Row& from, const std::vector<Value>& key,
              const std::vector<Value>* old_args, const std::vector<Value>* new_args,
              RowBatch& out) const;
  Status ProcessTable(const Row& row, RowBatch& out);

  AggregateStep step_;
  std::string step_id_;
  size_t arg_count_ = 0;
  state::KeyValueStore* prior_ = nullptr;
  EvalContext eval_;
  std::vector<Value> key_, args_, old_key_, old_args_;
  std::string table_key_;  // a joined table's row identity (AggregateStep::table_key_slots)
};

}  // namespace brook
