#include "runtime/operators/aggregate_operator.h"

#include <algorithm>

#include "common/value_codec.h"
#include "runtime/operators/group_by_operator.h"

namespace brook {

namespace {

constexpr const char* kEmitFinalKey = "emitted-close";

}  // namespace

std::vector<state::StoreSpec> AggregateOperator::Stores(const AggregateStep& step,
                                                        const std::string& step_id) {
  std::vector<state::StoreSpec> stores;
  stores.push_back({step_id + "-Aggregate-Materialize",
                    step.window ? state::StoreKind::kWindow : state::StoreKind::kKeyValue});
  if (step.emit_final && step.window) {
    stores.push_back({step_id + "-EmitFinal", state::StoreKind::kKeyValue});
  }
  if (step.window && step.window->type == WindowStepSpec::Type::kSliding) {
    stores.push_back({step_id + "-Sliding-Records", state::StoreKind::kWindow});
  }
  return stores;
}

AggregateOperator::AggregateOperator(const AggregateStep& step, std::string step_id)
    : step_(step), step_id_(std::move(step_id)) {}

Result<std::unique_ptr<AggregateOperator>> AggregateOperator::Create(const AggregateStep& step,
                                                                     std::string step_id) {
  std::unique_ptr<AggregateOperator> op(new AggregateOperator(step, std::move(step_id)));
  for (const AggregateCall& c : step.calls) {
    ASSIGN_OR_RETURN(std::unique_ptr<Aggregator> agg, c.MakeAggregator());
    op->aggs_.push_back(std::move(agg));
  }
  if (step.window) {
    const WindowStepSpec& w = *step.window;
    if (w.size_ms <= 0) return InvalidArgument("Window size must be positive.");
    if (w.type == WindowStepSpec::Type::kHopping &&
        (w.advance_ms <= 0 || w.advance_ms > w.size_ms)) {
      return InvalidArgument(
          "A hopping window's ADVANCE BY must be positive and at most its SIZE.");
    }
    op->grace_ = w.EffectiveGraceMs(step.emit_final);
    if (op->grace_ < 0) return InvalidArgument("A window's GRACE PERIOD cannot be negative.");
    op->retention_ = w.EffectiveRetentionMs(step.emit_final);
    if (op->retention_ < w.size_ms + op->grace_) {
      return InvalidArgument(
          "A window's RETENTION must be at least its SIZE plus its GRACE PERIOD.");
    }
  }
  op->args_.resize(step.calls.size());
  op->old_args_.resize(step.calls.size());
  return op;
}

Status AggregateOperator::Open(OperatorContext& ctx) {
  RETURN_IF_ERROR(Operator::Open(ctx));
  if (!ctx.state) return Internal("aggregate step " + step_id_ + " opened without state stores");
  std::vector<state::StoreSpec> stores = Stores(step_, step_id_);
  if (step_.window) {
    ASSIGN_OR_RETURN(windows_, ctx.state->window_store(stores[0].name));
  } else {
    ASSIGN_OR_RETURN(groups_, ctx.state->key_value_store(stores[0].name));
  }
  if (step_.window && step_.window->type == WindowStepSpec::Type::kSliding) {
    ASSIGN_OR_RETURN(records_, ctx.state->window_store(step_id_ + "-Sliding-Records"));
  }
  if (step_.emit_final && step_.window) {
    ASSIGN_OR_RETURN(emit_state_, ctx.state->key_value_store(step_id_ + "-EmitFinal"));
    ASSIGN_OR_RETURN(std::optional<std::string> saved, emit_state_->Get(kEmitFinalKey));
    if (saved) {
      std::vector<Value> v;
      if (!DecodeValues(*saved, v) || v.size() != 3) {
        return Internal("corrupt EMIT FINAL state in " + step_id_);
      }
      emitted_close_ = v[0].as_int64();
      stream_time_ = v[1].as_int64();
      max_start_ = v[2].as_int64();
    }
  }
  return Status::Ok();
}

AggregateOperator::Group AggregateOperator::NewGroup(int64_t ts) const {
  Group g;
  g.ts = ts;
  g.start = ts;
  g.accs.reserve(aggs_.size());
  for (const auto& a : aggs_) g.accs.push_back(a->Initial());
  return g;
}

void AggregateOperator::Fold(Group& g, const std::vector<std::vector<Value>>& args, int64_t seq,
                             bool undo) const {
  for (size_t c = 0; c < aggs_.size(); ++c) {
    if (undo) {
      aggs_[c]->Undo(g.accs[c], args[c].data());
    } else {
      aggs_[c]->Add(g.accs[c], args[c].data(), seq);
    }
  }
}

std::string AggregateOperator::Encode(const Group& g) const {
  std::string out;
  EncodeValue(Value::Bigint(g.ts), out);
  EncodeValue(Value::Bigint(g.start), out);
  EncodeValues(g.accs.data(), g.accs.size(), out);
  return out;
}

Status AggregateOperator::Decode(std::string_view bytes, Group& g) const {
  std::vector<Value> v;
  if (!DecodeValues(bytes, v) || v.size() != 2 + aggs_.size()) {
    return Internal("corrupt aggregate state in " + step_id_);
  }
  g.ts = v[0].as_int64();
  g.start = v[1].as_int64();
  g.accs.assign(std::make_move_iterator(v.begin() + 2), std::make_move_iterator(v.end()));
  return Status::Ok();
}

Status AggregateOperator::Load(const std::optional<std::string>& stored, int64_t ts, Group& g,
                               Group& before) const {
  if (!stored) {
    g = NewGroup(ts);
    return Status::Ok();
  }
  RETURN_IF_ERROR(Decode(*stored, g));
  if (step_.having) before = g;
  g.ts = std::max(g.ts, ts);
  return Status::Ok();
}

void AggregateOperator::BuildRow(const std::vector<Value>& key, const Group& g, int64_t start,
                                 int64_t end, std::vector<Value>& values) const {
  values.clear();
  values.insert(values.end(), key.begin(), key.end());
  for (size_t c = 0; c < aggs_.size(); ++c) values.push_back(aggs_[c]->Result(g.accs[c]));
  if (step_.window) {
    values.push_back(Value::Bigint(start));
    values.push_back(Value::Bigint(end));
  }
}

bool AggregateOperator::Passes(const std::vector<Value>& key, const Group& g, int64_t start,
                               int64_t end) {
  if (!step_.having) return true;
  BuildRow(key, g, start, end, result_.values);
  EvalContext ctx;
  return IsTrue(Evaluate(*step_.having, result_.values.data(), ctx));
}

void AggregateOperator::Emit(const std::vector<Value>& key, const Group& g, const Group* before,
                             int64_t start, int64_t end, bool windowed, const Row& from,
                             RowBatch& out) {
  int64_t ts = step_.window && step_.window->type == WindowStepSpec::Type::kSession ? end : g.ts;
  if (step_.having && !Passes(key, g, start, end)) {
    if (before && Passes(key, *before, start, end)) {
      EmitTombstone(key, ts, start, end, from, out);
    }
    return;
  }
  Row& r = out.Append();
  BuildRow(key, g, start, end, r.values);
  r.CopyMetaFrom(from);
  r.rowtime = ts;
  r.null_key = false;
  r.null_value = false;
  r.tombstone = false;
  r.windowed = windowed;
  r.window_start = start;
  r.window_end = end;
}

void AggregateOperator::EmitTombstone(const std::vector<Value>& key, int64_t ts, int64_t start,
                                      int64_t end, const Row& from, RowBatch& out) {
  Row& r = out.Append();
  r.values.assign(key.begin(), key.end());
  r.values.resize(step_.group_by.size() + aggs_.size() + (step_.window ? 2 : 0));
  if (step_.window) {
    r.values[r.values.size() - 2] = Value::Bigint(start);
    r.values[r.values.size() - 1] = Value::Bigint(end);
  }
  r.CopyMetaFrom(from);
  r.rowtime = ts;
  r.null_key = false;
  r.null_value = false;
  r.tombstone = true;
  r.windowed = step_.window.has_value();
  r.window_start = start;
  r.window_end = end;
}

Status AggregateOperator::Process(RowBatch& input, RowBatch& out) {
  // With the record cache on, EMIT CHANGES results wait in held_ until the next Flush (the
  // task's commit) or until they exceed the cache's bytes; a key's newer result replaces its
  // older one, as ksqlDB's cache.max.bytes.buffering does.
  if (ctx_->emit_cache_bytes == 0 || step_.emit_final) return ProcessRows(input, out);
  fresh_.Clear();
  RETURN_IF_ERROR(ProcessRows(input, fresh_));
  for (size_t i = 0; i < fresh_.size(); ++i) {
    Hold(fresh_[i]);
    if (held_bytes_ > ctx_->emit_cache_bytes) RETURN_IF_ERROR(Flush(out));
  }
  fresh_.Clear();
  return Status::Ok();
}

void AggregateOperator::Hold(Row& row) {
  held_key_.clear();
  EncodeValues(row.values.data(), std::min(step_.group_by.size(), row.values.size()), held_key_);
  if (row.windowed) {
    EncodeValue(Value::Bigint(row.window_start), held_key_);
    EncodeValue(Value::Bigint(row.window_end), held_key_);
  }
  size_t bytes = held_key_.size() + 64 + 16 * row.values.size();
  for (const Value& v : row.values) {
    if (v.kind() == Value::Kind::kString || v.kind() == Value::Kind::kBytes) {
      bytes += v.as_string().size();
    }
  }
  auto [it, fresh] = held_index_.try_emplace(held_key_, held_.size());
  if (fresh) {
    held_.emplace_back();
    held_bytes_ += bytes;
  }
  Row& slot = held_[it->second];
  slot.values.swap(row.values);
  slot.CopyMetaFrom(row);
}

Status AggregateOperator::Flush(RowBatch& out) {
  for (Row& row : held_) out.Take(row);
  held_.clear();
  held_index_.clear();
  held_bytes_ = 0;
  return Status::Ok();
}

namespace {

// The read-ahead's key of a group or window.
void AheadKey(const std::string& key_bytes, int64_t window_start, std::string& out) {
  out.assign(key_bytes);
  out.append(reinterpret_cast<const char*>(&window_start), sizeof window_start);
}

}  // namespace

Status AggregateOperator::ReadAhead(const RowBatch& input) {
  ahead_.clear();
  const bool time_windows = step_.window && step_.window->type != WindowStepSpec::Type::kSession &&
                            step_.window->type != WindowStepSpec::Type::kSliding;
  if (step_.table_input || (step_.window && !time_windows) || input.size() < 2) return Status::Ok();
  const size_t nk = step_.group_by.size();
  std::vector<std::string> group_keys;
  std::vector<std::pair<std::string, int64_t>> windows;
  std::string key_bytes;
  for (size_t i = 0; i < input.size(); ++i) {
    const Row& row = input[i];
    if (row.values.size() < 1 + nk) continue;
    if (static_cast<GroupByOperator::Op>(row.values[0].as_int()) != GroupByOperator::kAdd) {
      continue;
    }
    key_bytes.clear();
    EncodeValues(row.values.data() + 1, nk, key_bytes);
    if (!step_.window) {
      AheadKey(key_bytes, 0, ahead_key_);
      if (ahead_.emplace(ahead_key_, std::nullopt).second) group_keys.push_back(key_bytes);
      continue;
    }
    if (row.rowtime < 0) continue;
    const int64_t size = step_.window->size_ms;
    const int64_t advance =
        step_.window->type == WindowStepSpec::Type::kHopping ? step_.window->advance_ms : size;
    for (int64_t start = std::max<int64_t>(0, row.rowtime - size + advance) / advance * advance;
         start <= row.rowtime; start += advance) {
      AheadKey(key_bytes, start, ahead_key_);
      if (ahead_.emplace(ahead_key_, std::nullopt).second) windows.emplace_back(key_bytes, start);
    }
  }
  if (!step_.window) {
    ASSIGN_OR_RETURN(auto values, groups_->MultiGet(group_keys));
    for (size_t i = 0; i < group_keys.size(); ++i) {
      AheadKey(group_keys[i], 0, ahead_key_);
      ahead_[ahead_key_] = std::move(values[i]);
    }
  } else {
    ASSIGN_OR_RETURN(auto values, windows_->MultiGet(windows));
    for (size_t i = 0; i < windows.size(); ++i) {
      AheadKey(windows[i].first, windows[i].second, ahead_key_);
      ahead_[ahead_key_] = std::move(values[i]);
    }
  }
  return Status::Ok();
}

Result<std::optional<std::string>> AggregateOperator::ReadStored(const std::string& key_bytes,
                                                                 int64_t window_start) {
  if (!ahead_.empty()) {
    AheadKey(key_bytes, window_start, ahead_key_);
    auto it = ahead_.find(ahead_key_);
    if (it != ahead_.end()) return it->second;
  }
  if (step_.window) return windows_->Get(key_bytes, window_start);
  return groups_->Get(key_bytes);
}

Status AggregateOperator::WriteStored(const std::string& key_bytes, int64_t window_start,
                                      std::string bytes) {
  if (step_.window) {
    RETURN_IF_ERROR(windows_->Put(key_bytes, window_start, bytes));
  } else {
    RETURN_IF_ERROR(groups_->Put(key_bytes, bytes));
  }
  if (!ahead_.empty()) {
    AheadKey(key_bytes, window_start, ahead_key_);
    auto it = ahead_.find(ahead_key_);
    if (it != ahead_.end()) it->second = std::move(bytes);
  }
  return Status::Ok();
}

Status AggregateOperator::ProcessRows(RowBatch& input, RowBatch& out) {
  RETURN_IF_ERROR(ReadAhead(input));
  Status st = ProcessBatch(input, out);
  ahead_.clear();
  return st;
}

Status AggregateOperator::ProcessBatch(RowBatch& input, RowBatch& out) {
  const size_t nk = step_.group_by.size();
  for (size_t i = 0; i < input.size(); ++i) {
    Row& row = input[i];
    // A contribution of GroupByOperator: [op, key..., arguments...].
    const Value* v = row.values.data();
    // Internal topics are brook's, but anything a producer can write is handled: a row of the
    // wrong shape is skipped and logged, never fatal.
    auto malformed = [&] {
      ctx_->LogError(ProcessingLogEntry::Type::kDeserializationError, row, AggregateStep::kName,
                     "value", "malformed contribution row in " + step_id_);
    };
    if (row.values.size() < 1 + nk || row.values[0].kind() != Value::Kind::kInt) {
      malformed();
      continue;
    }
    auto op = static_cast<GroupByOperator::Op>(v[0].as_int());
    key_.assign(v + 1, v + 1 + nk);
    const Value* at = v + 1 + nk;
    const Value* end = v + row.values.size();
    auto take = [&](std::vector<std::vector<Value>>& args) -> bool {
      for (size_t c = 0; c < step_.calls.size(); ++c) {
        size_t n = step_.calls[c].args.size();
        if (static_cast<size_t>(end - at) < n) return false;
        args[c].assign(at, at + n);
        at += n;
      }
      return true;
    };
    if (op != GroupByOperator::kAdd && op != GroupByOperator::kUndo &&
        op != GroupByOperator::kReplace) {
      malformed();
      continue;
    }
    if ((op == GroupByOperator::kUndo || op == GroupByOperator::kReplace) && !take(old_args_)) {
      malformed();
      continue;
    }
    if ((op == GroupByOperator::kAdd || op == GroupByOperator::kReplace) && !take(args_)) {
      malformed();
      continue;
    }
    key_bytes_.clear();
    EncodeValues(key_.data(), key_.size(), key_bytes_);
    if (op != GroupByOperator::kAdd) {
      RETURN_IF_ERROR(UpdateTable(op == GroupByOperator::kReplace, row, out));
    } else if (!step_.window) {
      RETURN_IF_ERROR(UpdateGroup(key_bytes_, key_, row, out));
    } else if (row.rowtime < 0) {
      ctx_->LogError(ProcessingLogEntry::Type::kRecordProcessingError, row, AggregateStep::kName,
                     "",
                     "Skipping record with a negative timestamp (" + std::to_string(row.rowtime) +
                         ") for a windowed aggregation");
    } else {
      stream_time_ = std::max(stream_time_, row.rowtime);
      if (step_.window->type == WindowStepSpec::Type::kSession) {
        RETURN_IF_ERROR(UpdateSession(key_bytes_, key_, row, out));
      } else if (step_.window->type == WindowStepSpec::Type::kSliding) {
        RETURN_IF_ERROR(UpdateSliding(key_bytes_, key_, row, out));
      } else {
        RETURN_IF_ERROR(UpdateTimeWindows(key_bytes_, key_, row, out));
      }
      if (step_.emit_final) RETURN_IF_ERROR(EmitFinal(row, out));
    }
  }
  input.Clear();
  return Status::Ok();
}

Status AggregateOperator::UpdateTable(bool add_new, const Row& row, RowBatch& out) {
  // A table's old row leaves its group (and, for kReplace, its new row joins the same group).
  ASSIGN_OR_RETURN(std::optional<std::string> stored, groups_->Get(key_bytes_));
  if (!stored && !add_new) return Status::Ok();  // nothing to undo
  Group g;
  Group before;
  RETURN_IF_ERROR(Load(stored, row.rowtime, g, before));
  Fold(g, old_args_, row.offset, true);
  if (add_new) Fold(g, args_, row.offset, false);
  RETURN_IF_ERROR(groups_->Put(key_bytes_, Encode(g)));
  Emit(key_, g, stored ? &before : nullptr, 0, 0, false, row, out);
  return Status::Ok();
}

Status AggregateOperator::UpdateGroup(const std::string& key_bytes, const std::vector<Value>& key,
                                      Row& row, RowBatch& out) {
  ASSIGN_OR_RETURN(std::optional<std::string> stored, ReadStored(key_bytes, 0));
  Group g;
  Group before;
  RETURN_IF_ERROR(Load(stored, row.rowtime, g, before));
  Fold(g, args_, row.offset, false);
  RETURN_IF_ERROR(WriteStored(key_bytes, 0, Encode(g)));
  Emit(key, g, stored ? &before : nullptr, 0, 0, false, row, out);
  return Status::Ok();
}

Status AggregateOperator::UpdateTimeWindows(const std::string& key_bytes,
                                            const std::vector<Value>& key, Row& row,
                                            RowBatch& out) {
  const WindowStepSpec& w = *step_.window;
  const int64_t size = w.size_ms;
  const int64_t advance = w.type == WindowStepSpec::Type::kHopping ? w.advance_ms : size;
  const int64_t close = ClosingTime() - grace_;
  const int64_t ts = row.rowtime;
  bool late = false;
  for (int64_t start = std::max<int64_t>(0, ts - size + advance) / advance * advance; start <= ts;
       start += advance) {
    const int64_t end = start + size;
    if (end <= close) {
      late = true;
      continue;
    }
    ASSIGN_OR_RETURN(std::optional<std::string> stored, ReadStored(key_bytes, start));
    Group g;
    Group before;
    RETURN_IF_ERROR(Load(stored, ts, g, before));
    Fold(g, args_, row.offset, false);
    RETURN_IF_ERROR(WriteStored(key_bytes, start, Encode(g)));
    max_start_ = std::max(max_start_, start);
    if (!step_.emit_final) Emit(key, g, stored ? &before : nullptr, start, end, true, row, out);
  }
  if (late) ++late_records_;
  return Status::Ok();
}

Status AggregateOperator::UpdateSession(const std::string& key_bytes, const std::vector<Value>& key,
                                        Row& row, RowBatch& out) {
  // Sessions are stored by their END (the store's window time) with their start in the value,
  // as Kafka Streams' session store: retention and closing both go by the end.
  const int64_t gap = step_.window->size_ms;
  const int64_t ts = row.rowtime;
  const int64_t close = ClosingTime() - grace_ - gap;
  // Sessions that ended before the retention behind the newest session are gone, as in Kafka
  // Streams' store (they are deleted at the next commit).
  int64_t from = ts - gap;
  if (max_start_ != INT64_MIN) from = std::max(from, max_start_ - retention_ + 1);
  ASSIGN_OR_RETURN(std::vector<state::WindowValue> found,
                   windows_->Fetch(key_bytes, from, INT64_MAX));
  Group merged = NewGroup(ts);
  int64_t merged_end = ts;
  std::vector<std::pair<int64_t, Group>> overlapping;  // (end, session)
  for (const state::WindowValue& wv : found) {
    Group s;
    RETURN_IF_ERROR(Decode(wv.value, s));
    if (s.start > ts + gap) continue;
    merged.start = std::min(merged.start, s.start);
    merged_end = std::max(merged_end, wv.window_start);
    merged.ts = std::max(merged.ts, s.ts);
    for (size_t c = 0; c < aggs_.size(); ++c) {
      merged.accs[c] = aggs_[c]->Merge(merged.accs[c], s.accs[c]);
    }
    overlapping.emplace_back(wv.window_start, std::move(s));
  }
  if (merged_end < close) {
    ++late_records_;
    return Status::Ok();
  }
  if (merged.start != ts || merged_end != ts) {
    for (const auto& [end, s] : overlapping) {
      RETURN_IF_ERROR(windows_->Delete(key_bytes, end));
      if (!step_.emit_final && Passes(key, s, s.start, end)) {
        EmitTombstone(key, end, s.start, end, row, out);
      }
    }
  }
  Fold(merged, args_, row.offset, false);
  RETURN_IF_ERROR(windows_->Put(key_bytes, merged_end, Encode(merged)));
  max_start_ = std::max(max_start_, merged_end);
  if (!step_.emit_final) Emit(key, merged, nullptr, merged.start, merged_end, true, row, out);
  return Status::Ok();
}

Status AggregateOperator::UpdateSliding(const std::string& key_bytes, const std::vector<Value>& key,
                                        Row& row, RowBatch& out) {
  // Kafka Streams' sliding windows: for each record time t there is a window [t - size, t]
  // ending at it, and a window [t + 1, t + 1 + size] starting just after it if a record falls
  // in that span. A record updates every such window that contains it and is not yet closed
  // (end + grace >= stream time); windows it creates are computed from the records kept per
  // key (the "-Sliding-Records" store, by record time) and existing ones are updated in place.
  const int64_t size = step_.window->size_ms;
  const int64_t ts = row.rowtime;
  const int64_t close = ClosingTime() - grace_;
  if (ts + size < close) {  // every window containing it has closed
    ++late_records_;
    return Status::Ok();
  }
  // Keep the record: its arguments appended to the list at (key, ts).
  {
    ASSIGN_OR_RETURN(std::optional<std::string> at, records_->Get(key_bytes, ts));
    std::string list = at ? *at : std::string();
    EncodeValue(Value::Bigint(row.offset), list);
    for (const auto& a : args_) EncodeValues(a.data(), a.size(), list);
    RETURN_IF_ERROR(records_->Put(key_bytes, ts, list));
  }
  // The records that can share a window with this one.
  ASSIGN_OR_RETURN(std::vector<state::WindowValue> near,
                   records_->Fetch(key_bytes, ts - 2 * size - 1, ts + 2 * size + 1));
  struct Rec {
    int64_t time;
    int64_t seq;
    std::vector<std::vector<Value>> args;
  };
  std::vector<Rec> recs;
  std::vector<Value> flat;
  for (const state::WindowValue& wv : near) {
    if (!DecodeValues(wv.value, flat))
      return Internal("corrupt sliding-window records in " + step_id_);
    size_t at = 0;
    while (at < flat.size()) {
      Rec r;
      r.time = wv.window_start;
      r.seq = flat[at++].as_int64();
      for (const AggregateCall& c : step_.calls) {
        if (flat.size() - at < c.args.size()) {
          return Internal("corrupt sliding-window records in " + step_id_);
        }
        r.args.emplace_back(flat.begin() + at, flat.begin() + at + c.args.size());
        at += c.args.size();
      }
      recs.push_back(std::move(r));
    }
  }
  // Candidate window starts that contain ts.
  std::vector<int64_t> starts;
  for (size_t i = 0; i < recs.size(); ++i) {
    const int64_t t = recs[i].time;
    if (i > 0 && recs[i - 1].time == t) continue;  // one pair of windows per distinct time
    // Left window [t - size, t]; records earlier than size share [0, size], as in Kafka
    // Streams (no window starts before 0).
    const int64_t left = std::max<int64_t>(0, t - size);
    if (left <= ts && ts <= left + size) starts.push_back(left);
    // Right window [t + 1, t + 1 + size], if a record falls in it.
    if (t + 1 <= ts && ts <= t + 1 + size) {
      bool occupied = false;
      for (const Rec& r : recs) occupied = occupied || (r.time > t && r.time <= t + 1 + size);
      if (occupied) starts.push_back(t + 1);
    }
  }
  std::sort(starts.begin(), starts.end());
  starts.erase(std::unique(starts.begin(), starts.end()), starts.end());
  bool late = false;
  for (int64_t start : starts) {
    const int64_t end = start + size;
    if (end < close) {
      late = true;
      continue;
    }
    ASSIGN_OR_RETURN(std::optional<std::string> stored, windows_->Get(key_bytes, start));
    Group g;
    Group before;
    if (stored) {
      RETURN_IF_ERROR(Load(stored, ts, g, before));
      Fold(g, args_, row.offset, false);
    } else {
      // A new window: every kept record inside it, this one included, in input order.
      g = NewGroup(ts);
      std::vector<const Rec*> inside;
      for (const Rec& r : recs) {
        if (r.time >= start && r.time <= end) inside.push_back(&r);
      }
      std::stable_sort(inside.begin(), inside.end(),
                       [](const Rec* a, const Rec* b) { return a->seq < b->seq; });
      for (const Rec* r : inside) {
        g.ts = std::max(g.ts, r->time);
        Fold(g, r->args, r->seq, false);
      }
    }
    RETURN_IF_ERROR(windows_->Put(key_bytes, start, Encode(g)));
    max_start_ = std::max(max_start_, start);
    if (!step_.emit_final) Emit(key, g, stored ? &before : nullptr, start, end, true, row, out);
  }
  if (late) ++late_records_;
  return Status::Ok();
}

Status AggregateOperator::OnStreamTime(int64_t /*now*/, RowBatch& out) {
  if (!step_.window || !step_.emit_final || stream_time_ == INT64_MIN) return Status::Ok();
  Row from;  // no record triggers it: the emitted rows carry their windows' times
  from.rowtime = ClosingTime();
  from.record = nullptr;
  return EmitFinal(from, out);
}

Status AggregateOperator::EmitFinal(const Row& from, RowBatch& out) {
  // As Kafka Streams' EmitStrategy.onWindowClose(): when the close time (stream time - grace)
  // advances, the windows that closed since the last emission are read from the store and
  // emitted in order of window start. Like Kafka Streams' segmented store, the read does not
  // see windows older than the retention behind the newest window written, so a jump in
  // stream time larger than the retention skips the windows it expires.
  const WindowStepSpec& w = *step_.window;
  const bool session = w.type == WindowStepSpec::Type::kSession;
  int64_t close = ClosingTime() - grace_;
  const bool first = emitted_close_ == INT64_MIN;
  if (!first && close <= emitted_close_) return Status::Ok();
  std::vector<state::WindowRecord> closed;
  if (session) {
    // A session is closed once its end is before the close time (as the late check says):
    // stream time - grace - gap. The store is ordered by end.
    close = ClosingTime() - grace_ - w.size_ms;
    if (!first && close <= emitted_close_) return Status::Ok();
    ASSIGN_OR_RETURN(closed, windows_->FetchAll(first ? INT64_MIN : emitted_close_, close - 1));
  } else {
    // A sliding window [start, start + size] includes its end: it spans size + 1 ms.
    const int64_t span = w.type == WindowStepSpec::Type::kSliding ? w.size_ms + 1 : w.size_ms;
    const int64_t upper = close - span;  // start of the last window that closed
    if (upper < 0) return Status::Ok();  // no window has closed yet
    if (w.type != WindowStepSpec::Type::kSliding) {
      // Windows start on a grid: nothing new has closed until `upper` reaches the next start.
      const int64_t advance = w.type == WindowStepSpec::Type::kHopping ? w.advance_ms : w.size_ms;
      const int64_t newest = upper / advance * advance;
      if (!first && newest == last_closable_start_) return Status::Ok();
      last_closable_start_ = newest;
    }
    int64_t lower = first ? 0 : std::max<int64_t>(0, emitted_close_ - span);
    if (!first && lower > upper) return Status::Ok();
    if (max_start_ != INT64_MIN) {
      int64_t newest = std::min(max_start_, ClosingTime());
      // Under a watermark the closing time moves in steps: a window retained at the previous
      // emission and not emitted yet is not skipped because one step went past its retention.
      if (ctx_ != nullptr && ctx_->shared_inputs && !first) {
        newest = std::min(newest, emitted_close_ + grace_);
      }
      lower = std::max(lower, newest - retention_);
    }
    if (upper >= lower) {
      ASSIGN_OR_RETURN(closed, windows_->FetchAll(lower, upper));
    }
  }
  std::vector<Value> key;
  for (const state::WindowRecord& rec : closed) {
    Group g;
    RETURN_IF_ERROR(Decode(rec.value, g));
    int64_t start = session ? g.start : rec.window_start;
    int64_t span = w.type == WindowStepSpec::Type::kSliding ? w.size_ms + 1 : w.size_ms;
    int64_t end = session ? rec.window_start : rec.window_start + w.size_ms;
    if (!session && (rec.window_start + span > close ||
                     (!first && rec.window_start + span <= emitted_close_))) {
      continue;
    }
    if (!DecodeValues(rec.key, key)) return Internal("corrupt group key in " + step_id_);
    Emit(key, g, nullptr, start, end, true, from, out);
  }
  emitted_close_ = close;
  emitted_close_dirty_ = true;
  return Status::Ok();
}

Status AggregateOperator::Expire() {
  if (!windows_ || stream_time_ == INT64_MIN) return Status::Ok();
  // Time windows expire by start, sessions by end (their store time); the newest one written
  // is the reference, as in Kafka Streams' segmented stores.
  if (max_start_ == INT64_MIN) return Status::Ok();
  const bool session = step_.window->type == WindowStepSpec::Type::kSession;
  // Not past the closing time: a slower writer's records may still update windows behind it.
  const int64_t newest = std::min(max_start_, ClosingTime());
  int64_t before = newest - retention_ + (session ? 1 : 0);
  if (before <= expired_before_) return Status::Ok();
  ASSIGN_OR_RETURN(size_t n, windows_->ExpireBefore(before));
  (void)n;
  if (records_ && stream_time_ != INT64_MIN) {
    // A record can still open windows reaching back 2 * size before the close time.
    const int64_t size = step_.window->size_ms;
    ASSIGN_OR_RETURN(size_t m, records_->ExpireBefore(ClosingTime() - grace_ - 2 * size - 1));
    (void)m;
  }
  expired_before_ = before;
  return Status::Ok();
}

Status AggregateOperator::PrepareCommit() {
  RETURN_IF_ERROR(Expire());
  if (emit_state_ && emitted_close_dirty_) {
    std::string v;
    EncodeValue(Value::Bigint(emitted_close_), v);
    EncodeValue(Value::Bigint(stream_time_), v);
    EncodeValue(Value::Bigint(max_start_), v);
    RETURN_IF_ERROR(emit_state_->Put(kEmitFinalKey, v));
    emitted_close_dirty_ = false;
  }
  return Status::Ok();
}

}  // namespace brook
