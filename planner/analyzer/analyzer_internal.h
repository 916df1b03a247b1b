// Pieces of the query analyzer shared by its files (query_analyzer.cc, aggregate_analyzer.cc,
// join_analyzer.cc). Internal to planner/analyzer.
#pragma once

#include <string>
#include <vector>

#include "planner/analyzer/bound_query.h"
#include "planner/analyzer/expression_binder.h"
#include "planner/properties.h"

namespace brook::analyzer {

// What the projection binds over, and which of its columns are keys.
struct ProjectionInput {
  Scope scope;
  LogicalSchema key_schema;  // the key columns (names and types) of that input
  bool allow_window_bounds = false;
  ExpressionBinder::Substitution substitution;  // aggregate calls and GROUP BY expressions
  // For a join: the join key's slot(s) in the input row; a projected column at one of them is
  // the output key.
  std::vector<int> join_key_slots;
};

// Binds the JOINs of `q`: appends each right source's columns to `scope` (after the left's)
// and fills `bq.joins`.
Status AnalyzeJoins(const ast::Query& q, const Catalog& catalog, const FunctionRegistry& functions,
                    BoundQuery& bq, Scope& scope);

// Binds GROUP BY, the aggregate calls of SELECT and HAVING, WINDOW and HAVING; fills
// `bq.aggregation` and returns what the projection binds over. `config` supplies the aggregate
// functions' configured limits (ksql.functions.collect_list.limit, ...).
Result<ProjectionInput> AnalyzeAggregation(const ast::Query& q, const Catalog& catalog,
                                           const FunctionRegistry& functions,
                                           const Scope& input_scope, const Config& config,
                                           BoundQuery& bq);

// Binds a WHERE or HAVING predicate with ksqlDB's messages: type errors are prefixed
// "Error in <clause> expression: ", and a non-boolean result is refused.
Result<BoundExprPtr> BindPredicate(ExpressionBinder& binder, const ast::Expr& predicate,
                                   const std::string& clause);

// "A, B and C".
std::string ListWithAnd(const std::vector<std::string>& items);

// A bound reference to a row slot.
BoundExprPtr ColumnRef(int index, TypePtr type, std::string text);

}  // namespace brook::analyzer
