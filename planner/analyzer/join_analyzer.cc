// JOIN analysis: resolves each joined source, lays its columns after the left's in the input
// row, and checks the join criteria with ksqlDB's rules and messages (one equality between
// expressions of the two sides, matching types, table keys, WITHIN for stream-stream joins,
// windowing and formats).
#include <algorithm>
#include <set>

#include "planner/analyzer/analyzer_internal.h"
#include "planner/analyzer/query_analyzer.h"

namespace brook::analyzer {

namespace {

using ast::ExprKind;

// The aliases of the sources an expression references. Unqualified columns are attributed to
// the source (among `scope`) that has a column of that name.
void ReferencedSources(const ast::Expr& e, const Scope& scope, std::set<std::string>& out) {
  if (e.kind == ExprKind::kColumnRef) {
    if (!e.qualifier.empty()) {
      out.insert(e.qualifier);
      return;
    }
    for (const ScopeColumn& c : scope.columns) {
      if (c.name == e.name && !c.pseudo) out.insert(c.qualifier);
    }
    return;
  }
  if (e.kind == ExprKind::kLambda) return;
  for (const auto& c : e.children) ReferencedSources(*c, scope, out);
}

const char* JoinWords(ast::JoinType t) {
  switch (t) {
    case ast::JoinType::kInner: return "[INNER] JOIN";
    case ast::JoinType::kLeft: return "LEFT [OUTER] JOIN";
    case ast::JoinType::kRight: return "RIGHT [OUTER] JOIN";
    case ast::JoinType::kOuter:
      return "[FULL] OUTER JOIN";
  }
  return "JOIN";
}

const char* WindowName(const std::optional<WindowInfo>& w) {
  if (!w) return "not windowed";
  switch (w->type) {
    case WindowInfo::Type::kTumbling: return "TUMBLING windowed";
    case WindowInfo::Type::kHopping: return "HOPPING windowed";
    case WindowInfo::Type::kSliding:
      return "SLIDING windowed";
    case WindowInfo::Type::kSession: return "SESSION windowed";
  }
  return "windowed";
}

// Is `e` exactly the single key column of `source`?
bool IsKeyColumn(const BoundExprPtr& e, const BoundSource& source) {
  if (e->kind != BoundKind::kColumn || source.source->schema.key.size() != 1) return false;
  for (const ScopeColumn& c : source.scope.columns) {
    if (c.index == e->index) return c.ns == ColumnNamespace::kKey && !c.window_bound;
  }
  return false;
}

}  // namespace

Status AnalyzeJoins(const ast::Query& q, const Catalog& catalog, const FunctionRegistry& functions,
                    BoundQuery& bq, Scope& scope) {
  std::vector<const BoundSource*> sources = {&bq.from};
  std::set<std::string> names = {bq.from.source->name};
  std::vector<std::string> kafka_formats;
  if (bq.from.source->value_format.name == "KAFKA") kafka_formats.push_back(bq.from.source->name);
  bq.joins.reserve(q.joins.size());
  for (const ast::JoinClause& j : q.joins) {
    DataSourcePtr right = catalog.Find(j.right.name);
    if (!right) return InvalidArgument(j.right.name + " does not exist.", j.right.range);
    if (q.joins.size() == 1 && right->name == bq.from.source->name) {
      return InvalidArgument("Can not join '" + right->name + "' to '" + right->name +
                                 "': self joins are not yet supported.",
                             j.right.range);
    }
    if (!names.insert(right->name).second) {
      return InvalidArgument("N-way joins do not support multiple occurrences of the same "
                             "source. Source: '" + right->name + "'",
                             j.right.range);
    }
    const DataSource& left = *bq.from.source;
    if (left.window.has_value() != right->window.has_value()) {
      return InvalidArgument("Can not join windowed source to non-windowed source.\n`" +
                                 bq.from.alias + "` is " + WindowName(left.window) + "\n`" +
                                 j.right.alias + "` is " + WindowName(right->window),
                             j.range);
    }
    if (left.window && right->window &&
        (left.window->type == WindowInfo::Type::kSession) !=
            (right->window->type == WindowInfo::Type::kSession)) {
      auto type_name = [](const WindowInfo& w) {
        switch (w.type) {
          case WindowInfo::Type::kTumbling:
            return "TUMBLING";
          case WindowInfo::Type::kHopping:
            return "HOPPING";
          case WindowInfo::Type::kSliding:
            return "SLIDING";
          case WindowInfo::Type::kSession:
            return "SESSION";
        }
        return "";
      };
      return InvalidArgument(std::string("Incompatible windowed sources.\nLeft source: ") +
                                 type_name(*left.window) +
                                 "\nRight source: " + type_name(*right->window) +
                                 "\nSession windowed sources can only be joined to other session "
                                 "windowed sources, and may still not result in expected "
                                 "behaviour as session bounds must be an exact match for the join "
                                 "to work\nHopping and tumbling windowed sources can only be "
                                 "joined to other hopping and tumbling windowed sources",
                             j.range);
    }
    if (right->value_format.name == "KAFKA") kafka_formats.push_back(right->name);
    BoundJoin bj;
    bj.type = j.type;
    bj.range = j.range;
    bj.right = {right, j.right.alias,
                Scope::ForSource(j.right.alias, right->schema, right->window.has_value(),
                                 scope.row_width),
                j.right.range};
    scope.Append(bj.right.scope);
    bj.key_slot = scope.row_width++;
    if (j.within_before) bj.before_ms = j.within_before->millis;
    if (j.within_after) bj.after_ms = j.within_after->millis;
    if (j.grace) bj.grace_ms = j.grace->millis;
    bq.joins.push_back(std::move(bj));
    sources.push_back(&bq.joins.back().right);
  }
  if (!kafka_formats.empty()) {
    std::string listed;
    for (size_t i = 0; i < kafka_formats.size(); ++i) listed += (i ? ", " : "") + kafka_formats[i];
    return InvalidArgument("Source(s) " + listed + " are using the 'KAFKA' value format. This "
                           "format does not yet support JOIN.",
                           q.range);
  }
  // Criteria, checked after every source is known (a criteria may name any earlier source).
  for (size_t n = 0; n < q.joins.size(); ++n) {
    const ast::JoinClause& j = q.joins[n];
    BoundJoin& bj = bq.joins[n];
    const ast::Expr& c = *j.criteria;
    std::string criteria_text = ast::FormatExpr(c);
    if (c.kind == ExprKind::kAnd) {
      return InvalidArgument("Invalid join condition: joins on multiple conditions are not yet "
                             "supported. Got " + criteria_text + ".",
                             c.range);
    }
    if (c.kind != ExprKind::kComparison || c.op != "=") {
      return InvalidArgument("Unsupported join expression: " + criteria_text +
                                 ". Joins require an equality between the two sides.",
                             c.range);
    }
    {
      // Unknown or ambiguous columns are reported as the binder words them.
      ExpressionBinder check(scope, functions, catalog, "JOIN ON");
      check.set_allow_window_bounds(false);
      // ksqlDB reports an unknown qualifier (found while building the AST) before the rest.
      std::optional<Status> first;
      for (const auto& side : c.children) {
        auto bound = check.Bind(*side);
        if (bound.ok() || bound.status().code() == StatusCode::kNotFound) continue;
        bool qualifier =
            bound.status().message().find("is not a valid stream/table name") != std::string::npos;
        if (qualifier) return bound.status();
        if (!first) first = bound.status();
      }
      if (first) return *first;
    }
    std::set<std::string> left_refs, right_refs;
    ReferencedSources(*c.children[0], scope, left_refs);
    ReferencedSources(*c.children[1], scope, right_refs);
    for (const auto* side : {&left_refs, &right_refs}) {
      if (side->size() != 1) {
        const ast::Expr& bad = side == &left_refs ? *c.children[0] : *c.children[1];
        return InvalidArgument("Invalid comparison expression '" + ast::FormatExpr(bad) +
                                   "' in join '" + criteria_text + "'. Each side of the join "
                                   "comparision must contain references from exactly one source.",
                               c.range);
      }
    }
    if (*left_refs.begin() == *right_refs.begin()) {
      return InvalidArgument("Each side of the join must reference exactly one source and not "
                             "the same source. Left side references `" + *left_refs.begin() +
                                 "` and right references `" + *right_refs.begin() + "`",
                             c.range);
    }
    // Which side names this join's right source?
    const ast::Expr* left_expr = c.children[0].get();
    const ast::Expr* right_expr = c.children[1].get();
    std::string left_alias = *left_refs.begin();
    bool swapped = false;
    if (left_alias == j.right.alias) {
      std::swap(left_expr, right_expr);
      left_alias = *right_refs.begin();
      swapped = true;
    } else if (*right_refs.begin() != j.right.alias) {
      return InvalidArgument("A join criteria is expected to reference the source (`" +
                                 j.right.alias + "`) in the FROM clause, instead the right "
                                 "source references `" + *right_refs.begin() + "` and the left "
                                 "source references `" + *left_refs.begin() + "`",
                             c.range);
    }
    // The other side must be a source joined before this one (the FROM source or an earlier
    // join's right side): its columns are the ones this join's left input has.
    bool earlier = left_alias == q.from.alias;
    for (size_t m = 0; m < n && !earlier; ++m) earlier = q.joins[m].right.alias == left_alias;
    if (!earlier) {
      return InvalidArgument("A join criteria is expected to reference the source (`" +
                                 j.right.alias + "`) and a source joined before it, instead it "
                                 "references `" + left_alias + "`, which is joined later.",
                             c.range);
    }
    ExpressionBinder binder(scope, functions, catalog, "JOIN ON");
    binder.set_allow_window_bounds(false);
    ASSIGN_OR_RETURN(bj.left_key, binder.Bind(*left_expr));
    ASSIGN_OR_RETURN(bj.right_key, binder.Bind(*right_expr));
    bj.left_text = QualifiedText(*left_expr, left_alias);
    bj.right_text = QualifiedText(*right_expr, j.right.alias);
    // The criteria as written, for messages that quote it.
    bj.written_text =
        swapped ? bj.right_text + " = " + bj.left_text : bj.left_text + " = " + bj.right_text;
  }
  // Then the rules on each join's sides, in order.
  for (size_t n = 0; n < q.joins.size(); ++n) {
    const ast::JoinClause& j = q.joins[n];
    BoundJoin& bj = bq.joins[n];
    const ast::Expr& c = *j.criteria;
    const std::string& left_text = bj.left_text;
    const std::string& right_text = bj.right_text;
    if (!TypesEqual(bj.left_key->type, bj.right_key->type)) {
      return InvalidArgument("Invalid join condition: types don't match. Got " + left_text + "{" +
                                 TypeName(bj.left_key->type) + "} = " + right_text + "{" +
                                 TypeName(bj.right_key->type) + "}.",
                             c.range);
    }
    const DataSource& left = *bq.from.source;
    const DataSource& right = *bj.right.source;
    if (left.is_table && !right.is_table) {
      return InvalidArgument("Invalid join order: table-stream joins are not supported; only "
                             "stream-table joins. Got " + left.name + " " + JoinWords(j.type) +
                                 " " + right.name + ".",
                             j.range);
    }
    if (!left.is_table && right.is_table &&
        (j.type == ast::JoinType::kOuter || j.type == ast::JoinType::kRight)) {
      return InvalidArgument(std::string("Invalid join type: ") +
                                 (j.type == ast::JoinType::kOuter ? "full-outer" : "right-outer") +
                                 " join not supported for stream-table join. Got " + left.name +
                                 " " + JoinWords(j.type) + " " + right.name + ".",
                             j.range);
    }
    if (!left.is_table && !right.is_table && !j.within_before) {
      return InvalidArgument("Stream-Stream joins must have a WITHIN clause specified. None was "
                             "provided. To learn about how to specify a WITHIN clause with a "
                             "stream-stream join, please visit: https://docs.confluent.io/"
                             "current/ksql/docs/syntax-reference.html#create-stream-as-select",
                             j.range);
    }
    if (!left.is_table && right.is_table && !IsKeyColumn(bj.right_key, bj.right)) {
      return InvalidArgument(
          "Invalid join condition: stream-table joins require to join on the "
          "table's primary key. Got " +
              bj.written_text + ".",
          c.range);
    }
    if (left.is_table && right.is_table && !IsKeyColumn(bj.right_key, bj.right)) {
      return InvalidArgument(
          "Invalid join condition: table-table joins require to join on the "
          "primary key of the right input table. Got " +
              bj.written_text + ".",
          c.range);
    }
    if (left.is_table && right.is_table && !IsKeyColumn(bj.left_key, bq.from) &&
        j.type == ast::JoinType::kRight) {
      return InvalidArgument("RIGHT OUTER JOIN on a foreign key is not supported", j.range);
    }
    if (left.is_table && right.is_table && !IsKeyColumn(bj.left_key, bq.from) &&
        (left.window || right.window)) {
      return InvalidArgument(
          "Foreign-key table-table joins are not supported on windowed "
          "tables.",
          j.range);
    }
  }
  // A foreign-key join: keyed by the left table's primary key. It may only start an N-way join.
  for (size_t n = 0; n < bq.joins.size(); ++n) {
    const BoundJoin& j = bq.joins[n];
    if (!bq.from.source->is_table || !j.right.source->is_table) continue;
    if (n > 0 && !IsKeyColumn(j.left_key, bq.from) &&
        !IsKeyColumn(j.left_key, bq.joins[n - 1].right)) {
      return InvalidArgument(
          "Invalid join condition: foreign-key table-table joins are not "
          "supported as part of n-way joins. Got " +
              j.written_text + ".",
          j.range);
    }
  }
  for (const BoundJoin& j : bq.joins) {
    if (&j != &bq.joins.back()) continue;
    if (bq.joins.size() == 1 && bq.from.source->is_table && j.right.source->is_table &&
        !IsKeyColumn(j.left_key, bq.from)) {
      bq.fk_key_slots.clear();
      for (const ScopeColumn& c : bq.from.scope.columns) {
        if (c.ns == ColumnNamespace::kKey && !c.pseudo && !c.window_bound) {
          bq.fk_key_slots.push_back(c.index);
        }
      }
      return Status::Ok();
    }
  }
  // The result's key: the last join's key columns — and the earlier joins' whose key the last
  // one continues (its left side is one of theirs: same column or same expression), since
  // those hold the same value. A synthetic key when there is no such column, or for FULL.
  const BoundJoin& last = bq.joins.back();
  std::vector<std::string> key_texts;
  for (size_t n = bq.joins.size(); n-- > 0;) {
    const BoundJoin& j = bq.joins[n];
    if (j.left_key->kind == BoundKind::kColumn) {
      bq.join_key_columns.push_back(j.left_key->index);
      key_texts.push_back(j.left_text);
    }
    if (j.right_key->kind == BoundKind::kColumn) {
      bq.join_key_columns.push_back(j.right_key->index);
      key_texts.push_back(j.right_text);
    }
    if (n == 0) break;
    const BoundJoin& prev = bq.joins[n - 1];
    if (prev.type == ast::JoinType::kOuter ||
        (j.left_text != prev.left_text && j.left_text != prev.right_text)) {
      break;
    }
  }
  if (last.type == ast::JoinType::kOuter || bq.join_key_columns.empty()) {
    bq.join_key_columns.clear();
    std::set<std::string> used;
    for (const ScopeColumn& c : scope.columns) used.insert(c.name);
    std::string name = "ROWKEY";
    for (int n = 1; used.count(name); ++n) name = "ROWKEY_" + std::to_string(n);
    bq.synthetic_key = name;
    scope.columns.push_back({"", name, last.left_key->type, last.key_slot, ColumnNamespace::kKey});
  } else {
    // Messages list them first join first, left before right.
    std::vector<std::pair<int, std::string>> ordered;
    for (size_t i = 0; i < key_texts.size(); ++i) {
      ordered.emplace_back(bq.join_key_columns[i], key_texts[i]);
    }
    std::stable_sort(ordered.begin(), ordered.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    bq.join_key_texts.clear();
    bq.join_key_columns.clear();
    for (const auto& [slot, text] : ordered) {
      if (!bq.join_key_columns.empty() && bq.join_key_columns.back() == slot) continue;
      bq.join_key_columns.push_back(slot);
      bq.join_key_texts.push_back(text);
    }
  }
  return Status::Ok();
}

}  // namespace brook::analyzer
