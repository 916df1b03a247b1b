#include "planner/query_planner.h"

#include <functional>

#include "planner/analyzer/expression_binder.h"
#include "planner/analyzer/scope.h"
#include "planner/ddl_planner.h"

namespace brook {

namespace {

using ast::ExprKind;

// Deep copy of an expression with unqualified column references qualified by `alias`, so two
// spellings of the same expression compare equal and messages read "ABS(INPUT.ID)".
ast::ExprPtr Qualify(const ast::Expr& e, const std::string& alias) {
  auto c = std::make_shared<ast::Expr>(e);
  if (c->kind == ExprKind::kColumnRef && c->qualifier.empty() && !alias.empty()) {
    c->qualifier = alias;
  }
  for (auto& ch : c->children) ch = Qualify(*ch, alias);
  return c;
}

std::string QualifiedText(const ast::Expr& e, const std::string& alias) {
  return ast::FormatExpr(*Qualify(e, alias));
}

struct Projected {
  std::string name;
  BoundExprPtr expr;
  const ast::Expr* ast = nullptr;  // null for columns expanded from `*`
  int key_slot = -1;               // index of the key column it reproduces, or -1
  SourceRange range;
};

}  // namespace

Result<QueryPlanResult> PlanQuery(const QueryPlanRequest& req, const Catalog& catalog,
                                  const FunctionRegistry& functions, const Config& config) {
  const ast::Query& q = *req.query;
  QueryPlanResult result;
  QueryPlan& plan = result.plan;
  plan.query_id = req.query_id;
  plan.sql = req.sql;
  plan.limit = q.limit;
  const bool persistent = req.kind != QueryPlanRequest::Kind::kTransient;
  const bool new_planner = ConfigOr(config, kNewQueryPlanner, "false") == "true";

  DataSourcePtr src = catalog.Find(q.from.name);
  if (!src) {
    return InvalidArgument(q.from.name + " does not exist.", q.from.range);
  }
  if (!q.joins.empty()) {
    return Unsupported("JOIN is not supported by brook yet.", q.joins[0].range);
  }
  if (q.window && !q.has_group_by) {
    return InvalidArgument("WINDOW clause requires a GROUP BY clause.", q.window->range);
  }
  if (q.window) {
    return Unsupported("Windowed aggregation (WINDOW) is not supported by brook yet.",
                       q.window->range);
  }
  if (persistent && src->is_table && src->window) {
    return InvalidArgument("KSQL does not support persistent queries on windowed tables.", q.range);
  }
  if (q.has_group_by) {
    return Unsupported("GROUP BY is not supported by brook yet.", q.range);
  }
  if (q.having) {
    return InvalidArgument("HAVING requires GROUP BY", q.having->range);
  }
  if (q.emit == ast::EmitKind::kFinal) {
    return InvalidArgument("EMIT FINAL is only supported for windowed aggregations.", q.range);
  }
  if (src->is_table && q.has_partition_by) {
    return InvalidArgument("Unsupported partition by on a table: PARTITION BY can only be "
                           "used on streams.",
                           q.partition_by.empty() ? q.range : q.partition_by[0]->range);
  }
  const std::string& alias = q.from.alias;
  const bool windowed = src->window.has_value();

  // Source step.
  SourceStep& source = plan.source;
  source.source_name = src->name;
  source.topic = src->topic;
  source.key_format = src->key_format;
  source.value_format = src->value_format;
  source.schema = src->schema;
  source.is_table = src->is_table;
  source.window = src->window;
  source.timestamp_format = src->timestamp_format;
  Scope scope = Scope::ForSource(alias, src->schema, windowed);
  source.row_width = scope.row_width;
  source.needed.assign(scope.row_width, true);
  if (src->timestamp_column) {
    for (const ScopeColumn& c : scope.columns) {
      if (c.name == *src->timestamp_column && !c.pseudo) source.timestamp_index = c.index;
    }
  }

  // WHERE.
  if (q.where) {
    ExpressionBinder binder(scope, functions, catalog, "WHERE");
    binder.set_allow_window_bounds(windowed);
    auto bound = binder.Bind(*q.where);
    if (!bound.ok()) {
      Status st = bound.status();
      if (st.message().find("cannot be resolved") != std::string::npos ||
          st.code() != StatusCode::kInvalidArgument) {
        return st;
      }
      return Status(st.code(), "Error in WHERE expression: " + st.message(), st.range());
    }
    plan.filter = *bound;
    if (plan.filter->type && plan.filter->type->kind() != TypeKind::kBoolean) {
      return InvalidArgument("Type error in WHERE expression: Should evaluate to boolean but is " +
                                 ast::FormatExpr(*q.where) + " (" + TypeName(plan.filter->type) +
                                 ") instead.",
                             q.where->range);
    }
  }

  // PARTITION BY: rekey before the projection.
  Scope select_scope = scope;
  std::vector<std::string> new_key_names;
  std::vector<std::string> partition_texts;
  bool keyless = false;
  if (q.has_partition_by) {
    ExpressionBinder binder(scope, functions, catalog, "PARTITION BY");
    binder.set_allow_window_bounds(false);
    plan.has_rekey = true;
    plan.rekeyed = true;
    int generated = 0;
    std::vector<Column> new_keys;
    auto is_null = [](const ast::Expr& e) {
      return e.kind == ExprKind::kLiteral && e.literal_kind == ast::LiteralKind::kNull;
    };
    if (q.partition_by.empty()) {
      return InvalidArgument("PARTITION BY requires at least one expression", q.range);
    }
    if (q.partition_by.size() > 1) {
      for (const auto& pe : q.partition_by) {
        if (is_null(*pe)) {
          return InvalidArgument("Cannot PARTITION BY multiple columns including NULL", pe->range);
        }
      }
    }
    if (q.partition_by.size() == 1 && is_null(*q.partition_by[0])) {
      keyless = true;
    } else {
      for (const auto& pe : q.partition_by) {
        auto bound = binder.Bind(*pe);
        if (!bound.ok()) {
          Status st = bound.status();
          if (pe->kind == ExprKind::kColumnRef &&
              st.message().find("cannot be resolved") != std::string::npos) {
            return InvalidArgument("PARTITION BY column '" + pe->name + "' cannot be resolved. '" +
                                       pe->name + "' must be a column in the source schema since "
                                       "PARTITION BY is applied on the input.",
                                   pe->range);
          }
          return st;
        }
        BoundExprPtr b = *bound;
        if (!b->type) {
          return InvalidArgument("Can't infer a type of null. Please explicitly cast it to a "
                                 "required type, e.g. CAST(null AS VARCHAR).", pe->range);
        }
        std::string name;
        if (pe->kind == ExprKind::kColumnRef) name = pe->name;
        else if (pe->kind == ExprKind::kDereference) name = pe->name;
        else name = "KSQL_COL_" + std::to_string(generated++);
        plan.rekey_exprs.push_back(b);
        new_keys.push_back({name, b->type, ColumnNamespace::kKey, std::nullopt});
        new_key_names.push_back(name);
        partition_texts.push_back(QualifiedText(*pe, alias));
      }
    }
    // Rekeyed layout.
    LogicalSchema rekeyed;
    rekeyed.key = new_keys;
    std::vector<int> sources;
    auto promoted = [&](const std::string& n) {
      for (const auto& k : new_key_names) {
        if (k == n) return true;
      }
      return false;
    };
    int idx = 0;
    for (const Column& c : src->schema.value) {
      int from = static_cast<int>(src->schema.key.size()) + idx++;
      if (promoted(c.name)) continue;
      rekeyed.value.push_back(c);
      sources.push_back(from);
    }
    for (size_t i = 0; i < src->schema.key.size(); ++i) {
      const Column& c = src->schema.key[i];
      if (promoted(c.name)) continue;
      Column v = c;
      v.ns = ColumnNamespace::kValue;
      rekeyed.value.push_back(v);
      sources.push_back(static_cast<int>(i));
    }
    int base = static_cast<int>(src->schema.key.size() + src->schema.value.size());
    for (int i = 0; i < 3; ++i) sources.push_back(base + i);  // pseudo-columns
    plan.rekey_sources = sources;
    select_scope = Scope::ForSource(alias, rekeyed, false);
    source.schema = src->schema;
  }
  const LogicalSchema* key_schema_for_select = nullptr;
  LogicalSchema select_schema;
  // Recover the schema the select scope describes (key + value columns).
  for (const ScopeColumn& c : select_scope.columns) {
    if (c.pseudo || c.window_bound) continue;
    Column col{c.name, c.type, c.ns, std::nullopt};
    if (c.ns == ColumnNamespace::kKey) select_schema.key.push_back(col);
    else select_schema.value.push_back(col);
  }
  key_schema_for_select = &select_schema;

  // Projection.
  std::vector<Projected> items;
  ExpressionBinder binder(select_scope, functions, catalog, "SELECT");
  binder.set_allow_window_bounds(windowed);
  int generated = 0;
  auto used_name = [&](const std::string& n) {
    for (const auto& it : items) {
      if (it.name == n) return true;
    }
    return false;
  };
  // Generated names (KSQL_COL_n, struct field names) avoid the source's column names too.
  auto source_name = [&](const std::string& n) {
    for (const ScopeColumn& c : select_scope.columns) {
      if (c.name == n && !c.pseudo) return true;
    }
    return false;
  };
  for (const ast::SelectItem& item : q.select) {
    if (item.kind == ast::SelectItem::Kind::kAllColumns) {
      if (!item.source.empty() && item.source != alias) {
        return InvalidArgument("'" + item.source + "' is not a valid stream/table name or alias.",
                               item.range);
      }
      for (const ScopeColumn& c : select_scope.columns) {
        if (c.pseudo || c.window_bound) continue;
        BoundExpr b;
        b.kind = BoundKind::kColumn;
        b.index = c.index;
        b.type = c.type;
        b.text = c.name;
        Projected p;
        p.name = c.name;
        p.expr = std::make_shared<const BoundExpr>(std::move(b));
        p.range = item.range;
        if (c.ns == ColumnNamespace::kKey) p.key_slot = key_schema_for_select->KeyIndex(c.name);
        items.push_back(std::move(p));
      }
      continue;
    }
    if (item.kind == ast::SelectItem::Kind::kStructAll) {
      ASSIGN_OR_RETURN(BoundExprPtr base, binder.Bind(*item.expr));
      if (!base->type || base->type->kind() != TypeKind::kStruct) {
        return InvalidArgument("Expected STRUCT type for " + ast::FormatExpr(*item.expr) +
                                   "->* but got " + TypeName(base->type),
                               item.range);
      }
      const auto& fields = base->type->fields();
      for (size_t i = 0; i < fields.size(); ++i) {
        BoundExpr d;
        d.kind = BoundKind::kDereference;
        d.index = static_cast<int>(i);
        d.type = fields[i].type;
        d.children = {base};
        d.text = item.expr->text + "->" + fields[i].name;
        Projected p;
        p.name = fields[i].name;
        p.expr = std::make_shared<const BoundExpr>(std::move(d));
        p.range = item.range;
        items.push_back(std::move(p));
      }
      continue;
    }
    const ast::Expr& e = *item.expr;
    Projected p;
    p.ast = &e;
    p.range = item.range;
    ASSIGN_OR_RETURN(p.expr, binder.Bind(e));
    if (!p.expr->type) {
      return InvalidArgument("Can't infer a type of null. Please explicitly cast it to a required "
                             "type, e.g. CAST(null AS VARCHAR).",
                             e.range);
    }
    std::optional<int> partition_match;
    if (plan.has_rekey && !(p.expr->kind == BoundKind::kColumn)) {
      std::string text = QualifiedText(e, alias);
      for (size_t k = 0; k < partition_texts.size(); ++k) {
        if (partition_texts[k] == text) partition_match = static_cast<int>(k);
      }
    }
    if (item.alias) {
      p.name = *item.alias;
      if (IsReservedColumn(p.name)) {
        if (IsPseudoColumn(p.name)) {
          return InvalidArgument("`" + p.name + "` is a reserved column name. You cannot use it as "
                                 "an alias for a column.",
                                 item.range);
        }
        return InvalidArgument("`" + p.name + "` is a reserved column name. You cannot use it as "
                               "an alias for a column.", item.range);
      }
    } else if (e.kind == ExprKind::kColumnRef) {
      p.name = e.name;
      if (persistent && IsReservedColumn(p.name)) {
        return InvalidArgument("Reserved column name in select: `" + p.name +
                                   "`. Please remove or alias the column.",
                               item.range);
      }
    } else if (partition_match) {
      p.name = new_key_names[*partition_match];
    } else if (e.kind == ExprKind::kDereference) {
      p.name = e.name;
      for (int suffix = 1; used_name(p.name) || source_name(p.name); ++suffix) {
        p.name = e.name + "_" + std::to_string(suffix);
      }
    } else {
      do {
        p.name = "KSQL_COL_" + std::to_string(generated++);
      } while (used_name(p.name) || source_name(p.name));
    }
    // Does it reproduce a key column of the (possibly rekeyed) input?
    if (p.expr->kind == BoundKind::kColumn) {
      for (const ScopeColumn& c : select_scope.columns) {
        if (c.index == p.expr->index && c.ns == ColumnNamespace::kKey && !c.window_bound) {
          p.key_slot = key_schema_for_select->KeyIndex(c.name);
        }
      }
    }
    if (p.key_slot < 0 && plan.has_rekey) {
      std::string text = QualifiedText(e, alias);
      for (size_t k = 0; k < partition_texts.size(); ++k) {
        if (partition_texts[k] == text) p.key_slot = static_cast<int>(k);
      }
    }
    items.push_back(std::move(p));
  }
  for (size_t i = 0; i < items.size(); ++i) {
    for (size_t j = i + 1; j < items.size(); ++j) {
      if (items[i].name == items[j].name) {
        return InvalidArgument("Duplicate column names:\n\t" + items[j].name, items[j].range);
      }
    }
  }

  // The sink's TIMESTAMP column must be one of the projected columns.
  if (persistent && req.sink_properties) {
    if (const ast::PropertyValue* ts = req.sink_properties->Find("TIMESTAMP")) {
      std::string name = ts->value.kind() == Value::Kind::kString ? ts->value.as_string() : ts->raw;
      for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      const Projected* found = nullptr;
      for (const auto& it : items) {
        if (it.name == name) found = &it;
      }
      if (!found) {
        return InvalidArgument("The TIMESTAMP column set in the WITH clause does not exist in the "
                               "schema: '" + name + "'",
                               ts->range);
      }
      TypeKind k = found->expr->type->kind();
      bool has_format = req.sink_properties->Find("TIMESTAMP_FORMAT") != nullptr;
      if (!(k == TypeKind::kBigint || k == TypeKind::kTimestamp ||
            (k == TypeKind::kString && has_format))) {
        return InvalidArgument("Timestamp column, `" + name + "`, should be LONG(INT64), TIMESTAMP, "
                               "or a String with a timestamp_format specified.",
                               ts->range);
      }
    }
  }
  // Key columns of the output.
  const std::vector<Column>& input_keys = key_schema_for_select->key;
  std::vector<int> key_item(input_keys.size(), -1);
  for (size_t i = 0; i < items.size(); ++i) {
    int k = items[i].key_slot;
    if (k < 0) continue;
    if (key_item[k] >= 0) {
      if (persistent) {
        return InvalidArgument("The projection contains a key column (`" + input_keys[k].name +
                                   "`) more than once, aliased as: " +
                                   items[key_item[k]].name + " and " + items[i].name + ".",
                               items[i].range);
      }
      items[i].key_slot = -1;
      continue;
    }
    key_item[k] = static_cast<int>(i);
  }
  std::string target = req.kind == QueryPlanRequest::Kind::kInsertInto ? req.insert_target->name
                                                                      : req.sink_name;
  bool drop_key = false;
  std::vector<std::string> missing;
  for (size_t k = 0; k < input_keys.size(); ++k) {
    if (key_item[k] >= 0 || !persistent) continue;
    if (!plan.has_rekey && new_planner && !src->is_table) {
      drop_key = true;
      continue;
    }
    missing.push_back(plan.has_rekey ? partition_texts[k] : input_keys[k].name);
  }
  if (!missing.empty()) {
    // ksqlDB names every key column / partitioning expression when any is missing.
    missing.clear();
    for (size_t k = 0; k < input_keys.size(); ++k) {
      missing.push_back(plan.has_rekey ? partition_texts[k] : input_keys[k].name);
    }
  }
  if (!missing.empty()) {
    std::string listed, eg;
    for (size_t i = 0; i < missing.size(); ++i) {
      listed += (i == 0 ? "" : (i + 1 == missing.size() ? " and " : ", ")) + missing[i];
      eg += (i ? ", " : "") + missing[i];
    }
    std::string what = plan.has_rekey ? (missing.size() > 1 ? "partitioning expressions "
                                                            : "partitioning expression ")
                                      : (missing.size() > 1 ? "key columns " : "key column ");
    return InvalidArgument("The query used to build `" + target + "` must include the " + what +
                               listed + " in its projection (eg, SELECT " + eg + "...).",
                           q.range);
  }

  // Assemble output schema: key columns (input order, or projection order with the new
  // planner), then value columns in projection order.
  std::vector<int> key_order;
  if (new_planner) {
    for (size_t i = 0; i < items.size(); ++i) {
      if (items[i].key_slot >= 0) key_order.push_back(static_cast<int>(i));
    }
  } else {
    for (int ki : key_item) {
      if (ki >= 0) key_order.push_back(ki);
    }
  }
  if (drop_key || keyless) key_order.clear();
  std::vector<int> key_pos(items.size(), -1);
  for (size_t k = 0; k < key_order.size(); ++k) {
    const Projected& p = items[key_order[k]];
    key_pos[key_order[k]] = static_cast<int>(k);
    plan.key_exprs.push_back(p.expr);
    plan.output_schema.key.push_back({p.name, p.expr->type, ColumnNamespace::kKey, std::nullopt});
  }
  for (size_t i = 0; i < items.size(); ++i) {
    if (key_pos[i] >= 0) {
      plan.select_order.emplace_back(true, key_pos[i]);
      continue;
    }
    if (items[i].key_slot >= 0 && !keyless && !drop_key) continue;
    plan.select_order.emplace_back(false, static_cast<int>(plan.value_exprs.size()));
    plan.value_exprs.push_back(items[i].expr);
    plan.output_schema.value.push_back(
        {items[i].name, items[i].expr->type, ColumnNamespace::kValue, std::nullopt});
  }
  plan.output_is_table = src->is_table;

  if (!persistent) return result;
  if (src->window) {
    return Unsupported("Persistent queries over windowed sources (WINDOW_TYPE) are not supported "
                       "by brook yet; push queries over them are.",
                       q.from.range);
  }

  // Sink.
  SinkStep sink;
  sink.name = target;
  if (req.kind == QueryPlanRequest::Kind::kInsertInto) {
    DataSourcePtr t = req.insert_target;
    if (t->is_table || src->is_table) {
      return InvalidArgument("INSERT INTO can only be used to insert into a stream. " + t->name +
                                 " is a table.",
                             q.range);
    }
    if (t->read_only) {
      return InvalidArgument("Cannot insert into read-only stream: " + t->name, q.range);
    }
    LogicalSchema expect = t->schema;
    bool same = expect.key.size() == plan.output_schema.key.size() &&
                expect.value.size() == plan.output_schema.value.size();
    for (size_t i = 0; same && i < expect.key.size(); ++i) {
      same = expect.key[i].name == plan.output_schema.key[i].name &&
             TypesEqual(expect.key[i].type, plan.output_schema.key[i].type);
    }
    for (size_t i = 0; same && i < expect.value.size(); ++i) {
      same = expect.value[i].name == plan.output_schema.value[i].name &&
             TypesEqual(expect.value[i].type, plan.output_schema.value[i].type);
    }
    if (!same) {
      return InvalidArgument("Incompatible schema between results and sink.\nResult schema is " +
                                 plan.output_schema.ToString() + "\nSink schema is " +
                                 expect.ToString(),
                             q.range);
    }
    sink.topic = t->topic;
    sink.key_format = t->key_format;
    sink.value_format = t->value_format;
    sink.partitions = req.source_partitions;
    plan.sink = sink;
    return result;
  }

  ASSIGN_OR_RETURN(SourceProperties props,
                   ParseSourceProperties(req.sink_properties ? *req.sink_properties
                                                             : ast::Properties(),
                                         true));
  if (req.sink_is_table && !src->is_table) {
    return Unsupported("CREATE TABLE AS SELECT over a stream needs GROUP BY, which brook does "
                       "not support yet.", q.range);
  }
  if (!req.sink_is_table && src->is_table) {
    return InvalidArgument("Invalid result type. Your SELECT query produces a TABLE. Please use "
                           "CREATE TABLE AS SELECT statement instead.",
                           q.range);
  }
  sink.topic = props.kafka_topic.value_or(ConfigOr(config, kOutputTopicPrefix, "") + target);
  sink.key_format = src->key_format;
  if (plan.output_schema.key.empty()) {
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
  sink.value_format = src->value_format;
  if (props.value_format) {
    sink.value_format = FormatInfo{*props.value_format};
    sink.value_format.wrap_single = ConfigOr(config, kWrapSingleValues, "true") != "false";
  }
  if (props.value_delimiter) sink.value_format.delimiter = *props.value_delimiter;
  if (props.wrap_single_value && plan.output_schema.value.size() != 1) {
    return InvalidArgument("'WRAP_SINGLE_VALUE' is only valid for single-field value schemas",
                           q.range);
  }
  sink.value_format.wrap_single =
      props.wrap_single_value ? *props.wrap_single_value
                              : ConfigOr(config, kWrapSingleValues, "true") != "false";
  if (sink.value_format.name == "KAFKA" || sink.value_format.name == "DELIMITED") {
    sink.value_format.wrap_single = false;
  }
  RETURN_IF_ERROR(ValidateFormat(sink.key_format, plan.output_schema.key, true, q.range));
  RETURN_IF_ERROR(ValidateFormat(sink.value_format, plan.output_schema.value, false, q.range));
  if (props.partitions) {
    sink.partitions = *props.partitions;
  } else {
    ASSIGN_OR_RETURN(int64_t partitions,
                     ConfigInt(config, kSinkPartitions, req.source_partitions, 1, 100000));
    sink.partitions = static_cast<int>(partitions);
  }
  if (props.timestamp) {
    int idx = plan.output_schema.ValueIndex(*props.timestamp);
    if (idx < 0 && plan.output_schema.KeyIndex(*props.timestamp) >= 0) {
      idx = plan.output_schema.KeyIndex(*props.timestamp);
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
  plan.sink = sink;
  result.sink_replicas = props.replicas;

  auto ds = std::make_shared<DataSource>();
  ds->name = target;
  ds->is_table = req.sink_is_table;
  ds->is_cas = true;
  ds->schema = plan.output_schema;
  ds->topic = sink.topic;
  ds->key_format = sink.key_format;
  ds->value_format = sink.value_format;
  ds->sql = req.sql;
  if (props.timestamp) {
    ds->timestamp_column = props.timestamp;
    ds->timestamp_format = props.timestamp_format;
  }
  result.sink_source = ds;
  return result;
}

}  // namespace brook
