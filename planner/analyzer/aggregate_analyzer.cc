// GROUP BY analysis: the grouping keys, the aggregate calls of SELECT and HAVING, WINDOW, and
// the scope the projection and HAVING bind over:
//   [group-by keys..., aggregate results..., WINDOWSTART, WINDOWEND (windowed only)]
// Aggregate calls and GROUP BY expressions inside SELECT/HAVING are substituted by references
// to that row, so the binder never sees a raw aggregate call there.
#include <algorithm>
#include <functional>
#include <set>

#include "planner/analyzer/analyzer_internal.h"
#include "planner/analyzer/query_analyzer.h"

namespace brook::analyzer {

namespace {

using ast::ExprKind;

bool IsAggregateCall(const ast::Expr& e, const FunctionRegistry& functions) {
  return e.kind == ExprKind::kFunctionCall && functions.FindAggregate(e.name) != nullptr;
}


WindowStepSpec ToWindowSpec(const ast::WindowSpec& w) {
  WindowStepSpec s;
  s.type = static_cast<WindowStepSpec::Type>(static_cast<int>(w.type));
  s.size_ms = w.size.millis;
  s.advance_ms = w.advance.millis;
  if (w.retention) s.retention_ms = w.retention->millis;
  if (w.grace) s.grace_ms = w.grace->millis;
  return s;
}

struct AggregateContext {
  const ast::Query& q;
  const Catalog& catalog;
  const FunctionRegistry& functions;
  const Scope& input_scope;
  const Config& config;
  std::vector<std::string> group_match_texts;  // qualified text of each GROUP BY expression
  std::vector<std::string> call_texts;         // qualified text of each aggregate call
  BoundAggregation agg;

  std::string Text(const ast::Expr& e) const { return QualifiedText(e, q.from.alias); }

  int GroupIndex(const ast::Expr& e) const {
    std::string t = Text(e);
    for (size_t i = 0; i < group_match_texts.size(); ++i) {
      if (group_match_texts[i] == t) return static_cast<int>(i);
    }
    return -1;
  }

  // Finds the aggregate calls below `e` (not inside another call: that is an error).
  Status CollectCalls(const ast::Expr& e, const ast::Expr* outer) {
    if (IsAggregateCall(e, functions)) {
      if (outer) {
        return InvalidArgument("Aggregate functions can not be nested: " + ast::FormatExpr(*outer),
                               outer->range);
      }
      for (const auto& c : e.children) RETURN_IF_ERROR(CollectCalls(*c, &e));
      return AddCall(e);
    }
    for (const auto& c : e.children) RETURN_IF_ERROR(CollectCalls(*c, outer));
    return Status::Ok();
  }

  Status AddCall(const ast::Expr& e) {
    std::string text = Text(e);
    if (std::find(call_texts.begin(), call_texts.end(), text) != call_texts.end()) {
      return Status::Ok();
    }
    const AggregateFunction* fn = functions.FindAggregate(e.name);
    if (e.star && !fn->allows_star) {
      return InvalidArgument("Function '" + e.name + "' does not accept '*'", e.range);
    }
    ExpressionBinder binder(input_scope, functions, catalog, "SELECT");
    binder.set_allow_window_bounds(false);
    binder.set_in_windowed_aggregation(q.window.has_value());
    AggregateCall call;
    call.function = e.name;
    call.text = ast::FormatExpr(e);
    std::vector<TypePtr> types;
    for (size_t i = 0; i < e.children.size(); ++i) {
      const ast::Expr& arg = *e.children[i];
      bool literal_param = std::find(fn->literal_params.begin(), fn->literal_params.end(), i) !=
                           fn->literal_params.end();
      if (literal_param && arg.kind != ExprKind::kLiteral) {
        return InvalidArgument("Parameter " + std::to_string(i + 1) + " passed to function " +
                                   e.name + " must be a literal constant, but was expression: '" +
                                   ast::FormatExpr(arg) + "'",
                               arg.range);
      }
      ASSIGN_OR_RETURN(BoundExprPtr b, binder.Bind(arg));
      types.push_back(b->type);
      call.args.push_back(std::move(b));
    }
    auto type = fn->resolve(types);
    if (!type.ok()) return std::move(type).TakeStatus().WithRange(e.range);
    call.type = *type;
    call.fn = fn;
    if (!fn->limit_config.empty() && config.count(fn->limit_config)) {
      ASSIGN_OR_RETURN(int64_t limit, ConfigInt(config, fn->limit_config, 0, 0, INT32_MAX));
      call.limit = limit;
    }
    if (auto made = call.MakeAggregator(); !made.ok()) {
      return std::move(made).TakeStatus().WithRange(e.range);
    }
    call_texts.push_back(std::move(text));
    agg.calls.push_back(std::move(call));
    return Status::Ok();
  }

