// ExpressionBinder: ast::Expr -> BoundExpr. Resolves columns against a Scope, checks types with
// ksqlDB's rules and messages, resolves functions through the FunctionRegistry.
#pragma once

#include <functional>
#include <string>

#include "common/status.h"
#include "parser/ast/expression.h"
#include "planner/analyzer/bound_expr.h"
#include "planner/analyzer/catalog.h"
#include "planner/analyzer/function_registry.h"
#include "planner/analyzer/scope.h"

namespace brook {

class ExpressionBinder {
 public:
  // `clause` names the clause in messages: "SELECT", "WHERE", "PARTITION BY", ...
  ExpressionBinder(const Scope& scope, const FunctionRegistry& functions, const Catalog& catalog,
                   std::string clause)
      : scope_(scope), functions_(functions), catalog_(catalog), clause_(std::move(clause)) {}

  Result<BoundExprPtr> Bind(const ast::Expr& expr);

  // When false, WINDOWSTART/WINDOWEND references are rejected (ksqlDB allows them only in the
  // SELECT of windowed aggregations).
  void set_allow_window_bounds(bool allow) { allow_window_bounds_ = allow; }
  // Inside a windowed aggregation but outside its SELECT: WINDOWSTART/WINDOWEND are named as
  // such in the error even when the input row has no such column.
  void set_in_windowed_aggregation(bool in) { in_windowed_aggregation_ = in; }

  // Called for every node before it is bound; a non-null result is used as the node's binding.
  // The aggregate analyzer maps aggregate calls and GROUP BY expressions to the aggregate's
  // output columns this way.
  using Substitution = std::function<Result<BoundExprPtr>(const ast::Expr&)>;
  void set_substitution(Substitution substitution) { substitution_ = std::move(substitution); }

 private:
  Result<BoundExprPtr> BindColumn(const ast::Expr& e);
  Result<BoundExprPtr> BindFunction(const ast::Expr& e);
  // TRANSFORM / FILTER / REDUCE: binds the collection (and REDUCE's initial state) first, then
  // each lambda with parameter types taken from them, then checks the lambda results the way
  // ksqlDB resolves the invocation function's generic signature.
  Result<BoundExprPtr> BindHigherOrder(const ast::Expr& e, const ScalarFunction& fn);
  // Binds a lambda whose parameters have the types `params`. Each parameter gets a slot of its
  // own (unique within this binder), so nested lambdas and captured outer parameters never
  // share storage at run time.
  Result<BoundExprPtr> BindLambda(const ast::Expr& lambda, const std::vector<TypePtr>& params);
  bool IsTimeColumn(const ast::Expr& e) const;
  // ROWTIME >= '2020-01-01T00:00:00': the string literal becomes epoch milliseconds.
  Status CoerceTimeLiteral(const ast::Expr& e, BoundExprPtr& bound);
  // x IN ('1', 2): a string literal is converted to the numeric/boolean type of x.
  Status CoerceLiteral(const ast::Expr& e, const TypePtr& target, BoundExprPtr& bound);
  // x IN (...): each item must compare with `=` against x; literals are converted as ksqlDB
  // does ('10' against INT, 10 against STRING, ARRAY['1'] against ARRAY<BIGINT>).
  // ARRAY[1, '2'] / MAP('a' := 1, 'b' := '2'): string literals among numeric or boolean
  // elements (every `step`-th child from `first`) become that type.
  Status CoerceStringLiterals(const std::vector<ast::ExprPtr>& exprs,
                              std::vector<BoundExprPtr>& kids, size_t first, size_t step);
  Status CoerceInItem(const ast::Expr& e, const TypePtr& target, BoundExprPtr& bound);
  Status CheckComparable(const ast::Expr& e, const BoundExprPtr& l, const BoundExprPtr& r,
                         const std::string& op_name);

  const Scope& scope_;
  const FunctionRegistry& functions_;
  const Catalog& catalog_;
  std::string clause_;
  bool allow_window_bounds_ = true;
  bool in_windowed_aggregation_ = false;
  Substitution substitution_;
  // Lambda parameters in scope, innermost last: name -> (slot, type). They shadow columns.
  std::vector<std::pair<std::string, std::pair<int, TypePtr>>> lambda_vars_;
  int next_lambda_slot_ = 0;
};

// Resolves an AST type to a SqlType (custom types from the catalog).
Result<TypePtr> ResolveType(const ast::TypeNode& node, const Catalog& catalog);

// Common super type of two types for CASE, ARRAY[...], IN, COALESCE: numeric widening
// (INT < BIGINT < DECIMAL < DOUBLE), otherwise types must be equal. Null args are ignored.
Result<TypePtr> CommonType(const TypePtr& a, const TypePtr& b);

// Whether CAST(from AS to) is allowed.
bool CanCast(const TypePtr& from, const TypePtr& to);

// Whether a value of `from` may be used where `to` is expected without an explicit cast
// (numeric widening; NULL goes anywhere).
bool CanImplicitlyCast(const TypePtr& from, const TypePtr& to);

// Result type of DECIMAL arithmetic, following ksqlDB (capped at precision 38).
TypePtr DecimalArithmeticType(ArithOp op, const TypePtr& a, const TypePtr& b);

}  // namespace brook
