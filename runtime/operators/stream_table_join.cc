// Stream-table join: only stream rows trigger output. The table side (right) is kept by key in
// "<id>-right-store" (time + row); a tombstone deletes the key. A stream row whose key is NULL
// or that has no value is dropped, as Kafka Streams does.
#include "runtime/operators/join_internal.h"

namespace brook {

namespace {

class StreamTableJoin : public JoinOperator {
 public:
  StreamTableJoin(const JoinStep& step, std::string step_id)
      : JoinOperator(step, std::move(step_id)) {}

  Status Open(OperatorContext& ctx) override {
    ctx_ = &ctx;
    if (!ctx.state) return Internal("a stream-table join needs state");
    ASSIGN_OR_RETURN(table_, ctx.state->key_value_store(step_id_ + "-right-store"));
    return Status::Ok();
  }

  Status ProcessSide(int side, RowBatch& input, RowBatch& out) override {
    for (size_t i = 0; i < input.size(); ++i) {
      const Row& row = input[i];
      if (side == 1) {
        RETURN_IF_ERROR(Update(row));
      } else {
        RETURN_IF_ERROR(Lookup(row, out));
      }
    }
    input.Clear();
    return Status::Ok();
  }

 private:
  Status Update(const Row& row) {
    if (!KeyOf(1, row, key_)) return Status::Ok();
    if (row.tombstone || row.null_value) return table_->Delete(key_);
    EncodeStored(row, stored_);
    return table_->Put(key_, stored_);
  }

  Status Lookup(const Row& row, RowBatch& out) {
    if (row.null_value || !KeyOf(0, row, key_)) return Status::Ok();
    ASSIGN_OR_RETURN(std::optional<std::string> found, table_->Get(key_));
    int64_t table_time = 0;
    if (found && !DecodeStored(*found, step_.right_width, right_, table_time)) {
      ctx_->LogError(ProcessingLogEntry::Type::kRecordProcessingError, row, JoinStep::kName, "",
                     "The join's table store holds a malformed row");
      found.reset();
    }
    if (!found && step_.type == JoinStep::Type::kInner) return Status::Ok();
    Emit(row.values.data(), found ? right_.data() : nullptr, row, row.rowtime, out);
    return Status::Ok();
  }

  state::KeyValueStore* table_ = nullptr;
  std::string key_, stored_;
  std::vector<Value> right_;
};

}  // namespace

std::unique_ptr<Operator> NewStreamTableJoin(const JoinStep& step, std::string step_id) {
  return std::make_unique<StreamTableJoin>(step, std::move(step_id));
}

}  // namespace brook
