// filter_placement: a WHERE over a join is split into its conjuncts; a conjunct that reads only
// one side moves below the join onto that side, when the join keeps every row of that side
// unchanged (both sides of an INNER join, the left of a LEFT join, the right of a RIGHT join).
// Stacked filters are merged into one.
#include "planner/logical/expr_util.h"
#include "planner/optimizer/optimizer.h"

namespace brook {

namespace {

LogicalNodePtr FilterOver(LogicalNodePtr input, BoundExprPtr predicate) {
  if (input->kind == LogicalKind::kFilter) {  // merge
    input->predicate = AndAll({input->predicate, predicate});
    return input;
  }
  auto f = std::make_shared<LogicalNode>();
  f->kind = LogicalKind::kFilter;
  f->inputs = {std::move(input)};
  f->predicate = std::move(predicate);
  return f;
}

// Returns the node that replaces `node` in its parent.
LogicalNodePtr Place(LogicalNodePtr node) {
  for (auto& in : node->inputs) in = Place(in);
  if (node->kind != LogicalKind::kFilter) return node;
  LogicalNodePtr below = node->inputs[0];
  if (below->kind == LogicalKind::kFilter) return FilterOver(below, node->predicate);
  if (below->kind != LogicalKind::kJoin) return node;
  int left_width = below->inputs[0]->OutputWidth();
  int right_end = left_width + below->inputs[1]->OutputWidth();  // the join's key slot follows
  ast::JoinType type = below->join.type;
  bool left_ok = type == ast::JoinType::kInner || type == ast::JoinType::kLeft;
  bool right_ok = type == ast::JoinType::kInner || type == ast::JoinType::kRight;
  std::vector<BoundExprPtr> conjuncts, stay, to_left, to_right;
  SplitConjuncts(node->predicate, conjuncts);
  for (const auto& c : conjuncts) {
    auto [lo, hi] = ColumnRange(*c);
    if (lo >= 0 && hi < left_width && left_ok) {
      to_left.push_back(c);
    } else if (lo >= left_width && hi < right_end && right_ok) {
      to_right.push_back(ShiftColumns(c, -left_width));
    } else {
      stay.push_back(c);
    }
  }
  if (!to_left.empty()) below->inputs[0] = FilterOver(below->inputs[0], AndAll(to_left));
  if (!to_right.empty()) below->inputs[1] = FilterOver(below->inputs[1], AndAll(to_right));
  if (stay.empty()) return below;
  node->predicate = AndAll(stay);
  return node;
}

}  // namespace

void FilterPlacement(LogicalPlan& plan) {
  if (plan.root) plan.root = Place(plan.root);
}

}  // namespace brook
