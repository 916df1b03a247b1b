#include "runtime/topology/sink_writer.h"

#include "common/time_util.h"
#include "runtime/functions/datetime_format.h"

namespace brook {

Result<std::unique_ptr<SinkWriter>> SinkWriter::Create(const PhysicalPlan& plan) {
  if (!plan.sink()) return Internal("a sink writer needs a plan with a sink");
  std::unique_ptr<SinkWriter> w(new SinkWriter(plan));
  w->rekeyed_ = plan.rekey() != nullptr;
  if (const AggregateStep* a = plan.Find<AggregateStep>(); a && a->window) {
    w->session_windows_ = a->window->type == WindowStepSpec::Type::kSession;
  } else if (plan.source().window) {
    w->session_windows_ = plan.source().window->type == WindowInfo::Type::kSession;
  }
  ASSIGN_OR_RETURN(w->key_serde_, MakeSerde(w->sink_.key_format, plan.output_schema.key, true));
  ASSIGN_OR_RETURN(w->value_serde_,
                   MakeSerde(w->sink_.value_format, plan.output_schema.value, false));
  return w;
}

namespace {
void AppendBigEndian(int64_t v, std::string& out) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>(static_cast<uint64_t>(v) >> shift));
  }
}
}  // namespace

void SinkWriter::AppendWindow(const Row& row, std::string& key) const {
  // Kafka Streams' windowed key formats: time windows key || start; sessions key || end || start.
  if (session_windows_) AppendBigEndian(row.window_end, key);
  AppendBigEndian(row.window_start, key);
}

size_t SinkWriter::Write(RowBatch& rows, kafka::Producer& producer, const OperatorContext& ctx) {
  const size_t nk = plan_.output_schema.key.size();
  size_t sent = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    Row& row = rows[i];
    const Value* keys = row.values.data();
    const Value* values = row.values.data() + nk;
    kafka::OutRecord rec;
    rec.topic = sink_.topic;
    rec.timestamp = row.rowtime;
    // A record without a key keeps having no key unless PARTITION BY computed a new one.
    if (nk > 0 && !(row.null_key && !rekeyed_)) {
      bool all_null = true;
      for (size_t k = 0; k < nk; ++k) all_null = all_null && keys[k].is_null();
      if (!all_null || nk > 1) {
        auto k = key_serde_->Encode(keys);
        if (!k.ok()) {
          ctx.LogError(ProcessingLogEntry::Type::kSerializationError, row, SinkStep::kName, "key",
                       k.status().message());
          continue;
        }
        rec.key = std::move(*k);
        if (row.windowed) AppendWindow(row, *rec.key);
      }
    }
    if (!row.tombstone) {
      if (sink_.timestamp_column >= 0) {
        const Value& tv = sink_.timestamp_in_key ? keys[sink_.timestamp_column]
                                                 : values[sink_.timestamp_column];
        if (!tv.is_null()) {
          if (tv.kind() == Value::Kind::kString) {
            rec.timestamp = -1;
            if (sink_.timestamp_format) {
              auto ts = functions::ParseMillis(tv.as_string(), *sink_.timestamp_format,
                                               functions::Utc());
              if (ts.ok()) rec.timestamp = *ts;
            } else if (auto ts = ParseTimestamp(tv.as_string())) {
              rec.timestamp = *ts;
            }
          } else {
            rec.timestamp = tv.as_int64();
          }
        }
        if (tv.is_null() || rec.timestamp < 0) {
          ctx.LogError(ProcessingLogEntry::Type::kRecordProcessingError, row, SinkStep::kName,
                       "value", "Invalid timestamp for the sink's TIMESTAMP column");
          continue;
        }
      }
      auto v = value_serde_->Encode(values);
      if (!v.ok()) {
        ctx.LogError(ProcessingLogEntry::Type::kSerializationError, row, SinkStep::kName, "value",
                     v.status().message());
        continue;
      }
      rec.value = std::move(*v);
    }
    Status st = producer.Send(std::move(rec));
    if (!st.ok()) {
      ctx.LogError(ProcessingLogEntry::Type::kProductionError, row, SinkStep::kName, "",
                   st.message());
      continue;
    }
    ++sent;
  }
  rows.Clear();
  return sent;
}

size_t TransientOutput::Write(RowBatch& rows) {
  const ProjectStep& project = plan_.project();
  const size_t nk = project.key_exprs.size();
  size_t delivered = 0;
  for (size_t i = 0; i < rows.size() && !limit_reached_; ++i) {
    Row& row = rows[i];
    // A stream row without a value is not a result; a table's tombstone is.
    if (row.tombstone && !plan_.output_is_table) continue;
    OutputRow out;
    out.tombstone = row.tombstone;
    out.rowtime = row.rowtime;
    out.columns.reserve(project.select_order.size());
    // A deletion shows what the projection kept of it (key, window bounds; see
    // ProjectOperator), values null.
    for (const auto& [is_key, idx] : project.select_order) {
      out.columns.push_back(is_key ? row.values[idx] : row.values[nk + idx]);
    }
    sink_(std::move(out));
    ++delivered;
    if (plan_.limit && ++emitted_ >= *plan_.limit) limit_reached_ = true;
  }
  rows.Clear();
  return delivered;
}

}  // namespace brook
