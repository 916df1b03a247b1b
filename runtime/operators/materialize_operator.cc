#include "runtime/operators/materialize_operator.h"

#include <algorithm>

#include "common/value_codec.h"

namespace brook {

state::StoreSpec MaterializeOperator::Store(const MaterializeStep& step,
                                            const std::string& step_id) {
  state::StoreSpec spec;
  spec.name = step_id;
  spec.kind = step.windowed ? state::StoreKind::kWindow : state::StoreKind::kKeyValue;
  spec.changelog = step.changelog;
  return spec;
}

Status MaterializeOperator::Open(OperatorContext& ctx) {
  RETURN_IF_ERROR(Operator::Open(ctx));
  if (!ctx.state) return Internal("materialize step " + step_id_ + " opened without state stores");
  if (step_.windowed) {
    ASSIGN_OR_RETURN(windows_, ctx.state->window_store(step_id_));
  } else {
    ASSIGN_OR_RETURN(rows_, ctx.state->key_value_store(step_id_));
  }
  return Status::Ok();
}

void EncodeMaterializedKey(const Value* key, size_t key_count, std::string& out) {
  out.clear();
  EncodeOrderedValues(key, key_count, out);
}

Status MaterializeOperator::Process(RowBatch& input, RowBatch& out) {
  const size_t keys = static_cast<size_t>(step_.key_count);
  const size_t values = static_cast<size_t>(step_.value_count);
  for (size_t i = 0; i < input.size(); ++i) {
    Row& row = input[i];
    if (row.values.size() < (row.tombstone ? keys : keys + values)) {
      return Internal("materialize step " + step_id_ + ": a row is narrower than the table");
    }
    EncodeMaterializedKey(row.values.data(), keys, key_buf_);
    if (!row.tombstone) {
      value_buf_.clear();
      EncodeValue(Value::Bigint(row.rowtime), value_buf_);
      if (step_.windowed) EncodeValue(Value::Bigint(row.window_end), value_buf_);
      EncodeValues(row.values.data() + keys, values, value_buf_);
    }
    if (step_.windowed) {
      if (row.tombstone) {
        RETURN_IF_ERROR(windows_->Delete(key_buf_, row.window_start));
      } else {
        RETURN_IF_ERROR(windows_->Put(key_buf_, row.window_start, value_buf_));
        max_window_start_ = std::max(max_window_start_, row.window_start);
      }
    } else if (row.tombstone) {
      RETURN_IF_ERROR(rows_->Delete(key_buf_));
    } else {
      RETURN_IF_ERROR(rows_->Put(key_buf_, value_buf_));
    }
    out.Take(row);
  }
  input.Clear();
  // Windows older than the retention behind the newest one leave the store, as they leave the
  // aggregation's. Expiry scans the time index, so it runs in steps rather than per window.
  if (step_.windowed && step_.retention_ms && max_window_start_ != INT64_MIN) {
    int64_t before = max_window_start_ - *step_.retention_ms;
    int64_t stride = std::max<int64_t>(1000, *step_.retention_ms / 8);
    if (expired_before_ == INT64_MIN || before - expired_before_ >= stride) {
      ASSIGN_OR_RETURN(size_t expired, windows_->ExpireBefore(before));
      (void)expired;
      expired_before_ = before;
    }
  }
  return Status::Ok();
}

bool DecodeMaterializedRow(const MaterializeStep& step, std::string_view key,
                           std::string_view value, int64_t window_start, MaterializedRow& row) {
  row.key.clear();
  row.values.clear();
  if (!DecodeOrderedValues(key, row.key) || row.key.size() != static_cast<size_t>(step.key_count)) {
    return false;
  }
  Value v;
  if (!DecodeValue(value, v) || v.kind() != Value::Kind::kBigint) return false;
  row.rowtime = v.as_int64();
  row.window_start = window_start;
  row.window_end = 0;
  if (step.windowed) {
    if (!DecodeValue(value, v) || v.kind() != Value::Kind::kBigint) return false;
    row.window_end = v.as_int64();
  }
  return DecodeValues(value, row.values) &&
         row.values.size() == static_cast<size_t>(step.value_count);
}

}  // namespace brook
