#include "planner/physical/physical_planner.h"

#include <map>
#include <set>

#include "planner/ddl_planner.h"

namespace brook {

namespace {

// Step ids follow ksqlDB's step context names; a second step of one kind gets a suffix.
class StepNamer {
 public:
  std::string Name(const std::string& base) {
    int n = used_[base]++;
    return n == 0 ? base : base + "_" + std::to_string(n);
  }

 private:
  std::map<std::string, int> used_;
};

SourceStep MakeSource(const LogicalNode& node) {
  const DataSource& src = *node.source.source;
  SourceStep s;
  s.source_name = src.name;
  s.alias = node.source.alias;
  s.topic = src.topic;
  s.key_format = src.key_format;
  s.value_format = src.value_format;
  s.schema = src.schema;
  s.is_table = src.is_table;
  s.window = src.window;
  s.row_width = node.OutputWidth();
  s.timestamp_format = src.timestamp_format;
  s.needed = node.needed;
  s.early = node.early;
  if (src.timestamp_column) {
    for (const ScopeColumn& c : node.source.scope.columns) {
      if (c.name == *src.timestamp_column && !c.pseudo) s.timestamp_index = c.index - node.slot_offset;
    }
  }
  return s;
}

// Whether GROUP BY is exactly the source's key columns, in order: then every group already
// lives in one input partition and no repartition is needed.
bool GroupsByInputKey(const BoundQuery& q, const std::vector<BoundExprPtr>& group_by) {
  if (!q.joins.empty() || q.rekey || q.from.source->window) return false;
  std::vector<int> key_slots;
  for (const ScopeColumn& c : q.from.scope.columns) {
    if (c.ns == ColumnNamespace::kKey && !c.pseudo && !c.window_bound) key_slots.push_back(c.index);
  }
  if (key_slots.empty() || key_slots.size() != group_by.size()) return false;
  for (size_t i = 0; i < group_by.size(); ++i) {
    if (group_by[i]->kind != BoundKind::kColumn || group_by[i]->index != key_slots[i]) return false;
  }
  return true;
}

// materialize_v1 reading `last` (the projection): the result table's rows, kept for pull
// queries. Windowed results keep their windows as long as the aggregation's store does.
PhysicalStep MaterializeAfter(const BoundQuery& q, const PhysicalStep& last, StepNamer& namer) {
  MaterializeStep m;
  // A query without a sink materializes a source table, whose topic serves as changelog.
  m.changelog = q.kind == QueryPlanRequest::Kind::kCreateAs;
  m.key_count = static_cast<int>(q.output_schema.key.size());
  m.value_count = static_cast<int>(q.output_schema.value.size());
  if (q.aggregation && q.aggregation->window) {
    m.windowed = true;
    m.retention_ms = q.aggregation->window->EffectiveRetentionMs(q.emit == ast::EmitKind::kFinal);
  } else if (!q.aggregation && q.from.source->window && !q.rekey && q.joins.empty()) {
    m.windowed = true;  // a windowed source's rows keep their windows
  }
  PhysicalStep step;
  step.id = namer.Name("Materialize");
  step.inputs = {last.id};
  step.body = m;
  return step;
}

// The sink of a CREATE ... AS SELECT or INSERT INTO: formats, topic, partitions, record time.
Result<SinkStep> PlanSink(const BoundQuery& q, const QueryPlanRequest& req, const Config& config,
                          PhysicalPlanResult& result) {
  const DataSource& src = *q.from.source;
  const LogicalSchema& out = q.output_schema;
  SinkStep sink;
  sink.name = q.target;
  if (req.kind == QueryPlanRequest::Kind::kInsertInto) {
    DataSourcePtr t = req.insert_target;
    if (t->is_table || q.output_is_table) {
      return InvalidArgument("INSERT INTO can only be used to insert into a stream. " + t->name +
                                 " is a table.",
                             q.range);
    }
    if (t->read_only) {
      return InvalidArgument("Cannot insert into read-only stream: " + t->name, q.range);
    }
    const LogicalSchema& expect = t->schema;
    bool same = expect.key.size() == out.key.size() && expect.value.size() == out.value.size();
    for (size_t i = 0; same && i < expect.key.size(); ++i) {
      same = expect.key[i].name == out.key[i].name && TypesEqual(expect.key[i].type, out.key[i].type);
    }
    for (size_t i = 0; same && i < expect.value.size(); ++i) {
      same = expect.value[i].name == out.value[i].name &&
             TypesEqual(expect.value[i].type, out.value[i].type);
    }
    if (!same) {
      return InvalidArgument("Incompatible schema between results and sink.\nResult schema is " +
                                 out.ToString() + "\nSink schema is " + expect.ToString(),
                             q.range);
    }
    sink.topic = t->topic;
    sink.key_format = t->key_format;
    sink.value_format = t->value_format;
    sink.partitions = req.source_partitions;
    return sink;
  }
  ASSIGN_OR_RETURN(SourceProperties props,
                   ParseSourceProperties(req.sink_properties ? *req.sink_properties
                                                             : ast::Properties(),
                                         true));
  if (req.sink_is_table && !q.output_is_table) {
    return InvalidArgument("Invalid result type. Your SELECT query produces a STREAM. Please use "
                           "CREATE STREAM AS SELECT statement instead.",
                           q.range);
  }
  if (!req.sink_is_table && q.output_is_table) {
    return InvalidArgument("Invalid result type. Your SELECT query produces a TABLE. Please use "
                           "CREATE TABLE AS SELECT statement instead.",
                           q.range);
  }
  sink.topic = props.kafka_topic.value_or(ConfigOr(config, kOutputTopicPrefix, "") + q.target);
  RETURN_IF_ERROR(ValidateTopicName(sink.topic, q.range));
  sink.key_format = src.key_format;
  if (out.key.empty()) {
    if (props.key_format && *props.key_format != "NONE") {
      return InvalidArgument("Key format specified for stream without key columns.", q.range);
    }
    sink.key_format = FormatInfo{"NONE"};
  } else if (sink.key_format.name == "NONE") {
    // A keyless source gained a key: use the default key format.
    sink.key_format = FormatInfo{ConfigOr(config, kDefaultKeyFormat, "KAFKA")};
  }
  if (props.key_format) sink.key_format = FormatInfo{*props.key_format};
  if (props.key_delimiter) sink.key_format.delimiter = *props.key_delimiter;
  sink.value_format = src.value_format;
  if (props.value_format) sink.value_format = FormatInfo{*props.value_format};
  if (props.value_delimiter) sink.value_format.delimiter = *props.value_delimiter;
  if (props.wrap_single_value && out.value.size() != 1) {
    return InvalidArgument("'WRAP_SINGLE_VALUE' is only valid for single-field value schemas",
                           q.range);
  }
  sink.value_format.wrap_single =
      props.wrap_single_value ? *props.wrap_single_value
                              : ConfigOr(config, kWrapSingleValues, "true") != "false";
  if (sink.value_format.name == "KAFKA" || sink.value_format.name == "DELIMITED") {
    sink.value_format.wrap_single = false;
  }
  RETURN_IF_ERROR(ValidateFormat(sink.key_format, out.key, true, q.range));
  RETURN_IF_ERROR(ValidateFormat(sink.value_format, out.value, false, q.range));
  if (props.partitions) {
    sink.partitions = *props.partitions;
  } else {
    ASSIGN_OR_RETURN(int64_t partitions,
                     ConfigInt(config, kSinkPartitions, req.source_partitions, 1, 100000));
    sink.partitions = static_cast<int>(partitions);
  }
  if (props.timestamp) {
    int idx = out.ValueIndex(*props.timestamp);
    if (idx < 0 && out.KeyIndex(*props.timestamp) >= 0) {
      idx = out.KeyIndex(*props.timestamp);
      sink.timestamp_in_key = true;
    }
    if (idx < 0) {
      return InvalidArgument("The TIMESTAMP column set in the WITH clause does not exist in the "
                             "schema: '" + *props.timestamp + "'",
                             q.range);
    }
    sink.timestamp_column = idx;
    sink.timestamp_format = props.timestamp_format;
  }
  result.sink_replicas = props.replicas;

  auto ds = std::make_shared<DataSource>();
  ds->name = q.target;
  ds->is_table = req.sink_is_table;
  ds->is_cas = true;
  ds->schema = out;
  ds->topic = sink.topic;
  ds->key_format = sink.key_format;
  ds->value_format = sink.value_format;
  ds->sql = req.sql;
  if (q.aggregation && q.aggregation->window) {
    WindowInfo w;
    w.type = static_cast<WindowInfo::Type>(static_cast<int>(q.aggregation->window->type));
    w.size_ms = q.aggregation->window->size_ms;
    ds->window = w;
  } else if (!q.aggregation && !q.rekey && q.joins.empty() && src.window) {
    ds->window = src.window;  // rows keep their source's windowed keys
  }
  if (props.timestamp) {
    ds->timestamp_column = props.timestamp;
    ds->timestamp_format = props.timestamp_format;
  }
  result.sink_source = ds;
  return sink;
}

}  // namespace

Result<PhysicalPlanResult> BuildPhysicalPlan(const LogicalPlan& logical,
                                             const QueryPlanRequest& req, const Config& config) {
  const BoundQuery& q = logical.query;
  PhysicalPlanResult result;
  PhysicalPlan& plan = result.plan;
  plan.query_id = q.query_id;
  plan.sql = q.sql;
  plan.limit = q.limit;
  plan.output_schema = q.output_schema;
  plan.output_is_table = q.output_is_table;
  StepNamer namer;
  std::map<const LogicalNode*, std::string> ids;
  int join_sources = 0;
  bool joined = !q.joins.empty();
  for (const LogicalNode* node : PostOrder(logical)) {
    PhysicalStep step;
    for (const auto& in : node->inputs) step.inputs.push_back(ids.at(in.get()));
    switch (node->kind) {
      case LogicalKind::kSource: {
        std::string base = !joined ? "KsqlTopic"
                           : join_sources++ == 0 ? "KafkaTopic_Left"
                                                 : "KafkaTopic_Right";
        step.id = namer.Name(base + "/Source");
        step.body = MakeSource(*node);
        break;
      }
      case LogicalKind::kFilter:
        step.id = namer.Name("WhereFilter");
        step.body = FilterStep{node->predicate};
        break;
      case LogicalKind::kRekey: {
        step.id = namer.Name("PartitionBy");
        RekeyStep r;
        r.key_exprs = node->rekey.key_exprs;
        r.carried = node->rekey.carried;
        r.schema = node->rekey.schema;
        step.body = std::move(r);
        break;
      }
      case LogicalKind::kAggregate: {
        step.id = namer.Name("Aggregate");
        AggregateStep a;
        a.group_by = node->aggregation.group_by;
        a.calls = node->aggregation.calls;
        a.window = node->aggregation.window;
        a.having = node->aggregation.having;
        a.emit_final = q.emit == ast::EmitKind::kFinal;
        a.table_input = q.joins.empty() && q.from.source->is_table;
        a.repartition = !GroupsByInputKey(q, a.group_by);
        step.body = std::move(a);
        break;
      }
      case LogicalKind::kJoin: {
        step.id = namer.Name("Join");
        JoinStep j;
        j.type = static_cast<JoinStep::Type>(static_cast<int>(node->join.type));
        bool left_table = node->inputs[0]->kind == LogicalKind::kSource
                              ? node->inputs[0]->source.source->is_table
                              : q.from.source->is_table;
        bool right_table = node->join.right.source->is_table;
        j.shape = !left_table && !right_table ? JoinStep::Shape::kStreamStream
                  : !left_table               ? JoinStep::Shape::kStreamTable
                                              : JoinStep::Shape::kTableTable;
        j.left_key = node->join.left_key;
        j.right_key = node->join.right_key;
        j.before_ms = node->join.before_ms;
        j.after_ms = node->join.after_ms;
        j.grace_ms = node->join.grace_ms;
        j.left_width = node->inputs[0]->OutputWidth();
        j.right_width = node->inputs[1]->OutputWidth();
        step.body = std::move(j);
        break;
      }
      case LogicalKind::kFlatMap:
        step.id = namer.Name("FlatMap");
        step.body = FlatMapStep{node->table_functions};
        break;
      case LogicalKind::kProject: {
        step.id = namer.Name("Project");
        ProjectStep p;
        p.key_exprs = node->key_exprs;
        p.value_exprs = node->value_exprs;
        p.select_order = node->select_order;
        step.body = std::move(p);
        break;
      }
      case LogicalKind::kSink: {
        if (q.output_is_table && req.kind == QueryPlanRequest::Kind::kCreateAs) {
          PhysicalStep m = MaterializeAfter(q, plan.steps.back(), namer);
          step.inputs = {m.id};
          plan.steps.push_back(std::move(m));
        }
        step.id = namer.Name("KsqlTopic/Sink");
        ASSIGN_OR_RETURN(SinkStep sink, PlanSink(q, req, config, result));
        step.body = std::move(sink);
        break;
      }
    }
    ids[node] = step.id;
    plan.steps.push_back(std::move(step));
  }
  if (req.materialize && !plan.Find<MaterializeStep>()) {
    if (!q.output_is_table) return Internal("only a table's result can be materialized");
    plan.steps.push_back(MaterializeAfter(q, plan.steps.back(), namer));
  }
  RETURN_IF_ERROR(plan.Validate());
  return result;
}

}  // namespace brook
