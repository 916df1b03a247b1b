// Engine: the processing-log set-up and the driving of persistent queries (RunUntilIdle,
// Start, Stop), and what the engine reports about them.
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "common/value_cast.h"
#include "planner/analyzer/expression_binder.h"
#include "planner/analyzer/scope.h"
#include "planner/ddl_planner.h"
#include "planner/physical/plan_json.h"
#include "planner/query_planner.h"
#include "runtime/engine/engine.h"
#include "runtime/engine/persistent_query.h"
#include "runtime/expr/evaluator.h"
#include "runtime/serde/serde.h"

namespace brook {

using json = nlohmann::json;

Status Engine::ConfigureProcessingLog() {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  const Config& cfg = options_.config;
  if (ConfigOr(cfg, "ksql.logging.processing.topic.auto.create", "false") != "true") {
    return Status::Ok();
  }
  std::string topic = ConfigOr(cfg, "ksql.logging.processing.topic.name",
                               options_.service_id + "ksql_processing_log");
  ASSIGN_OR_RETURN(int64_t partitions,
                   ConfigInt(cfg, "ksql.logging.processing.topic.partitions", 1, 1, 100000));
  RETURN_IF_ERROR(EnsureTopic(topic, static_cast<int>(partitions), 1));
  ASSIGN_OR_RETURN(log_producer_, kafka_.NewProducer());
  // One JSON record per entry, in ksqlDB's processing-log layout.
  processing_log_.SetSink([this, topic](const ProcessingLogEntry& e) {
    static const char* kNames[] = {"deserializationError", "recordProcessingError",
                                   "productionError", "serializationError"};
    int type = static_cast<int>(e.type);
    json detail = {{"errorMessage", e.message}};
    if (e.type == ProcessingLogEntry::Type::kDeserializationError ||
        e.type == ProcessingLogEntry::Type::kSerializationError) {
      detail["target"] = e.target;
      detail["topic"] = e.topic;
      detail["recordB64"] = nullptr;
    }
    if (e.type != ProcessingLogEntry::Type::kProductionError) detail["cause"] = json::array();
    json message = {{"type", type}, {kNames[type], detail}};
    json record = {{"logger", "processing." + e.query_id + "." + e.step},
                   {"level", "ERROR"},
                   {"time", e.time_ms},
                   {"message", message}};
    kafka::OutRecord out;
    out.topic = topic;
    out.timestamp = e.time_ms;
    // Messages may quote record bytes that are not UTF-8: replace them, never throw.
    out.value = record.dump(-1, ' ', false, json::error_handler_t::replace);
    std::lock_guard<std::mutex> guard(log_producer_mu_);
    log_producer_->Send(std::move(out)).PermitUnchecked();  // best effort, never blocks a query
  });
  if (ConfigOr(cfg, "ksql.logging.processing.stream.auto.create", "false") == "true") {
    std::string name = ConfigOr(cfg, "ksql.logging.processing.stream.name", "PROCESSING_LOG");
    if (!catalog_.Find(name)) {
      SessionState session;
      std::string sql =
          "CREATE STREAM `" + name + "` (LOGGER STRING, LEVEL STRING, `TIME` BIGINT, MESSAGE "
          "STRUCT<`TYPE` INT, DESERIALIZATIONERROR STRUCT<TARGET STRING, ERRORMESSAGE STRING, "
          "RECORDB64 STRING, CAUSE ARRAY<STRING>, `TOPIC` STRING>, RECORDPROCESSINGERROR "
          "STRUCT<ERRORMESSAGE STRING, RECORD STRING, CAUSE ARRAY<STRING>>, PRODUCTIONERROR "
          "STRUCT<ERRORMESSAGE STRING>, SERIALIZATIONERROR STRUCT<TARGET STRING, ERRORMESSAGE "
          "STRING, RECORD STRING, CAUSE ARRAY<STRING>, `TOPIC` STRING>>) WITH (KAFKA_TOPIC='" +
          topic + "', VALUE_FORMAT='JSON');";
      auto r = ExecuteScript(sql, session);
      if (!r.ok()) return r.status();
    }
  }
  return Status::Ok();
}

Status Engine::RunUntilIdle() {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  for (int rounds = 0; rounds < 1'000'000; ++rounds) {
    bool progress = false;
    for (auto& [id, q] : queries_) {
      for (auto& thread : q->threads) {
        auto r = thread->PollOnce(options_.max_batch, kafka::Millis(0));
        if (!r.ok()) {
          q->Fail(r.status());
          return r.status();
        }
        if (*r > 0) progress = true;
      }
    }
    if (!progress) return Status::Ok();
  }
  return Internal("queries did not settle");
}

void Engine::Start() {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  if (running_) return;
  running_ = true;
  for (auto& [id, q] : queries_) StartThreads(q.get());
}

void Engine::Stop() {
  // Joined under the engine lock so a concurrent TERMINATE cannot free a query being joined;
  // query threads never take this lock.
  std::lock_guard<std::recursive_mutex> lock(mu_);
  running_ = false;
  for (auto& [id, q] : queries_) q->stop = true;
  for (auto& [id, q] : queries_) q->Join();
}

std::vector<QueryInfo> Engine::Queries() const {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  std::vector<QueryInfo> out;
  for (const auto& [id, q] : queries_) {
    out.push_back({id, q->sql, q->sink, q->plan().sink() ? q->plan().sink()->topic : "", q->source,
                   q->State(), q->records_in(), q->records_out()});
  }
  return out;
}

std::vector<QueryMetrics> Engine::Metrics() const {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  std::map<std::string, uint64_t> errors = processing_log_.CountsByQuery();
  std::vector<QueryMetrics> out;
  for (const auto& [id, q] : queries_) {
    QueryMetrics m;
    m.id = id;
    m.records_in = q->records_in();
    m.records_out = q->records_out();
    if (auto it = errors.find(id); it != errors.end()) m.processing_errors = it->second;
    m.skipped_by_broker = q->skipped_by_broker();
    m.late_records = q->late_records();
    m.backpressure_pauses = q->backpressure_pauses();
    {
      std::lock_guard<std::mutex> threads_lock(q->threads_mu);
      for (const auto& t : q->threads) {
        auto lag = t->LagByPartition();
        if (lag.ok()) m.lag.insert(m.lag.end(), lag->begin(), lag->end());
      }
    }
    if (state_env_) {
      std::error_code ec;
      std::filesystem::path dir = std::filesystem::path(state_env_->options().state_dir) / id;
      for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
           !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
        std::error_code size_ec;
        if (it->is_regular_file(size_ec)) {
          auto n = it->file_size(size_ec);
          if (!size_ec) m.state_bytes += n;
        }
      }
    }
    out.push_back(std::move(m));
  }
  return out;
}

bool Engine::CloseTransient(const std::string& id) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  return transients_.erase(id) > 0;
}

}  // namespace brook
