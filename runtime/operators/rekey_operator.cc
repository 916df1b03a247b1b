#include "runtime/operators/rekey_operator.h"

namespace brook {

Status RekeyOperator::Process(RowBatch& input, RowBatch& out) {
  const size_t nk = step_.key_exprs.size();
  for (size_t i = 0; i < input.size(); ++i) {
    Row& row = input[i];
    Row& next = out.Append();
    next.values.resize(nk + step_.carried.size());
    eval_.Reset();
    for (size_t k = 0; k < nk; ++k) {
      const BoundExpr& e = *step_.key_exprs[k];
      bool key_ref =
          e.kind == BoundKind::kColumn && e.index < static_cast<int>(input_key_count_);
      next.values[k] =
          row.null_value && !key_ref ? Value() : Evaluate(e, row.values.data(), eval_);
    }
    if (eval_.failed()) {
      ctx_->LogError(ProcessingLogEntry::Type::kRecordProcessingError, row, RekeyStep::kName, "",
                     "Error computing expression " + eval_.error_expr + ": " + eval_.error);
    }
    for (size_t c = 0; c < step_.carried.size(); ++c) {
      next.values[nk + c] = std::move(row.values[step_.carried[c]]);
    }
    next.CopyMetaFrom(row);
    next.windowed = false;  // a new key has no window
  }
  input.Clear();
  return Status::Ok();
}

}  // namespace brook
