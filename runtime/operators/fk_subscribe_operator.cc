#include "runtime/operators/fk_subscribe_operator.h"

#include "common/value_codec.h"

namespace brook {

Status FkSubscribeOperator::Open(OperatorContext& ctx) {
  ctx_ = &ctx;
  if (!ctx.state) return Internal("a foreign-key join needs state");
  ASSIGN_OR_RETURN(prior_, ctx.state->key_value_store(step_id_ + "-prior"));
  return Status::Ok();
}

std::string FkSubscribeOperator::ForeignKey(const Row& row, const Value* values) {
  eval_.Reset();
  Value fk = Evaluate(*step_.key, values, eval_);
  if (eval_.failed()) {
    ctx_->LogError(ProcessingLogEntry::Type::kRecordProcessingError, row, RepartitionStep::kName,
                   "", "Error computing the foreign key " + eval_.error_expr + ": " + eval_.error);
  }
  std::string bytes;
  if (!fk.is_null()) EncodeValue(fk, bytes);
  return bytes;
}

Status FkSubscribeOperator::Process(RowBatch& input, RowBatch& out) {
  for (size_t i = 0; i < input.size(); ++i) {
    Row& row = input[i];
    if (row.values.size() < key_columns_) continue;
    key_.clear();
    EncodeValues(row.values.data(), key_columns_, key_);
    ASSIGN_OR_RETURN(std::optional<std::string> prior, prior_->Get(key_));
    int64_t old_time = 0;
    bool had = false;
    if (prior) {
      Value t;
      std::string_view bytes = *prior;
      had = DecodeValue(bytes, t) && DecodeValues(bytes, old_) && old_.size() == row.values.size();
      old_time = had ? t.as_int64() : 0;
    }
    auto emit_old = [&](Change change) {
      Row& o = out.Append();
      o.CopyMetaFrom(row);
      o.values = old_;
      o.rowtime = change == kDelete ? row.rowtime : old_time;
      o.tombstone = true;
      o.null_value = true;
      o.fk_change = change;
    };
    if (row.tombstone || row.null_value) {
      if (!had) continue;  // nothing to delete
      RETURN_IF_ERROR(prior_->Delete(key_));
      emit_old(kDelete);
      continue;
    }
    std::string fk = ForeignKey(row, row.values.data());
    bool moved = false;
    if (had) {
      std::string old_fk = ForeignKey(row, old_.data());
      moved = !old_fk.empty() && old_fk != fk;
      if (moved) emit_old(kUnsubscribe);
    }
    stored_.clear();
    EncodeValue(Value::Bigint(row.rowtime), stored_);
    EncodeValues(row.values.data(), row.values.size(), stored_);
    RETURN_IF_ERROR(prior_->Put(key_, stored_));
    row.fk_change = moved ? kChanged : kUpsert;
    out.Take(row);
  }
  input.Clear();
  return Status::Ok();
}

}  // namespace brook
