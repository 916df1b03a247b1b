// Engine: query statement handlers — CREATE ... AS SELECT, INSERT INTO ... SELECT,
// INSERT VALUES, SELECT (push queries) and TERMINATE.
#include <cctype>
#include <chrono>
#include <random>
#include <string>

#include "common/ascii.h"
#include "common/value_cast.h"
#include "planner/analyzer/expression_binder.h"
#include "planner/analyzer/scope.h"
#include "planner/ddl_planner.h"
#include "planner/query_planner.h"
#include "runtime/engine/engine.h"
#include "runtime/engine/persistent_query.h"
#include "runtime/engine/state_directory.h"
#include "runtime/expr/evaluator.h"
#include "runtime/serde/serde.h"

namespace brook {

Result<ExecuteResult> Engine::HandleCreateAsSelect(const ast::CreateAsSelect& s,
                                                   StatementContext& ctx) {
  const Config& cfg = ctx.config;
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
  if (replaced) catalog_.Restore(replaced);
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
  ASSIGN_OR_RETURN(bool restore, EnsureChangelogs(planned.plan, req.source_partitions));
  catalog_.Put(planned.sink_source);
  auto built = BuildPersistent(planned.plan, s.name, cfg, restore);
  if (!built.ok()) {
    if (replaced) catalog_.Restore(replaced);
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

Result<ExecuteResult> Engine::HandleInsertInto(const ast::InsertInto& s, StatementContext& ctx) {
  const Config& cfg = ctx.config;
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

Result<ExecuteResult> Engine::HandleInsertValues(const ast::InsertValues& s,
                                                 StatementContext& /*ctx*/) {
  DataSourcePtr target = catalog_.Find(s.target);
  if (!target) {
    std::string hint;
    for (const auto& src : catalog_.All()) {
      if (EqualsIgnoreAsciiCase(src->name, s.target) && src->name != s.target) {
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
  if (!columns.empty() && columns.size() != s.values.size()) {
    // ksqlDB checks an explicit column list while preparing the statement.
    return InvalidArgument("Failed to prepare statement: Expected number columns and values to "
                           "match: " + std::to_string(columns.size()) + ", " +
                               std::to_string(s.values.size()),
                           s.range);
  }
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

Status Engine::InsertJsonRows(const std::string& target_name,
                              const std::vector<std::string_view>& rows,
                              const std::function<void(size_t, const Status&)>& ack) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  DataSourcePtr target = catalog_.Find(target_name);
  if (!target) {
    for (const auto& src : catalog_.All()) {
      if (EqualsIgnoreAsciiCase(src->name, target_name)) target = src;
    }
  }
  if (!target)
    return InvalidArgument("Cannot insert into an unknown stream: `" + target_name + "`");
  if (target->read_only)
    return InvalidArgument("Cannot insert into read-only stream: " + target_name);
  if (target->is_table) {
    return InvalidArgument("Cannot insert into a table with /inserts-stream: " + target_name);
  }
  const LogicalSchema& schema = target->schema;
  std::vector<Column> all;
  std::vector<Column> value_cols;
  for (const Column& c : schema.key) all.push_back(c);
  for (const Column& c : schema.value) {
    if (c.ns == ColumnNamespace::kHeader) continue;
    all.push_back(c);
    value_cols.push_back(c);
  }
  FormatInfo json;
  json.name = "JSON";
  ASSIGN_OR_RETURN(auto row_serde, MakeSerde(json, all, false));
  std::unique_ptr<Serde> key_serde;
  if (!schema.key.empty()) {
    ASSIGN_OR_RETURN(key_serde, MakeSerde(target->key_format, schema.key, true));
  }
  ASSIGN_OR_RETURN(auto value_serde, MakeSerde(target->value_format, value_cols, false));
  if (!producer_) {
    ASSIGN_OR_RETURN(producer_, kafka_.NewProducer());
  }
  std::vector<Value> values(all.size());
  size_t sent = 0;
  Status failure;
  for (size_t i = 0; i < rows.size() && failure.ok(); ++i) {
    for (Value& v : values) v = Value();
    Status st = row_serde->Decode(rows[i], values.data());
    if (!st.ok()) {
      failure = InvalidArgument("Invalid JSON in inserts stream: " + st.message());
      break;
    }
    kafka::OutRecord rec;
    rec.topic = target->topic;
    rec.timestamp = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
    const size_t nkey = schema.key.size();
    if (key_serde) {
      bool all_null = true;
      for (size_t k = 0; k < nkey; ++k) all_null = all_null && values[k].is_null();
      if (!all_null) {
        auto k = key_serde->Encode(values.data());
        if (!k.ok()) {
          failure = InvalidArgument("Failed to insert values into '" + target->name + "'. " +
                                    k.status().message());
          break;
        }
        rec.key = *k;
      }
    }
    auto v = value_serde->Encode(values.data() + nkey);
    if (!v.ok()) {
      failure = InvalidArgument("Failed to insert values into '" + target->name + "'. " +
                                v.status().message());
      break;
    }
    rec.value = *v;
    st = producer_->Send(std::move(rec));
    if (!st.ok()) {
      failure = st;
      break;
    }
    ++sent;
  }
  Status flushed = producer_->Flush(options_.admin_timeout);
  for (size_t i = 0; i < sent; ++i) ack(i, flushed);
  if (!flushed.ok()) return flushed;
  if (!failure.ok()) ack(sent, failure);
  return failure;
}

std::string Engine::NewTransientId(const std::string& source) {
  static std::mt19937_64 rng(std::random_device{}());
  return "transient_" + source + "_" + std::to_string(rng() >> 1);
}

Result<ExecuteResult> Engine::HandleQuery(const ast::QueryStatement& s, StatementContext& ctx) {
  // Without EMIT, a SELECT is a pull query (engine_pull.cc), as in ksqlDB.
  if (s.query.emit == ast::EmitKind::kNone) return HandlePullQuery(s, ctx);
  const Config& cfg = ctx.config;
  QueryPlanRequest req;
  req.kind = QueryPlanRequest::Kind::kTransient;
  req.query = &s.query;
  std::string id = NewTransientId(s.query.from.name);
  req.query_id = id;
  req.sql = s.text;
  ASSIGN_OR_RETURN(QueryPlanResult planned, Plan(req, cfg));
  if (planned.not_runnable) return *planned.not_runnable;
  std::string reset = ConfigOr(cfg, "auto.offset.reset",
                               ConfigOr(cfg, "ksql.streams.auto.offset.reset", "latest"));
  StreamThreadOptions opts;
  opts.from_beginning = reset == "earliest";
  // A scalable push query (ksqlDB's push v2): from "latest", a plain SELECT/WHERE over the
  // result of a running persistent query taps that query's output instead of consuming it.
  std::unique_ptr<kafka::KafkaClientFactory> tap;
  if (ConfigOr(cfg, "ksql.query.push.v2.enabled", "false") == "true" && reset == "latest" &&
      !planned.plan.Find<AggregateStep>() && !planned.plan.Find<JoinStep>() &&
      !planned.plan.Find<RekeyStep>() && !planned.plan.Find<FlatMapStep>()) {
    DataSourcePtr src = catalog_.Find(planned.plan.source().source_name);
    if (src && src->is_cas && !src->writing_queries.empty()) {
      ASSIGN_OR_RETURN(int partitions, TopicPartitions(src->topic));
      tap = std::make_unique<kafka::SubscriptionFactory>(kafka_, tap_, partitions);
      static std::mt19937_64 rng(std::random_device{}());
      id = "SCALABLE_PUSH_QUERY_" + std::to_string(rng() >> 1);
    }
  }
  ASSIGN_OR_RETURN(std::shared_ptr<TransientQuery> tq,
                   StartTransient(planned.plan, id, s.text, std::move(opts), std::move(tap)));
  ExecuteResult result;
  result.transient = std::move(tq);
  return result;
}

Result<std::shared_ptr<TransientQuery>> Engine::StartTransient(
    const PhysicalPlan& plan, const std::string& id, const std::string& sql,
    StreamThreadOptions opts, std::unique_ptr<kafka::KafkaClientFactory> factory) {
  opts.query_id = id;
  opts.group_id = "_confluent-ksql-" + options_.service_id + id;
  opts.commit_interval = kafka::Millis(0);
  opts.max_task_idle = options_.threaded ? kafka::Millis(kDefaultMaxTaskIdleMs) : kafka::Millis(-1);
  // Every partition at once, no group: rows flow without waiting for a group join, and a
  // transient query's offsets are never committed.
  opts.assign_all = true;
  opts.commit_group_offsets = false;
  // A push query's one consumer reads every partition: its aggregation runs in one task
  // instead of repartitioning through an internal topic.
  ASSIGN_OR_RETURN(auto topology, TopologyBuilder::Build(plan, options_.service_id,
                                                         /*inline_repartition=*/true));
  if (const AggregateStep* agg = plan.Find<AggregateStep>()) {
    ASSIGN_OR_RETURN(opts.state_env, StateEnv());
    opts.service_id = options_.service_id;
    opts.single_task = agg->repartition;
  }
  if (plan.Find<JoinStep>()) {
    // A join's sides meet in one task: the push query's single task reads every partition.
    ASSIGN_OR_RETURN(opts.state_env, StateEnv());
    opts.service_id = options_.service_id;
    opts.single_task = true;
  }
  // Rows land in a buffer the TransientQuery drains on Poll.
  auto buffer = std::make_shared<std::vector<OutputRow>>();
  ASSIGN_OR_RETURN(auto task, StreamThread::Create(
                                  topology, factory ? *factory : kafka_,
                                  [buffer](OutputRow&& r) { buffer->push_back(std::move(r)); },
                                  &processing_log_, opts));
  std::vector<std::string> names;
  std::vector<TypePtr> types;
  std::vector<bool> is_key;
  for (const auto& [k, idx] : plan.project().select_order) {
    const Column& c = k ? plan.output_schema.key[idx] : plan.output_schema.value[idx];
    names.push_back(c.name);
    types.push_back(c.type);
    is_key.push_back(k);
  }
  auto tq = std::make_shared<TransientQuery>(id, std::move(factory), std::move(task), buffer,
                                             plan.output_schema, names, types, is_key);
  tq->set_sql(sql);
  tq->set_source_topics(topology->SourceTopics());
  transients_[id] = tq;
  return tq;
}

void Engine::StopQuery(const std::string& id) {
  auto it = queries_.find(id);
  if (it == queries_.end()) return;
  it->second->Join();
  catalog_.ForgetQuery(id);
  queries_.erase(it);
  // Its tasks are closed: their state is not needed again (a query id is never reused).
  if (state_dir_) state_dir_->RemoveQuery(id);
}

Result<std::string> Engine::MaterializeSourceTable(const ast::CreateSource& s, const Config& cfg) {
  ast::Query query;  // SELECT * FROM <table>
  ast::SelectItem all;
  all.kind = ast::SelectItem::Kind::kAllColumns;
  all.range = s.name_range;
  query.select.push_back(std::move(all));
  query.from.name = s.name;
  query.from.alias = s.name;
  query.from.range = s.name_range;
  query.range = s.range;
  QueryPlanRequest req;
  req.kind = QueryPlanRequest::Kind::kTransient;
  req.query = &query;
  req.query_id = "CST_" + s.name + "_" + std::to_string(query_counter_);
  req.sql = s.text;
  req.materialize = true;
  ASSIGN_OR_RETURN(QueryPlanResult planned, Plan(req, cfg));
  if (planned.not_runnable) return *planned.not_runnable;
  ++query_counter_;
  ASSIGN_OR_RETURN(auto q, BuildPersistent(planned.plan, s.name, cfg));
  std::string id = q->id;
  InstallPersistent(std::move(q));
  return id;
}

Result<ExecuteResult> Engine::HandleTerminate(const ast::SimpleStatement& s,
                                              StatementContext& /*ctx*/) {
  std::vector<std::string> ids;
  // Query ids match case-insensitively (an unquoted id is upper-cased by the parser).
  auto same_id = [](const std::string& a, const std::string& b) {
    return EqualsIgnoreAsciiCase(a, b);
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
  for (const auto& id : ids) StopQuery(id);
  return ExecuteResult{MakeCommandStatus(s.text, "terminate/" + (s.all ? std::string("ALL") : s.name) + "/execute",
                                    "Query terminated.", "")};
}

}  // namespace brook
