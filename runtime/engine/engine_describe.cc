// Engine: listing and describing handlers — SHOW/LIST, DESCRIBE, EXPLAIN.
#include <set>
#include <string>

#include "planner/analyzer/expression_binder.h"
#include "planner/ddl_planner.h"
#include "planner/properties.h"
#include "planner/query_planner.h"
#include "runtime/engine/engine.h"
#include "runtime/engine/persistent_query.h"

namespace brook {
namespace {

// The fields of a schema as DESCRIBE lists them: key columns first.
std::vector<FieldInfo> FieldsOf(const LogicalSchema& schema) {
  std::vector<FieldInfo> fields;
  for (const Column& c : schema.key) fields.push_back({c.name, c.type, FieldInfo::Kind::kKey, {}});
  for (const Column& c : schema.value) {
    if (c.ns == ColumnNamespace::kHeader) {
      fields.push_back({c.name, c.type, FieldInfo::Kind::kHeader, c.header_key});
    } else {
      fields.push_back({c.name, c.type, FieldInfo::Kind::kValue, {}});
    }
  }
  return fields;
}

}  // namespace

std::vector<RunningQuery> Engine::RunningQueries(const std::set<std::string>& ids) const {
  std::vector<RunningQuery> out;
  for (const auto& id : ids) {
    auto it = queries_.find(id);
    if (it == queries_.end()) continue;
    const PersistentQuery& q = *it->second;
    RunningQuery r;
    r.id = id;
    r.query_string = q.sql;
    r.sinks = {q.sink};
    r.sink_topics = {q.plan().sink() ? q.plan().sink()->topic : ""};
    r.state = q.State();
    r.type = RunningQuery::Type::kPersistent;
    out.push_back(std::move(r));
  }
  return out;
}

SourceDetails Engine::DescribeSource(const DataSource& src, bool extended) {
  SourceDetails d;
  d.name = src.name;
  d.is_table = src.is_table;
  if (src.window) {
    switch (src.window->type) {
      case WindowInfo::Type::kSession:
        d.window_type = SourceDetails::WindowType::kSession;
        break;
      case WindowInfo::Type::kHopping:
        d.window_type = SourceDetails::WindowType::kHopping;
        break;
      case WindowInfo::Type::kSliding:
        d.window_type = SourceDetails::WindowType::kSliding;
        break;
      default:
        d.window_type = SourceDetails::WindowType::kTumbling;
    }
  }
  d.read_queries = RunningQueries(src.reading_queries);
  d.write_queries = RunningQueries(src.writing_queries);
  d.fields = FieldsOf(src.schema);
  d.timestamp_column = src.timestamp_column.value_or("");
  d.extended = extended;
  if (extended) {
    uint64_t in = 0;
    for (const auto& id : src.reading_queries) {
      auto it = queries_.find(id);
      if (it != queries_.end()) in += it->second->records_in();
    }
    d.statistics = "records-consumed: " + std::to_string(in);
    // Records of this source its readers never got: the broker had deleted them first.
    uint64_t lost = 0;
    for (const auto& id : src.reading_queries) {
      auto it = queries_.find(id);
      if (it != queries_.end()) lost += it->second->skipped_by_broker();
    }
    d.error_stats = "failed-messages: " + std::to_string(processing_log_.count());
    // Records a windowed aggregation writing this table dropped because their window had
    // closed (Kafka Streams' dropped-records for late records).
    uint64_t late = 0;
    for (const auto& id : src.writing_queries) {
      auto it = queries_.find(id);
      if (it != queries_.end()) late += it->second->late_records();
    }
    if (late > 0) d.error_stats += " late-records-dropped: " + std::to_string(late);
    if (lost > 0) d.error_stats += " records-deleted-before-read: " + std::to_string(lost);
  }
  d.key_format = src.key_format.name;
  d.value_format = src.value_format.name;
  d.topic = src.topic;
  auto parts = TopicPartitions(src.topic);
  d.partitions = parts.ok() ? *parts : 0;
  d.replication = parts.ok() ? 1 : 0;
  d.statement = src.sql;
  return d;
}

Result<ExecuteResult> Engine::HandleDescribeSource(const ast::SimpleStatement& s,
                                                   StatementContext& /*ctx*/) {
  DataSourcePtr src = catalog_.Find(s.name);
  if (!src) {
    return InvalidArgument("Could not find STREAM/TABLE '" + s.name + "' in the Metastore",
                           s.name_range);
  }
  return ExecuteResult{SourceDescription{s.text, DescribeSource(*src, s.extended)}};
}

Result<ExecuteResult> Engine::HandleDescribeStreams(const ast::SimpleStatement& s,
                                                    StatementContext& /*ctx*/) {
  SourceDescriptionList list{s.text, {}};
  for (const auto& src : catalog_.All()) {
    if (src->is_table == s.tables) list.sources.push_back(DescribeSource(*src, s.extended));
  }
  return ExecuteResult{std::move(list)};
}

Result<ExecuteResult> Engine::HandleDescribeFunction(const ast::SimpleStatement& s,
                                                     StatementContext& /*ctx*/) {
  if (const ScalarFunction* fn = functions_.Find(s.name)) {
    return ExecuteResult{FunctionDescription{s.text, fn->name, fn->description, fn->signatures,
                                             fn->variants, "SCALAR"}};
  }
  if (const AggregateFunction* fn = functions_.FindAggregate(s.name)) {
    return ExecuteResult{
        FunctionDescription{s.text, fn->name, fn->description, {}, {}, "AGGREGATE"}};
  }
  if (const TableFunction* fn = functions_.FindTable(s.name)) {
    return ExecuteResult{FunctionDescription{s.text, fn->name, fn->description, {}, {}, "TABLE"}};
  }
  return InvalidArgument("Can't find any functions with the name '" + s.name + "'", s.name_range);
}

Result<ExecuteResult> Engine::HandleListSources(const ast::SimpleStatement& s,
                                                StatementContext& /*ctx*/) {
  SourceList list{s.text, s.kind == ast::StatementKind::kListTables, {}};
  for (const auto& src : catalog_.All()) {
    if (src->is_table != list.tables) continue;
    list.sources.push_back({src->name, src->topic, src->key_format.name, src->value_format.name,
                            src->window.has_value()});
  }
  return ExecuteResult{std::move(list)};
}

Result<ExecuteResult> Engine::HandleListTopics(const ast::SimpleStatement& s,
                                               StatementContext& /*ctx*/) {
  ASSIGN_OR_RETURN(auto topics, kafka_.admin().ListTopics(options_.admin_timeout));
  TopicList list{s.text, {}, s.extended};
  // EXTENDED: each running query is a consumer group over its source topics with one consumer
  // per stream thread (a push query: one consumer, no group). Other applications' groups are
  // not seen: the admin interface does not list groups.
  std::map<std::string, std::pair<int, int>> readers;  // topic -> (consumers, groups)
  if (s.extended) {
    for (const auto& [id, q] : queries_) {
      for (const std::string& topic : q->topology->SourceTopics()) {
        readers[topic].first += static_cast<int>(q->threads.size());
        readers[topic].second += 1;
      }
    }
    for (auto it = transients_.begin(); it != transients_.end(); ++it) {
      if (auto tq = it->second.lock()) {
        for (const std::string& topic : tq->source_topics()) readers[topic].first += 1;
      }
    }
  }
  for (const auto& t : topics) {
    if (!s.all && (t.name.rfind("_confluent", 0) == 0 || t.name.rfind("__", 0) == 0)) continue;
    TopicList::Entry e{t.name, t.partitions, t.replicas};
    if (auto it = readers.find(t.name); it != readers.end()) {
      e.consumers = it->second.first;
      e.consumer_groups = it->second.second;
    }
    list.topics.push_back(std::move(e));
  }
  return ExecuteResult{std::move(list)};
}

Result<ExecuteResult> Engine::HandleListQueries(const ast::SimpleStatement& s,
                                                StatementContext& /*ctx*/) {
  QueryList list{s.text, {}};
  for (const auto& [id, q] : queries_) {
    std::vector<RunningQuery> one = RunningQueries({id});
    list.queries.insert(list.queries.end(), one.begin(), one.end());
  }
  for (auto it = transients_.begin(); it != transients_.end();) {
    auto tq = it->second.lock();
    if (!tq) {
      it = transients_.erase(it);
      continue;
    }
    RunningQuery r;
    r.id = tq->id();
    r.query_string = tq->sql();
    r.state = "RUNNING";
    r.type = RunningQuery::Type::kPush;
    list.queries.push_back(std::move(r));
    ++it;
  }
  return ExecuteResult{std::move(list)};
}

Result<ExecuteResult> Engine::HandleListProperties(const ast::SimpleStatement& s,
                                                   StatementContext& ctx) {
  // The effective value of every documented key and of everything the server or the session
  // set: documented defaults, then the server's configuration, then the session's.
  const Config& session_properties = ctx.session.properties;
  std::map<std::string, PropertyList::Entry> by_name;
  auto put = [&](const std::string& k, const std::string& v, bool session, bool is_default) {
    if (IsSensitiveProperty(k)) return;
    PropertyList::Entry& e = by_name[k];
    e.name = k;
    e.value = v;
    e.session = session;
    e.is_default = is_default;
    // What a session may SET: ksql.* (but ksqlDB's immutable ones) and brook's query knobs.
    e.editable =
        !IsImmutableProperty(k) && (k.rfind("ksql.", 0) == 0 || k.rfind("brook.query.", 0) == 0 ||
                                    k.rfind("brook.optimizer.", 0) == 0);
  };
  for (const auto& [k, v] : DocumentedDefaults()) put(k, v, false, true);
  for (const auto& [k, v] : options_.server_properties) put(k, v, false, false);
  for (const auto& [k, v] : options_.config) put(k, v, false, false);
  for (const auto& [k, v] : session_properties) put(k, v, true, false);
  PropertyList list{s.text, {}, {}, {}};
  for (auto& [k, e] : by_name) {
    if (e.is_default) list.defaults.push_back(k);
    list.properties.push_back(std::move(e));
  }
  for (const auto& [k, _] : session_properties) {
    if (!IsSensitiveProperty(k)) list.overwritten.push_back(k);
  }
  return ExecuteResult{std::move(list)};
}

Result<ExecuteResult> Engine::HandleListFunctions(const ast::SimpleStatement& s,
                                                  StatementContext& /*ctx*/) {
  FunctionList list{s.text, {}};
  for (const ScalarFunction* f : functions_.All()) list.functions.push_back({f->name, f->category});
  return ExecuteResult{std::move(list)};
}

Result<ExecuteResult> Engine::HandleListTypes(const ast::SimpleStatement& s,
                                              StatementContext& /*ctx*/) {
  TypeList list{s.text, {}};
  for (const auto& [name, t] : catalog_.types()) list.types[name] = t;
  return ExecuteResult{std::move(list)};
}

Result<ExecuteResult> Engine::HandleListVariables(const ast::SimpleStatement& s,
                                                  StatementContext& ctx) {
  VariableList list{s.text, {}};
  for (const auto& [k, v] : ctx.session.variables) list.variables.emplace_back(k, v);
  return ExecuteResult{std::move(list)};
}

Result<ExecuteResult> Engine::HandleExplain(const ast::Explain& s, StatementContext& ctx) {
  const Config& cfg = ctx.config;
  if (!s.statement) {
    auto it = queries_.find(s.query_id);
    if (it == queries_.end()) return InvalidArgument("Query with id:" + s.query_id + " does not exist", s.range);
    const PersistentQuery& q = *it->second;
    QueryDescription d;
    d.statement_text = s.text;
    d.id = q.id;
    d.query_sql = q.sql;
    // EXPLAIN lists the output's key columns, then every value column as a plain field.
    for (const Column& c : q.plan().output_schema.key) {
      d.fields.push_back({c.name, c.type, FieldInfo::Kind::kKey, {}});
    }
    for (const Column& c : q.plan().output_schema.value) {
      d.fields.push_back({c.name, c.type, FieldInfo::Kind::kValue, {}});
    }
    d.sources = {q.source};
    d.sinks = {q.sink};
    d.consumer_group_id = "_confluent-ksql-" + options_.service_id + "query_" + q.id;
    d.state = q.State();
    d.errors = q.Errors();
    d.plan = q.plan();
    return ExecuteResult{std::move(d)};
  }
  // EXPLAIN <statement>: plan the query without running it.
  QueryPlanRequest req;
  const ast::Statement& inner = *s.statement;
  std::string sink;
  if (inner.kind == ast::StatementKind::kCreateAsSelect) {
    const auto& c = static_cast<const ast::CreateAsSelect&>(inner);
    req.kind = QueryPlanRequest::Kind::kCreateAs;
    req.query = &c.query;
    req.sink_name = c.name;
    req.sink_is_table = c.is_table;
    req.sink_properties = &c.properties;
    req.query_id = (c.is_table ? "CTAS_" : "CSAS_") + c.name + "_" + std::to_string(query_counter_);
    if (catalog_.Find(c.name) && !c.or_replace) {
      return InvalidArgument("Cannot add " + std::string(c.is_table ? "table" : "stream") + " '" +
                                 c.name + "': A " + (c.is_table ? "table" : "stream") +
                                 " with the same name already exists",
                             c.name_range);
    }
  } else if (inner.kind == ast::StatementKind::kInsertInto) {
    const auto& c = static_cast<const ast::InsertInto&>(inner);
    req.kind = QueryPlanRequest::Kind::kInsertInto;
    req.query = &c.query;
    req.insert_target = catalog_.Find(c.target);
    if (!req.insert_target) {
      return InvalidArgument("Source `" + c.target + "` does not exist.", c.target_range);
    }
    req.query_id = "INSERTQUERY_" + std::to_string(query_counter_);
  } else if (inner.kind == ast::StatementKind::kQuery) {
    req.kind = QueryPlanRequest::Kind::kTransient;
    req.query = &static_cast<const ast::QueryStatement&>(inner).query;
    req.query_id = "transient_" + req.query->from.name;
  } else {
    return InvalidArgument("EXPLAIN is only supported for queries (SELECT, CREATE ... AS SELECT, "
                           "INSERT INTO ... SELECT) and query ids.",
                           inner.range);
  }
  req.sql = inner.text;
  ASSIGN_OR_RETURN(QueryPlanResult planned, Plan(req, cfg));
  return ExecuteResult{ExecutionPlan{s.text, std::move(planned.plan)}};
}

}  // namespace brook
