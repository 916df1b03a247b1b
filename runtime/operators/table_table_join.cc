// Table-table join on the primary key: both sides are kept by key ("<id>-left-store",
// "<id>-right-store", time + row). A change on either side emits what Kafka Streams' join
// processors emit (ksqlDB builds RIGHT as the right table's LEFT join):
//  - INNER: when the other side has the key: the joined row, or a tombstone for a deletion;
//  - LEFT (RIGHT mirrored): a change of the left row emits the joined row (NULLs for a missing
//    right) or a tombstone for its deletion — except a deletion of a key neither side has; a
//    change of the right row emits the joined row where the left row exists;
//  - FULL: the joined row while either side has the key, a tombstone when both are gone.
// The time is the later of the two rows' (the changed row's alone when the other is absent).
#include "runtime/operators/join_internal.h"

namespace brook {

namespace {

class TableTableJoin : public JoinOperator {
 public:
  TableTableJoin(const JoinStep& step, std::string step_id)
      : JoinOperator(step, std::move(step_id)) {}

  Status Open(OperatorContext& ctx) override {
    ctx_ = &ctx;
    if (!ctx.state) return Internal("a table-table join needs state");
    ASSIGN_OR_RETURN(stores_[0], ctx.state->key_value_store(step_id_ + "-left-store"));
    ASSIGN_OR_RETURN(stores_[1], ctx.state->key_value_store(step_id_ + "-right-store"));
    return Status::Ok();
  }

  Status ProcessSide(int side, RowBatch& input, RowBatch& out) override {
    for (size_t i = 0; i < input.size(); ++i) RETURN_IF_ERROR(Change(side, input[i], out));
    input.Clear();
    return Status::Ok();
  }

 private:
  // Reads side `s`'s row of key_ into rows_[s] / times_[s]; false if there is none.
  Result<bool> Read(int s, const Row& for_log) {
    ASSIGN_OR_RETURN(std::optional<std::string> found, stores_[s]->Get(key_));
    if (!found) return false;
    size_t width = s == 0 ? step_.left_width : step_.right_width;
    if (!DecodeStored(*found, width, rows_[s], times_[s])) {
      ctx_->LogError(ProcessingLogEntry::Type::kRecordProcessingError, for_log, JoinStep::kName, "",
                     "The join's table store holds a malformed row");
      return false;
    }
    return true;
  }

  // The side whose rows all appear in the result: the left of LEFT, the right of RIGHT.
  bool Preserved(int side) const {
    return (side == 0 && step_.type == JoinStep::Type::kLeft) ||
           (side == 1 && step_.type == JoinStep::Type::kRight);
  }

  Status Change(int side, const Row& row, RowBatch& out) {
    if (!KeyOf(side, row, key_)) return Status::Ok();
    const int other = 1 - side;
    ASSIGN_OR_RETURN(bool had, Read(side, row));
    ASSIGN_OR_RETURN(bool other_has, Read(other, row));
    const bool deleted = row.tombstone || row.null_value;
    if (deleted) {
      if (had) RETURN_IF_ERROR(stores_[side]->Delete(key_));
    } else {
      EncodeStored(row, stored_);
      RETURN_IF_ERROR(stores_[side]->Put(key_, stored_));
    }
    // What Kafka Streams' table-table join processors emit for this change.
    bool emit = false;
    switch (step_.type) {
      case JoinStep::Type::kInner:
        emit = other_has;
        break;
      case JoinStep::Type::kLeft:
      case JoinStep::Type::kRight:
        // The preserved side's change: a result unless a never-seen key is deleted with nothing
        // on the other side. The other side's change: a result only where the preserved row is.
        emit = Preserved(side) ? (other_has || !deleted || had) : other_has;
        break;
      case JoinStep::Type::kOuter:
        emit = other_has || !deleted || had;
        break;
    }
    if (!emit) return Status::Ok();
    const int64_t time = other_has ? std::max(row.rowtime, times_[other]) : row.rowtime;
    const Value* theirs = other_has ? rows_[other].data() : nullptr;
    // A deleted row leaves a tombstone unless the other side alone still makes a result.
    const bool tombstone =
        deleted && !(other_has && (step_.type == JoinStep::Type::kOuter || Preserved(other)));
    if (tombstone) {
      // The tombstone carries the key, in the rows it was made of.
      const Value* mine = had ? rows_[side].data() : row.values.data();
      Emit(side == 0 ? mine : theirs, side == 0 ? theirs : mine, row, time, out);
      Row& t = out[out.size() - 1];
      t.tombstone = true;
      t.null_value = true;
      return Status::Ok();
    }
    const Value* mine = deleted ? nullptr : row.values.data();
    Emit(side == 0 ? mine : theirs, side == 0 ? theirs : mine, row, time, out);
    return Status::Ok();
  }

  state::KeyValueStore* stores_[2] = {nullptr, nullptr};
  std::string key_, stored_;
  std::vector<Value> rows_[2];
  int64_t times_[2] = {0, 0};
};

}  // namespace

std::unique_ptr<Operator> NewTableTableJoin(const JoinStep& step, std::string step_id) {
  return std::make_unique<TableTableJoin>(step, std::move(step_id));
}

}  // namespace brook
