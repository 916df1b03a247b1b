#include "runtime/topology/record_decoder.h"

#include "common/time_util.h"
#include "runtime/functions/datetime_format.h"

namespace brook {

namespace {

std::vector<Column> OnlyValueColumns(const std::vector<Column>& cols) {
  std::vector<Column> out;
  for (const Column& c : cols) {
    if (c.ns != ColumnNamespace::kHeader) out.push_back(c);
  }
  return out;
}

constexpr const char* kStep = SourceStep::kName;

}  // namespace

Result<std::unique_ptr<RecordDecoder>> RecordDecoder::Create(const SourceStep& src,
                                                             bool two_phase) {
  std::unique_ptr<RecordDecoder> d(new RecordDecoder(src));
  d->key_count_ = src.schema.key.size();
  std::vector<Column> values = OnlyValueColumns(src.schema.value);
  d->value_count_ = values.size();
  // Per value column (headers excluded): is it read at all, and is it read by the filter?
  std::vector<bool> needed, early;
  for (size_t i = 0; i < src.schema.value.size(); ++i) {
    if (src.schema.value[i].ns == ColumnNamespace::kHeader) continue;
    needed.push_back(src.needed[d->key_count_ + i]);
    early.push_back(src.early[d->key_count_ + i]);
  }
  ASSIGN_OR_RETURN(d->key_serde_, MakeSerde(src.key_format, src.schema.key, true));
  bool split = two_phase && src.value_format.name == "JSON" && values.size() > 1 &&
               src.schema.value.size() == values.size();
  if (split) {
    std::vector<bool> rest(needed.size());
    bool any_rest = false;
    for (size_t i = 0; i < rest.size(); ++i) {
      rest[i] = needed[i] && !early[i];
      any_rest = any_rest || rest[i];
    }
    ASSIGN_OR_RETURN(d->value_serde_, MakeSerde(src.value_format, values, false, early));
    if (any_rest) {
      ASSIGN_OR_RETURN(d->post_filter_serde_, MakeSerde(src.value_format, values, false, rest));
    }
  } else {
    ASSIGN_OR_RETURN(d->value_serde_, MakeSerde(src.value_format, values, false, needed));
  }
  for (size_t i = 0; i < src.schema.value.size(); ++i) {
    const Column& c = src.schema.value[i];
    if (c.ns != ColumnNamespace::kHeader) continue;
    d->header_slots_.push_back(static_cast<int>(d->key_count_ + i));
    d->header_keys_.push_back(c.header_key);
  }
  return d;
}

bool RecordDecoder::Decode(const kafka::RecordView& r, Row& row, const OperatorContext& ctx) {
  row.values.resize(src_.row_width);
  for (Value& v : row.values) v.Reset();  // keeps string buffers for the next record
  row.record = &r;
  row.partition = r.partition;
  row.offset = r.offset;
  row.null_key = !r.key.has_value();
  row.null_value = !r.value.has_value();
  row.tombstone = false;
  row.fk_change = 0;
  row.windowed = false;
  auto fail = [&](ProcessingLogEntry::Type type, const char* target, const std::string& why) {
    ctx.LogError(type, row, kStep, target, why);
    return false;
  };
  // Key. Windowed keys: key bytes, then the 8-byte big-endian window start (time windows) or
  // end + start (session windows), as Kafka Streams writes them.
  std::optional<std::string_view> key = r.key;
  int64_t window_start = 0, window_end = 0;
  if (src_.window && key) {
    size_t suffix = src_.window->type == WindowInfo::Type::kSession ? 16 : 8;
    if (key->size() < suffix) {
      return fail(ProcessingLogEntry::Type::kDeserializationError, "key",
                  "Windowed key is shorter than its window bounds");
    }
    auto be64 = [&](size_t pos) {
      uint64_t v = 0;
      for (size_t i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>((*key)[pos + i]);
      return static_cast<int64_t>(v);
    };
    size_t n = key->size() - suffix;
    if (src_.window->type == WindowInfo::Type::kSession) {
      window_end = be64(n);
      window_start = be64(n + 8);
    } else {
      window_start = be64(n);
      window_end = window_start + src_.window->size_ms;
    }
    key = key->substr(0, n);
  }
  if (key && key_count_ > 0) {
    Status st = key_serde_->Decode(*key, row.values.data());
    if (!st.ok()) return fail(ProcessingLogEntry::Type::kDeserializationError, "key", st.message());
  }
  // Value.
  if (r.value) {
    Status st;
    if (header_slots_.empty()) {
      st = value_serde_->Decode(*r.value, row.values.data() + key_count_);
    } else {
      scratch_.assign(value_count_, Value());
      st = value_serde_->Decode(*r.value, scratch_.data());
      size_t di = 0;
      for (size_t i = 0; i < src_.schema.value.size(); ++i) {
        if (src_.schema.value[i].ns == ColumnNamespace::kHeader) continue;
        row.values[key_count_ + i] = std::move(scratch_[di++]);
      }
    }
    if (!st.ok()) {
      return fail(ProcessingLogEntry::Type::kDeserializationError, "value", st.message());
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
      row.values[header_slots_[h]] = found;
    } else {
      Value::List list;
      if (r.headers) {
        for (const kafka::Header& hd : *r.headers) {
          list.push_back(Value::Struct(
              {Value::String(hd.key), hd.value ? Value::Bytes(*hd.value) : Value()}));
        }
      }
      row.values[header_slots_[h]] = Value::Array(std::move(list));
    }
  }
  // Event time and pseudo-columns.
  int64_t rowtime = r.timestamp;
  if (src_.timestamp_index >= 0 && r.value) {
    const Value& tv = row.values[src_.timestamp_index];
    if (tv.is_null()) {
      return fail(ProcessingLogEntry::Type::kRecordProcessingError, "value",
                  "Timestamp column is null");
    }
    if (tv.kind() == Value::Kind::kString) {
      std::optional<int64_t> ts;
      if (src_.timestamp_format) {
        auto parsed =
            functions::ParseMillis(tv.as_string(), *src_.timestamp_format, functions::Utc());
        if (parsed.ok()) ts = *parsed;
      } else {
        ts = ParseTimestamp(tv.as_string());
      }
      if (!ts) {
        return fail(ProcessingLogEntry::Type::kRecordProcessingError, "value",
                    "Failed to parse timestamp '" + tv.as_string() + "'");
      }
      rowtime = *ts;
    } else {
      rowtime = tv.as_int64();
    }
  }
  if (rowtime < 0) {
    return fail(ProcessingLogEntry::Type::kRecordProcessingError, "value",
                "Invalid (negative) timestamp " + std::to_string(rowtime));
  }
  if (rowtime > kMaxRowtime) {
    // Window, grace and join arithmetic adds durations to row times; past this bound (about
    // 73 million years) it could overflow.
    return fail(
        ProcessingLogEntry::Type::kRecordProcessingError, "value",
        "Invalid timestamp " + std::to_string(rowtime) + ": above " + std::to_string(kMaxRowtime));
  }
  size_t base = key_count_ + src_.schema.value.size();
  row.rowtime = rowtime;
  row.values[base] = Value::Bigint(rowtime);
  row.values[base + 1] = Value::Int(r.partition);
  row.values[base + 2] = Value::Bigint(r.offset);
  if (src_.window) {
    row.values[base + 3] = Value::Bigint(window_start);
    row.values[base + 4] = Value::Bigint(window_end);
    // The key keeps its window on the way to a sink (unless a step re-keys the row).
    row.windowed = true;
    row.window_start = window_start;
    row.window_end = window_end;
  }
  return true;
}

bool RecordDecoder::DecodeRest(Row& row, const OperatorContext& ctx) {
  if (!post_filter_serde_ || !row.record || !row.record->value) return true;
  Status st = post_filter_serde_->Decode(*row.record->value, row.values.data() + key_count_);
  if (!st.ok()) {
    ctx.LogError(ProcessingLogEntry::Type::kDeserializationError, row, kStep, "value",
                 st.message());
    return false;
  }
  return true;
}

}  // namespace brook
