#include "runtime/engine/query_task.h"

#include "common/time_util.h"
#include "runtime/functions/datetime_format.h"
#include "common/value_cast.h"

namespace brook {

namespace {

std::vector<Column> OnlyValueColumns(const std::vector<Column>& cols) {
  std::vector<Column> out;
  for (const Column& c : cols) {
    if (c.ns != ColumnNamespace::kHeader) out.push_back(c);
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<QueryTask>> QueryTask::Create(const QueryPlan& plan,
                                                     kafka::KafkaClientFactory& kafka,
                                                     kafka::Producer* producer, RowSink sink,
                                                     ProcessingLog* log, QueryTaskOptions options) {
  std::unique_ptr<QueryTask> t(new QueryTask(plan, log));
  const SourceStep& src = plan.source;
  t->key_count_ = src.schema.key.size();
  std::vector<Column> values = OnlyValueColumns(src.schema.value);
  t->value_count_ = values.size();
  // Which value columns does the query read? (Decode only those.)
  std::vector<bool> needed_values;
  std::vector<bool> filter_values;  // value columns the filter (or timestamp) reads
  {
    std::vector<bool> used(src.row_width, false);
    std::vector<bool> used_by_filter(src.row_width, false);
    std::function<void(const BoundExpr&)> mark = [&](const BoundExpr& e) {
      if (e.kind == BoundKind::kColumn && e.index >= 0 && e.index < src.row_width) used[e.index] = true;
      for (const auto& c : e.children) mark(*c);
    };
    if (plan.filter) {
      mark(*plan.filter);
      used_by_filter = used;
    }
    for (const auto& e : plan.rekey_exprs) mark(*e);
    if (plan.has_rekey) {
      // Projections are over the rekeyed row; map used rekeyed slots back to source slots.
      std::vector<bool> used_rekeyed(plan.rekey_exprs.size() + plan.rekey_sources.size(), false);
      std::function<void(const BoundExpr&)> mark2 = [&](const BoundExpr& e) {
        if (e.kind == BoundKind::kColumn && e.index >= 0 &&
            static_cast<size_t>(e.index) < used_rekeyed.size()) {
          used_rekeyed[e.index] = true;
        }
        for (const auto& c : e.children) mark2(*c);
      };
      for (const auto& e : plan.key_exprs) mark2(*e);
      for (const auto& e : plan.value_exprs) mark2(*e);
      for (size_t i = 0; i < plan.rekey_sources.size(); ++i) {
        if (used_rekeyed[plan.rekey_exprs.size() + i]) used[plan.rekey_sources[i]] = true;
      }
    } else {
      for (const auto& e : plan.key_exprs) mark(*e);
      for (const auto& e : plan.value_exprs) mark(*e);
    }
    if (src.timestamp_index >= 0) {
      used[src.timestamp_index] = true;
      used_by_filter[src.timestamp_index] = true;
    }
    for (size_t i = 0; i < src.schema.value.size(); ++i) {
      if (src.schema.value[i].ns == ColumnNamespace::kHeader) continue;
      needed_values.push_back(used[t->key_count_ + i]);
      filter_values.push_back(used_by_filter[t->key_count_ + i]);
    }
  }
  ASSIGN_OR_RETURN(t->key_serde_, MakeSerde(src.key_format, src.schema.key, true));
  bool two_phase = plan.filter && src.value_format.name == "JSON" && values.size() > 1 &&
                   src.schema.value.size() == values.size();
  if (two_phase) {
    std::vector<bool> rest(needed_values.size());
    bool any_rest = false;
    for (size_t i = 0; i < rest.size(); ++i) {
      rest[i] = needed_values[i] && !filter_values[i];
      any_rest = any_rest || rest[i];
    }
    ASSIGN_OR_RETURN(t->value_serde_, MakeSerde(src.value_format, values, false, filter_values));
    if (any_rest) {
      ASSIGN_OR_RETURN(t->post_filter_serde_, MakeSerde(src.value_format, values, false, rest));
    }
  } else {
    ASSIGN_OR_RETURN(t->value_serde_, MakeSerde(src.value_format, values, false, needed_values));
  }
  for (size_t i = 0; i < src.schema.value.size(); ++i) {
    const Column& c = src.schema.value[i];
    if (c.ns != ColumnNamespace::kHeader) continue;
    t->header_slots_.push_back(static_cast<int>(t->key_count_ + i));
    t->header_keys_.push_back(c.header_key);
  }
  if (plan.sink) {
    if (!producer) return Internal("persistent query without a producer");
    t->producer_ = producer;
    ASSIGN_OR_RETURN(t->sink_key_serde_,
                     MakeSerde(plan.sink->key_format, plan.output_schema.key, true));
    ASSIGN_OR_RETURN(t->sink_value_serde_,
                     MakeSerde(plan.sink->value_format, plan.output_schema.value, false));
  } else {
    t->sink_ = std::move(sink);
  }
  t->flush_timeout_ = options.flush_timeout;
  kafka::ConsumerConfig cc;
  cc.group_id = options.group_id;
  cc.topics = {src.topic};
  cc.from_beginning = options.from_beginning;
  ASSIGN_OR_RETURN(t->consumer_, kafka.NewConsumer(cc));
  t->row_.resize(src.row_width);
  t->rekeyed_.resize(plan.rekey_exprs.size() + plan.rekey_sources.size());
  t->out_key_.resize(plan.key_exprs.size());
  t->out_value_.resize(plan.value_exprs.size());
  return t;
}

int64_t QueryTask::stream_time(int32_t partition) const {
  if (partition < 0 || static_cast<size_t>(partition) >= stream_time_.size()) return -1;
  return stream_time_[partition];
}

void QueryTask::LogError(ProcessingLogEntry::Type type, const kafka::RecordView& r,
                         const std::string& step, const std::string& target,
                         const std::string& message) {
  if (!log_) return;
  ProcessingLogEntry e;
  e.type = type;
  e.query_id = plan_.query_id;
  e.step = step;
  e.topic = std::string(r.topic);
  e.partition = r.partition;
  e.offset = r.offset;
  e.target = target;
  e.message = message;
  log_->Log(std::move(e));
}

Result<size_t> QueryTask::PollOnce(size_t max_records, kafka::Millis timeout) {
  if (limit_reached_) return size_t{0};
  RETURN_IF_ERROR(consumer_->Poll(max_records, timeout, batch_));
  if (batch_.empty()) return size_t{0};
  std::vector<kafka::TopicPartitionOffset> commits;
  for (const kafka::RecordView& r : batch_) {
    ProcessRecord(r);
    bool found = false;
    for (auto& c : commits) {
      if (c.partition == r.partition && c.topic == r.topic) {
        c.offset = r.offset + 1;
        found = true;
      }
    }
    if (!found) commits.push_back({std::string(r.topic), r.partition, r.offset + 1});
    if (limit_reached_) break;
  }
  size_t n = batch_.size();
  if (producer_) RETURN_IF_ERROR(producer_->Flush(flush_timeout_));
  RETURN_IF_ERROR(consumer_->Commit(commits));
  return n;
}

void QueryTask::ProcessRecord(const kafka::RecordView& r) {
  ++records_in_;
  const SourceStep& src = plan_.source;
  for (Value& v : row_) v = Value();
  // Key.
  input_key_null_ = !r.key.has_value();
  std::optional<std::string_view> key = r.key;
  int64_t window_start = 0, window_end = 0;
  if (src.window && key) {
    // Windowed keys: key bytes, then 8-byte big-endian start (time windows) or end + start
    // (session windows), as Kafka Streams writes them.
    size_t suffix = src.window->type == WindowInfo::Type::kSession ? 16 : 8;
    if (key->size() < suffix) {
      LogError(ProcessingLogEntry::Type::kDeserializationError, r, "source_v1", "key",
               "Windowed key is shorter than its window bounds");
      return;
    }
    auto be64 = [&](size_t pos) {
      uint64_t v = 0;
      for (size_t i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>((*key)[pos + i]);
      return static_cast<int64_t>(v);
    };
    size_t n = key->size() - suffix;
    if (src.window->type == WindowInfo::Type::kSession) {
      window_end = be64(n);
      window_start = be64(n + 8);
    } else {
      window_start = be64(n);
      window_end = window_start + src.window->size_ms;
    }
    key = key->substr(0, n);
  }
  if (key && key_count_ > 0) {
    Status st = key_serde_->Decode(*key, row_.data());
    if (!st.ok()) {
      LogError(ProcessingLogEntry::Type::kDeserializationError, r, "source_v1", "key", st.message());
      return;
    }
  }
  // Value.
  bool null_value = !r.value.has_value();
  if (!null_value) {
    Status st;
    if (header_slots_.empty()) {
      st = value_serde_->Decode(*r.value, row_.data() + key_count_);
    } else {
      std::vector<Value> decoded(value_count_);
      st = value_serde_->Decode(*r.value, decoded.data());
      size_t di = 0;
      for (size_t i = 0; i < src.schema.value.size(); ++i) {
        if (src.schema.value[i].ns == ColumnNamespace::kHeader) continue;
        row_[key_count_ + i] = std::move(decoded[di++]);
      }
    }
    if (!st.ok()) {
      LogError(ProcessingLogEntry::Type::kDeserializationError, r, "source_v1", "value",
               st.message());
      return;
    }
  }
  // Headers.
  for (size_t h = 0; h < header_slots_.size(); ++h) {
    if (header_keys_[h]) {
      Value found;
      if (r.headers) {
        for (const kafka::Header& hd : *r.headers) {
          if (hd.key == *header_keys_[h]) found = hd.value ? Value::Bytes(*hd.value) : Value();
        }
      }
      row_[header_slots_[h]] = found;
    } else {
      Value::List list;
      if (r.headers) {
        for (const kafka::Header& hd : *r.headers) {
          list.push_back(Value::Struct(
              {Value::String(hd.key), hd.value ? Value::Bytes(*hd.value) : Value()}));
        }
      }
      row_[header_slots_[h]] = Value::Array(std::move(list));
    }
  }
  // Pseudo-columns and event time.
  size_t base = key_count_ + src.schema.value.size();
  int64_t rowtime = r.timestamp;
  if (src.timestamp_index >= 0 && !null_value) {
    const Value& tv = row_[src.timestamp_index];
    if (tv.is_null()) {
      LogError(ProcessingLogEntry::Type::kRecordProcessingError, r, "source_v1", "value",
               "Timestamp column is null");
      return;
    }
    if (tv.kind() == Value::Kind::kString) {
      std::optional<int64_t> ts;
      if (src.timestamp_format) {
        auto parsed = functions::ParseMillis(tv.as_string(), *src.timestamp_format, functions::Utc());
        if (parsed.ok()) ts = *parsed;
      } else {
        ts = ParseTimestamp(tv.as_string());
      }
      if (!ts) {
        LogError(ProcessingLogEntry::Type::kRecordProcessingError, r, "source_v1", "value",
                 "Failed to parse timestamp '" + tv.as_string() + "'");
        return;
      }
      rowtime = *ts;
    } else {
      rowtime = tv.as_int64();
    }
  }
  if (rowtime < 0) {
    LogError(ProcessingLogEntry::Type::kRecordProcessingError, r, "source_v1", "value",
             "Invalid (negative) timestamp " + std::to_string(rowtime));
    return;
  }
  row_[base] = Value::Bigint(rowtime);
  row_[base + 1] = Value::Int(r.partition);
  row_[base + 2] = Value::Bigint(r.offset);
  if (src.window) {
    row_[base + 3] = Value::Bigint(window_start);
    row_[base + 4] = Value::Bigint(window_end);
  }
  if (r.partition >= 0) {
    if (static_cast<size_t>(r.partition) >= stream_time_.size()) stream_time_.resize(r.partition + 1, -1);
    if (rowtime > stream_time_[r.partition]) stream_time_[r.partition] = rowtime;
  }

  if (src.is_table) {
    bool null_key = key_count_ == 0 || !r.key.has_value();
    if (null_key) return;  // tables ignore records without a key
  }
  // A stream record with a null value never passes a WHERE clause.
  if (null_value && !src.is_table && plan_.filter) return;
  // Filter (not applied to table tombstones: they delete whatever the key held).
  if (!null_value && plan_.filter) {
    eval_.Reset();
    Value ok = Evaluate(*plan_.filter, row_.data(), eval_);
    if (eval_.failed()) {
      LogError(ProcessingLogEntry::Type::kRecordProcessingError, r, "filter_v1", "",
               "Error computing expression " + eval_.error_expr + ": " + eval_.error);
    }
    if (!IsTrue(ok)) {
      if (src.is_table) Emit(r, row_.data(), true, rowtime);
      return;
    }
    if (post_filter_serde_) {
      Status st = post_filter_serde_->Decode(*r.value, row_.data() + key_count_);
      if (!st.ok()) {
        LogError(ProcessingLogEntry::Type::kDeserializationError, r, "source_v1", "value",
                 st.message());
        return;
      }
    }
  }
  const Value* input = row_.data();
  if (plan_.has_rekey) {
    eval_.Reset();
    size_t nk = plan_.rekey_exprs.size();
    for (size_t i = 0; i < nk; ++i) {
      const BoundExpr& e = *plan_.rekey_exprs[i];
      // With a null value only key columns are known; every other expression is NULL.
      bool key_ref = e.kind == BoundKind::kColumn && e.index < static_cast<int>(key_count_);
      rekeyed_[i] = null_value && !key_ref ? Value() : Evaluate(e, row_.data(), eval_);
    }
    if (eval_.failed()) {
      LogError(ProcessingLogEntry::Type::kRecordProcessingError, r, "rekey_v1", "",
               "Error computing expression " + eval_.error_expr + ": " + eval_.error);
    }
    for (size_t i = 0; i < plan_.rekey_sources.size(); ++i) {
      rekeyed_[nk + i] = row_[plan_.rekey_sources[i]];
    }
    input = rekeyed_.data();
  }
  Emit(r, input, null_value, rowtime);
}

void QueryTask::Emit(const kafka::RecordView& r, const Value* row, bool tombstone,
                     int64_t rowtime) {
  eval_.Reset();
  for (size_t i = 0; i < plan_.key_exprs.size(); ++i) {
    out_key_[i] = Evaluate(*plan_.key_exprs[i], row, eval_);
  }
  if (!tombstone) {
    for (size_t i = 0; i < plan_.value_exprs.size(); ++i) {
      out_value_[i] = Evaluate(*plan_.value_exprs[i], row, eval_);
    }
  }
  if (eval_.failed()) {
    LogError(ProcessingLogEntry::Type::kRecordProcessingError, r, "select_v1", "",
             "Error computing expression " + eval_.error_expr + ": " + eval_.error);
  }
  if (!plan_.sink) {
    if (tombstone && !plan_.output_is_table) return;
    OutputRow out;
    out.tombstone = tombstone;
    out.rowtime = rowtime;
    for (const auto& [is_key, idx] : plan_.select_order) {
      out.columns.push_back(is_key ? out_key_[idx] : (tombstone ? Value() : out_value_[idx]));
    }
    sink_(std::move(out));
  } else {
    kafka::OutRecord rec;
    rec.topic = plan_.sink->topic;
    rec.timestamp = rowtime;
    // A record without a key keeps having no key unless PARTITION BY computed a new one.
    if (!plan_.output_schema.key.empty() && !(input_key_null_ && !plan_.has_rekey)) {
      bool all_null = true;
      for (const Value& v : out_key_) all_null = all_null && v.is_null();
      if (!all_null || plan_.output_schema.key.size() > 1) {
        auto k = sink_key_serde_->Encode(out_key_.data());
        if (!k.ok()) {
          LogError(ProcessingLogEntry::Type::kSerializationError, r, "sink_v1", "key",
                   k.status().message());
          return;
        }
        rec.key = std::move(*k);
      }
    }
    if (!tombstone) {
      if (plan_.sink->timestamp_column >= 0) {
        const Value& tv = plan_.sink->timestamp_in_key ? out_key_[plan_.sink->timestamp_column]
                                                       : out_value_[plan_.sink->timestamp_column];
        if (!tv.is_null()) {
          if (tv.kind() == Value::Kind::kString) {
            rec.timestamp = -1;
            if (plan_.sink->timestamp_format) {
              auto ts = functions::ParseMillis(tv.as_string(), *plan_.sink->timestamp_format, functions::Utc());
              if (ts.ok()) rec.timestamp = *ts;
            } else if (auto ts = ParseTimestamp(tv.as_string())) {
              rec.timestamp = *ts;
            }
          } else {
            rec.timestamp = tv.as_int64();
          }
        }
        if (tv.is_null() || rec.timestamp < 0) {
          LogError(ProcessingLogEntry::Type::kRecordProcessingError, r, "sink_v1", "value",
                   "Invalid timestamp for the sink's TIMESTAMP column");
          return;
        }
      }
      auto v = sink_value_serde_->Encode(out_value_.data());
      if (!v.ok()) {
        LogError(ProcessingLogEntry::Type::kSerializationError, r, "sink_v1", "value",
                 v.status().message());
        return;
      }
      rec.value = std::move(*v);
    }
    Status st = producer_->Send(std::move(rec));
    if (!st.ok()) {
      LogError(ProcessingLogEntry::Type::kProductionError, r, "sink_v1", "", st.message());
      return;
    }
  }
  ++records_out_;
  if (plan_.limit && ++emitted_ >= *plan_.limit) limit_reached_ = true;
}

}  // namespace brook
