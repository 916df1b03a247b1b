// Engine: INSERT VALUES, DROP, TERMINATE, SHOW/LIST, DESCRIBE, EXPLAIN, and query driving.
#include <chrono>
#include <nlohmann/json.hpp>
#include <set>

#include "planner/analyzer/expression_binder.h"
#include "planner/analyzer/scope.h"
#include "planner/ddl_planner.h"
#include "planner/query_planner.h"
#include "runtime/engine/engine.h"
#include "planner/physical/plan_json.h"
#include "runtime/engine/persistent_query.h"
#include "common/value_cast.h"
#include "runtime/expr/evaluator.h"
#include "runtime/serde/serde.h"

namespace brook {

using json = nlohmann::json;

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

std::string Join(const std::set<std::string>& s) {
  std::string out;
  for (const auto& x : s) out += (out.empty() ? "" : ", ") + x;
  return out;
}

}  // namespace

Result<ExecuteResult> Engine::ExecuteInsertValues(const ast::InsertValues& s, const Config& cfg) {
  DataSourcePtr target = catalog_.Find(s.target);
  if (!target) {
    std::string hint;
    for (const auto& src : catalog_.All()) {
      std::string a = src->name, b = s.target;
      for (char& c : a) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      for (char& c : b) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      if (a == b && src->name != s.target) {
        hint = "\nDid you mean \"" + src->name + "\"? Hint: wrap the source name in double quotes "
               "to make it case-sensitive.";
      }
    }
    return InvalidArgument("Cannot insert values into an unknown stream/table: `" + s.target + "`" +
                               hint,
                           s.target_range);
  }
  if (target->read_only) {
    return InvalidArgument("Cannot insert values into read-only " +
                               std::string(target->is_table ? "table: " : "stream: ") + s.target,
                           s.target_range);
  }
  const LogicalSchema& schema = target->schema;
  std::vector<std::string> columns = s.columns;
  if (columns.empty() && schema.HasHeaders()) {
    std::string headers;
    for (const Column& c : schema.value) {
      if (c.ns == ColumnNamespace::kHeader) headers += (headers.empty() ? "" : ", ") + c.name;
    }
    return InvalidArgument("Cannot insert into HEADER columns: " + headers, s.range);
  }
  if (columns.empty()) {
    for (const Column& c : schema.key) columns.push_back(c.name);
    for (const Column& c : schema.value) {
      if (c.ns != ColumnNamespace::kHeader) columns.push_back(c.name);
    }
  }
  if (columns.size() != s.values.size()) {
    std::string expected, got;
    for (const auto& c : columns) expected += (expected.empty() ? "`" : ", `") + c + "`";
    for (const auto& v : s.values) got += (got.empty() ? "" : ", ") + ast::FormatExpr(*v);
    return InvalidArgument("Expected a value for each column. Expected Columns: [" + expected +
                               "]. Got [" + got + "]",
                           s.range);
  }
  std::vector<Value> key(schema.key.size());
  std::vector<Column> value_cols;
  for (const Column& c : schema.value) {
    if (c.ns != ColumnNamespace::kHeader) value_cols.push_back(c);
  }
  std::vector<Value> value(value_cols.size());
  std::optional<int64_t> rowtime;
  Scope empty;
  ExpressionBinder binder(empty, functions_, catalog_, "INSERT VALUES");
  EvalContext ctx;
  for (size_t i = 0; i < columns.size(); ++i) {
    const std::string& name = columns[i];
    SourceRange range = i < s.column_ranges.size() ? s.column_ranges[i] : s.values[i]->range;
    TypePtr type;
    Value* slot = nullptr;
    if (name == kRowtime) {
      type = SqlType::Bigint();
    } else if (name == kRowpartition || name == kRowoffset) {
      return InvalidArgument("Inserting into column `" + name + "` is not allowed.", range);
    } else if (int k = schema.KeyIndex(name); k >= 0) {
      type = schema.key[k].type;
      slot = &key[k];
    } else {
      const Column* vc = schema.FindValue(name);
      if (vc && vc->ns == ColumnNamespace::kHeader) {
        return InvalidArgument("Cannot insert into HEADER columns: " + name, range);
      }
      int vi = -1;
      for (size_t j = 0; j < value_cols.size(); ++j) {
        if (value_cols[j].name == name) vi = static_cast<int>(j);
      }
      if (vi < 0) {
        return InvalidArgument("Column name " + name + " does not exist.", range);
      }
      type = value_cols[vi].type;
      slot = &value[vi];
    }
    ASSIGN_OR_RETURN(BoundExprPtr b, binder.Bind(*s.values[i]));
    ctx.Reset();
    Value v = Evaluate(*b, nullptr, ctx);
    if (ctx.failed()) return InvalidArgument(ctx.error, s.values[i]->range);
    if (!v.is_null() && b->type && !TypesEqual(b->type, type)) {
      bool ok = CanImplicitlyCast(b->type, type) ||
                (b->type->kind() == TypeKind::kString &&
                 (type->kind() == TypeKind::kTimestamp || type->kind() == TypeKind::kDate ||
                  type->kind() == TypeKind::kTime));
      if (!ok) {
        return InvalidArgument("Expected type " + TypeName(type) + " for field " + name +
                                   " but got " + TypeName(b->type) + "(" +
                                   ast::FormatExpr(*s.values[i]) + ")",
                               s.values[i]->range);
      }
      auto c = CastValue(v, b->type, type);
      if (!c.ok()) return InvalidArgument(c.status().message(), s.values[i]->range);
      v = std::move(c).value();
    }
    if (slot) *slot = std::move(v);
    else if (!v.is_null()) rowtime = v.as_int64();
  }
  kafka::OutRecord rec;
  rec.topic = target->topic;
  rec.timestamp = rowtime.value_or(std::chrono::duration_cast<std::chrono::milliseconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count());
  if (!schema.key.empty()) {
    ASSIGN_OR_RETURN(auto ks, MakeSerde(target->key_format, schema.key, true));
    bool all_null = true;
    for (const Value& v : key) all_null = all_null && v.is_null();
    if (!all_null) {
      auto k = ks->Encode(key.data());
      if (!k.ok()) return InvalidArgument("Failed to insert values into '" + s.target + "'. " + k.status().message(), s.range);
      rec.key = *k;
    }
  }
  ASSIGN_OR_RETURN(auto vs, MakeSerde(target->value_format, value_cols, false));
  auto v = vs->Encode(value.data());
  if (!v.ok()) return InvalidArgument("Failed to insert values into '" + s.target + "'. " + v.status().message(), s.range);
  rec.value = *v;
  if (!producer_) {
    ASSIGN_OR_RETURN(producer_, kafka_.NewProducer());
  }
  RETURN_IF_ERROR(producer_->Send(std::move(rec)));
  RETURN_IF_ERROR(producer_->Flush(options_.admin_timeout));
  return ExecuteResult{};
}

