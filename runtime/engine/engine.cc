#include "runtime/engine/engine.h"
#include "runtime/engine/persistent_query.h"

#include <chrono>
#include <nlohmann/json.hpp>
#include <random>

#include "planner/analyzer/expression_binder.h"
#include "planner/ddl_planner.h"
#include "planner/physical/plan_json.h"
#include "planner/query_planner.h"
#include "common/value_cast.h"

namespace brook {

using json = nlohmann::json;


// ---------------------------------------------------------------------------------------------
// TransientQuery

TransientQuery::TransientQuery(std::string id, std::unique_ptr<StreamThread> thread,
                               std::shared_ptr<std::vector<OutputRow>> buffer, LogicalSchema schema, std::vector<std::string> column_names,
                               std::vector<TypePtr> column_types, std::vector<bool> column_is_key)
    : id_(std::move(id)),
      thread_(std::move(thread)),
      buffer_(std::move(buffer)),
      schema_(std::move(schema)),
      column_names_(std::move(column_names)),
      column_types_(std::move(column_types)),
      column_is_key_(std::move(column_is_key)) {}

Result<bool> TransientQuery::Poll(size_t max_records, kafka::Millis timeout,
                                  std::vector<OutputRow>& rows) {
  if (!thread_->limit_reached()) {
    ASSIGN_OR_RETURN(size_t n, thread_->PollOnce(max_records, timeout));
    (void)n;
  }
  for (auto& r : *buffer_) rows.push_back(std::move(r));
  buffer_->clear();
  return !thread_->limit_reached();
}

std::string TransientQuery::SchemaString(bool mark_keys) const {
  std::string s;
  for (size_t i = 0; i < column_names_.size(); ++i) {
    if (i) s += ", ";
    s += "`" + column_names_[i] + "` " + TypeName(column_types_[i]);
    if (mark_keys && column_is_key_[i]) s += " KEY";
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// Engine

Engine::Engine(kafka::KafkaClientFactory& kafka, const FunctionRegistry& functions,
               EngineOptions options)
    : kafka_(kafka), functions_(functions), options_(std::move(options)) {}

Engine::~Engine() {
  processing_log_.SetSink(nullptr);  // the sink uses log_producer_, destroyed with the engine
  Stop();
}

Result<QueryPlanResult> Engine::Plan(const QueryPlanRequest& req, const Config& cfg) {
  ASSIGN_OR_RETURN(QueryPlanResult planned, PlanQuery(req, catalog_, functions_, cfg));
  if (!options_.plan_roundtrip) return planned;
  json first = PlanToJson(planned.plan);
  ASSIGN_OR_RETURN(PhysicalPlan read, PlanFromJson(json::parse(first.dump()), functions_));
  json second = PlanToJson(read);
  if (first != second) {
    return Internal("The query plan changed in its JSON round trip:\n" + first.dump() + "\n" +
                    second.dump());
  }
  planned.plan = std::move(read);
  return planned;
}

Config Engine::Merge(const Config& session) const {
  Config c = options_.config;
  for (const auto& [k, v] : session) {
    std::string key = k;
    // ksqlDB accepts both "ksql.streams.x" and "x" for Streams properties.
    c[key] = v;
  }
  return c;
}

std::string Engine::NextQueryId(const std::string& prefix, const std::string& sink) {
  std::string id = prefix + (sink.empty() ? "" : "_" + sink) + "_" + std::to_string(query_counter_++);
  return id;
}

CommandStatus Engine::MakeCommandStatus(const std::string& text, const std::string& command_id,
                                        const std::string& message, const std::string& query_id) {
  CommandStatus status;
  status.statement_text = text;
  status.command_id = command_id;
  status.message = message;
  if (!query_id.empty()) status.query_id = query_id;
  status.command_seq = ++command_seq_;
  return status;
}

bool Engine::SubstitutionEnabled(const SessionState& session) const {
  return ConfigOr(Merge(session.properties), "ksql.variable.substitution.enable", "true") !=
         "false";
}

Result<std::vector<ExecuteResult>> Engine::ExecuteScript(std::string_view sql,
                                                         SessionState& session,
                                                         std::vector<ExecuteResult>* done) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  const StatementScript script(sql);
  std::vector<ExecuteResult> results;
  for (size_t i = 0; i < script.size(); ++i) {
    Status st = RunPiece(script, i, session, results);
    if (!st.ok()) {
      if (done) *done = std::move(results);
      return st;
    }
  }
  return results;
}

Result<std::vector<ExecuteResult>> Engine::ExecutePiece(const StatementScript& script,
                                                        size_t index, SessionState& session,
                                                        std::vector<ExecuteResult>* done) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  std::vector<ExecuteResult> results;
  Status st = RunPiece(script, index, session, results);
  if (!st.ok()) {
    if (done) *done = std::move(results);
    return st;
  }
  return results;
}

Status Engine::RunPiece(const StatementScript& script, size_t index, SessionState& session,
                        std::vector<ExecuteResult>& results) {
  // Pieces are prepared one at a time, so a DEFINE affects the pieces after it.
  ASSIGN_OR_RETURN(StatementScript::Prepared prepared,
                   script.Prepare(index, session.variables, SubstitutionEnabled(session)));
  for (const ast::StatementPtr& stmt : prepared.statements) {
    current_statement_text_ = stmt->text;
    Result<ExecuteResult> r = Execute(*stmt, session);
    if (!r.ok()) return script.Rebase(r.status(), index, prepared);
    results.push_back(std::move(r).value());
  }
  return Status::Ok();
}

Result<ExecuteResult> Engine::Execute(const ast::Statement& stmt, SessionState& session) {
  Config cfg = Merge(session.properties);
  using K = ast::StatementKind;
  switch (stmt.kind) {
    case K::kCreateSource:
      return ExecuteCreateSource(static_cast<const ast::CreateSource&>(stmt), cfg);
    case K::kCreateAsSelect:
      return ExecuteCreateAs(static_cast<const ast::CreateAsSelect&>(stmt), cfg);
    case K::kInsertInto:
      return ExecuteInsertInto(static_cast<const ast::InsertInto&>(stmt), cfg);
    case K::kInsertValues:
      return ExecuteInsertValues(static_cast<const ast::InsertValues&>(stmt), cfg);
    case K::kQuery:
      return ExecuteQuery(static_cast<const ast::QueryStatement&>(stmt), cfg);
    case K::kAlterSource:
      return ExecuteAlter(static_cast<const ast::AlterSource&>(stmt));
    case K::kDropSource:
      return ExecuteDrop(static_cast<const ast::DropSource&>(stmt));
    case K::kTerminate:
      return ExecuteTerminate(static_cast<const ast::SimpleStatement&>(stmt));
    case K::kExplain:
      return ExecuteExplain(static_cast<const ast::Explain&>(stmt), cfg);
    case K::kRegisterType: {
      const auto& s = static_cast<const ast::RegisterType&>(stmt);
      if (catalog_.FindType(s.name)) {
        if (s.if_not_exists) return ExecuteResult{};
        return InvalidArgument("Cannot register custom type '" + s.name +
                                   "' since it is already registered with type: " +
                                   TypeName(catalog_.FindType(s.name)),
                               s.range);
      }
      ASSIGN_OR_RETURN(TypePtr t, ResolveType(*s.type, catalog_));
      catalog_.PutType(s.name, t);
      return ExecuteResult{MakeCommandStatus(s.text, "type/" + s.name + "/create",
                                        "Registered custom type with name '" + s.name +
                                            "' and SQL type " + TypeName(t),
                                        "")};
    }
    case K::kDropType: {
      const auto& s = static_cast<const ast::DropType&>(stmt);
      if (!catalog_.RemoveType(s.name) && !s.if_exists) {
        return InvalidArgument("Type " + s.name + " does not exist.", s.range);
      }
      return ExecuteResult{MakeCommandStatus(s.text, "type/" + s.name + "/drop",
                                        "Dropped type '" + s.name + "'", "")};
    }
    case K::kSetProperty: {
      const auto& s = static_cast<const ast::SimpleStatement&>(stmt);
      RETURN_IF_ERROR(ValidateConfigValue(s.name, s.value).WithRange(s.range));
      session.properties[s.name] = s.value;
      return ExecuteResult{};
    }
    case K::kUnsetProperty: {
      const auto& s = static_cast<const ast::SimpleStatement&>(stmt);
      session.properties.erase(s.name);
      return ExecuteResult{};
    }
    case K::kDefineVariable: {
      const auto& s = static_cast<const ast::SimpleStatement&>(stmt);
      session.variables[s.name] = s.value;
      return ExecuteResult{};
    }
    case K::kUndefineVariable: {
      const auto& s = static_cast<const ast::SimpleStatement&>(stmt);
      session.variables.erase(s.name);
      return ExecuteResult{};
    }
    case K::kDescribeSource:
    case K::kDescribeStreams:
    case K::kDescribeFunction:
      return ExecuteDescribe(static_cast<const ast::SimpleStatement&>(stmt));
    case K::kPrintTopic:
      return Unsupported("PRINT is only available on the /query-stream endpoint.", stmt.range);
    default:
      return ExecuteList(static_cast<const ast::SimpleStatement&>(stmt), session);
  }
}

Status Engine::EnsureTopic(const std::string& topic, int partitions, int replicas) {
  kafka::TopicSpec spec;
  spec.name = topic;
  spec.partitions = partitions;
  spec.replicas = replicas;
  Status st = kafka_.admin().CreateTopic(spec, options_.admin_timeout);
  if (st.ok() || st.code() == StatusCode::kAlreadyExists) return Status::Ok();
  if (st.code() == StatusCode::kTimeout) {
    return Status(StatusCode::kTimeout,
                  "Could not create topic '" + topic + "': the Kafka cluster did not answer within " +
                      std::to_string(options_.admin_timeout.count()) + " ms (" + st.message() +
                      "). If the cluster is librdkafka's mock (brook-devbroker), it cannot create "
                      "topics through the admin API: start it with the topic on its command line "
                      "(brook-devbroker " + topic + ":" + std::to_string(partitions) +
                      ") or send it 'create " + topic + " " + std::to_string(partitions) +
                      "' on stdin.");
  }
  return st;
}

Result<int> Engine::TopicPartitions(const std::string& topic) {
  ASSIGN_OR_RETURN(auto info, kafka_.admin().DescribeTopic(topic, options_.admin_timeout));
  if (!info) return NotFound("Topic '" + topic + "' does not exist.");
  return info->partitions;
}

Result<ExecuteResult> Engine::ExecuteCreateSource(const ast::CreateSource& s, const Config& cfg) {
  const char* what = s.is_table ? "table" : "stream";
  if (DataSourcePtr existing = catalog_.Find(s.name)) {
    if (s.if_not_exists) {
      return ExecuteResult{WarningResult{s.text, std::string("Cannot add ") + what + " '" +
                                                     s.name + "': A " +
                                                     (existing->is_table ? "table" : "stream") +
                                                     " with the same name already exists"}};
    }
    if (!s.or_replace) {
      return InvalidArgument(std::string("Cannot add ") + what + " '" + s.name + "': A " +
                                 (existing->is_table ? "table" : "stream") +
                                 " with the same name already exists",
                             s.name_range);
    }
    if (s.is_source || existing->read_only) {
      return InvalidArgument(std::string("Cannot add ") + what + " '" + s.name +
                                 "': CREATE OR REPLACE is not supported on source " + what + "s.",
                             s.range);
    }
  }
  if (s.or_replace && s.is_source) {
    return InvalidArgument(std::string("Cannot add ") + what + " '" + s.name +
                               "': CREATE OR REPLACE is not supported on source " + what + "s.",
                           s.range);
  }
  ASSIGN_OR_RETURN(CreateSourcePlan plan, PlanCreateSource(s, catalog_, cfg));
  if (DataSourcePtr existing = catalog_.Find(s.name); existing && s.or_replace) {
    RETURN_IF_ERROR(CheckUpgradeCompatible(s.name, existing->schema, plan.source->schema, s.range));
    plan.source->reading_queries = existing->reading_queries;
    plan.source->writing_queries = existing->writing_queries;
  }
  ASSIGN_OR_RETURN(auto info, kafka_.admin().DescribeTopic(plan.source->topic, options_.admin_timeout));
  if (!info) {
    if (plan.partitions || options_.create_missing_source_topics) {
      RETURN_IF_ERROR(EnsureTopic(plan.source->topic, plan.partitions.value_or(1),
                                  plan.replicas.value_or(1)));
    } else {
      return InvalidArgument("Topic '" + plan.source->topic + "' does not exist. If you want to "
                             "create a new topic for the " + what + " please re-run the statement "
                             "providing the required 'PARTITIONS' configuration in the WITH clause "
                             "(and optionally 'REPLICAS'). For example: CREATE STREAM FOO (ID INT, "
                             "VALUE STRING) WITH (KAFKA_TOPIC='" + plan.source->topic +
                                 "', PARTITIONS=2, REPLICAS=1, FORMAT='JSON');",
                             s.range);
    }
  } else if (plan.partitions && *plan.partitions != info->partitions) {
    return InvalidArgument("A Kafka topic with the name '" + plan.source->topic +
                               "' already exists, with different partition/replica configuration "
                               "than required. KSQL expects " + std::to_string(*plan.partitions) +
                               " partitions (topic has " + std::to_string(info->partitions) +
                               "), 1 replication factor (topic has 1).",
                           s.range);
  }
  catalog_.Put(plan.source);
  return ExecuteResult{MakeCommandStatus(s.text, std::string(what) + "/" + s.name + "/create",
                                    s.is_table ? "Table created" : "Stream created", "")};
}

Status Engine::StartPersistent(const PhysicalPlan& plan, const std::string& sink_name,
                               const Config& cfg) {
  ASSIGN_OR_RETURN(auto q, BuildPersistent(plan, sink_name, cfg));
  InstallPersistent(std::move(q));
  return Status::Ok();
}

Result<std::unique_ptr<Engine::PersistentQuery>> Engine::BuildPersistent(
    const PhysicalPlan& plan, const std::string& sink_name, const Config& cfg) {
  auto q = std::make_unique<PersistentQuery>();
  q->id = plan.query_id;
  q->sql = plan.sql;
  q->sink = sink_name;
  q->source = plan.source().source_name;
  ASSIGN_OR_RETURN(q->topology, TopologyBuilder::Build(plan));
  StreamThreadOptions opts;
  opts.query_id = plan.query_id;
  opts.group_id = "_confluent-ksql-" + options_.service_id + "query_" + plan.query_id;
  // Session SET 'auto.offset.reset' applies, as in ksqlDB; brook's default for persistent
  // queries is earliest (ksqlDB's is latest; see docs/configuration.md).
  opts.from_beginning = ConfigOr(cfg, "auto.offset.reset",
                                 ConfigOr(cfg, "ksql.streams.auto.offset.reset", "earliest")) !=
                        "latest";
  ASSIGN_OR_RETURN(int64_t interval,
                   ConfigInt(cfg, "ksql.streams.commit.interval.ms",
                             options_.commit_interval.count(), 0, 24 * 3600 * 1000));
  // The deterministic driver commits after every poll, so each settled state is committed.
  opts.commit_interval = options_.threaded ? kafka::Millis(interval) : kafka::Millis(0);
  ASSIGN_OR_RETURN(int64_t fallback_threads, ConfigInt(cfg, "num.stream.threads", 1, 1, 64));
  ASSIGN_OR_RETURN(int64_t threads, ConfigInt(cfg, "ksql.streams.num.stream.threads",
                                              fallback_threads, 1, 64));
  for (int64_t i = 0; i < threads; ++i) {
    ASSIGN_OR_RETURN(auto thread, StreamThread::Create(q->topology, kafka_, nullptr,
                                                       &processing_log_, opts));
    q->threads.push_back(std::move(thread));
  }
  return q;
}

void Engine::InstallPersistent(std::unique_ptr<PersistentQuery> q) {
  if (DataSourcePtr src = catalog_.Find(q->source)) src->reading_queries.insert(q->id);
  if (DataSourcePtr dst = catalog_.Find(q->sink)) dst->writing_queries.insert(q->id);
  PersistentQuery* raw = q.get();
  queries_[q->id] = std::move(q);
  if (running_) StartThreads(raw);
}

void Engine::StartThreads(PersistentQuery* q) {
  if (!q->os_threads.empty()) return;
  for (const auto& t : q->threads) {
    StreamThread* thread = t.get();
    q->os_threads.emplace_back([this, q, thread] { RunQueryThread(q, thread); });
  }
}

void Engine::RunQueryThread(PersistentQuery* q, StreamThread* thread) {
  while (!q->stop && running_) {
    auto r = thread->PollOnce(options_.max_batch, kafka::Millis(100));
    if (!r.ok()) {
      q->Fail(r.status().ToString());  // never takes mu_: TERMINATE may be joining us under it
      return;
    }
  }
  // Leaving: what was processed is committed, so a restart does not produce it again.
  Status st = thread->Commit();
  if (!st.ok()) q->Fail(st.ToString());
}

Result<ExecuteResult> Engine::ExecuteCreateAs(const ast::CreateAsSelect& s, const Config& cfg) {
  if (DataSourcePtr existing = catalog_.Find(s.name)) {
    if (s.if_not_exists) {
      return ExecuteResult{WarningResult{
          s.text, std::string("Cannot add ") + (s.is_table ? "table" : "stream") + " '" + s.name +
                      "': A " + (existing->is_table ? "table" : "stream") +
                      " with the same name already exists"}};
    }
    if (!s.or_replace) {
      return InvalidArgument(std::string("Cannot add ") + (s.is_table ? "table" : "stream") + " '" +
                                 s.name + "': A " + (existing->is_table ? "table" : "stream") +
                                 " with the same name already exists",
                             s.name_range);
    }
    if (existing->is_table != s.is_table) {
      return InvalidArgument(std::string("Incompatible data source type is ") +
                                 (existing->is_table ? "TABLE" : "STREAM") +
                                 ", but statement was CREATE " + (s.is_table ? "TABLE" : "STREAM"),
                             s.range);
    }
  }
  // CREATE OR REPLACE of a C*AS upgrades its query in place: same query id, so the same
  // consumer group resumes from the committed offsets.
  DataSourcePtr replaced = s.or_replace ? catalog_.Find(s.name) : nullptr;
  std::string replaced_query;
  if (replaced) {
    for (const auto& id : replaced->writing_queries) {
      if (queries_.count(id) && (id.rfind("CSAS_", 0) == 0 || id.rfind("CTAS_", 0) == 0)) {
        replaced_query = id;
      }
    }
  }
  DataSourcePtr from = catalog_.Find(s.query.from.name);
  QueryPlanRequest req;
  req.kind = QueryPlanRequest::Kind::kCreateAs;
  req.query = &s.query;
  req.query_id = !replaced_query.empty()
                     ? replaced_query
                     : (s.is_table ? "CTAS_" : "CSAS_") + s.name + "_" + std::to_string(query_counter_);
  req.sql = s.text;
  req.sink_name = s.name;
  req.sink_is_table = s.is_table;
  req.sink_properties = &s.properties;
  req.sink_range = s.name_range;
  if (from) {
    auto parts = TopicPartitions(from->topic);
    req.source_partitions = parts.ok() ? *parts : 1;
  }
  if (replaced) catalog_.Remove(s.name);  // the query may not read its own sink
  auto planned_or = Plan(req, cfg);
  if (replaced) catalog_.Put(replaced);
  if (!planned_or.ok()) return planned_or.status();
  QueryPlanResult planned = std::move(planned_or).value();
  if (planned.not_runnable) return *planned.not_runnable;
  ++query_counter_;
  if (replaced) {
    RETURN_IF_ERROR(CheckUpgradeCompatible(s.name, replaced->schema, planned.sink_source->schema,
                                           s.range));
    planned.sink_source->reading_queries = replaced->reading_queries;
    planned.sink_source->writing_queries = replaced->writing_queries;
  }
  const SinkStep& sink = *planned.plan.sink();
  // The sink topic: create it, or check an existing one is compatible.
  ASSIGN_OR_RETURN(auto info, kafka_.admin().DescribeTopic(sink.topic, options_.admin_timeout));
  if (!info) {
    RETURN_IF_ERROR(EnsureTopic(sink.topic, sink.partitions, planned.sink_replicas.value_or(1)));
  }
  // An upgrade stops the old query (its consumer leaves the group) before the new one joins
  // with the same group id; if the new one cannot be built, the old one is rebuilt from its plan.
  std::optional<PhysicalPlan> old_plan;
  if (!replaced_query.empty()) {
    auto it = queries_.find(replaced_query);
    it->second->Join();
    old_plan = it->second->plan();
    queries_.erase(it);
  }
  catalog_.Put(planned.sink_source);
  auto built = BuildPersistent(planned.plan, s.name, cfg);
  if (!built.ok()) {
    if (replaced) catalog_.Put(replaced);
    else catalog_.Remove(s.name);
    if (old_plan) {
      auto restored = BuildPersistent(*old_plan, s.name, cfg);
      if (restored.ok()) InstallPersistent(std::move(restored).value());
    }
    return built.status();
  }
  InstallPersistent(std::move(built).value());
  return ExecuteResult{MakeCommandStatus(s.text,
                                    std::string(s.is_table ? "table/" : "stream/") + s.name + "/create",
                                    "Created query with ID " + planned.plan.query_id,
                                    planned.plan.query_id)};
}

Result<ExecuteResult> Engine::ExecuteInsertInto(const ast::InsertInto& s, const Config& cfg) {
  DataSourcePtr target = catalog_.Find(s.target);
  if (!target) {
    return InvalidArgument("Source `" + s.target + "` does not exist.", s.target_range);
  }
  if (target->schema.HasHeaders()) {
    return InvalidArgument("Cannot insert into " + s.target + " because it has header columns",
                           s.target_range);
  }
  ASSIGN_OR_RETURN(SourceProperties props, ParseSourceProperties(s.properties, true));
  QueryPlanRequest req;
  req.kind = QueryPlanRequest::Kind::kInsertInto;
  req.query = &s.query;
  req.query_id = props.query_id.value_or("INSERTQUERY_" + std::to_string(query_counter_));
  if (queries_.count(req.query_id)) {
    return InvalidArgument("Query ID '" + req.query_id + "' already exists.", s.range);
  }
  req.sql = s.text;
  req.insert_target = target;
  ASSIGN_OR_RETURN(QueryPlanResult planned, Plan(req, cfg));
  if (planned.not_runnable) return *planned.not_runnable;
  ++query_counter_;
  RETURN_IF_ERROR(StartPersistent(planned.plan, s.target, cfg));
  return ExecuteResult{MakeCommandStatus(s.text, "stream/" + s.target + "/create",
                                    "Created query with ID " + planned.plan.query_id,
                                    planned.plan.query_id)};
}

Result<ExecuteResult> Engine::ExecuteQuery(const ast::QueryStatement& s, const Config& cfg) {
  QueryPlanRequest req;
  req.kind = QueryPlanRequest::Kind::kTransient;
  req.query = &s.query;
  static std::mt19937_64 rng(std::random_device{}());
  std::string id = "transient_" + s.query.from.name + "_" + std::to_string(rng() >> 1);
  req.query_id = id;
  req.sql = s.text;
  ASSIGN_OR_RETURN(QueryPlanResult planned, Plan(req, cfg));
  if (planned.not_runnable) return *planned.not_runnable;
  StreamThreadOptions opts;
  opts.query_id = id;
  opts.group_id = "_confluent-ksql-" + options_.service_id + id;
  std::string reset = ConfigOr(cfg, "auto.offset.reset",
                               ConfigOr(cfg, "ksql.streams.auto.offset.reset", "latest"));
  opts.from_beginning = reset == "earliest";
  opts.commit_interval = kafka::Millis(0);
  ASSIGN_OR_RETURN(auto topology, TopologyBuilder::Build(planned.plan));
  // Rows land in a buffer the TransientQuery drains on Poll.
  auto buffer = std::make_shared<std::vector<OutputRow>>();
  ASSIGN_OR_RETURN(auto task, StreamThread::Create(topology, kafka_,
                                                   [buffer](OutputRow&& r) {
                                                     buffer->push_back(std::move(r));
                                                   },
                                                   &processing_log_, opts));
  std::vector<std::string> names;
  std::vector<TypePtr> types;
  std::vector<bool> is_key;
  for (const auto& [k, idx] : planned.plan.project().select_order) {
    const Column& c = k ? planned.plan.output_schema.key[idx] : planned.plan.output_schema.value[idx];
    names.push_back(c.name);
    types.push_back(c.type);
    is_key.push_back(k);
  }
  auto tq = std::make_shared<TransientQuery>(id, std::move(task), buffer,
                                             planned.plan.output_schema, names, types, is_key);
  tq->set_sql(s.text);
  transients_[id] = tq;
  ExecuteResult result;
  result.transient = tq;
  return result;
}

}  // namespace brook
