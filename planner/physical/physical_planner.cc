#include "planner/physical/physical_planner.h"

#include <map>
#include <set>

#include "planner/ddl_planner.h"
#include "planner/logical/expr_util.h"

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
  } else if (!q.aggregation && q.from.source->window && !q.rekey) {
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
  } else if (!q.aggregation && !q.rekey && src.window) {
    ds->window = src.window;  // rows keep their source's windowed keys (joins: both sides')
  }
  if (props.timestamp) {
    ds->timestamp_column = props.timestamp;
    ds->timestamp_format = props.timestamp_format;
  }
  result.sink_source = ds;
  return sink;
}

// How the rows of a join input are spread over partitions: by a key that equals the columns
// in `key_slots` (slots of the query's input row), written in `key_format`, over `partitions`.
struct Partitioning {
  std::set<int> key_slots;
  std::set<int> table_keys;  // a table: the slots of its primary key
  FormatInfo key_format;
  int partitions = 1;
  std::string name;  // the source's name, for messages
  bool table = false;
};

int PartitionsOf(const QueryPlanRequest& req, const std::string& topic) {
  auto it = req.topic_partitions.find(topic);
  return it == req.topic_partitions.end() ? 1 : it->second;
}

Partitioning SourcePartitioning(const LogicalNode& node, const QueryPlanRequest& req) {
  const DataSource& src = *node.source.source;
  Partitioning p;
  p.key_format = src.key_format;
  p.partitions = PartitionsOf(req, src.topic);
  p.name = src.name;
  p.table = src.is_table;
  int keys = 0, slot = -1;
  for (const ScopeColumn& c : node.source.scope.columns) {
    if (c.ns == ColumnNamespace::kKey && !c.pseudo && !c.window_bound) {
      ++keys;
      slot = c.index;
    }
  }
  if (keys == 1) p.key_slots.insert(slot);
  if (src.is_table) p.table_keys = p.key_slots;
  return p;
}

// The format a repartitioned join key is written in: the given one, unless it cannot hold the
// key's type (KAFKA holds only primitives; NONE nothing).
FormatInfo RepartitionKeyFormat(FormatInfo f, const TypePtr& type) {
  bool primitive = type && (type->kind() == TypeKind::kInt || type->kind() == TypeKind::kBigint ||
                            type->kind() == TypeKind::kDouble || type->kind() == TypeKind::kString);
  if (f.name == "NONE" || (f.name == "KAFKA" && !primitive)) f = FormatInfo{"JSON"};
  if (f.name == "DELIMITED" && !primitive) f = FormatInfo{"JSON"};
  return f;
}