Result<ExecuteResult> Engine::ExecuteAlter(const ast::AlterSource& s) {
  const char* what = s.is_table ? "table" : "stream";
  DataSourcePtr src = catalog_.Find(s.name);
  if (!src || src->is_table != s.is_table) {
    return InvalidArgument(std::string("Source ") + s.name + " does not exist.", s.name_range);
  }
  if (src->read_only) {
    return InvalidArgument(std::string("Cannot alter ") + what + " '" + s.name + "': ALTER "
                               "operations are not supported on source " + what + "s.",
                           s.range);
  }
  if (src->is_cas) {
    return InvalidArgument(std::string("ALTER command is not supported for CREATE ") +
                               (s.is_table ? "TABLE" : "STREAM") + " AS SELECT statements.",
                           s.range);
  }
  auto updated = std::make_shared<DataSource>(*src);
  for (const ast::TableElement& el : s.columns) {
    if (updated->schema.FindKey(el.name) || updated->schema.FindValue(el.name)) {
      return InvalidArgument("Cannot add column `" + el.name + "` to schema. A column with the "
                                 "same name already exists.",
                             el.range);
    }
    ASSIGN_OR_RETURN(TypePtr t, ResolveType(*el.type, catalog_));
    updated->schema.value.push_back({el.name, t, ColumnNamespace::kValue, std::nullopt});
  }
  RETURN_IF_ERROR(ValidateFormat(updated->value_format, updated->schema.value, false, s.range));
  catalog_.Put(updated);
  return ExecuteResult{MakeCommandStatus(s.text, std::string(what) + "/" + s.name + "/alter",
                                    std::string(s.is_table ? "Table" : "Stream") + " " + s.name +
                                        " altered.",
                                    "")};
}

