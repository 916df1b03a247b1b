#include "runtime/operators/project_operator.h"

namespace brook {

Status ProjectOperator::Process(RowBatch& input, RowBatch& out) {
  const size_t nk = step_.key_exprs.size();
  const size_t nv = step_.value_exprs.size();
  for (size_t i = 0; i < input.size(); ++i) {
    Row& row = input[i];
    Row& next = out.Append();
    next.values.resize(nk + nv);
    eval_.Reset();
    for (size_t k = 0; k < nk; ++k) {
      next.values[k] = Evaluate(*step_.key_exprs[k], row.values.data(), eval_);
    }
    bool tombstone = row.tombstone || row.null_value;
    for (size_t v = 0; v < nv; ++v) {
      // A deletion read from the source (a null value) keeps the columns it has — its key and
      // window bounds, which a push query shows as ksqlDB does; value columns are null there
      // anyway. Computed values, and deletions an operator made, are all null. A sink writes a
      // deletion as a null value either way.
      const BoundExpr& e = *step_.value_exprs[v];
      const bool keep = row.null_value && e.kind == BoundKind::kColumn;
      next.values[nk + v] = tombstone && !keep ? Value() : Evaluate(e, row.values.data(), eval_);
    }
    if (eval_.failed()) {
      ctx_->LogError(ProcessingLogEntry::Type::kRecordProcessingError, row, ProjectStep::kName,
                     "", "Error computing expression " + eval_.error_expr + ": " + eval_.error);
    }
    next.CopyMetaFrom(row);
    next.tombstone = tombstone;
  }
  input.Clear();
  return Status::Ok();
}

}  // namespace brook
