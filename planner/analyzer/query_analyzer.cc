#include "planner/analyzer/query_analyzer.h"

#include <set>

#include "common/ascii.h"
#include "planner/analyzer/analyzer_internal.h"
#include "planner/analyzer/expression_binder.h"
#include "planner/analyzer/scope.h"

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

bool ContainsTableFunction(const ast::Expr& e, const FunctionRegistry& functions) {
  if (e.kind == ExprKind::kFunctionCall && functions.FindTable(e.name)) return true;
  for (const auto& c : e.children) {
    if (ContainsTableFunction(*c, functions)) return true;
  }
  return false;
}

// Table functions in the SELECT: each call becomes a slot appended to the projection's input
// row (the flat map's output), which the projection reads instead of the call.
void UseTableFunctions(const FunctionRegistry& functions, const Catalog& catalog,
                       analyzer::ProjectionInput& in, BoundQuery& bq) {
  auto scope = std::make_shared<Scope>(in.scope);
  bool allow_bounds = in.allow_window_bounds;
  in.substitution = [&functions, &catalog, &bq, scope,
                     allow_bounds](const ast::Expr& e) -> Result<BoundExprPtr> {
    if (e.kind != ExprKind::kFunctionCall) return BoundExprPtr();
    const TableFunction* fn = functions.FindTable(e.name);
    if (!fn) return BoundExprPtr();
    ExpressionBinder args_binder(*scope, functions, catalog, "table function arguments");
    args_binder.set_allow_window_bounds(allow_bounds);
    TableFunctionCall call;
    call.function = fn;
    call.text = ast::FormatExpr(e);
    std::vector<TypePtr> types;
    for (const auto& c : e.children) {
      ASSIGN_OR_RETURN(BoundExprPtr arg, args_binder.Bind(*c));
      types.push_back(arg->type);
      call.args.push_back(std::move(arg));
    }
    auto type = fn->resolve(types);
    if (!type.ok()) return std::move(type).TakeStatus().WithRange(e.range);
    call.type = *type;
    int slot = scope->row_width + static_cast<int>(bq.table_functions.size());
    bq.table_functions.push_back(std::move(call));
    return analyzer::ColumnRef(slot, *type, ast::FormatExpr(e));
  };
}

bool IsNullLiteral(const ast::Expr& e) {
  return e.kind == ExprKind::kLiteral && e.literal_kind == ast::LiteralKind::kNull;
}

Status BindWhere(const ast::Query& q, const Scope& scope, bool windowed,
                 const FunctionRegistry& functions, const Catalog& catalog, BoundQuery& bq) {
  ExpressionBinder binder(scope, functions, catalog, "WHERE");
  binder.set_allow_window_bounds(windowed);
  ASSIGN_OR_RETURN(bq.where, analyzer::BindPredicate(binder, *q.where, "WHERE"));
  return Status::Ok();
}

