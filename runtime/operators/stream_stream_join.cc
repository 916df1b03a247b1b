// Stream-stream join, windowed by WITHIN (before, after), as ksqlDB builds it on Kafka Streams.
//
// Both sides are buffered in window stores ("<id>-left-store", "<id>-right-store"), keyed by
// (join key, record time): the key-time index serves matching, the time-key index serves expiry
// and emitting unmatched rows in time order (state/window_store.h). The value at (key, time) is
// the list of records of that key at that time, in arrival order; each carries its state —
// unmatched, joined, or emitted unmatched — so a record matched once is never emitted as
// unmatched, and one emitted unmatched when its window closed never joins afterwards.
//
// Windows: a left record at t matches right records in [t - before, t + after]. ksqlDB builds a
// RIGHT join as the right stream's left join with the same window, so there a right record at t
// matches left records in [t - before, t + after]. `after_[s]` is how far side s's window reaches
// past its own records.
// Time: stream time is shared by both sides (the largest record time seen). Each store keeps its
// records for before + after + grace behind the largest time put into it (Kafka Streams'
// retention); a record older than that is no longer matched and is deleted.
// Unmatched records of an outer side (the left of LEFT, the right of RIGHT, both of FULL):
//  - without a GRACE PERIOD (ksqlDB's legacy WITHIN; grace 24 h - 2 x before) they are emitted
//    with NULLs at once, and may still join later records;
//  - with one, they wait. When a record arrives at stream time, every waiting record whose window
//    has closed (t + after_[s] + grace < stream time) is emitted with NULLs first, in time order
//    (right before left at equal times), with its own time. A record that arrives after its
//    window has already ended (t + after_[s] < stream time) is emitted at once, as in ksqlDB.
// Joined rows carry the later of the two records' times. A record without a value joins nothing;
// one with a NULL key is emitted with NULLs at once on an outer side and dropped otherwise.
#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "common/value_codec.h"
#include "runtime/operators/join_internal.h"

namespace brook {

namespace {

constexpr int64_t kLegacyGraceMs = 24LL * 3600 * 1000;

// A buffered record's state: not matched yet, matched at least once, or emitted with NULLs
// because its window closed unmatched (then it never joins: that would follow a NULL row with
// the real one).
constexpr char kUnmatched = 0, kJoined = 1, kEmitted = 2;

// The list stored at one (key, time): entries of [u32 length][u8 state][row values].
void AppendEntry(std::string& list, char state, const std::vector<Value>& values) {
  std::string row;
  EncodeValues(values.data(), values.size(), row);
  uint32_t n = static_cast<uint32_t>(row.size());
  for (int i = 0; i < 4; ++i) list.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
  list.push_back(state);
  list.append(row);
}

struct Entry {
  size_t flag_at;  // offset of the state byte in the list
  char state;
  std::string_view row;
};

bool ParseList(std::string_view list, std::vector<Entry>& out) {
  out.clear();
  size_t at = 0;
  while (at < list.size()) {
    if (list.size() - at < 5) return false;
    uint32_t n = 0;
    for (int i = 0; i < 4; ++i)
      n |= static_cast<uint32_t>(static_cast<uint8_t>(list[at + i])) << (8 * i);
    if (list.size() - at - 5 < n) return false;
    out.push_back({at + 4, list[at + 4], list.substr(at + 5, n)});
    at += 5 + n;
  }
  return true;
}

class StreamStreamJoin : public JoinOperator {
 public:
  StreamStreamJoin(const JoinStep& step, std::string step_id)
      : JoinOperator(step, std::move(step_id)),
        grace_mode_(step.grace_ms.has_value()),
        grace_(step.grace_ms ? *step.grace_ms
                             : std::max<int64_t>(kLegacyGraceMs - 2 * *step.before_ms, 0)),
        retention_(*step.before_ms + *step.after_ms + grace_) {
    const bool right = step.type == JoinStep::Type::kRight;
    after_[0] = right ? *step.before_ms : *step.after_ms;
    after_[1] = right ? *step.after_ms : *step.before_ms;
    outer_[0] = step.type == JoinStep::Type::kLeft || step.type == JoinStep::Type::kOuter;
    outer_[1] = right || step.type == JoinStep::Type::kOuter;
  }

