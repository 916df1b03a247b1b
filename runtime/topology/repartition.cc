#include "runtime/topology/repartition.h"

#include <algorithm>
#include <charconv>
#include <climits>

#include "common/value_codec.h"

namespace brook {

namespace {

// "_confluent-ksql-<service id>query_<query id>-<step id><suffix>", as ksqlDB names internal
// topics (Kafka Streams' "<application id>-<name>", the application id being the query's
// consumer group).
std::string InternalTopicName(std::string_view service_id, std::string_view query_id,
                              std::string_view step_id, std::string_view suffix) {
  std::string out;
  out.append("_confluent-ksql-");
  out.append(service_id);
  out.append("query_");
  out.append(query_id);
  out.push_back('-');
  out.append(step_id);
  out.append(suffix);
  return out;
}

// A row read from an internal topic: the record's identity and time, no flags yet.
void SetRecordMeta(const kafka::RecordView& record, Row& row) {
  row.record = &record;
  row.partition = record.partition;
  row.offset = record.offset;
  row.rowtime = record.timestamp;
  row.null_key = false;
  row.null_value = false;
  row.tombstone = false;
  row.fk_change = 0;
  row.windowed = false;
}

}  // namespace

std::string RepartitionTopicName(std::string_view service_id, std::string_view query_id,
                                 std::string_view step_id) {
  return InternalTopicName(service_id, query_id, step_id, "-GroupBy-repartition");
}

std::string JoinRepartitionTopicName(std::string_view service_id, std::string_view query_id,
                                     std::string_view step_id, bool foreign_key) {
  return InternalTopicName(service_id, query_id, step_id,
                           foreign_key ? "-subscription-registration-topic" : "-repartition");
}

size_t WriteRepartition(RowBatch& rows, size_t key_count, const std::string& topic,
                        kafka::Producer& producer, const OperatorContext& ctx,
                        RepartitionSequence* origins) {
  size_t sent = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& row = rows[i];
    kafka::OutRecord rec;
    if (origins != nullptr) {
      if (row.offset != origins->offset) {
        origins->offset = row.offset;
        origins->next_index = 0;
      }
      rec.headers.push_back({std::string(kRepartitionOriginHeader),
                             std::to_string(row.partition) + " " + std::to_string(row.offset) +
                                 " " + std::to_string(origins->next_index++)});
    }
    rec.topic = topic;
    rec.timestamp = row.rowtime;
    std::string key;
    EncodeValues(row.values.data() + 1, std::min(key_count, row.values.size() - 1), key);
    rec.key = std::move(key);
    std::string value;
    EncodeValues(row.values.data(), row.values.size(), value);
    rec.value = std::move(value);
    Status st = producer.Send(std::move(rec));
    if (!st.ok()) {
      ctx.LogError(ProcessingLogEntry::Type::kProductionError, row, "repartition", "",
                   st.message());
      continue;
    }
    ++sent;
  }
  rows.Clear();
  return sent;
}

bool DecodeRepartition(const kafka::RecordView& record, Row& row) {
  SetRecordMeta(record, row);
  if (!record.value) return false;
  return DecodeValues(*record.value, row.values) && !row.values.empty() &&
         row.values[0].kind() == Value::Kind::kInt;
}

std::optional<RepartitionOrigin> DecodeRepartitionOrigin(const kafka::RecordView& record) {
  if (record.headers == nullptr) return std::nullopt;
  for (const kafka::Header& h : *record.headers) {
    if (h.key != kRepartitionOriginHeader || !h.value) continue;
    std::string_view text = *h.value;
    RepartitionOrigin o;
    int64_t parts[3];
    for (int i = 0; i < 3; ++i) {
      size_t end = i < 2 ? text.find(' ') : text.size();
      if (end == std::string_view::npos || end == 0) return std::nullopt;
      auto [ptr, ec] = std::from_chars(text.data(), text.data() + end, parts[i]);
      if (ec != std::errc() || ptr != text.data() + end || parts[i] < 0) return std::nullopt;
      text.remove_prefix(i < 2 ? end + 1 : end);
    }
    if (parts[0] > INT32_MAX) return std::nullopt;
    o.partition = static_cast<int32_t>(parts[0]);
    o.offset = parts[1];
    o.index = parts[2];
    return o;
  }
  return std::nullopt;
}

kafka::OutRecord EncodeRepartitionProgress(const std::string& topic, int32_t partition,
                                           const RepartitionProgress& progress) {
  kafka::OutRecord rec;
  rec.topic = topic;
  rec.partition = partition;
  rec.timestamp = std::max<int64_t>(0, progress.time);
  rec.headers.push_back({std::string(kRepartitionProgressHeader),
                         std::to_string(progress.writer) + " " + std::to_string(progress.time) +
                             " " + (progress.idle ? "1" : "0") + " " +
                             std::to_string(progress.writers)});
  return rec;
}

