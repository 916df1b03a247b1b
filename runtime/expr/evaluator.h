// Expression evaluation over a flat input row (see planner/analyzer/scope.h for the layout).
//
// Per-record failures (division by zero, bad cast input, a function's error) never throw and
// never stop a query: the failing expression yields NULL and the first error is recorded in
// EvalContext so the caller can write it to the processing log.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/value.h"
#include "planner/analyzer/bound_expr.h"

namespace brook {

struct EvalContext {
  // Values of the lambda parameters being evaluated, indexed by BoundExpr::lambda_slots
  // (grown on demand).
  std::vector<Value> lambda_slots;
  // How many lambda bodies are being evaluated. Inside a lambda, arithmetic on NULL fails the
  // way it does in ksqlDB's compiled lambdas (and so fails the whole invocation function).
  int lambda_depth = 0;
  std::string error;       // first error since the last Reset
  std::string error_expr;  // the SQL text of the expression that failed
  uint64_t failures = 0;   // failures ever recorded; never reset, compared before/after a call

  void Reset() {
    error.clear();
    error_expr.clear();
  }
  bool failed() const { return !error.empty(); }
};

Value Evaluate(const BoundExpr& e, const Value* row, EvalContext& ctx);

// SQL three-valued truth: TRUE only for a non-null true BOOLEAN.
inline bool IsTrue(const Value& v) { return v.kind() == Value::Kind::kBool && v.as_bool(); }

// LIKE matching with '%' and '_' wildcards and an optional escape character.
bool LikeMatch(std::string_view text, std::string_view pattern, std::optional<char> escape);

}  // namespace brook