  Status Open(OperatorContext& ctx) override {
    ctx_ = &ctx;
    if (!ctx.state) return Internal("a stream-stream join needs state");
    ASSIGN_OR_RETURN(stores_[0], ctx.state->window_store(step_id_ + "-left-store"));
    ASSIGN_OR_RETURN(stores_[1], ctx.state->window_store(step_id_ + "-right-store"));
    // What the stores hold (after a restart or a restore): their times, for expiry.
    for (int s = 0; s < 2; ++s) {
      ASSIGN_OR_RETURN(auto all, stores_[s]->FetchAll(INT64_MIN, INT64_MAX));
      for (const state::WindowRecord& r : all) {
        buffered_[s].emplace(r.window_start, r.key);
        observed_[s] = std::max(observed_[s], r.window_start);
        stream_time_ = std::max(stream_time_, r.window_start);
        if (!Waits(s) || !ParseList(r.value, entries_)) continue;
        for (const Entry& e : entries_) {
          if (e.state == kUnmatched) waiting_[s].emplace(r.window_start, r.key);
        }
      }
    }
    last_closing_ = stream_time_;  // closed windows are emitted when a record advances it
    return Status::Ok();
  }

  // The watermark of a repartitioned input rose: unmatched outer records whose windows closed
  // are emitted without waiting for another record.
  Status OnStreamTime(int64_t /*now*/, RowBatch& out) override {
    if (!grace_mode_ || stream_time_ == INT64_MIN || Closing() <= last_closing_) {
      return Status::Ok();
    }
    last_closing_ = Closing();
    Row trigger;
    trigger.rowtime = Closing();
    trigger.record = nullptr;
    return EmitClosed(trigger, out);
  }

  Status ProcessSide(int side, RowBatch& input, RowBatch& out) override {
    for (size_t i = 0; i < input.size(); ++i) RETURN_IF_ERROR(Record(side, input[i], out));
    input.Clear();
    return Status::Ok();
  }

 private:
  void EmitAlone(int side, const Value* values, const Row& from, int64_t time, RowBatch& out) {
    Emit(side == 0 ? values : nullptr, side == 0 ? nullptr : values, from, time, out);
  }

  Status Record(int side, Row& row, RowBatch& out) {
    const int other = 1 - side;
    const int64_t t = row.rowtime;
    stream_time_ = std::max(stream_time_, t);
    if (row.null_value) return Status::Ok();
    if (!KeyOf(side, row, key_)) {
      if (outer_[side] && !eval_.failed()) EmitAlone(side, row.values.data(), row, t, out);
      return Status::Ok();
    }
    if (grace_mode_ && (t == stream_time_ || Closing() > last_closing_)) {
      last_closing_ = Closing();
      RETURN_IF_ERROR(EmitClosed(row, out));
    }
    // Match the other side's buffered records in this record's window that are still retained.
    const int64_t from = std::max(t - after_[other], Observed(other) - retention_ + 1);
    const int64_t to = t + after_[side];
    bool matched = false;
    if (from <= to) {
      ASSIGN_OR_RETURN(std::vector<state::WindowValue> found,
                       stores_[other]->Fetch(key_, from, to));
      for (state::WindowValue& w : found) {
        if (!ParseList(w.value, entries_)) {
          ctx_->LogError(ProcessingLogEntry::Type::kRecordProcessingError, row, JoinStep::kName, "",
                         "The join's window store holds a malformed record list");
          continue;
        }
        bool changed = false;
        for (const Entry& e : entries_) {
          if (e.state == kEmitted || !DecodeValues(e.row, other_row_)) continue;
          matched = true;
          const Value* mine = row.values.data();
          const Value* theirs = other_row_.data();
          Emit(side == 0 ? mine : theirs, side == 0 ? theirs : mine, row,
               std::max(t, w.window_start), out);
          if (e.state == kUnmatched) {
            w.value[e.flag_at] = kJoined;
            changed = true;
          }
        }
        if (changed) {
          RETURN_IF_ERROR(stores_[other]->Put(key_, w.window_start, w.value));
          if (Waits(other)) waiting_[other].erase({w.window_start, key_});
        }
      }
    }
    // Without a grace period an unmatched outer row is emitted at once; with one, at once only
    // if its window has already ended, else when it closes (EmitClosed).
    const bool emit_now =
        !matched && outer_[side] && (!grace_mode_ || t + after_[side] < Closing());
    // Buffer this record for the other side's later records (unless already past retention).
    if (t > Observed(side) - retention_) {
      // Another record of this key at this time is rare: read its list only when there is one.
      std::string value;
      if (buffered_[side].count({t, key_})) {
        ASSIGN_OR_RETURN(std::optional<std::string> list, stores_[side]->Get(key_, t));
        value = list.value_or(std::string());
      }
      // A row emitted with NULLs at once may still join later records, as in ksqlDB.
      AppendEntry(value, matched || emit_now ? kJoined : kUnmatched, row.values);
      RETURN_IF_ERROR(stores_[side]->Put(key_, t, value));
      if (!matched && !emit_now && Waits(side)) waiting_[side].emplace(t, key_);
      buffered_[side].emplace(t, key_);
      observed_[side] = std::max(observed_[side], t);
      RETURN_IF_ERROR(Expire(side));
    }
    if (emit_now) EmitAlone(side, row.values.data(), row, t, out);
    return Status::Ok();
  }

