// AggregateOperator: the second half of aggregate_v1 (GroupByOperator is the first). It reads
// contribution rows [op, key..., arguments...] and keeps the aggregates, optionally windowed
// (TUMBLING, HOPPING, SESSION), with HAVING and EMIT CHANGES or EMIT FINAL. Semantics are Kafka
// Streams' (as ksqlDB runs them):
//  - kAdd folds a row into its group(s) and emits each group's new result (EMIT CHANGES),
//    timestamped with the largest record time of the group (for sessions: the session's end).
//  - kUndo / kReplace (table input) take a table row's old contribution back out (and fold the
//    new one in); one result per contribution.
//  - Windows: a record goes to every window containing its time; a window whose end + grace is
//    at or before the operator's stream time is closed and the record is dropped for it (late,
//    counted). Sessions merge every session within the gap of the record: each merged session is
//    deleted (a tombstone result timestamped with its end) before the merged one is emitted;
//    a session closes once its end is before stream time - grace - gap.
//    Default grace: max(24 h − size, 0), or 0 with EMIT FINAL.
//  - HAVING: a result that fails it is not emitted; if the group's previous result passed, a
//    tombstone for the group is emitted instead.
//  - The record cache (OperatorContext::emit_cache_bytes > 0, EMIT CHANGES): results are held
//    back until Flush (the task's commit) or until they exceed the cache's bytes; only the
//    latest result of each key and window is emitted, as with ksqlDB's
//    cache.max.bytes.buffering.
//  - EMIT FINAL: nothing is emitted while a window is open; when stream time passes its end +
//    grace, each closed window's final result is emitted, in order of window start (Kafka
//    Streams' EmitStrategy.onWindowClose()).
//
// State: a window or key-value store named "<step id>-Aggregate-Materialize" (ksqlDB's name)
// holding, per group (and window), the largest record time and the accumulators (value_codec);
// EMIT FINAL adds "<step id>-EmitFinal" (how far final results were emitted). Windows older than
// the retention (default size + grace, as Kafka Streams) behind the newest one are deleted at
// commit.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "planner/physical/aggregate_step.h"
#include "runtime/expr/evaluator.h"
#include "runtime/operators/operator.h"
#include "runtime/state/task_state.h"

namespace brook {

class AggregateOperator : public Operator {
 public:
  // The stores the step needs (the task declares them when it opens its state).
  static std::vector<state::StoreSpec> Stores(const AggregateStep& step,
                                              const std::string& step_id);
  static Result<std::unique_ptr<AggregateOperator>> Create(const AggregateStep& step,
                                                           std::string step_id);

  Status Open(OperatorContext& ctx) override;
  Status Process(RowBatch& input, RowBatch& out) override;
  Status Flush(RowBatch& out) override;
  // The watermark of a shared repartition topic rose: EMIT FINAL emits the windows that closed.
  Status OnStreamTime(int64_t now, RowBatch& out) override;
  Status PrepareCommit() override;

  uint64_t late_records() const override { return late_records_; }

 private:
  struct Group {
    int64_t ts = 0;     // largest record time folded in
    int64_t start = 0;  // sessions: the session's start (the store's window time is its end)
    std::vector<Value> accs;
  };

  AggregateOperator(const AggregateStep& step, std::string step_id);
  Group NewGroup(int64_t ts) const;
  void Fold(Group& g, const std::vector<std::vector<Value>>& args, int64_t seq, bool undo) const;
  // Appends the result row of `g` (or its tombstone / nothing, per HAVING) to `out`.
  void Emit(const std::vector<Value>& key, const Group& g, const Group* before, int64_t start,
            int64_t end, bool windowed, const Row& from, RowBatch& out);
  void EmitTombstone(const std::vector<Value>& key, int64_t ts, int64_t start, int64_t end,
                     const Row& from, RowBatch& out);
  bool Passes(const std::vector<Value>& key, const Group& g, int64_t start, int64_t end);
  void BuildRow(const std::vector<Value>& key, const Group& g, int64_t start, int64_t end,
                std::vector<Value>& values) const;