Result<ExecuteResult> Engine::ExecuteDrop(const ast::DropSource& s) {
  DataSourcePtr src = catalog_.Find(s.name);
  if (!src) {
    if (s.if_exists) {
      return ExecuteResult{MakeCommandStatus(s.text, std::string(s.is_table ? "table/" : "stream/") + s.name + "/drop",
                                        "Source " + s.name + " does not exist.", "")};
    }
    return InvalidArgument(std::string(s.is_table ? "Table " : "Stream ") + s.name + " does not exist.", s.name_range);
  }
  if (src->is_table != s.is_table) {
    return InvalidArgument(std::string("Incompatible data source type is ") +
                               (src->is_table ? "TABLE" : "STREAM") + ", but statement was DROP " +
                               (s.is_table ? "TABLE" : "STREAM"),
                           s.range);
  }
  if (s.delete_topic && src->read_only) {
    return InvalidArgument("Cannot delete topic for read-only source: " + s.name, s.range);
  }
  std::set<std::string> writers, readers;
  for (const auto& id : src->writing_queries) {
    if (queries_.count(id)) writers.insert(id);
  }
  for (const auto& id : src->reading_queries) {
    if (queries_.count(id)) readers.insert(id);
  }
  if (!writers.empty() || !readers.empty()) {
    std::string msg = "Cannot drop " + s.name + ".";
    if (!readers.empty()) msg += "\nThe following queries read from this source: [" + Join(readers) + "].";
    if (!writers.empty()) msg += "\nThe following queries write into this source: [" + Join(writers) + "].";
    msg += "\nYou need to terminate them before dropping " + s.name + ".";
    return InvalidArgument(msg, s.range);
  }
  catalog_.Remove(s.name);
  if (s.delete_topic) {
    Status st = kafka_.admin().DeleteTopic(src->topic, options_.admin_timeout);
    st.PermitUnchecked();  // the source is gone either way; a missing topic is not an error
  }
  return ExecuteResult{MakeCommandStatus(s.text, std::string(s.is_table ? "table/" : "stream/") + s.name + "/drop",
                                    "Source " + s.name + " (topic: " + src->topic + ") was dropped.",
                                    "")};
}

Result<ExecuteResult> Engine::ExecuteTerminate(const ast::SimpleStatement& s) {
  std::vector<std::string> ids;
  // Query ids match case-insensitively (an unquoted id is upper-cased by the parser).
  auto same_id = [](const std::string& a, const std::string& b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (std::toupper(static_cast<unsigned char>(a[i])) !=
          std::toupper(static_cast<unsigned char>(b[i]))) {
        return false;
      }
    }
    return true;
  };
  std::string name = s.name;
  for (const auto& [id, _] : transients_) {
    if (same_id(id, s.name)) name = id;
  }
  for (const auto& [id, _] : queries_) {
    if (same_id(id, s.name)) name = id;
  }
  if (s.all) {
    for (const auto& [id, _] : queries_) ids.push_back(id);
  } else {
    if (transients_.count(name)) {
      transients_.erase(name);
      return ExecuteResult{TerminateResult{s.text, name}};
    }
    if (!queries_.count(name)) {
      return InvalidArgument("Unknown queryId: " + s.name, s.name_range);
    }
    ids.push_back(name);
  }
  for (const auto& id : ids) {
    auto it = queries_.find(id);
    PersistentQuery* q = it->second.get();
    q->Join();
    for (const auto& src : catalog_.All()) {
      src->reading_queries.erase(id);
      src->writing_queries.erase(id);
    }
    queries_.erase(it);
  }
  return ExecuteResult{MakeCommandStatus(s.text, "terminate/" + (s.all ? std::string("ALL") : s.name) + "/execute",
                                    "Query terminated.", "")};
}

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
    d.error_stats = "failed-messages: " + std::to_string(processing_log_.count());
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