// PARTITION BY: rekey before the projection. Returns what the projection binds over.
Result<analyzer::ProjectionInput> BindPartitionBy(const ast::Query& q, const Scope& scope,
                                                  const DataSource& src,
                                                  const FunctionRegistry& functions,
                                                  const Catalog& catalog, BoundQuery& bq) {
  const std::string& alias = q.from.alias;
  ExpressionBinder binder(scope, functions, catalog, "PARTITION BY");
  binder.set_allow_window_bounds(false);
  BoundRekey rekey;
  int generated = 0;
  std::vector<Column> new_keys;
  if (q.partition_by.empty()) {
    return InvalidArgument("PARTITION BY requires at least one expression", q.range);
  }
  if (q.partition_by.size() > 1) {
    for (const auto& pe : q.partition_by) {
      if (IsNullLiteral(*pe)) {
        return InvalidArgument("Cannot PARTITION BY multiple columns including NULL", pe->range);
      }
    }
  }
  bool keyless = q.partition_by.size() == 1 && IsNullLiteral(*q.partition_by[0]);
  if (!keyless) {
    for (const auto& pe : q.partition_by) {
      auto bound = binder.Bind(*pe);
      if (!bound.ok()) {
        Status st = bound.status();
        if (pe->kind == ExprKind::kColumnRef &&
            st.code() == StatusCode::kNotFound) {
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
                               "required type, e.g. CAST(null AS VARCHAR).",
                               pe->range);
      }
      std::string name;
      if (pe->kind == ExprKind::kColumnRef || pe->kind == ExprKind::kDereference) {
        name = pe->name;
      } else {
        name = "KSQL_COL_" + std::to_string(generated++);
      }
      rekey.key_exprs.push_back(b);
      new_keys.push_back({name, b->type, ColumnNamespace::kKey, std::nullopt});
      rekey.key_names.push_back(name);
      rekey.key_texts.push_back(QualifiedText(*pe, alias));
    }
  }
  // Rekeyed layout: new keys, value columns not promoted, old keys not promoted, pseudo-columns.
  LogicalSchema rekeyed;
  rekeyed.key = new_keys;
  auto promoted = [&](const std::string& n) {
    for (const auto& k : rekey.key_names) {
      if (k == n) return true;
    }
    return false;
  };
  int idx = 0;
  for (const Column& c : src.schema.value) {
    int from = static_cast<int>(src.schema.key.size()) + idx++;
    if (promoted(c.name)) continue;
    rekeyed.value.push_back(c);
    rekey.carried.push_back(from);
  }
  for (size_t i = 0; i < src.schema.key.size(); ++i) {
    const Column& c = src.schema.key[i];
    if (promoted(c.name)) continue;
    Column v = c;
    v.ns = ColumnNamespace::kValue;
    rekeyed.value.push_back(v);
    rekey.carried.push_back(static_cast<int>(i));
  }
  int base = static_cast<int>(src.schema.key.size() + src.schema.value.size());
  for (int i = 0; i < 3; ++i) rekey.carried.push_back(base + i);  // pseudo-columns
  rekey.schema = rekeyed;
  analyzer::ProjectionInput in;
  in.scope = Scope::ForSource(alias, rekeyed, false);
  in.key_schema.key = rekeyed.key;
  bq.rekey = std::move(rekey);
  return in;
}

// The text that a projected expression must match to reproduce a PARTITION BY expression.
std::optional<int> PartitionMatch(const BoundQuery& bq, const ast::Expr& e,
                                  const std::string& alias) {
  if (!bq.rekey) return std::nullopt;
  std::string text = QualifiedText(e, alias);
  for (size_t k = 0; k < bq.rekey->key_texts.size(); ++k) {
    if (bq.rekey->key_texts[k] == text) return static_cast<int>(k);
  }
  return std::nullopt;
}

