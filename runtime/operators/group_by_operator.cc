#include "runtime/operators/group_by_operator.h"

#include "common/value_codec.h"

namespace brook {

std::vector<state::StoreSpec> GroupByOperator::Stores(const AggregateStep& step,
                                                      const std::string& step_id) {
  if (!step.table_input) return {};
  return {{step_id + "-GroupBy-Prior", state::StoreKind::kKeyValue}};
}

GroupByOperator::GroupByOperator(const AggregateStep& step, std::string step_id)
    : step_(step), step_id_(std::move(step_id)) {
  for (const AggregateCall& c : step_.calls) arg_count_ += c.args.size();
}

Status GroupByOperator::Open(OperatorContext& ctx) {
  RETURN_IF_ERROR(Operator::Open(ctx));
  if (step_.table_input) {
    if (!ctx.state) return Internal("group-by step " + step_id_ + " opened without state stores");
    ASSIGN_OR_RETURN(prior_, ctx.state->key_value_store(step_id_ + "-GroupBy-Prior"));
  }
  return Status::Ok();
}

bool GroupByOperator::Extract(const Row& row) {
  eval_.Reset();
  key_.resize(step_.group_by.size());
  for (size_t i = 0; i < step_.group_by.size(); ++i) {
    key_[i] = Evaluate(*step_.group_by[i], row.values.data(), eval_);
    if (key_[i].is_null()) {
      ctx_->LogError(ProcessingLogEntry::Type::kRecordProcessingError, row, AggregateStep::kName,
                     "",
                     "Group-by column with index " + std::to_string(i) +
                         " resolved to null. The source row will be excluded from the table.");
      return false;
    }
  }
  args_.clear();
  for (const AggregateCall& c : step_.calls) {
    for (const BoundExprPtr& a : c.args) args_.push_back(Evaluate(*a, row.values.data(), eval_));
  }
  if (eval_.failed()) {
    ctx_->LogError(ProcessingLogEntry::Type::kRecordProcessingError, row, AggregateStep::kName, "",
                   "Error computing expression " + eval_.error_expr + ": " + eval_.error);
  }
  return true;
}

void GroupByOperator::Append(Op op, const Row& from, const std::vector<Value>& key,
                             const std::vector<Value>* old_args, const std::vector<Value>* new_args,
                             RowBatch& out) const {
  Row& r = out.Append();
  r.values.clear();
  r.values.push_back(Value::Int(op));
  r.values.insert(r.values.end(), key.begin(), key.end());
  if (old_args) r.values.insert(r.values.end(), old_args->begin(), old_args->end());
  if (new_args) r.values.insert(r.values.end(), new_args->begin(), new_args->end());
  r.CopyMetaFrom(from);
  r.null_key = false;
  r.null_value = false;
  r.tombstone = false;
  r.windowed = false;
}

Status GroupByOperator::Process(RowBatch& input, RowBatch& out) {
  for (size_t i = 0; i < input.size(); ++i) {
    const Row& row = input[i];
    if (step_.table_input) {
      RETURN_IF_ERROR(ProcessTable(row, out));
      continue;
    }
    if (row.null_value || row.tombstone) continue;  // a stream row without value is no event
    if (!Extract(row)) continue;
    Append(kAdd, row, key_, nullptr, &args_, out);
  }
  input.Clear();
  return Status::Ok();
}

Status GroupByOperator::ProcessTable(const Row& row, RowBatch& out) {
  std::string_view source_key;
  if (!step_.table_key_slots.empty()) {
    // A joined table: its row's identity is in the row itself.
    table_key_.clear();
    for (int slot : step_.table_key_slots) {
      if (slot >= static_cast<int>(row.values.size())) return Status::Ok();
      EncodeValue(row.values[slot], table_key_);
    }
    source_key = table_key_;
  } else {
    if (!row.record || !row.record->key) return Status::Ok();
    source_key = *row.record->key;
  }
  ASSIGN_OR_RETURN(std::optional<std::string> prior, prior_->Get(source_key));
  bool have_old = false;
  if (prior) {
    std::vector<Value> flat;
    if (!DecodeValues(*prior, flat) || flat.size() != step_.group_by.size() + arg_count_) {
      return Internal("corrupt table aggregation state in " + step_id_);
    }
    old_key_.assign(flat.begin(), flat.begin() + step_.group_by.size());
    old_args_.assign(flat.begin() + step_.group_by.size(), flat.end());
    have_old = true;
  }
  bool have_new = !row.tombstone && !row.null_value && Extract(row);
  bool same_group = false;
  if (have_old && have_new) {
    std::string a, b;
    EncodeValues(old_key_.data(), old_key_.size(), a);
    EncodeValues(key_.data(), key_.size(), b);
    same_group = a == b;
  }
  if (same_group) {
    Append(kReplace, row, key_, &old_args_, &args_, out);
  } else {
    if (have_old) Append(kUndo, row, old_key_, &old_args_, nullptr, out);
    if (have_new) Append(kAdd, row, key_, nullptr, &args_, out);
  }
  if (have_new) {
    std::string flat;
    EncodeValues(key_.data(), key_.size(), flat);
    EncodeValues(args_.data(), args_.size(), flat);
    return prior_->Put(source_key, flat);
  }
  if (have_old) return prior_->Delete(source_key);
  return Status::Ok();
}

}  // namespace brook
