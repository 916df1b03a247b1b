#include "runtime/topology/task.h"

#include <algorithm>

#include "runtime/topology/repartition.h"

namespace brook {

Task::Task(int32_t partition, TaskContext context) : partition_(partition) {
  ctx_.query_id = std::move(context.query_id);
  ctx_.log = context.log;
  ctx_.emit_cache_bytes = context.emit_cache_bytes;
  for (auto& [topic, w] : context.repartition_writers) {
    if (w.count <= 0) continue;
    WriterTrack& track = tracks_[topic];
    track.count = std::min(w.count, kMaxRepartitionWriters);
    track.local = std::move(w.local);
  }
  track_processed_time_ = context.track_processed_time;
}

Task::~Task() {
  // Pull queries stop seeing this task's part of the table (its new owner registers again).
  if (view_) view_->Remove(partition_, view_reader_.get());
}

void Task::Decode(Input& input, const std::vector<const kafka::RecordView*>& records,
                  RowBatch& decoded) {
  ctx_.topic = input.topic;
  WriterTrack* track = nullptr;
  if (input.repartition && !tracks_.empty()) {
    auto it = tracks_.find(input.topic);
    if (it != tracks_.end()) track = &it->second;
  }
  for (const kafka::RecordView* r : records) {
    // A record delivered again (a client may re-deliver what it had fetched around a pause
    // and resume of its partition): this task has it already.
    if (r->offset < input.next_offset) continue;
    ++records_in_;
    dirty_ = true;
    input.next_offset = r->offset + 1;
    if (r->offset < input.skip_below) continue;
    if (input.repartition) {
      if (std::optional<RepartitionProgress> p = DecodeRepartitionProgress(*r)) {
        // It speaks of the writer's rows before it in this partition: it applies once they
        // are processed (an ordered task may still hold them; ApplyProgress).
        if (track != nullptr) track->pending.emplace_back(r->offset, *p);
        continue;
      }
    }
    Row& row = decoded.Append();
    if (input.repartition) {
      if (!(input.join_repartition ? DecodeJoinRepartition(*r, row) : DecodeRepartition(*r, row))) {
        ctx_.LogError(ProcessingLogEntry::Type::kDeserializationError, row, "repartition", "value",
                      "Record of the internal repartition topic is not a brook row");
        decoded.Pop();
        continue;
      }
      if (row.rowtime < 0 || row.rowtime > kMaxRowtime) {
        ctx_.LogError(ProcessingLogEntry::Type::kDeserializationError, row, "repartition", "value",
                      "Record of the internal repartition topic has an invalid timestamp " +
                          std::to_string(row.rowtime));
        decoded.Pop();
        continue;
      }
      if (state_ && !input.join_repartition) {
        if (std::optional<RepartitionOrigin> origin = DecodeRepartitionOrigin(*r)) {
          auto [last, fresh] = origins_.try_emplace(origin->partition, *origin);
          if (!fresh && *origin <= last->second) {
            ++duplicates_skipped_;  // counted when it was first written
            decoded.Pop();
            continue;
          }
          last->second = *origin;
          // Committed once the row is processed (an ordered task may buffer it first).
          pending_origins_.emplace_back(r->offset, *origin);
        }
      }
      if (row.rowtime > stream_time_) stream_time_ = row.rowtime;
      continue;
    }
    if (!input.decoder->Decode(*r, row, ctx_)) {
      decoded.Pop();
      continue;
    }
    if (row.rowtime > stream_time_) stream_time_ = row.rowtime;
    // Tables ignore records without a key (logged: a table row must have one).
    if (input.is_table && (!input.has_key || row.null_key)) {
      if (input.has_key) {
        ctx_.LogError(ProcessingLogEntry::Type::kRecordProcessingError, row, "source", "key",
                      "Skipping a table record without a key (a null key cannot be upserted)");
      }
      decoded.Pop();
    }
  }
  if (track != nullptr) ApplyProgress(input);
}

void Task::ApplyProgress(const Input& input) {
  auto it = tracks_.find(input.topic);
  if (it == tracks_.end()) return;
  WriterTrack& track = it->second;
  while (!track.pending.empty() && track.pending.front().first < input.done_offset) {
    const RepartitionProgress& p = track.pending.front().second;
    if (p.writer < track.count) {
      WriterState& w = track.writers[p.writer];
      w.time = std::max(w.time, p.time);
      w.idle = p.idle;
    }
    track.pending.pop_front();
  }
  const int64_t before = ctx_.upstream_watermark;
  ctx_.upstream_watermark = UpstreamWatermark();  // also when the writers here changed
  // Windows may have closed without a row to close them: Punctuate, where rows can go out.
  if (ctx_.upstream_watermark > before) punctuate_ = true;
}

Status Task::Punctuate(RowBatch& out) {
  if (!punctuate_) return Status::Ok();
  punctuate_ = false;
  dirty_ = true;  // what it emits changes the state: committed with the offsets
  for (size_t i = 0; i < nodes_.size(); ++i) {
    Node& n = nodes_[i];
    RowBatch& dst = n.next < 0 ? out : n.out;
    RETURN_IF_ERROR(n.op->OnStreamTime(ctx_.upstream_watermark, dst));
    if (n.next >= 0 && !n.out.empty()) RETURN_IF_ERROR(Run(n.next, n.side, n.out, out));
  }
  return Status::Ok();
}

int64_t Task::WriterTrack::Watermark() const {
  bool all_local = local != nullptr;
  for (int32_t p = 0; p < count && all_local; ++p) all_local = local(p);
  if (all_local) return INT64_MAX;
  int64_t watermark = INT64_MAX;
  for (int32_t p = 0; p < count; ++p) {
    auto it = writers.find(p);
    if (it == writers.end()) return -1;  // not heard of yet: it may be far behind
    if (it->second.idle) continue;
    watermark = std::min(watermark, it->second.time);
  }
  return watermark;
}

int64_t Task::UpstreamWatermark() {
  int64_t watermark = INT64_MAX;
  for (const auto& [topic, track] : tracks_) {
    watermark = std::min(watermark, track.Watermark());
    for (int32_t p = 0; p < track.count && !ctx_.shared_inputs; ++p) {
      ctx_.shared_inputs = !track.local || !track.local(p);
    }
  }
  return watermark;
}

bool Task::MayRunDirectly(size_t input,
                          const std::function<bool(const std::string& topic)>& may_wait) {
  if (buffered()) return false;
  for (size_t i = 0; i < inputs_.size(); ++i) {
    if (i != input && may_wait(inputs_[i].topic)) return false;
  }
  return true;
}

Status Task::Process(size_t input_index, const std::vector<const kafka::RecordView*>& records,
                     RowBatch& out, bool direct) {
  if (input_index >= inputs_.size()) return Internal("a task got records of an unknown input");
  Input& input = inputs_[input_index];
  if (ordered_ && !direct) {
    // Buffered until Drain picks them in time order (their records are gone after this poll).
    decoded_.Clear();
    Decode(input, records, decoded_);
    for (size_t i = 0; i < decoded_.size(); ++i) {
      Row& row = decoded_[i];
      row.record = nullptr;
      input.buffer.Push(row);
    }
    decoded_.Clear();
    if (input.buffer.empty()) input.done_offset = input.next_offset;
    if (!tracks_.empty() && input.repartition) ApplyProgress(input);
    return Punctuate(out);
  }
  decoded_.Clear();
  Decode(input, records, decoded_);
  input.done_offset = input.next_offset;
  if (input.entry < 0) {
    for (size_t i = 0; i < decoded_.size(); ++i) out.Take(decoded_[i]);
    decoded_.Clear();
    return Status::Ok();
  }
  RETURN_IF_ERROR(Run(input.entry, input.side, decoded_, out));
  if (!tracks_.empty() && input.repartition) ApplyProgress(input);
  return Punctuate(out);
}

bool Task::buffered() const {
  for (const Input& in : inputs_) {
    if (!in.buffer.empty()) return true;
  }
  return false;
}

size_t Task::buffered_rows() const {
  size_t n = 0;
  for (const Input& in : inputs_) n += in.buffer.size();
  return n;
}

std::vector<std::string> Task::input_topics() const {
  std::vector<std::string> topics;
  for (const Input& in : inputs_) topics.push_back(in.topic);
  return topics;
}

int64_t Task::HeadTime() const {
  int64_t head = INT64_MAX;
  for (const Input& in : inputs_) {
    if (!in.buffer.empty()) head = std::min(head, in.buffer.front().rowtime);
  }
  return head;
}

bool Task::MayBringRows(const std::function<bool(const std::string& topic)>& may_wait) const {
  for (const Input& in : inputs_) {
    if (in.buffer.empty() && may_wait(in.topic)) return true;
  }
  return false;
}

Status Task::Drain(const std::function<bool(const std::string& topic)>& may_wait, RowBatch& out,
                   int64_t bound) {
  bool progressed = false;
  while (true) {
    // The input whose next row is the earliest; none while an empty input may still bring an
    // earlier one.
    int pick = -1;
    for (size_t i = 0; i < inputs_.size(); ++i) {
      const Input& in = inputs_[i];
      if (in.buffer.empty()) {
        if (may_wait(in.topic)) return Status::Ok();
        continue;
      }
      if (pick < 0 || in.buffer.front().rowtime < inputs_[pick].buffer.front().rowtime) {
        pick = static_cast<int>(i);
      }
    }
    if (pick < 0) return Status::Ok();
    if (progressed && inputs_[pick].buffer.front().rowtime > bound) return Status::Ok();
    // Its rows up to the next earliest row of another input (and the bound), as one batch.
    int64_t limit = bound;
    for (size_t i = 0; i < inputs_.size(); ++i) {
      if (static_cast<int>(i) != pick && !inputs_[i].buffer.empty()) {
        limit = std::min(limit, inputs_[i].buffer.front().rowtime);
      }
    }
    Input& in = inputs_[pick];
    decoded_.Clear();
    int64_t last_offset = -1;
    while (!in.buffer.empty() && (decoded_.empty() || in.buffer.front().rowtime <= limit)) {
      last_offset = in.buffer.front().offset;
      in.buffer.PopInto(decoded_);
    }
    in.done_offset = in.buffer.empty() ? in.next_offset : last_offset + 1;
    progressed = true;
    dirty_ = true;  // what these rows change is committed with their offsets
    rows_drained_ += decoded_.size();
    ctx_.topic = in.topic;
    if (in.entry < 0) {
      for (size_t i = 0; i < decoded_.size(); ++i) out.Take(decoded_[i]);
      decoded_.Clear();
    } else {
      RETURN_IF_ERROR(Run(in.entry, in.side, decoded_, out));
    }
    if (!tracks_.empty() && in.repartition) ApplyProgress(in);
    RETURN_IF_ERROR(Punctuate(out));
  }
}

Status Task::Run(int node, int side, RowBatch& rows, RowBatch& out) {
  if (track_processed_time_) {
    for (size_t i = 0; i < rows.size(); ++i) {
      processed_time_ = std::max(processed_time_, rows[i].rowtime);
    }
  }
  RowBatch* in = &rows;
  while (node >= 0) {
    Node& n = nodes_[node];
    RowBatch& dst = n.next < 0 ? out : n.out;
    RETURN_IF_ERROR(n.op->ProcessSide(side, *in, dst));
    in->Clear();
    in = &dst;
    side = n.side;
    node = n.next;
  }
  return Status::Ok();
}

std::vector<kafka::TopicPartitionOffset> Task::Consumed() const {
  std::vector<kafka::TopicPartitionOffset> offsets;
  for (const Input& in : inputs_) {
    if (in.done_offset >= 0) offsets.push_back({in.topic, partition_, in.done_offset});
  }
  return offsets;
}

uint64_t Task::TakeLateRecords() {
  uint64_t total = 0;
  for (const Node& n : nodes_) total += n.op->late_records();
  uint64_t fresh = total - late_reported_;
  late_reported_ = total;
  return fresh;
}

Status Task::Flush(RowBatch& out) {
  // Nodes are in plan order: what one flushes flows through the nodes after it at once.
  for (size_t i = 0; i < nodes_.size(); ++i) {
    Node& n = nodes_[i];
    RowBatch& dst = n.next < 0 ? out : n.out;
    RETURN_IF_ERROR(n.op->Flush(dst));
    if (n.next >= 0 && !n.out.empty()) RETURN_IF_ERROR(Run(n.next, n.side, n.out, out));
  }
  return Status::Ok();
}

Status Task::PrepareCommit() {
  for (Node& n : nodes_) RETURN_IF_ERROR(n.op->PrepareCommit());
  if (state_) RETURN_IF_ERROR(state_->PrepareCommit());
  return Status::Ok();
}

Status Task::CommitState() {
  if (!state_) return Status::Ok();
  std::vector<kafka::TopicPartitionOffset> consumed = Consumed();
  if (consumed.empty()) return Status::Ok();
  // The origins of the rows processed so far go with the state they are counted in (not those
  // of rows still buffered: after a crash they are read again, and must be taken then).
  for (const Input& in : inputs_) {
    if (!in.repartition || in.join_repartition) continue;
    while (!pending_origins_.empty() && pending_origins_.front().first < in.done_offset) {
      const RepartitionOrigin& o = pending_origins_.front().second;
      done_origins_[o.partition] = o;
      pending_origins_.pop_front();
    }
  }
  for (const auto& [partition, origin] : done_origins_) {
    consumed.push_back({std::string(kOriginOffsetTopic), partition, origin.offset});
    consumed.push_back({std::string(kOriginIndexTopic), partition, origin.index});
  }
  for (const auto& [topic, track] : tracks_) {
    for (const auto& [writer, w] : track.writers) {
      consumed.push_back(
          {std::string(kWriterProgressTopic) + topic, writer, (w.time + 1) * 2 + w.idle});
    }
  }
  return state_->Commit(consumed);
}

void Task::SeedOrigins(const std::vector<kafka::TopicPartitionOffset>& committed) {
  for (const kafka::TopicPartitionOffset& o : committed) {
    if (o.topic == kOriginOffsetTopic) origins_[o.partition].offset = o.offset;
    if (o.topic == kOriginIndexTopic) origins_[o.partition].index = o.offset;
  }
  for (auto& [partition, origin] : origins_) origin.partition = partition;
  done_origins_ = origins_;
  for (const kafka::TopicPartitionOffset& o : committed) {
    std::string_view name = o.topic;
    if (name.rfind(kWriterProgressTopic, 0) != 0 || o.offset < 0 || o.partition < 0) continue;
    auto it = tracks_.find(std::string(name.substr(kWriterProgressTopic.size())));
    if (it == tracks_.end() || o.partition >= it->second.count) continue;
    it->second.writers[o.partition] = {o.offset / 2 - 1, o.offset % 2 == 1};
  }
  if (!tracks_.empty()) ctx_.upstream_watermark = UpstreamWatermark();
}

}  // namespace brook
