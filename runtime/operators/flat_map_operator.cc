#include "runtime/operators/flat_map_operator.h"

#include <exception>

namespace brook {

Status FlatMapOperator::Process(RowBatch& input, RowBatch& out) {
  for (size_t i = 0; i < input.size(); ++i) {
    Row& row = input[i];
    // A stream record without a value has nothing to expand.
    if (row.null_value) continue;
    size_t rows = 0;
    std::string error;
    for (size_t c = 0; c < step_.calls.size() && error.empty(); ++c) {
      const TableFunctionCall& call = step_.calls[c];
      results_[c].clear();
      eval_.Reset();
      args_.clear();
      for (const auto& a : call.args) args_.push_back(Evaluate(*a, row.values.data(), eval_));
      if (eval_.failed()) {
        error = "Error computing expression " + eval_.error_expr + ": " + eval_.error;
        break;
      }
      FunctionContext fc;
      fc.return_type = call.type;
      try {
        call.function->impl(args_, fc, results_[c]);
      } catch (const std::exception& ex) {
        fc.error = std::string("function failed: ") + ex.what();
      } catch (...) {
        fc.error = "function failed";
      }
      if (!fc.error.empty()) error = "Error computing " + call.text + ": " + fc.error;
      rows = std::max(rows, results_[c].size());
      if (rows > kMaxRowsPerInput) {
        error = call.text + " returned " + std::to_string(results_[c].size()) +
                " rows for one record; brook's limit is " + std::to_string(kMaxRowsPerInput);
      }
    }
    if (!error.empty()) {
      ctx_->LogError(ProcessingLogEntry::Type::kRecordProcessingError, row, FlatMapStep::kName,
                     "", error);
      continue;
    }
    const size_t width = row.values.size();
    for (size_t r = 0; r < rows; ++r) {
      Row& next = out.Append();
      next.values.assign(row.values.begin(), row.values.end());
      next.values.resize(width + step_.calls.size());
      for (size_t c = 0; c < step_.calls.size(); ++c) {
        next.values[width + c] = r < results_[c].size() ? results_[c][r] : Value();
      }
      next.CopyMetaFrom(row);
    }
  }
  input.Clear();
  return Status::Ok();
}

}  // namespace brook
