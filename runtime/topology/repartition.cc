#include "runtime/topology/repartition.h"

#include "common/value_codec.h"

namespace brook {

std::string RepartitionTopicName(std::string_view service_id, std::string_view query_id,
                                 std::string_view step_id) {
  std::string out;
  out.append(service_id);
  out.append("query_");
  out.append(query_id);
  out.push_back('-');
  out.append(step_id);
  out.append("-GroupBy-repartition");
  return out;
}

size_t WriteRepartition(RowBatch& rows, size_t key_count, const std::string& topic,
                        kafka::Producer& producer, const OperatorContext& ctx) {
  size_t sent = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& row = rows[i];
    kafka::OutRecord rec;
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
  row.record = &record;
  row.partition = record.partition;
  row.offset = record.offset;
  row.rowtime = record.timestamp;
  row.null_key = false;
  row.null_value = false;
  row.tombstone = false;
  row.windowed = false;
  if (!record.value) return false;
  return DecodeValues(*record.value, row.values) && !row.values.empty() &&
         row.values[0].kind() == Value::Kind::kInt;
}

}  // namespace brook
