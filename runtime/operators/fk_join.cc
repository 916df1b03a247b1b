// Foreign-key table-table join (INNER / LEFT), in the task that holds the right table's rows for
// the foreign keys of its partition. The left rows arrive by foreign key with their change kind
// (fk_subscribe_operator.h). Stores: "<id>-right-store" (right key -> time + row) and
// "<id>-left-store" (foreign key + left key -> time + left row: the subscriptions of a right key,
// found with one prefix scan). What is emitted, keyed by the left table's key (ksqlDB):
//  - a left upsert: the joined row (time: the later of the two rows'); with no right row, LEFT
//    emits it with NULLs, INNER nothing — or a tombstone if the row just left another foreign key;
//  - a left deletion: a tombstone; an unsubscription: nothing;
//  - a right change: for every left row subscribed to its key, the joined row — or, for a right
//    deletion, NULLs (LEFT) or a tombstone (INNER) — at the right row's time.
#include "common/value_codec.h"
#include "runtime/operators/fk_subscribe_operator.h"
#include "runtime/operators/join_internal.h"

namespace brook {

namespace {

class ForeignKeyJoin : public JoinOperator {
 public:
  ForeignKeyJoin(const JoinStep& step, std::string step_id)
      : JoinOperator(step, std::move(step_id)) {}

  Status Open(OperatorContext& ctx) override {
    ctx_ = &ctx;
    if (!ctx.state) return Internal("a foreign-key join needs state");
    ASSIGN_OR_RETURN(left_, ctx.state->key_value_store(step_id_ + "-left-store"));
    ASSIGN_OR_RETURN(right_, ctx.state->key_value_store(step_id_ + "-right-store"));
    return Status::Ok();
  }

  Status ProcessSide(int side, RowBatch& input, RowBatch& out) override {
    for (size_t i = 0; i < input.size(); ++i) {
      RETURN_IF_ERROR(side == 0 ? Left(input[i], out) : Right(input[i], out));
    }
    input.Clear();
    return Status::Ok();
  }

 private:
  bool inner() const { return step_.type == JoinStep::Type::kInner; }

  void Tombstone(const Value* left, const Row& from, int64_t time, RowBatch& out) {
    Emit(left, nullptr, from, time, out);
    Row& t = out[out.size() - 1];
    t.tombstone = true;
    t.null_value = true;
  }

  Status Left(const Row& row, RowBatch& out) {
    const bool has_fk = KeyOf(0, row, fk_);
    subscription_ = fk_;
    EncodeValues(row.values.data(), step_.left_key_columns, subscription_);
    switch (row.fk_change) {
      case FkSubscribeOperator::kUnsubscribe:
        if (has_fk) RETURN_IF_ERROR(left_->Delete(subscription_));
        return Status::Ok();
      case FkSubscribeOperator::kDelete:
        if (has_fk) RETURN_IF_ERROR(left_->Delete(subscription_));
        Tombstone(row.values.data(), row, row.rowtime, out);
        return Status::Ok();
      default:
        break;
    }
    std::optional<std::string> found;
    if (has_fk) {
      EncodeStored(row, stored_);
      RETURN_IF_ERROR(left_->Put(subscription_, stored_));
      ASSIGN_OR_RETURN(found, right_->Get(fk_));
    }
    int64_t right_time = 0;
    if (found && !DecodeStored(*found, step_.right_width, right_row_, right_time)) found.reset();
    if (found) {
      Emit(row.values.data(), right_row_.data(), row, std::max(row.rowtime, right_time), out);
    } else if (!inner()) {
      Emit(row.values.data(), nullptr, row, row.rowtime, out);
    } else if (row.fk_change == FkSubscribeOperator::kChanged) {
      Tombstone(row.values.data(), row, row.rowtime, out);
    }
    return Status::Ok();
  }

  Status Right(const Row& row, RowBatch& out) {
    if (!KeyOf(1, row, key_)) return Status::Ok();
    const bool deleted = row.tombstone || row.null_value;
    if (deleted) {
      ASSIGN_OR_RETURN(std::optional<std::string> had, right_->Get(key_));
      if (!had) return Status::Ok();
      RETURN_IF_ERROR(right_->Delete(key_));
    } else {
      EncodeStored(row, stored_);
      RETURN_IF_ERROR(right_->Put(key_, stored_));
    }
    // Every left row subscribed to this key.
    std::vector<std::string> subscribers;
    RETURN_IF_ERROR(left_->PrefixScan(key_, [&](std::string_view, std::string_view value) {
      subscribers.emplace_back(value);
      return true;
    }));
    for (const std::string& s : subscribers) {
      int64_t left_time = 0;
      if (!DecodeStored(s, step_.left_width, left_row_, left_time)) continue;
      if (!deleted) {
        Emit(left_row_.data(), row.values.data(), row, row.rowtime, out);
      } else if (inner()) {
        Tombstone(left_row_.data(), row, row.rowtime, out);
      } else {
        Emit(left_row_.data(), nullptr, row, row.rowtime, out);
      }
    }
    return Status::Ok();
  }

  state::KeyValueStore* left_ = nullptr;
  state::KeyValueStore* right_ = nullptr;
  std::string fk_, key_, subscription_, stored_;
  std::vector<Value> left_row_, right_row_;
};

}  // namespace

Result<std::unique_ptr<Operator>> NewForeignKeyJoin(const JoinStep& step, std::string step_id) {
  if (step.type != JoinStep::Type::kInner && step.type != JoinStep::Type::kLeft) {
    return InvalidArgument("Foreign-key joins are INNER or LEFT joins.");
  }
  return std::unique_ptr<Operator>(std::make_unique<ForeignKeyJoin>(step, std::move(step_id)));
}

}  // namespace brook
