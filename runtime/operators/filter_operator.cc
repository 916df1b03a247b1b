#include "runtime/operators/filter_operator.h"

namespace brook {

Status FilterOperator::Process(RowBatch& input, RowBatch& out) {
  for (size_t i = 0; i < input.size(); ++i) {
    Row& row = input[i];
    if (row.null_value) {
      // A table tombstone deletes whatever the key held; a stream record without a value has
      // nothing to test.
      if (over_table_) out.Take(row);
      continue;
    }
    eval_.Reset();
    Value ok = Evaluate(*step_.predicate, row.values.data(), eval_);
    if (eval_.failed()) {
      ctx_->LogError(ProcessingLogEntry::Type::kRecordProcessingError, row, FilterStep::kName, "",
                     "Error computing expression " + eval_.error_expr + ": " + eval_.error);
    }
    if (!IsTrue(ok)) {
      if (over_table_) {
        row.tombstone = true;
        out.Take(row);
      }
      continue;
    }
    if (late_ && !late_(row)) continue;
    out.Take(row);
  }
  input.Clear();
  return Status::Ok();
}

}  // namespace brook
