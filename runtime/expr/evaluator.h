// Expression evaluation over a flat input row (see planner/analyzer/scope.h for the layout).
//
// Per-record failures (division by zero, bad cast input, a function's error) never throw and
// never stop a query: the failing expression yields NULL and the first error is recorded in
// EvalContext so the caller can write it to the processing log.
#pragma once

#include <string>
#include <vector>

#include "common/value.h"
#include "planner/analyzer/bound_expr.h"

namespace brook {

struct EvalContext {
  std::vector<Value> lambda_slots;
  std::string error;       // first error since the last Reset
  std::string error_expr;  // the SQL text of the expression that failed

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
