// Stream-table join: only stream rows trigger output. The table side (right) is kept by key in
// "<id>-right-store" (time + row); a tombstone deletes the key. A stream row without a value is
// dropped; one whose key is NULL joins nothing (LEFT emits it with NULLs).
//
// Lookups go through an in-memory cache of decoded table rows (kCacheRows rows at most, filled
// on a miss and kept current by the table's own changes, which pass through here first), so a
// small dimension table costs no store read or decoding per stream row.
#include <unordered_map>

#include "runtime/operators/join_internal.h"

namespace brook {

namespace {

// Decoded table rows kept in memory per task (the whole table when it is small). Default 65536.
constexpr size_t kCacheRows = 65536;

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
  // A cached table row: its values, or none (the key is known to be absent).
  struct Cached {
    bool present = false;
    std::vector<Value> values;
  };

  Cached& CacheSlot() {
    if (cache_.size() >= kCacheRows && !cache_.count(key_)) cache_.clear();  // crude, bounded
    return cache_[key_];
  }

  Status Update(const Row& row) {
    if (!KeyOf(1, row, key_)) return Status::Ok();
    Cached& slot = CacheSlot();
    if (row.tombstone || row.null_value) {
      slot.present = false;
      slot.values.clear();
      return table_->Delete(key_);
    }
    slot.present = true;
    slot.values = row.values;
    EncodeStored(row, stored_);
    return table_->Put(key_, stored_);
  }

  Status Lookup(const Row& row, RowBatch& out) {
    if (row.null_value) return Status::Ok();
    if (!KeyOf(0, row, key_)) {
      if (!eval_.failed() && step_.type != JoinStep::Type::kInner) {
        Emit(row.values.data(), nullptr, row, row.rowtime, out);
      }
      return Status::Ok();
    }
    auto it = cache_.find(key_);
    if (it == cache_.end()) {
      ASSIGN_OR_RETURN(std::optional<std::string> found, table_->Get(key_));
      Cached& slot = CacheSlot();
      int64_t table_time = 0;
      slot.present = found.has_value();
      if (found && !DecodeStored(*found, step_.right_width, slot.values, table_time)) {
        ctx_->LogError(ProcessingLogEntry::Type::kRecordProcessingError, row, JoinStep::kName, "",
                       "The join's table store holds a malformed row");
        slot.present = false;
      }
      it = cache_.find(key_);
    }
    const Cached& hit = it->second;
    if (!hit.present && step_.type == JoinStep::Type::kInner) return Status::Ok();
    Emit(row.values.data(), hit.present ? hit.values.data() : nullptr, row, row.rowtime, out);
    return Status::Ok();
  }

  state::KeyValueStore* table_ = nullptr;
  std::string key_, stored_;
  std::unordered_map<std::string, Cached> cache_;
};

}  // namespace

std::unique_ptr<Operator> NewStreamTableJoin(const JoinStep& step, std::string step_id) {
  return std::make_unique<StreamTableJoin>(step, std::move(step_id));
}

}  // namespace brook
