// Small rewrites and walks over bound expressions used by the optimizer passes. Expression depth
// is bounded by the parser's nesting limit, so the recursion here is bounded too.
#pragma once

#include <vector>

#include "planner/analyzer/bound_expr.h"

namespace brook {

// Marks in `used` every row slot `e` reads (slots outside `used` are ignored).
void MarkColumns(const BoundExpr& e, std::vector<bool>& used);

// The lowest and highest row slot `e` reads; {-1, -1} when it reads none.
std::pair<int, int> ColumnRange(const BoundExpr& e);

// `e` with every column slot moved by `delta`.
BoundExprPtr ShiftColumns(const BoundExprPtr& e, int delta);

// Splits `a AND b AND c` into its conjuncts; joins conjuncts back with AND.
void SplitConjuncts(const BoundExprPtr& e, std::vector<BoundExprPtr>& out);
BoundExprPtr AndAll(const std::vector<BoundExprPtr>& conjuncts);

}  // namespace brook