// join_v1 for `node`, preceded by the repartition_v1 steps its inputs need (appended to
// `plan`). A side is repartitioned when it is a stream not already partitioned by its join
// expression; tables are joined on their primary key (the analyzer checked it), or on a
// foreign key, which needs no co-partitioning.
Result<PhysicalStep> PlanJoin(const LogicalNode& node, const BoundQuery& q,
                              std::vector<std::string> input_ids,
                              std::map<const LogicalNode*, Partitioning>& parts, StepNamer& namer,
                              PhysicalPlan& plan) {
  const BoundJoin& bj = node.join;
  const int left_width = node.inputs[0]->OutputWidth();
  const LogicalNode* inputs[2] = {node.inputs[0].get(), node.inputs[1].get()};
  Partitioning side[2] = {parts[inputs[0]], parts[inputs[1]]};
  const BoundExprPtr keys[2] = {bj.left_key, bj.right_key};
  const bool left_table = side[0].table;
  const bool right_table = bj.right.source->is_table;
  JoinStep j;
  j.type = static_cast<JoinStep::Type>(static_cast<int>(bj.type));
  j.shape = !left_table && !right_table ? JoinStep::Shape::kStreamStream
            : !left_table               ? JoinStep::Shape::kStreamTable
                                        : JoinStep::Shape::kTableTable;
  j.left_key = bj.left_key;
  j.right_key = ShiftColumns(bj.right_key, -left_width);
  j.before_ms = bj.before_ms;
  j.after_ms = bj.after_ms;
  j.grace_ms = bj.grace_ms;
  j.left_width = left_width;
  j.right_width = inputs[1]->OutputWidth();
  j.windowed = q.from.source->window.has_value();
  auto partitioned_by_key = [&](int s) {
    return keys[s]->kind == BoundKind::kColumn && side[s].key_slots.count(keys[s]->index) > 0;
  };
  j.foreign_key =
      left_table && right_table &&
      !(keys[0]->kind == BoundKind::kColumn && side[0].table_keys.count(keys[0]->index));
  // A side not partitioned by its join key is repartitioned: a stream by its join expression, a
  // table by its primary key (its rows keep their keys), the left table of a foreign-key join by
  // the foreign key.
  bool repartition[2] = {false, false};
  for (int s = 0; s < 2; ++s) repartition[s] = !partitioned_by_key(s);
  std::string id = namer.Name("Join");
  if (j.windowed && (repartition[0] || repartition[1])) {
    return InvalidArgument(
        "Implicit repartitioning of windowed sources is not supported. See "
        "https://github.com/confluentinc/ksql/issues/4385.",
        bj.range);
  }
  if (!j.foreign_key && !repartition[0] && !repartition[1] &&
      side[0].partitions != side[1].partitions) {
    return InvalidArgument("Can't join `" + side[0].name + "` with `" + side[1].name +
                               "` since the number of partitions don't match. `" + side[0].name +
                               "` partitions = " + std::to_string(side[0].partitions) + "; `" +
                               side[1].name +
                               "` partitions = " + std::to_string(side[1].partitions) +
                               ". Please repartition either one so that the number of "
                               "partitions match.",
                           bj.range);
  }
  // Both repartitioned: the left's format and count; one: the other side's, so its rows meet
  // the records the other side already has in the same partition.
  const Partitioning& anchor = repartition[0] && !repartition[1] ? side[1] : side[0];
  if (j.foreign_key) {
    j.left_key_columns = static_cast<int>(q.from.source->schema.key.size());
  }
  PhysicalStep out;
  out.id = id;
  out.inputs = input_ids;
  Partitioning result = side[0];
  result.key_slots.clear();
  if (keys[0]->kind == BoundKind::kColumn) result.key_slots.insert(keys[0]->index);
  if (keys[1]->kind == BoundKind::kColumn) result.key_slots.insert(keys[1]->index);
  result.partitions = anchor.partitions;
  result.key_format = anchor.key_format;
  result.table = left_table && right_table;
  // A table-table result is the left table's rows: keyed as it is (a foreign-key join's result
  // is partitioned by the foreign key, not by that key).
  result.table_keys =
      result.table ? (j.foreign_key ? side[0].table_keys : result.key_slots) : std::set<int>();
  for (int s = 0; s < 2; ++s) {
    if (!repartition[s]) continue;
    RepartitionStep r;
    r.key = s == 0 ? keys[0] : j.right_key;
    r.key_format = RepartitionKeyFormat(anchor.key_format, keys[s]->type);
    r.partitions = anchor.partitions;
    r.keep_null_keys = s == 0
                           ? (bj.type == ast::JoinType::kLeft || bj.type == ast::JoinType::kOuter)
                           : (bj.type == ast::JoinType::kRight || bj.type == ast::JoinType::kOuter);
    r.foreign_key = j.foreign_key && s == 0;
    if (r.foreign_key) r.keep_null_keys = true;  // a NULL foreign key still changes the row
    if (s == 0 || !repartition[0]) result.key_format = r.key_format;
    PhysicalStep rs;
    rs.id = namer.Name(id + (s == 0 ? "-left" : "-right"));
    rs.inputs = {input_ids[s]};
    rs.body = std::move(r);
    out.inputs[s] = rs.id;
    plan.steps.push_back(std::move(rs));
  }
  parts[&node] = result;
  out.body = std::move(j);
  return out;
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
  std::map<const LogicalNode*, Partitioning> parts;
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
        parts[node] = SourcePartitioning(*node, req);
        break;
      }
      case LogicalKind::kFilter:
        step.id = namer.Name("WhereFilter");
        step.body = FilterStep{node->predicate};
        if (parts.count(node->inputs[0].get())) parts[node] = parts[node->inputs[0].get()];
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
        a.table_input = q.from.source->is_table;
        for (const BoundJoin& bj : q.joins) {
          a.table_input = a.table_input && bj.right.source->is_table;
        }
        if (a.table_input && !q.joins.empty()) {
          // A joined table's rows are identified by the join key (a foreign-key join's: the left
          // table's key), not by the key of whichever input record changed them.
          a.table_key_slots =
              !q.fk_key_slots.empty() ? q.fk_key_slots : std::vector<int>{q.joins.back().key_slot};
        }
        a.repartition = !GroupsByInputKey(q, a.group_by);
        step.body = std::move(a);
        break;
      }
      case LogicalKind::kJoin: {
        ASSIGN_OR_RETURN(step, PlanJoin(*node, q, step.inputs, parts, namer, plan));
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
