#include "runtime/topology/task.h"

#include "runtime/topology/repartition.h"

namespace brook {

Task::Task(int32_t partition, TaskContext context, std::string topic) : partition_(partition) {
  ctx_.query_id = std::move(context.query_id);
  ctx_.log = context.log;
  ctx_.topic = std::move(topic);
  ctx_.emit_cache_bytes = context.emit_cache_bytes;
}

Task::~Task() {
  // Pull queries stop seeing this task's part of the table (its new owner registers again).
  if (view_) view_->Remove(partition_, view_reader_.get());
}

Status Task::Process(const std::vector<const kafka::RecordView*>& records, RowBatch& out) {
  RowBatch& decoded = batches_[0];
  decoded.Clear();
  for (const kafka::RecordView* r : records) {
    ++records_in_;
    next_offset_ = r->offset + 1;
    if (r->offset < skip_below_) continue;
    Row& row = decoded.Append();
    if (repartition_input_) {
      if (!DecodeRepartition(*r, row)) {
        ctx_.LogError(ProcessingLogEntry::Type::kDeserializationError, row, "repartition", "value",
                      "Record of the internal repartition topic is not a brook contribution row");
        decoded.Pop();
        continue;
      }
      if (row.rowtime > stream_time_) stream_time_ = row.rowtime;
      continue;
    }
    if (!decoder_->Decode(*r, row, ctx_)) {
      decoded.Pop();
      continue;
    }
    if (row.rowtime > stream_time_) stream_time_ = row.rowtime;
    // Tables ignore records without a key (logged: a table row must have one).
    if (source_is_table_ && (!source_has_key_ || row.null_key)) {
      if (source_has_key_) {
        ctx_.LogError(ProcessingLogEntry::Type::kRecordProcessingError, row, "source", "key",
                      "Skipping a table record without a key (a null key cannot be upserted)");
      }
      decoded.Pop();
    }
  }
  for (size_t i = 0; i < operators_.size(); ++i) {
    RowBatch& next = i + 1 < operators_.size() ? batches_[i + 1] : out;
    RETURN_IF_ERROR(operators_[i]->Process(batches_[i], next));
  }
  return Status::Ok();
}

uint64_t Task::TakeLateRecords() {
  uint64_t total = 0;
  for (const auto& op : operators_) total += op->late_records();
  uint64_t fresh = total - late_reported_;
  late_reported_ = total;
  return fresh;
}

Status Task::Flush(RowBatch& out) {
  for (size_t i = 0; i < operators_.size(); ++i) {
    RowBatch& next = i + 1 < operators_.size() ? batches_[i + 1] : out;
    // Rows the operators before this one just flushed, then this one's own.
    if (i > 0 && !batches_[i].empty()) RETURN_IF_ERROR(operators_[i]->Process(batches_[i], next));
    RETURN_IF_ERROR(operators_[i]->Flush(next));
  }
  return Status::Ok();
}

Status Task::PrepareCommit() {
  for (auto& op : operators_) RETURN_IF_ERROR(op->PrepareCommit());
  if (state_) RETURN_IF_ERROR(state_->PrepareCommit());
  return Status::Ok();
}

Status Task::CommitState() {
  if (!state_ || next_offset_ < 0) return Status::Ok();
  return state_->Commit({{ctx_.topic, partition_, next_offset_}});
}

}  // namespace brook
