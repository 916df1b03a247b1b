// Operators: the steps of a task's pipeline after decoding — one file per operator.
//
// An operator receives the rows that one poll returned for one input partition, in offset
// order, and appends the rows it produces to its output batch. The result equals processing
// the rows one at a time (every test runs with batch size 1 and 1000). Stateless operators
// loop; stateful ones (with issue 6) group keys, read state once and stage writes until
// PrepareCommit. Operators never block or do I/O: decoding, producing and committing belong to
// the Task and the StreamThread (runtime/topology/).
//
// Rows are reused: a RowBatch keeps the buffers of rows past its size, and operators move row
// contents between batches by swapping, so steady-state processing allocates nothing per row
// beyond what decoding and expression results need.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/value.h"
#include "runtime/engine/processing_log.h"
#include "runtime/kafka/kafka.h"

namespace brook::state {
class TaskState;
}

namespace brook {

// One row between operators: its column values (layout set by the step that produced it) and
// what the record it came from tells about it.
// The largest row time brook processes (about 73 million years after 1970): window, grace and
// join arithmetic adds durations to row times and must not overflow. Records above it are
// skipped with a processing-log entry, as negative ones are.
inline constexpr int64_t kMaxRowtime = INT64_MAX / 4;

struct Row {
  std::vector<Value> values;
  int64_t rowtime = 0;
  int64_t offset = 0;        // offset of the input record (for the processing log)
  int32_t partition = 0;
  bool null_key = false;     // the input record had no key
  bool null_value = false;   // the input record had no value
  bool tombstone = false;    // the row deletes its key (tables)
  // A foreign-key join's left-table change on its way to the join (fk_subscribe_operator.h).
  uint8_t fk_change = 0;
  // A windowed aggregation's result row: the window its key belongs to (the sink writes it
  // into the key as Kafka Streams does: start for time windows, end + start for sessions).
  bool windowed = false;
  int64_t window_start = 0;
  int64_t window_end = 0;
  // The input record, valid while its batch is processed (until the consumer's next poll).
  const kafka::RecordView* record = nullptr;

  // Copies everything but the values: a row derived from `from` keeps its record's identity.
  void CopyMetaFrom(const Row& from) {
    rowtime = from.rowtime;
    offset = from.offset;
    partition = from.partition;
    null_key = from.null_key;
    null_value = from.null_value;
    tombstone = from.tombstone;
    fk_change = from.fk_change;
    windowed = from.windowed;
    window_start = from.window_start;
    window_end = from.window_end;
    record = from.record;
  }
};

class RowBatch {
 public:
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  Row& operator[](size_t i) { return rows_[i]; }
  const Row& operator[](size_t i) const { return rows_[i]; }
  // A row at the end; its `values` keep whatever they held (callers overwrite or resize them).
  Row& Append() {
    if (size_ == rows_.size()) rows_.emplace_back();
    return rows_[size_++];
  }
  // Moves `row` in by swapping with the next free slot (no allocation once warm).
  void Take(Row& row) {
    Row& slot = Append();
    slot.values.swap(row.values);
    slot.CopyMetaFrom(row);
  }
  // Drops the last row (keeping its buffers for reuse).
  void Pop() { --size_; }
  void Clear() { size_ = 0; }

 private:
  std::vector<Row> rows_;
  size_t size_ = 0;
};

// A FIFO of rows that recycles their buffers: a pushed row swaps its `values` with a free
// slot's and a popped one swaps them into the batch it goes to, so a queue that fills and drains
// every poll (an ordered task's per-input buffer) allocates nothing once warm. A deque of rows
// freed each drained row's vector, and the heap shrank and grew again each poll.
class RowQueue {
 public:
  bool empty() const { return size_ == 0; }
  size_t size() const { return size_; }
  const Row& front() const { return slots_[head_]; }
  void Push(Row& row) {
    if (size_ == slots_.size()) Grow();
    Row& slot = slots_[(head_ + size_) % slots_.size()];
    slot.values.swap(row.values);
    slot.CopyMetaFrom(row);
    ++size_;
  }
  // Moves the front row to the end of `out`.
  void PopInto(RowBatch& out) {
    out.Take(slots_[head_]);
    head_ = (head_ + 1) % slots_.size();
    --size_;
  }

 private:
  void Grow() {
    std::rotate(slots_.begin(), slots_.begin() + static_cast<std::ptrdiff_t>(head_), slots_.end());
    head_ = 0;
    slots_.resize(std::max<size_t>(64, slots_.size() * 2));
  }
  std::vector<Row> slots_;
  size_t head_ = 0;
  size_t size_ = 0;
};

// What an operator may use besides its rows. Owned by the task; outlives the operator.
struct OperatorContext {
  std::string query_id;
  std::string topic;       // the input topic, for processing-log entries
  ProcessingLog* log = nullptr;
  state::TaskState* state = nullptr;  // null for stateless tasks
  // ksqlDB's record cache (cache.max.bytes.buffering): an EMIT CHANGES aggregation holds back
  // its updates, keeping only the latest per key and window, until the task commits or the held
  // rows exceed this many bytes (estimated). 0: every update is emitted at once.
  size_t emit_cache_bytes = 0;
  // A task reading a repartition topic that other stream threads or servers also write: the
  // slowest of those writers' progress (Task::UpstreamWatermark; INT64_MAX when every writer is
  // this thread's, whose tasks it already runs in time order). Operators that close windows by
  // stream time let it advance no further than this, so records a slower writer has still to
  // deliver are not taken as late (Flink's minimum watermark over its inputs).
  int64_t upstream_watermark = INT64_MAX;
  // Whether some writer of such a topic runs in another thread: the watermark then moves in
  // steps (progress records), not record by record.
  bool shared_inputs = false;

  void LogError(ProcessingLogEntry::Type type, const Row& row, const std::string& step,
                const std::string& target, const std::string& message) const;
};

class Operator {
 public:
  virtual ~Operator() = default;
  // Opens the operator's state stores, if any. Called once before the first Process.
  virtual Status Open(OperatorContext& ctx) {
    ctx_ = &ctx;
    return Status::Ok();
  }
  // Consumes `input` (rows in offset order) and appends results to `out`.
  virtual Status Process(RowBatch& input, RowBatch& out) = 0;
  // The same for an operator with more than one input (a join): `side` says which one (0 the
  // left, 1 the right). Single-input operators ignore it.
  virtual Status ProcessSide(int side, RowBatch& input, RowBatch& out) {
    return Process(input, out);
  }
  // Stream time advanced to `now`: close windows, expire state (stateful operators).
  virtual Status OnStreamTime(int64_t now, RowBatch& out) { return Status::Ok(); }
  // A commit is coming: emits the rows the operator holds back (the record cache), before the
  // task's outputs are flushed and its state committed.
  virtual Status Flush(RowBatch& out) { return Status::Ok(); }
  // Flushes caches into the task's pending state write before a commit.
  virtual Status PrepareCommit() { return Status::Ok(); }
  // Records dropped because their window had closed (stream time past end + grace), so far.
  virtual uint64_t late_records() const { return 0; }

 protected:
  OperatorContext* ctx_ = nullptr;
};

}  // namespace brook