  std::string Encode(const Group& g) const;
  [[nodiscard]] Status Decode(std::string_view bytes, Group& g) const;
  // The group as stored (its time raised to `ts`, a copy in `before` when HAVING needs the
  // previous result), or a new group at `ts`.
  [[nodiscard]] Status Load(const std::optional<std::string>& stored, int64_t ts, Group& g,
                            Group& before) const;

  Status UpdateTable(bool add_new, const Row& row, RowBatch& out);
  Status UpdateGroup(const std::string& key_bytes, const std::vector<Value>& key, Row& row,
                     RowBatch& out);
  Status UpdateTimeWindows(const std::string& key_bytes, const std::vector<Value>& key, Row& row,
                           RowBatch& out);
  Status UpdateSession(const std::string& key_bytes, const std::vector<Value>& key, Row& row,
                       RowBatch& out);
  Status UpdateSliding(const std::string& key_bytes, const std::vector<Value>& key, Row& row,
                       RowBatch& out);
  Status EmitFinal(const Row& from, RowBatch& out);
  Status Expire();
  // Process without the record cache: every result goes to `out`.
  Status ProcessRows(RowBatch& input, RowBatch& out);
  // ProcessRows' loop over the rows.
  Status ProcessBatch(RowBatch& input, RowBatch& out);
  // Per-batch read-ahead (stream input, no window or a time window): reads the stored state of
  // every group and window the batch's rows touch with one MultiGet, into ahead_; the rows then
  // read it from there, and their writes update it, so a later row of the same group sees the
  // new value. Cleared after the batch.
  Status ReadAhead(const RowBatch& input);
  // The stored bytes of a group (window_start ignored without a window): from the read-ahead,
  // else from the store.
  Result<std::optional<std::string>> ReadStored(const std::string& key_bytes,
                                                int64_t window_start);
  // Writes a group's new bytes to the store and to the read-ahead.
  Status WriteStored(const std::string& key_bytes, int64_t window_start, std::string bytes);
  // Keeps `row` as the latest result of its key and window (the record cache).
  void Hold(Row& row);

  AggregateStep step_;
  std::string step_id_;
  std::vector<std::unique_ptr<Aggregator>> aggs_;
  int64_t grace_ = 0;
  int64_t retention_ = 0;
  state::KeyValueStore* groups_ = nullptr;      // non-windowed
  state::WindowStore* windows_ = nullptr;       // windowed
  state::KeyValueStore* emit_state_ = nullptr;  // EMIT FINAL
  state::WindowStore* records_ = nullptr;       // sliding windows: the records, by time
  // The largest record time seen; windows close by ClosingTime().
  int64_t stream_time_ = INT64_MIN;
  // Stream time as far as closing and expiring windows go: no further than the slowest writer
  // of a shared repartition topic (OperatorContext::upstream_watermark).
  int64_t ClosingTime() const {
    return ctx_ == nullptr ? stream_time_ : std::min(stream_time_, ctx_->upstream_watermark);
  }
  int64_t emitted_close_ = INT64_MIN;  // EMIT FINAL: windows ending at or before are emitted
  bool emitted_close_dirty_ = false;
  int64_t last_closable_start_ = INT64_MIN;  // EMIT FINAL: the newest window start closed
  // The newest window written: its start (time windows) or end (sessions), the reference of
  // retention as in Kafka Streams' segmented stores.
  int64_t max_start_ = INT64_MIN;
  int64_t expired_before_ = INT64_MIN;
  uint64_t late_records_ = 0;
  EvalContext eval_;
  // Scratch, reused across rows.
  std::vector<Value> key_;
  std::vector<std::vector<Value>> args_, old_args_;
  std::string key_bytes_;
  Row result_;
  // The record cache (OperatorContext::emit_cache_bytes): the latest result per key and window,
  // in the order the keys were first updated since the last flush.
  RowBatch fresh_;
  std::vector<Row> held_;
  std::unordered_map<std::string, size_t> held_index_;
  size_t held_bytes_ = 0;
  std::string held_key_;
  // The read-ahead of the batch being processed: (key bytes + window start) -> stored bytes.
  std::unordered_map<std::string, std::optional<std::string>> ahead_;
  std::string ahead_key_;
};

}  // namespace brook
