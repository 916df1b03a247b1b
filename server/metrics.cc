#include "server/metrics.h"

#include <cstdio>

#include "runtime/engine/engine.h"

namespace brook::server {
namespace {

void Line(std::string& out, std::string_view name, const std::string& labels, double value) {
  out += name;
  if (!labels.empty()) out += "{" + labels + "}";
  char buf[64];
  std::snprintf(buf, sizeof buf, " %.17g\n", value);
  out += buf;
}

void Help(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

}  // namespace

std::string PromLabel(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

void RequestMetrics::Record(std::string_view endpoint, int status, double seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  ++requests_[{std::string(endpoint), status}];
  Histogram& h = latency_[std::string(endpoint)];
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) ++h.buckets[i];
  }
  ++h.count;
  h.sum += seconds;
}

void RequestMetrics::Render(std::string& out) const {
  std::lock_guard<std::mutex> lock(mu_);
  Help(out, "brook_http_requests_total", "counter",
       "HTTP requests answered, by endpoint and status.");
  for (const auto& [key, n] : requests_) {
    Line(out, "brook_http_requests_total",
         "endpoint=\"" + PromLabel(key.first) + "\",status=\"" + std::to_string(key.second) + "\"",
         static_cast<double>(n));
  }
  Help(out, "brook_http_request_duration_seconds", "histogram",
       "Time from a request's arrival to the end of its response (a push query's whole life).");
  for (const auto& [endpoint, h] : latency_) {
    const std::string ep = "endpoint=\"" + PromLabel(endpoint) + "\"";
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      char le[32];
      std::snprintf(le, sizeof le, "%g", kBuckets[i]);
      Line(out, "brook_http_request_duration_seconds_bucket", ep + ",le=\"" + le + "\"",
           static_cast<double>(h.buckets[i]));
    }
    Line(out, "brook_http_request_duration_seconds_bucket", ep + ",le=\"+Inf\"",
         static_cast<double>(h.count));
    Line(out, "brook_http_request_duration_seconds_sum", ep, h.sum);
    Line(out, "brook_http_request_duration_seconds_count", ep, static_cast<double>(h.count));
  }
}

void RenderEngineMetrics(Engine& engine, std::string& out) {
  std::vector<QueryMetrics> queries = engine.Metrics();
  Help(out, "brook_query_records_in_total", "counter", "Records read by a persistent query.");
  for (const QueryMetrics& q : queries) {
    Line(out, "brook_query_records_in_total", "query_id=\"" + PromLabel(q.id) + "\"",
         static_cast<double>(q.records_in));
  }
  Help(out, "brook_query_records_out_total", "counter", "Records written by a persistent query.");
  for (const QueryMetrics& q : queries) {
    Line(out, "brook_query_records_out_total", "query_id=\"" + PromLabel(q.id) + "\"",
         static_cast<double>(q.records_out));
  }
  Help(out, "brook_query_processing_errors_total", "counter",
       "Records a persistent query skipped and logged to the processing log.");
  for (const QueryMetrics& q : queries) {
    Line(out, "brook_query_processing_errors_total", "query_id=\"" + PromLabel(q.id) + "\"",
         static_cast<double>(q.processing_errors));
  }
  Help(out, "brook_query_records_deleted_before_read_total", "counter",
       "Source records the broker deleted (retention, or the embedded broker's ~5 MiB per "
       "partition) before the query read them.");
  for (const QueryMetrics& q : queries) {
    Line(out, "brook_query_records_deleted_before_read_total",
         "query_id=\"" + PromLabel(q.id) + "\"", static_cast<double>(q.skipped_by_broker));
  }
  Help(out, "brook_query_late_records_dropped_total", "counter",
       "Records a windowed aggregation dropped because their window had closed.");
  for (const QueryMetrics& q : queries) {
    Line(out, "brook_query_late_records_dropped_total", "query_id=\"" + PromLabel(q.id) + "\"",
         static_cast<double>(q.late_records));
  }
  Help(out, "brook_query_backpressure_pauses_total", "counter",
       "Times an input partition was paused because a task held brook.streams.max.buffered.rows "
       "rows waiting for their turn (resumed at half).");
  for (const QueryMetrics& q : queries) {
    Line(out, "brook_query_backpressure_pauses_total", "query_id=\"" + PromLabel(q.id) + "\"",
         static_cast<double>(q.backpressure_pauses));
  }
  Help(out, "brook_query_consumer_lag", "gauge",
       "Records between a query's consumer position and the end of the partition.");
  for (const QueryMetrics& q : queries) {
    for (const auto& p : q.lag) {
      Line(out, "brook_query_consumer_lag",
           "query_id=\"" + PromLabel(q.id) + "\",topic=\"" + PromLabel(p.topic) +
               "\",partition=\"" + std::to_string(p.partition) + "\"",
           static_cast<double>(p.lag));
    }
  }
  Help(out, "brook_query_state_bytes", "gauge", "Size on disk of a query's state stores.");
  for (const QueryMetrics& q : queries) {
    Line(out, "brook_query_state_bytes", "query_id=\"" + PromLabel(q.id) + "\"",
         static_cast<double>(q.state_bytes));
  }
  Help(out, "brook_persistent_queries", "gauge", "Persistent queries running.");
  Line(out, "brook_persistent_queries", "", static_cast<double>(queries.size()));
  Help(out, "brook_processing_log_entries_total", "counter", "Entries in the processing log.");
  Line(out, "brook_processing_log_entries_total", "",
       static_cast<double>(engine.processing_log().count()));
}

}  // namespace brook::server
