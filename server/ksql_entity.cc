#include "server/ksql_entity.h"

#include "planner/physical/plan_json.h"

namespace brook::server {
namespace {

using json = nlohmann::json;

json FieldJson(const FieldInfo& f) {
  json j = {{"name", f.name}, {"schema", SchemaJson(f.type)}};
  if (f.kind == FieldInfo::Kind::kKey) j["type"] = "KEY";
  if (f.kind == FieldInfo::Kind::kHeader) {
    j["type"] = "HEADER";
    if (f.header_key) j["headerKey"] = *f.header_key;
  }
  return j;
}

// Which part of the system a property configures, for SHOW PROPERTIES.
const char* PropertyScope(const std::string& name) {
  auto starts = [&](const char* prefix) { return name.rfind(prefix, 0) == 0; };
  if (starts("ksql.streams.") || name == "auto.offset.reset" || name == "commit.interval.ms" ||
      name == "cache.max.bytes.buffering" || name == "num.stream.threads") {
    return "STREAMS";
  }
  if (starts("ksql.")) return "KSQL";
  if (starts("brook.")) return "BROOK";
  if (starts("kafka.")) return "KAFKA";
  return "SERVER";  // listeners, bootstrap.servers, authentication.*, ssl.*
}

json FieldsJson(const std::vector<FieldInfo>& fields) {
  json arr = json::array();
  for (const FieldInfo& f : fields) arr.push_back(FieldJson(f));
  return arr;
}

json RunningQueryJson(const RunningQuery& q) {
  const bool push = q.type == RunningQuery::Type::kPush;
  return {{"queryString", q.query_string},
          {"sinks", q.sinks},
          {"sinkKafkaTopics", q.sink_topics},
          {"id", q.id},
          {"statusCount", {{q.state, 1}}},
          {"queryType", push ? "PUSH" : "PERSISTENT"},
          {"state", q.state}};
}

json RunningQueriesJson(const std::vector<RunningQuery>& queries) {
  json arr = json::array();
  for (const RunningQuery& q : queries) arr.push_back(RunningQueryJson(q));
  return arr;
}

json WindowTypeJson(const std::optional<SourceDetails::WindowType>& w) {
  if (!w) return nullptr;
  switch (*w) {
    case SourceDetails::WindowType::kSession:
      return "SESSION";
    case SourceDetails::WindowType::kHopping:
      return "HOPPING";
    case SourceDetails::WindowType::kTumbling:
      return "TUMBLING";
    case SourceDetails::WindowType::kSliding:
      return "SLIDING";
  }
  return nullptr;
}

json SourceDetailsJson(const SourceDetails& s) {
  return {{"name", s.name},
          {"windowType", WindowTypeJson(s.window_type)},
          {"readQueries", RunningQueriesJson(s.read_queries)},
          {"writeQueries", RunningQueriesJson(s.write_queries)},
          {"fields", FieldsJson(s.fields)},
          {"type", s.is_table ? "TABLE" : "STREAM"},
          {"timestamp", s.timestamp_column},
          {"statistics", s.statistics},
          {"errorStats", s.error_stats},
          {"extended", s.extended},
          {"keyFormat", s.key_format},
          {"valueFormat", s.value_format},
          {"topic", s.topic},
          {"partitions", s.partitions},
          {"replication", s.replication},
          {"statement", s.statement},
          {"queryOffsetSummaries", json::array()},
          {"sourceConstraints", json::array()},
          {"clusterStatistics", json::array()},
          {"clusterErrorStats", json::array()}};
}

// Every entity starts with its type and statement and ends with an empty warnings list.
json Entity(const char* type, const std::string& statement_text) {
  return {{"@type", type}, {"statementText", statement_text}, {"warnings", json::array()}};
}

json Render(const CommandStatus& r) {
  json e = Entity("currentStatus", r.statement_text);
  e["commandId"] = r.command_id;
  e["commandStatus"] = {{"status", r.status},
                        {"message", r.message},
                        {"queryId", r.query_id ? json(*r.query_id) : json(nullptr)}};
  e["commandSequenceNumber"] = r.command_seq;
  return e;
}

json Render(const WarningResult& r) {
  json e = Entity("warning_entity", r.statement_text);
  e["message"] = r.message;
  return e;
}

json Render(const SourceList& r) {
  const char* kind = r.tables ? "tables" : "streams";
  json arr = json::array();
  for (const SourceList::Entry& s : r.sources) {
    arr.push_back({{"type", r.tables ? "TABLE" : "STREAM"},
                   {"name", s.name},
                   {"topic", s.topic},
                   {"keyFormat", s.key_format},
                   {"valueFormat", s.value_format},
                   {"isWindowed", s.windowed}});
  }
  json e = Entity(kind, r.statement_text);
  e[kind] = std::move(arr);
  return e;
}

json Render(const SourceDescription& r) {
  json e = Entity("sourceDescription", r.statement_text);
  e["sourceDescription"] = SourceDetailsJson(r.source);
  return e;
}

json Render(const SourceDescriptionList& r) {
  json arr = json::array();
  for (const SourceDetails& s : r.sources) arr.push_back(SourceDetailsJson(s));
  json e = Entity("source_descriptions", r.statement_text);
  e["sourceDescriptions"] = std::move(arr);
  return e;
}

json Render(const QueryList& r) {
  json e = Entity("queries", r.statement_text);
  e["queries"] = RunningQueriesJson(r.queries);
  return e;
}

// ksqlDB's QueryError: {"timestamp": ms, "errorMessage": ..., "type": USER|SYSTEM|UNKNOWN}.
json QueryErrorsJson(const std::vector<QueryError>& errors) {
  json out = json::array();
  for (const QueryError& e : errors) {
    out.push_back({{"timestamp", e.timestamp_ms}, {"errorMessage", e.message}, {"type", e.type}});
  }
  return out;
}

json Render(const QueryDescription& r) {
  const std::string described = r.plan.Describe();
  json e = Entity("queryDescription", r.statement_text);
  e["queryDescription"] = {{"id", r.id},
                           {"statementText", r.query_sql},
                           {"windowType", nullptr},
                           {"fields", FieldsJson(r.fields)},
                           {"sources", r.sources},
                           {"sinks", r.sinks},
                           {"topology", described},
                           {"executionPlan", described},
                           {"overriddenProperties", json::object()},
                           {"ksqlHostQueryStatus", json::object()},
                           {"queryType", "PERSISTENT"},
                           {"queryErrors", QueryErrorsJson(r.errors)},
                           {"tasksMetadata", json::array()},
                           {"physicalPlan", PlanToJson(r.plan)},
                           {"consumerGroupId", r.consumer_group_id},
                           {"state", r.state}};
  return e;
}

json Render(const ExecutionPlan& r) {
  json e = Entity("executionPlan", r.statement_text);
  e["executionPlan"] = r.plan.Describe();
  e["physicalPlan"] = PlanToJson(r.plan);
  return e;
}

json Render(const TopicList& r) {
  json arr = json::array();
  for (const TopicList::Entry& t : r.topics) {
    json replicas = json::array();
    for (int i = 0; i < t.partitions; ++i) replicas.push_back(t.replicas);
    json topic = {{"name", t.name}, {"replicaInfo", std::move(replicas)}};
    if (r.extended) {
      topic["consumerCount"] = t.consumers;
      topic["consumerGroupCount"] = t.consumer_groups;
    }
    arr.push_back(std::move(topic));
  }
  json e = Entity(r.extended ? "kafka_topics_extended" : "kafka_topics", r.statement_text);
  e["topics"] = std::move(arr);
  return e;
}

json Render(const PropertyList& r) {
  json arr = json::array();
  for (const PropertyList::Entry& p : r.properties) {
    arr.push_back({{"name", p.name},
                   {"scope", PropertyScope(p.name)},
                   {"value", p.value},
                   {"editable", p.editable},
                   {"level", p.session ? "SESSION" : "SERVER"}});
  }
  json e = Entity("properties", r.statement_text);
  e["properties"] = std::move(arr);
  e["overwrittenProperties"] = r.overwritten;
  e["defaultProperties"] = r.defaults;
  return e;
}

json Render(const FunctionList& r) {
  json arr = json::array();
  for (const FunctionList::Entry& f : r.functions) {
    arr.push_back({{"name", f.name}, {"type", "SCALAR"}, {"category", f.category}});
  }
  json e = Entity("function_names", r.statement_text);
  e["functions"] = std::move(arr);
  return e;
}

json Render(const FunctionDescription& r) {
  // ksqlDB's FunctionInfo per variant: arguments (name, type, description, isVariadic),
  // returnType, description, argumentTypes.
  json variants = json::array();
  for (const FunctionVariant& v : r.variants) {
    json args = json::array();
    for (size_t i = 0; i < v.argument_types.size(); ++i) {
      const bool variadic = v.variadic && i + 1 == v.argument_types.size();
      args.push_back({{"name", "arg" + std::to_string(i + 1)},
                      {"type", variadic ? v.argument_types[i] + "[]" : v.argument_types[i]},
                      {"description", ""},
                      {"isVariadic", variadic}});
    }
    variants.push_back({{"arguments", std::move(args)},
                        {"returnType", v.return_type},
                        {"description", r.description},
                        {"argumentTypes", v.argument_types}});
  }
  for (const std::string& sig : r.signatures) {
    variants.push_back({{"arguments", json::array()}, {"returnType", ""}, {"description", sig}});
  }
  json e = Entity("describe_function", r.statement_text);
  e["name"] = r.name;
  e["description"] = r.description;
  e["author"] = "brook";
  e["version"] = "";
  e["path"] = "internal";
  e["functions"] = std::move(variants);
  e["type"] = r.type;
  return e;
}

json Render(const TypeList& r) {
  json types = json::object();
  for (const auto& [name, t] : r.types) types[name] = SchemaJson(t);
  json e = Entity("type_list", r.statement_text);
  e["types"] = std::move(types);
  return e;
}

json Render(const VariableList& r) {
  json arr = json::array();
  for (const auto& [name, value] : r.variables) arr.push_back({{"name", name}, {"value", value}});
  json e = Entity("variables", r.statement_text);
  e["variables"] = std::move(arr);
  return e;
}

json Render(const TerminateResult& r) {
  json e = Entity("terminate_query", r.statement_text);
  e["queryId"] = r.query_id;
  e["wasTerminated"] = true;
  return e;
}

}  // namespace

json SchemaJson(const TypePtr& t) {
  switch (t->kind()) {
    case TypeKind::kArray:
      return {{"type", "ARRAY"}, {"fields", nullptr}, {"memberSchema", SchemaJson(t->element())}};
    case TypeKind::kMap:
      return {{"type", "MAP"}, {"fields", nullptr}, {"memberSchema", SchemaJson(t->value())}};
    case TypeKind::kStruct: {
      json fields = json::array();
      for (const auto& f : t->fields()) {
        fields.push_back({{"name", f.name}, {"schema", SchemaJson(f.type)}});
      }
      return {{"type", "STRUCT"}, {"fields", std::move(fields)}, {"memberSchema", nullptr}};
    }
    case TypeKind::kDecimal:
      return {{"type", "DECIMAL"},
              {"fields", nullptr},
              {"memberSchema", nullptr},
              {"parameters", {{"precision", t->precision()}, {"scale", t->scale()}}}};
    default:
      return {{"type", t->ToString()}, {"fields", nullptr}, {"memberSchema", nullptr}};
  }
}

json ToKsqlEntity(const StatementResult& result) {
  return std::visit([](const auto& r) { return Render(r); }, result);
}

std::string KsqlEntityJson(const StatementResult& result) {
  return ToKsqlEntity(result).dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace brook::server