  // Does `e` read a column that is neither grouped nor aggregated?
  bool UsesUngrouped(const ast::Expr& e) const {
    if (GroupIndex(e) >= 0 || IsAggregateCall(e, functions)) return false;
    if (e.kind == ExprKind::kColumnRef) return e.name != kWindowstart && e.name != kWindowend;
    if (e.kind == ExprKind::kLambda) return false;
    for (const auto& c : e.children) {
      if (UsesUngrouped(*c)) return true;
    }
    return false;
  }

  // The binder hook: aggregate calls and GROUP BY expressions become output-row references.
  Result<BoundExprPtr> Substitute(const ast::Expr& e) const {
    if (IsAggregateCall(e, functions)) {
      std::string t = Text(e);
      for (size_t i = 0; i < call_texts.size(); ++i) {
        if (call_texts[i] == t) {
          return ColumnRef(static_cast<int>(agg.group_by.size() + i), agg.calls[i].type,
                           ast::FormatExpr(e));
        }
      }
      return Internal("aggregate call not collected: " + t);
    }
    if (e.kind == ExprKind::kLiteral) return BoundExprPtr();
    int g = GroupIndex(e);
    if (g >= 0) return ColumnRef(g, agg.group_by[g]->type, e.text);
    return BoundExprPtr();
  }
};

}  // namespace

Result<ProjectionInput> AnalyzeAggregation(const ast::Query& q, const Catalog& catalog,
                                           const FunctionRegistry& functions,
                                           const Scope& input_scope, const Config& config,
                                           BoundQuery& bq) {
  const DataSource& src = *bq.from.source;
  AggregateContext ctx{q, catalog, functions, input_scope, config, {}, {}, {}};
  BoundAggregation& agg = ctx.agg;
  // GROUP BY keys.
  ExpressionBinder group_binder(input_scope, functions, catalog, "GROUP BY");
  group_binder.set_allow_window_bounds(false);
  group_binder.set_in_windowed_aggregation(q.window.has_value());
  int generated = 0;
  for (const auto& ge : q.group_by) {
    std::string text = ctx.Text(*ge);
    if (std::find(ctx.group_match_texts.begin(), ctx.group_match_texts.end(), text) !=
        ctx.group_match_texts.end()) {
      return InvalidArgument("Duplicate GROUP BY expression: " + text, ge->range);
    }
    ASSIGN_OR_RETURN(BoundExprPtr b, group_binder.Bind(*ge));
    if (!b->type) {
      return InvalidArgument("Can't infer a type of null. Please explicitly cast it to a "
                             "required type, e.g. CAST(null AS VARCHAR).",
                             ge->range);
    }
    std::string name = ge->kind == ExprKind::kColumnRef || ge->kind == ExprKind::kDereference
                           ? ge->name
                           : "KSQL_COL_" + std::to_string(generated++);
    if (ContainsMap(b->type)) {
      return InvalidArgument("Map keys, including types that contain maps, are not supported as "
                             "they may lead to unexpected behavior due to inconsistent "
                             "serialization. Key column name: `" + name + "`. Column type: " +
                                 TypeName(b->type) +
                                 ". See https://github.com/confluentinc/ksql/issues/6621 for more.",
                             ge->range);
    }
    ctx.group_match_texts.push_back(text);
    agg.group_texts.push_back(ast::FormatExpr(*ge));
    agg.key_names.push_back(name);
    agg.group_by.push_back(std::move(b));
  }
  if (src.value_format.name == "KAFKA") {
    return InvalidArgument("Source(s) " + src.name + " are using the 'KAFKA' value format. This "
                           "format does not yet support GROUP BY.",
                           q.range);
  }
  // Aggregate calls of SELECT and HAVING, in the order they appear.
  for (const ast::SelectItem& item : q.select) {
    if (item.expr) RETURN_IF_ERROR(ctx.CollectCalls(*item.expr, nullptr));
  }
  if (q.having) RETURN_IF_ERROR(ctx.CollectCalls(*q.having, nullptr));
  if (agg.calls.empty()) {
    // An unknown function is reported as such, not as a missing aggregate.
    std::function<Status(const ast::Expr&)> known = [&](const ast::Expr& e) -> Status {
      if (e.kind == ExprKind::kFunctionCall && !functions.Find(e.name) &&
          !functions.FindAggregate(e.name) && !functions.FindTable(e.name)) {
        return InvalidArgument("Can't find any functions with the name '" + e.name + "'", e.range);
      }
      for (const auto& c : e.children) RETURN_IF_ERROR(known(*c));
      return Status::Ok();
    };
    for (const ast::SelectItem& item : q.select) {
      if (item.expr) RETURN_IF_ERROR(known(*item.expr));
    }
    if (q.having) RETURN_IF_ERROR(known(*q.having));
    return InvalidArgument("GROUP BY requires aggregate functions in either the SELECT or HAVING "
                           "clause.",
                           q.range);
  }
  if (src.is_table) {
    std::vector<std::string> stream_only;  // in order of appearance, as ksqlDB lists them
    for (const AggregateCall& c : agg.calls) {
      const AggregateFunction* fn = functions.FindAggregate(c.function);
      if (!fn->table_source_allowed &&
          std::find(stream_only.begin(), stream_only.end(), c.function) == stream_only.end()) {
        stream_only.push_back(c.function);
      }
    }
    if (!stream_only.empty()) {
      const std::vector<std::string>& names = stream_only;
      return InvalidArgument("The aggregation functions " + ListWithAnd(names) +
                                 " cannot be applied to a table source, only to a stream source.",
                             q.range);
    }
  }
  // Non-aggregate SELECT expressions must be grouped.
  std::vector<std::string> ungrouped;
  for (const ast::SelectItem& item : q.select) {
    if (item.kind == ast::SelectItem::Kind::kAllColumns) {
      for (const ScopeColumn& c : input_scope.columns) {
        if (c.pseudo || c.window_bound) continue;
        ast::Expr ref;
        ref.kind = ExprKind::kColumnRef;
        ref.name = c.name;
        ref.qualifier = c.qualifier;
        if (ctx.GroupIndex(ref) < 0) ungrouped.push_back(c.name);
      }
    } else if (ctx.UsesUngrouped(*item.expr)) {
      ungrouped.push_back(ast::FormatExpr(*item.expr));
    }
  }
  if (!ungrouped.empty()) {
    std::string listed;
    for (size_t i = 0; i < ungrouped.size(); ++i) listed += (i ? ", " : "") + ungrouped[i];
    return InvalidArgument("Non-aggregate SELECT expression(s) not part of GROUP BY: " + listed +
                               "\nEither add the column(s) to the GROUP BY or remove them from "
                               "the SELECT.",
                           q.range);
  }
  if (q.window) {
    agg.window = ToWindowSpec(*q.window);
    const WindowStepSpec& w = *agg.window;
    if (w.size_ms <= 0) {
      return InvalidArgument("The window size must be positive.", q.window->range);
    }
    if (w.type == WindowStepSpec::Type::kHopping &&
        (w.advance_ms <= 0 || w.advance_ms > w.size_ms)) {
      return InvalidArgument(
          "A HOPPING window's ADVANCE BY must be positive and not larger than "
          "its SIZE.",
          q.window->range);
    }
    if (w.retention_ms && *w.retention_ms < w.size_ms + w.grace_ms.value_or(0)) {
      return InvalidArgument(
          "A window's RETENTION must be at least its SIZE plus its GRACE "
          "PERIOD.",
          q.window->range);
    }
  }
  // The output row and its scope.
  const std::string& alias = q.from.alias;
  int slot = 0;
  for (size_t k = 0; k < agg.group_by.size(); ++k) {
    agg.output_scope.columns.push_back(
        {alias, agg.key_names[k], agg.group_by[k]->type, slot++, ColumnNamespace::kKey});
  }
  slot += static_cast<int>(agg.calls.size());
  if (agg.window) {
    agg.output_scope.columns.push_back(
        {alias, kWindowstart, SqlType::Bigint(), slot++, ColumnNamespace::kKey, false, true});
    agg.output_scope.columns.push_back(
        {alias, kWindowend, SqlType::Bigint(), slot++, ColumnNamespace::kKey, false, true});
  }
  agg.output_scope.row_width = slot;
  ProjectionInput in;
  in.scope = agg.output_scope;
  in.allow_window_bounds = agg.window.has_value();
  for (size_t k = 0; k < agg.group_by.size(); ++k) {
    in.key_schema.key.push_back(
        {agg.key_names[k], agg.group_by[k]->type, ColumnNamespace::kKey, std::nullopt});
  }
  // HAVING, over the output row.
  if (q.having) {
    if (ctx.UsesUngrouped(*q.having)) {
      return InvalidArgument("Non-aggregate HAVING expression not part of GROUP BY: " +
                                 ast::FormatExpr(*q.having),
                             q.having->range);
    }
    ExpressionBinder having_binder(agg.output_scope, functions, catalog, "HAVING");
    // ksqlDB allows window bounds only in the SELECT clause of a windowed aggregation.
    having_binder.set_allow_window_bounds(false);
    const AggregateContext& c = ctx;
    having_binder.set_substitution([&c](const ast::Expr& e) { return c.Substitute(e); });
    ASSIGN_OR_RETURN(agg.having, BindPredicate(having_binder, *q.having, "HAVING"));
  }
  bq.aggregation = std::move(agg);
  // The projection's substitution reads the stored aggregation (stable from here on).
  auto shared = std::make_shared<AggregateContext>(std::move(ctx));
  shared->agg = *bq.aggregation;
  in.substitution = [shared](const ast::Expr& e) { return shared->Substitute(e); };
  return in;
}

}  // namespace brook::analyzer