std::optional<RepartitionProgress> DecodeRepartitionProgress(const kafka::RecordView& record) {
  if (record.headers == nullptr || record.value) return std::nullopt;
  for (const kafka::Header& h : *record.headers) {
    if (h.key != kRepartitionProgressHeader || !h.value) continue;
    std::string_view text = *h.value;
    if (text.size() > 64) return std::nullopt;
    int64_t parts[4];
    for (int i = 0; i < 4; ++i) {
      size_t end = i < 3 ? text.find(' ') : text.size();
      if (end == std::string_view::npos || end == 0) return std::nullopt;
      auto [ptr, ec] = std::from_chars(text.data(), text.data() + end, parts[i]);
      if (ec != std::errc() || ptr != text.data() + end) return std::nullopt;
      text.remove_prefix(i < 3 ? end + 1 : end);
    }
    if (parts[0] < 0 || parts[3] < 1 || parts[3] > kMaxRepartitionWriters || parts[0] >= parts[3] ||
        parts[1] < -1 || parts[1] > kMaxRepartitionProgressTime ||
        (parts[2] != 0 && parts[2] != 1)) {
      return std::nullopt;
    }
    RepartitionProgress p;
    p.writer = static_cast<int32_t>(parts[0]);
    p.time = parts[1];
    p.idle = parts[2] == 1;
    p.writers = static_cast<int32_t>(parts[3]);
    return p;
  }
  return std::nullopt;
}

Result<std::unique_ptr<JoinRepartitionWriter>> JoinRepartitionWriter::Create(
    const RepartitionStep& step, std::string topic) {
  std::unique_ptr<JoinRepartitionWriter> w(new JoinRepartitionWriter(step, std::move(topic)));
  std::vector<Column> key = {{"ROWKEY", step.key->type, ColumnNamespace::kKey, std::nullopt}};
  ASSIGN_OR_RETURN(w->key_serde_, MakeSerde(step.key_format, std::move(key), /*is_key=*/true));
  return w;
}

size_t JoinRepartitionWriter::Write(RowBatch& rows, kafka::Producer& producer,
                                    const OperatorContext& ctx) {
  size_t sent = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& row = rows[i];
    eval_.Reset();
    Value key = Evaluate(*step_.key, row.values.data(), eval_);
    const bool null_key = !eval_.failed() && key.is_null();
    if (eval_.failed() || (null_key && !step_.keep_null_keys)) {
      ctx.LogError(
          ProcessingLogEntry::Type::kRecordProcessingError, row, RepartitionStep::kName, "key",
          eval_.failed()
              ? "Error computing the join key " + eval_.error_expr + ": " + eval_.error
              : "Skipping a record whose join key " + step_.key->text + " is NULL: it cannot join");
      continue;
    }
    Result<std::optional<std::string>> encoded = std::optional<std::string>();
    if (!null_key) encoded = key_serde_->Encode(&key);
    if (!encoded.ok() || (!null_key && !encoded->has_value())) {
      ctx.LogError(ProcessingLogEntry::Type::kSerializationError, row, RepartitionStep::kName,
                   "key",
                   encoded.ok() ? "the join key encodes to nothing" : encoded.status().message());
      continue;
    }
    kafka::OutRecord rec;
    rec.topic = topic_;
    rec.timestamp = row.rowtime;
    if (!null_key) rec.key = std::move(**encoded);
    std::string value;
    EncodeValues(row.values.data(), row.values.size(), value);
    // Then what the row means for a table: its change kind and whether it deletes.
    EncodeValue(Value::Int(row.fk_change), value);
    EncodeValue(Value::Bool(row.tombstone), value);
    rec.value = std::move(value);
    Status st = producer.Send(std::move(rec));
    if (!st.ok()) {
      ctx.LogError(ProcessingLogEntry::Type::kProductionError, row, RepartitionStep::kName, "",
                   st.message());
      continue;
    }
    ++sent;
  }
  rows.Clear();
  return sent;
}

bool DecodeJoinRepartition(const kafka::RecordView& record, Row& row) {
  SetRecordMeta(record, row);
  if (!record.value || !DecodeValues(*record.value, row.values) || row.values.size() < 2) {
    return false;
  }
  const Value& tombstone = row.values.back();
  const Value& change = row.values[row.values.size() - 2];
  if (tombstone.kind() != Value::Kind::kBool || change.kind() != Value::Kind::kInt) return false;
  row.tombstone = tombstone.as_bool();
  row.null_value = row.tombstone;
  row.fk_change = static_cast<uint8_t>(change.as_int64());
  row.values.resize(row.values.size() - 2);
  return true;
}

}  // namespace brook