  // Emits the waiting unmatched records of outer sides whose windows have closed, in time order
  // (right before left at equal times, then by key), marking them emitted. The waiting records
  // are indexed in memory (waiting_), so this reads only what it emits.
  Status EmitClosed(const Row& trigger, RowBatch& out) {
    const int64_t bound[2] = {Closing() - grace_ - after_[0], Closing() - grace_ - after_[1]};
    auto ready = [&](int s) {
      return Waits(s) && !waiting_[s].empty() && waiting_[s].begin()->first < bound[s];
    };
    while (ready(0) || ready(1)) {
      // The earlier of the two sides' next closed records; the right first at equal times.
      int s = 1;
      if (!ready(1) || (ready(0) && waiting_[0].begin()->first < waiting_[1].begin()->first)) {
        s = 0;
      }
      auto it = waiting_[s].begin();
      const int64_t time = it->first;
      const std::string key = it->second;
      waiting_[s].erase(it);
      ASSIGN_OR_RETURN(std::optional<std::string> list, stores_[s]->Get(key, time));
      if (!list || !ParseList(*list, entries_)) continue;
      bool changed = false;
      for (const Entry& e : entries_) {
        if (e.state != kUnmatched || !DecodeValues(e.row, other_row_)) continue;
        (*list)[e.flag_at] = kEmitted;
        changed = true;
        EmitAlone(s, other_row_.data(), trigger, time, out);
      }
      if (changed) RETURN_IF_ERROR(stores_[s]->Put(key, time, *list));
    }
    return Status::Ok();
  }

  // Deletes side s's records that fell out of its retention — but never an outer side's records
  // not yet checked for emission as unmatched (EmitClosed runs only when a record arrives at
  // stream time; until then they wait).
  // Deletes side s's lists past retention, point by point from the in-memory index (no scan of
  // the store). Matching ignores them already (Fetch's `from`); this bounds the state.
  Status Expire(int s) {
    int64_t keep_from = Observed(s) - retention_ + 1;
    if (Waits(s) && !waiting_[s].empty()) {
      keep_from = std::min(keep_from, waiting_[s].begin()->first);
    }
    auto& index = buffered_[s];
    while (!index.empty() && index.begin()->first < keep_from) {
      RETURN_IF_ERROR(stores_[s]->Delete(index.begin()->second, index.begin()->first));
      index.erase(index.begin());
    }
    return Status::Ok();
  }

  // Whether side s's unmatched records wait for their window to close (GRACE PERIOD, outer).
  bool Waits(int s) const { return grace_mode_ && outer_[s]; }

  const bool grace_mode_;
  const int64_t grace_;
  const int64_t retention_;  // before + after + grace
  int64_t after_[2];         // how far after a side's record its window reaches (left: after)
  bool outer_[2];            // whether a side's unmatched records are emitted
  state::WindowStore* stores_[2] = {nullptr, nullptr};
  // (time, key) of every list each store holds: expiry deletes them without scanning the store.
  std::set<std::pair<int64_t, std::string>> buffered_[2];
  // Outer sides with a grace period: (time, key) of the store lists holding unmatched records.
  std::set<std::pair<int64_t, std::string>> waiting_[2];
  int64_t stream_time_ = INT64_MIN;
  int64_t observed_[2] = {INT64_MIN / 2, INT64_MIN / 2};  // largest time put into each store
  int64_t last_closing_ = INT64_MIN;                      // Closing() when EmitClosed last ran

  // Stream time as far as closing windows goes: no further than the slowest writer of a
  // repartitioned input in another thread (OperatorContext::upstream_watermark).
  int64_t Closing() const {
    return ctx_ == nullptr ? stream_time_ : std::min(stream_time_, ctx_->upstream_watermark);
  }
  // The newest time side s's store holds, as far as retention goes: not past Closing(), so a
  // slower writer's records are still buffered and matched.
  int64_t Observed(int s) const {
    return std::max(std::min(observed_[s], Closing()), INT64_MIN / 2);
  }
  std::string key_;
  std::vector<Entry> entries_;
  std::vector<Value> other_row_;
};

}  // namespace

std::unique_ptr<Operator> NewStreamStreamJoin(const JoinStep& step, std::string step_id) {
  return std::make_unique<StreamStreamJoin>(step, std::move(step_id));
}

}  // namespace brook