Status BindProjection(const ast::Query& q, const analyzer::ProjectionInput& in,
                      const FunctionRegistry& functions, const Catalog& catalog,
                      BoundQuery& bq) {
  const std::string& alias = q.from.alias;
  const bool persistent = bq.persistent();
  const bool joined = !bq.joins.empty();
  std::vector<ProjectionItem>& items = bq.projection;
  ExpressionBinder binder(in.scope, functions, catalog, "SELECT");
  binder.set_allow_window_bounds(in.allow_window_bounds);
  if (in.substitution) binder.set_substitution(in.substitution);
  int generated = 0;
  auto used_name = [&](const std::string& n) {
    for (const auto& it : items) {
      if (it.name == n) return true;
    }
    return false;
  };
  // Generated names (KSQL_COL_n, struct field names) avoid the input's column names too.
  // In an aggregation the projection reads the aggregate's row, whose key columns carry the
  // GROUP BY expressions' provisional names: names are checked against the source instead.
  const Scope& naming_scope = bq.aggregation ? bq.from.scope : in.scope;
  auto source_name = [&](const std::string& n) {
    for (const ScopeColumn& c : naming_scope.columns) {
      if (c.name == n && !c.pseudo) return true;
    }
    return false;
  };
  auto key_slot_of_slot = [&](int slot) {
    for (size_t k = 0; k < in.join_key_slots.size(); ++k) {
      if (in.join_key_slots[k] == slot) return 0;
    }
    if (!bq.fk_key_slots.empty() && !bq.aggregation && !bq.rekey) {
      // A foreign-key join's key is the left table's primary key.
      for (size_t k = 0; k < bq.fk_key_slots.size(); ++k) {
        if (bq.fk_key_slots[k] == slot) return static_cast<int>(k);
      }
      return -1;
    }
    if (joined && !bq.aggregation && !bq.rekey) {
      return !bq.synthetic_key.empty() && slot == bq.joins.back().key_slot ? 0 : -1;
    }
    for (const ScopeColumn& c : in.scope.columns) {
      if (c.index == slot && c.ns == ColumnNamespace::kKey && !c.window_bound) {
        return in.key_schema.KeyIndex(c.name);
      }
    }
    return -1;
  };
  for (const ast::SelectItem& item : q.select) {
    if (item.kind == ast::SelectItem::Kind::kAllColumns) {
      bool matched = item.source.empty();
      if (joined && item.source.empty() && !bq.synthetic_key.empty()) {
        // A join's synthetic key comes first in `*`.
        ProjectionItem p;
        p.name = bq.synthetic_key;
        p.expr =
            analyzer::ColumnRef(bq.joins.back().key_slot, bq.joins.back().left_key->type, p.name);
        p.range = item.range;
        p.key_slot = 0;
        items.push_back(std::move(p));
      }
      // A transient query's `*` over a windowed source has the window bounds after the key
      // columns, as in ksqlDB (a persistent query keeps them in the key only).
      std::vector<const ScopeColumn*> bounds;
      if (!persistent && !joined) {
        for (const ScopeColumn& c : in.scope.columns) {
          if (c.window_bound) bounds.push_back(&c);
        }
      }
      auto add_bounds = [&] {
        for (const ScopeColumn* c : bounds) {
          ProjectionItem p;
          p.name = c->name;
          p.expr = analyzer::ColumnRef(c->index, c->type, c->name);
          p.range = item.range;
          items.push_back(std::move(p));
        }
        bounds.clear();
      };
      // In a join each windowed source's bounds are ordinary columns of `*`
      // (ALIAS_WINDOWSTART, ALIAS_WINDOWEND), right after that source's key columns.
      std::string bounds_of;  // the source whose bounds were added last
      auto add_source_bounds = [&](const std::string& qualifier) {
        if (!joined || bounds_of == qualifier) return;
        bounds_of = qualifier;
        for (const ScopeColumn& b : in.scope.columns) {
          if (!b.window_bound || b.qualifier != qualifier) continue;
          ProjectionItem p;
          p.name = qualifier + "_" + b.name;
          p.expr = analyzer::ColumnRef(b.index, b.type, b.name);
          p.range = item.range;
          items.push_back(std::move(p));
        }
      };
      for (const ScopeColumn& c : in.scope.columns) {
        if (c.pseudo || c.window_bound) continue;
        if (joined && c.qualifier.empty()) continue;  // the synthetic key: first, below
        if (!item.source.empty() && c.qualifier != item.source) continue;
        if (c.ns != ColumnNamespace::kKey) {
          add_bounds();
          add_source_bounds(c.qualifier);
        }
        matched = true;
        ProjectionItem p;
        // ksqlDB names a join's `*` columns ALIAS_COLUMN.
        p.name = joined ? c.qualifier + "_" + c.name : c.name;
        p.expr = analyzer::ColumnRef(c.index, c.type, c.name);
        p.range = item.range;
        p.key_slot = key_slot_of_slot(c.index);
        items.push_back(std::move(p));
      }
      add_bounds();
      if (!matched || (!joined && !item.source.empty() && item.source != alias)) {
        return InvalidArgument("Failed to prepare statement: '" + item.source +
                                   "' is not a valid stream/table name or alias.",
                               item.range);
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
        ProjectionItem p;
        p.name = fields[i].name;
        p.expr = std::make_shared<const BoundExpr>(std::move(d));
        p.range = item.range;
        items.push_back(std::move(p));
      }
      continue;
    }
    const ast::Expr& e = *item.expr;
    ProjectionItem p;
    p.range = item.range;
    ASSIGN_OR_RETURN(p.expr, binder.Bind(e));
    if (!p.expr->type) {
      return InvalidArgument("Can't infer a type of null. Please explicitly cast it to a required "
                             "type, e.g. CAST(null AS VARCHAR).",
                             e.range);
    }
    if (bq.aggregation && e.kind == ExprKind::kLiteral) {
      // A literal select item that is also a GROUP BY expression (GROUP BY 1) is that key.
      const BoundAggregation& agg = *bq.aggregation;
      for (size_t g = 0; g < agg.group_texts.size(); ++g) {
        if (agg.group_texts[g] == ast::FormatExpr(e)) {
          p.expr = analyzer::ColumnRef(static_cast<int>(g), agg.group_by[g]->type, e.text);
          break;
        }
      }
    }
    std::optional<int> partition_match;
    if (bq.rekey && p.expr->kind != BoundKind::kColumn) {
      partition_match = PartitionMatch(bq, e, alias);
    }
    if (item.alias) {
      p.name = *item.alias;
      if (IsReservedColumn(p.name)) {
        return InvalidArgument("`" + p.name + "` is a reserved column name. You cannot use it as "
                               "an alias for a column.",
                               item.range);
      }
    } else if (e.kind == ExprKind::kColumnRef) {
      p.name = e.name;
      if (joined && p.expr->kind == BoundKind::kColumn) {
        // In a join, a column whose name more than one source has is named ALIAS_COLUMN.
        std::string qualifier;
        std::set<std::string> owners;
        for (const ScopeColumn& c : in.scope.columns) {
          if (c.name == e.name && !c.qualifier.empty()) owners.insert(c.qualifier);
          if (c.index == p.expr->index) qualifier = c.qualifier;
        }
        if (owners.size() > 1 && !qualifier.empty()) p.name = qualifier + "_" + e.name;
      }
      if (persistent && IsReservedColumn(p.name)) {
        return InvalidArgument("Reserved column name in select: `" + p.name +
                                   "`. Please remove or alias the column.",
                               item.range);
      }
    } else if (partition_match) {
      p.name = bq.rekey->key_names[*partition_match];
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
    // Does it reproduce a key column of the input?
    if (p.expr->kind == BoundKind::kColumn) p.key_slot = key_slot_of_slot(p.expr->index);
    if (p.key_slot < 0 && bq.rekey) {
      if (auto m = PartitionMatch(bq, e, alias)) p.key_slot = *m;
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
  return Status::Ok();
}

// The sink's TIMESTAMP column must be one of the projected columns.
Status CheckSinkTimestamp(const QueryPlanRequest& req, const BoundQuery& bq) {
  if (!bq.persistent() || !req.sink_properties) return Status::Ok();
  const ast::PropertyValue* ts = req.sink_properties->Find("TIMESTAMP");
  if (!ts) return Status::Ok();
  std::string name = ts->value.kind() == Value::Kind::kString ? ts->value.as_string() : ts->raw;
  AsciiUpperInPlace(name);
  const ProjectionItem* found = nullptr;
  for (const auto& it : bq.projection) {
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
  return Status::Ok();
}

// Which projected items become key columns, the ksqlDB checks on them, and the output schema.
Status AssembleOutput(const ast::Query& q, const analyzer::ProjectionInput& in,
                      const DataSource& src, bool new_planner, BoundQuery& bq) {
  const bool persistent = bq.persistent();
  std::vector<ProjectionItem>& items = bq.projection;
  const bool fk = !bq.fk_key_slots.empty() && !bq.aggregation && !bq.rekey;
  // A join's output has one key, the join expression — but a foreign-key join's is the left
  // table's primary key.
  // (GROUP BY and PARTITION BY over a join key the result by their own expressions.)
  const bool joined = !bq.joins.empty() && !fk && !bq.aggregation && !bq.rekey;
  const size_t key_count = fk ? bq.fk_key_slots.size() : joined ? 1 : in.key_schema.key.size();
  std::vector<int> key_item(key_count, -1);
  std::vector<int> join_key_expr(key_count, -1);  // joins: the input slot of the chosen key
  if (joined) {
    // Of the join's key columns projected, the first in query order (the FROM source's before a
    // joined one's) is the key; the others are plain value columns.
    int best = -1;
    for (size_t i = 0; i < items.size(); ++i) {
      if (items[i].key_slot < 0 || items[i].expr->kind != BoundKind::kColumn) continue;
      if (best < 0 || items[i].expr->index < items[best].expr->index) best = static_cast<int>(i);
    }
    if (best >= 0) {
      join_key_expr[0] = items[best].expr->index;
      key_item[0] = best;
      if (ContainsMap(items[best].expr->type)) {
        std::string name = items[best].name;
        for (const ScopeColumn& c : in.scope.columns) {
          if (c.index == items[best].expr->index && !c.qualifier.empty()) {
            name = c.qualifier + "_" + c.name;  // ksqlDB names the join key ALIAS_COLUMN here
          }
        }
        return InvalidArgument(
            "Map keys, including types that contain maps, are not supported as "
            "they may lead to unexpected behavior due to inconsistent "
            "serialization. Key column name: `" +
                name + "`. Column type: " + TypeName(items[best].expr->type) +
                ". See https://github.com/confluentinc/ksql/issues/6621 for "
                "more.",
            items[best].range);
      }
    }
  }
  for (size_t i = 0; i < items.size(); ++i) {
    int k = items[i].key_slot;
    if (k < 0) continue;
    if (joined && key_item[k] == static_cast<int>(i)) continue;  // the chosen key
    // A join's key columns are equal by definition: the first one projected is the key; the
    // other side's is an ordinary value column. The same column twice is still an error.
    if (joined && key_item[k] >= 0 && items[i].expr->kind == BoundKind::kColumn &&
        items[i].expr->index != join_key_expr[k]) {
      items[i].key_slot = -1;
      continue;
    }
    if (joined && key_item[k] < 0 && items[i].expr->kind == BoundKind::kColumn) {
      join_key_expr[k] = items[i].expr->index;
    }
    if (key_item[k] >= 0) {
      if (persistent && bq.aggregation) {
        return InvalidArgument("The projection contains a key column more than once: `" +
                                   items[key_item[k]].name + "` and `" + items[i].name + "`.",
                               items[i].range);
      }
      if (persistent) {
        std::string key_name = joined ? items[key_item[k]].name : in.key_schema.key[k].name;
        if (fk) key_name = bq.from.source->name + "_" + bq.from.source->schema.key[k].name;
        std::string a = items[key_item[k]].name, b = items[i].name;
        if ((joined || fk) && b < a) std::swap(a, b);
        return InvalidArgument("The projection contains a key column (`" + key_name +
                                   "`) more than once, aliased as: " + a + " and " + b + ".",
                               items[i].range);
      }
      items[i].key_slot = -1;
      continue;
    }
    key_item[k] = static_cast<int>(i);
  }
  // The texts ksqlDB names when a key is missing from a persistent query's projection.
  std::vector<std::string> expected;
  std::string what_one = "key column ", what_many = "key columns ", joiner = " and ";
  if (bq.rekey) {
    expected = bq.rekey->key_texts;
    what_one = "partitioning expression ";
    what_many = "partitioning expressions ";
  } else if (bq.aggregation) {
    expected = bq.aggregation->group_texts;
    what_one = "grouping expression ";
    what_many = "grouping expressions ";
  } else if (joined && !bq.synthetic_key.empty()) {
    expected.push_back(bq.synthetic_key);
    what_one = what_many = "join expression ";
  } else if (joined) {
    expected = bq.join_key_texts;
    what_one = what_many = "join expression ";
    if (expected.size() > 1) what_one = what_many = "join expressions ";
    joiner = " or ";
  } else {
    for (const Column& c : in.key_schema.key) expected.push_back(c.name);
  }
  bool drop_key = false;
  bool missing = false;
  for (size_t k = 0; k < key_count; ++k) {
    if (key_item[k] >= 0 || !persistent) continue;
    if (!bq.rekey && !bq.aggregation && !joined && new_planner && !src.is_table) {
      drop_key = true;
      continue;
    }
    missing = true;
  }
  if (missing && fk) {
    std::vector<std::string> absent;
    for (size_t k = 0; k < key_count; ++k) {
      if (key_item[k] < 0) absent.push_back("`" + bq.from.source->schema.key[k].name + "`");
    }
    bool many = absent.size() > 1;
    std::string listed;
    for (size_t i = 0; i < absent.size(); ++i) listed += (i ? ", " : "") + absent[i];
    return InvalidArgument(std::string("Primary key column") + (many ? "s" : "") +
                               " missing in projection. For foreign-key table-table joins, the "
                               "projection must include all primary key columns from the left "
                               "input table (`" +
                               bq.from.source->name + "`). Missing column" + (many ? "s" : "") +
                               ": " + listed + ".",
                           q.range);
  }
  if (missing && bq.aggregation) {
    // ksqlDB names only the grouping expressions that are missing.
    std::vector<std::string> absent;
    for (size_t k = 0; k < key_count && k < expected.size(); ++k) {
      if (key_item[k] < 0) absent.push_back(expected[k]);
    }
    expected = std::move(absent);
  }
  if (missing) {
    std::string listed, eg;
    for (size_t i = 0; i < expected.size(); ++i) {
      listed += (i == 0 ? "" : (i + 1 == expected.size() ? joiner : ", ")) + expected[i];
      eg += (i ? ", " : "") + expected[i];
    }
    if (joined) eg = expected[0];
    std::string what = expected.size() > 1 ? what_many : what_one;
    std::string message = "The query used to build `" + bq.target + "` must include the " + what +
                          listed + " in its projection (eg, SELECT " + eg + "...).";
    if (joined && !bq.synthetic_key.empty()) {
      message = "Key missing from projection (ie, SELECT). See https://cnfl.io/2LV7ouS.\n" +
                message + "\n" + bq.synthetic_key +
                " was added as a synthetic key column because the join criteria did not match "
                "any source column.";
    }
    return InvalidArgument(message, q.range);
  }
  bool keyless = bq.rekey && bq.rekey->key_exprs.empty();
  // Key columns in input order, or in projection order with the new planner.
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
    const ProjectionItem& p = items[key_order[k]];
    key_pos[key_order[k]] = static_cast<int>(k);
    // A join's key is the join key's value — also where the projected key column is NULL (the
    // other side of an outer join).
    bq.key_exprs.push_back(
        joined ? analyzer::ColumnRef(bq.joins.back().key_slot, p.expr->type, p.name) : p.expr);
    bq.output_schema.key.push_back({p.name, p.expr->type, ColumnNamespace::kKey, std::nullopt});
  }
  for (size_t i = 0; i < items.size(); ++i) {
    if (key_pos[i] >= 0) {
      bq.select_order.emplace_back(true, key_pos[i]);
      continue;
    }
    if (items[i].key_slot >= 0 && !keyless && !drop_key) continue;
    bq.select_order.emplace_back(false, static_cast<int>(bq.value_exprs.size()));
    bq.value_exprs.push_back(items[i].expr);
    bq.output_schema.value.push_back(
        {items[i].name, items[i].expr->type, ColumnNamespace::kValue, std::nullopt});
  }
  bq.output_is_table = src.is_table || bq.aggregation.has_value();
  return Status::Ok();
}

// ksqlDB refuses reserved names in a persistent query's projection before anything else about
// the projection: an unaliased pseudo-column or window bound, or (in a join) any alias that is
// one.
Status CheckReservedNames(const ast::Query& q, bool persistent) {
  for (const ast::SelectItem& item : q.select) {
    if (item.kind != ast::SelectItem::Kind::kExpression) continue;
    std::string name;
    if (item.alias) {
      if (q.joins.empty()) continue;  // aliases are checked with the projection
      name = *item.alias;
    } else if (item.expr->kind == ExprKind::kColumnRef) {
      // In a join a qualified column is named ALIAS_COLUMN: S1.ROWTIME is S1_ROWTIME.
      if (!q.joins.empty() && !item.expr->qualifier.empty()) continue;
      name = item.expr->name;
    }
    if (persistent && !name.empty() && IsReservedColumn(name)) {
      return InvalidArgument("Reserved column name in select: `" + name +
                                 "`. Please remove or alias the column.",
                             item.range);
    }
  }
  return Status::Ok();
}

}  // namespace

namespace analyzer {

std::string ListWithAnd(const std::vector<std::string>& items) {
  std::string s;
  for (size_t i = 0; i < items.size(); ++i) {
    s += (i == 0 ? "" : (i + 1 == items.size() ? " and " : ", ")) + items[i];
  }
  return s;
}

Result<BoundExprPtr> BindPredicate(ExpressionBinder& binder, const ast::Expr& predicate,
                                   const std::string& clause) {
  auto bound = binder.Bind(predicate);
  if (!bound.ok()) {
    Status st = bound.status();
    // Unknown columns and brook's own limits are reported as they are.
    if (st.code() != StatusCode::kInvalidArgument) return st;
    return Status(st.code(), "Error in " + clause + " expression: " + st.message(), st.range());
  }
  if ((*bound)->type && (*bound)->type->kind() != TypeKind::kBoolean) {
    return InvalidArgument("Type error in " + clause + " expression: Should evaluate to boolean "
                           "but is " + ast::FormatExpr(predicate) + " (" +
                               TypeName((*bound)->type) + ") instead.",
                           predicate.range);
  }
  return bound;
}

BoundExprPtr ColumnRef(int index, TypePtr type, std::string text) {
  BoundExpr b;
  b.kind = BoundKind::kColumn;
  b.index = index;
  b.type = std::move(type);
  b.text = std::move(text);
  return std::make_shared<const BoundExpr>(std::move(b));
}

}  // namespace analyzer

std::string QualifiedText(const ast::Expr& e, const std::string& alias) {
  return ast::FormatExpr(*Qualify(e, alias));
}

Result<BoundQuery> AnalyzeQuery(const QueryPlanRequest& req, const Catalog& catalog,
                                const FunctionRegistry& functions, const Config& config) {
  const ast::Query& q = *req.query;
  BoundQuery bq;
  bq.kind = req.kind;
  bq.query_id = req.query_id;
  bq.sql = req.sql;
  bq.limit = q.limit;
  bq.emit = q.emit;
  bq.range = q.range;
  bq.target = req.kind == QueryPlanRequest::Kind::kInsertInto ? req.insert_target->name
                                                              : req.sink_name;
  const bool persistent = bq.persistent();
  const bool new_planner = ConfigOr(config, kNewQueryPlanner, "false") == "true";

  if (persistent && q.limit) {
    std::string what = req.kind == QueryPlanRequest::Kind::kInsertInto ? "INSERT INTO"
                       : req.sink_is_table                             ? "CREATE TABLE AS SELECT"
                                                                       : "CREATE STREAM AS SELECT";
    return InvalidArgument(what + " statements don't support LIMIT clause.", q.range);
  }
  DataSourcePtr src = catalog.Find(q.from.name);
  if (!src) return InvalidArgument(q.from.name + " does not exist.", q.from.range);
  if (q.window && !q.has_group_by) {
    return InvalidArgument("WINDOW clause requires a GROUP BY clause.", q.window->range);
  }
  if (persistent && src->is_table && src->window) {
    return InvalidArgument("KSQL does not support persistent queries on windowed tables.", q.range);
  }
  if (q.having && !q.has_group_by) {
    return InvalidArgument("HAVING requires GROUP BY", q.having->range);
  }
  if (q.emit == ast::EmitKind::kFinal && !(q.has_group_by && q.window)) {
    return InvalidArgument("EMIT FINAL is only supported for windowed aggregations.", q.range);
  }
  if (src->is_table && q.has_partition_by) {
    return InvalidArgument("Unsupported partition by on a table: PARTITION BY can only be "
                           "used on streams.",
                           q.partition_by.empty() ? q.range : q.partition_by[0]->range);
  }
  RETURN_IF_ERROR(CheckReservedNames(q, persistent));
  const bool windowed = src->window.has_value();
  bq.from = {src, q.from.alias, Scope::ForSource(q.from.alias, src->schema, windowed),
             q.from.range};
  Scope scope = bq.from.scope;
  if (!q.joins.empty()) {
    RETURN_IF_ERROR(analyzer::AnalyzeJoins(q, catalog, functions, bq, scope));
  }
  bq.input_width = scope.row_width;

  if (q.where) RETURN_IF_ERROR(BindWhere(q, scope, windowed, functions, catalog, bq));

  bool table_functions = false;
  for (const ast::SelectItem& item : q.select) {
    table_functions = table_functions || (item.expr && ContainsTableFunction(*item.expr, functions));
  }
  if (table_functions && q.has_group_by) {
    return InvalidArgument("Table functions cannot be used with aggregations.", q.range);
  }
  if (table_functions && src->is_table) {
    return InvalidArgument("Table source is not supported with table functions", q.range);
  }
  analyzer::ProjectionInput in;
  if (q.has_group_by) {
    if (q.has_partition_by) {
      return Unsupported("PARTITION BY together with GROUP BY is not supported by brook yet.",
                         q.partition_by.empty() ? q.range : q.partition_by[0]->range);
    }
    ASSIGN_OR_RETURN(in, analyzer::AnalyzeAggregation(q, catalog, functions, scope, config, bq));
  } else if (q.has_partition_by) {
    ASSIGN_OR_RETURN(in, BindPartitionBy(q, scope, *src, functions, catalog, bq));
  } else {
    in.scope = scope;
    in.allow_window_bounds = windowed;
    in.key_schema.key = src->schema.key;
    in.join_key_slots = bq.join_key_columns;
  }
  if (table_functions) UseTableFunctions(functions, catalog, in, bq);
  RETURN_IF_ERROR(BindProjection(q, in, functions, catalog, bq));
  RETURN_IF_ERROR(CheckSinkTimestamp(req, bq));
  RETURN_IF_ERROR(AssembleOutput(q, in, *src, new_planner, bq));
  return bq;
}

}  // namespace brook
