#include "runtime/operators/join_operator.h"

#include "common/value_codec.h"
#include "runtime/operators/join_internal.h"

namespace brook {

std::vector<state::StoreSpec> JoinOperator::Stores(const JoinStep& step,
                                                   const std::string& step_id) {
  const state::StoreKind kind =
      step.stream_stream() ? state::StoreKind::kWindow : state::StoreKind::kKeyValue;
  std::vector<state::StoreSpec> stores;
  if (step.shape != JoinStep::Shape::kStreamTable) {
    stores.push_back({step_id + "-left-store", kind, true});
  }
  stores.push_back({step_id + "-right-store", kind, true});
  return stores;
}

Result<std::unique_ptr<Operator>> JoinOperator::Create(const JoinStep& step, std::string step_id) {
  switch (step.shape) {
    case JoinStep::Shape::kStreamTable:
      return NewStreamTableJoin(step, std::move(step_id));
    case JoinStep::Shape::kTableTable:
      if (step.foreign_key) return NewForeignKeyJoin(step, std::move(step_id));
      return NewTableTableJoin(step, std::move(step_id));
    case JoinStep::Shape::kStreamStream:
      return NewStreamStreamJoin(step, std::move(step_id));
  }
  return Internal("unknown join shape");
}

bool JoinOperator::KeyOf(int side, const Row& row, std::string& key) {
  const BoundExpr& expr = side == 0 ? *step_.left_key : *step_.right_key;
  eval_.Reset();
  Value v = Evaluate(expr, row.values.data(), eval_);
  if (eval_.failed()) {
    ctx_->LogError(ProcessingLogEntry::Type::kRecordProcessingError, row, JoinStep::kName, "",
                   "Error computing the join key " + eval_.error_expr + ": " + eval_.error);
    return false;
  }
  if (v.is_null()) return false;
  key.clear();
  EncodeValue(v, key);
  if (step_.windowed && row.windowed) {
    // Windowed sources join per window: the bounds are part of the key.
    EncodeValue(Value::Bigint(row.window_start), key);
    EncodeValue(Value::Bigint(row.window_end), key);
  }
  return true;
}

void JoinOperator::Emit(const Value* left, const Value* right, const Row& from, int64_t rowtime,
                        RowBatch& out) const {
  Row& row = out.Append();
  row.CopyMetaFrom(from);
  row.rowtime = rowtime;
  row.tombstone = false;
  row.null_value = false;
  const int width = step_.left_width + step_.right_width;
  row.values.resize(width + 1);
  const Value* l = left ? left : left_nulls_.data();
  const Value* r = right ? right : right_nulls_.data();
  for (int i = 0; i < step_.left_width; ++i) row.values[i] = l[i];
  for (int i = 0; i < step_.right_width; ++i) row.values[step_.left_width + i] = r[i];
  // The key: from the left row if there is one, else from the right.
  Value key;
  if (left) key = Evaluate(*step_.left_key, left, key_eval_);
  if (key.is_null() && right) key = Evaluate(*step_.right_key, right, key_eval_);
  row.values[width] = std::move(key);
}

void JoinOperator::EncodeStored(const Row& row, std::string& out) {
  out.clear();
  EncodeValue(Value::Bigint(row.rowtime), out);
  EncodeValues(row.values.data(), row.values.size(), out);
}

bool JoinOperator::DecodeStored(std::string_view bytes, size_t width, std::vector<Value>& values,
                                int64_t& rowtime) {
  Value t;
  if (!DecodeValue(bytes, t) || t.kind() != Value::Kind::kBigint) return false;
  rowtime = t.as_int64();
  if (!DecodeValues(bytes, values)) return false;
  if (values.size() != width) return false;
  return true;
}

}  // namespace brook