Result<ExecuteResult> Engine::ExecuteDescribe(const ast::SimpleStatement& s) {
  if (s.kind == ast::StatementKind::kDescribeSource) {
    DataSourcePtr src = catalog_.Find(s.name);
    if (!src) {
      return InvalidArgument("Could not find STREAM/TABLE '" + s.name + "' in the Metastore",
                             s.name_range);
    }
    return ExecuteResult{SourceDescription{s.text, DescribeSource(*src, s.extended)}};
  }
  if (s.kind == ast::StatementKind::kDescribeStreams) {
    SourceDescriptionList list{s.text, {}};
    for (const auto& src : catalog_.All()) {
      if (src->is_table == s.tables) list.sources.push_back(DescribeSource(*src, s.extended));
    }
    return ExecuteResult{std::move(list)};
  }
  const ScalarFunction* fn = functions_.Find(s.name);
  if (!fn) {
    return InvalidArgument("Can't find any functions with the name '" + s.name + "'", s.name_range);
  }
  return ExecuteResult{FunctionDescription{s.text, fn->name, fn->description, fn->signatures}};
}

Result<ExecuteResult> Engine::ExecuteList(const ast::SimpleStatement& s, SessionState& session) {
  using K = ast::StatementKind;
  switch (s.kind) {
    case K::kListStreams:
    case K::kListTables: {
      SourceList list{s.text, s.kind == K::kListTables, {}};
      for (const auto& src : catalog_.All()) {
        if (src->is_table != list.tables) continue;
        list.sources.push_back({src->name, src->topic, src->key_format.name,
                                src->value_format.name, src->window.has_value()});
      }
      return ExecuteResult{std::move(list)};
    }
    case K::kListTopics: {
      ASSIGN_OR_RETURN(auto topics, kafka_.admin().ListTopics(options_.admin_timeout));
      TopicList list{s.text, {}};
      for (const auto& t : topics) {
        if (!s.all && (t.name.rfind("_confluent", 0) == 0 || t.name.rfind("__", 0) == 0)) continue;
        list.topics.push_back({t.name, t.partitions, t.replicas});
      }
      return ExecuteResult{std::move(list)};
    }
    case K::kListQueries: {
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
    case K::kListProperties: {
      PropertyList list{s.text, {}, {}};
      for (const auto& [k, v] : Merge(session.properties)) {
        list.properties.push_back({k, v, session.properties.count(k) > 0});
      }
      for (const auto& [k, _] : session.properties) list.overwritten.push_back(k);
      return ExecuteResult{std::move(list)};
    }
    case K::kListFunctions: {
      FunctionList list{s.text, {}};
      for (const ScalarFunction* f : functions_.All()) list.functions.push_back({f->name, f->category});
      return ExecuteResult{std::move(list)};
    }
    case K::kListTypes: {
      TypeList list{s.text, {}};
      for (const auto& [name, t] : catalog_.types()) list.types[name] = t;
      return ExecuteResult{std::move(list)};
    }
    case K::kListVariables: {
      VariableList list{s.text, {}};
      for (const auto& [k, v] : session.variables) list.variables.emplace_back(k, v);
      return ExecuteResult{std::move(list)};
    }
    default:
      return Unsupported("Statement not supported", s.range);
  }
}

Result<ExecuteResult> Engine::ExecuteExplain(const ast::Explain& s, const Config& cfg) {
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
    out.value = record.dump();
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
          q->Fail(r.status().ToString());
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

bool Engine::CloseTransient(const std::string& id) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  return transients_.erase(id) > 0;
}

}  // namespace brook
