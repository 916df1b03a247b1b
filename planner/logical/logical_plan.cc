#include "planner/logical/logical_plan.h"

#include <functional>

namespace brook {

int LogicalNode::OutputWidth() const {
  switch (kind) {
    case LogicalKind::kSource: return source.scope.row_width - slot_offset;
    // The left row, the right row, then the join's key (BoundJoin::key_slot).
    case LogicalKind::kJoin:
      return inputs[0]->OutputWidth() + inputs[1]->OutputWidth() + 1;
    case LogicalKind::kRekey: return static_cast<int>(rekey.key_exprs.size() + rekey.carried.size());
    case LogicalKind::kAggregate: return aggregation.output_scope.row_width;
    case LogicalKind::kProject: return static_cast<int>(key_exprs.size() + value_exprs.size());
    case LogicalKind::kFlatMap:
      return inputs[0]->OutputWidth() + static_cast<int>(table_functions.size());
    default: return inputs.empty() ? 0 : inputs[0]->OutputWidth();
  }
}

namespace {

LogicalNodePtr Node(LogicalKind kind, std::vector<LogicalNodePtr> inputs) {
  auto n = std::make_shared<LogicalNode>();
  n->kind = kind;
  n->inputs = std::move(inputs);
  return n;
}

LogicalNodePtr SourceNode(const BoundSource& s) {
  auto n = Node(LogicalKind::kSource, {});
  n->source = s;
  n->slot_offset = s.scope.columns.empty() ? 0 : s.scope.columns.front().index;
  int width = n->source.scope.row_width - n->slot_offset;
  // Before column pruning everything is read, and read before any filter.
  n->needed.assign(width, true);
  n->early.assign(width, true);
  return n;
}

}  // namespace

LogicalPlan BuildLogicalPlan(BoundQuery q) {
  LogicalNodePtr node = SourceNode(q.from);
  for (const BoundJoin& j : q.joins) {
    auto join = Node(LogicalKind::kJoin, {node, SourceNode(j.right)});
    join->join = j;
    node = join;
  }
  if (q.where) {
    node = Node(LogicalKind::kFilter, {node});
    node->predicate = q.where;
  }
  if (q.rekey) {
    node = Node(LogicalKind::kRekey, {node});
    node->rekey = *q.rekey;
  }
  if (q.aggregation) {
    node = Node(LogicalKind::kAggregate, {node});
    node->aggregation = *q.aggregation;
  }
  if (!q.table_functions.empty()) {
    node = Node(LogicalKind::kFlatMap, {node});
    node->table_functions = q.table_functions;
  }
  auto project = Node(LogicalKind::kProject, {node});
  project->key_exprs = q.key_exprs;
  project->value_exprs = q.value_exprs;
  project->select_order = q.select_order;
  node = project;
  if (q.persistent()) {
    node = Node(LogicalKind::kSink, {node});
    node->target = q.target;
  }
  return LogicalPlan{node, std::move(q)};
}

std::vector<LogicalNode*> PostOrder(const LogicalPlan& plan) {
  std::vector<LogicalNode*> out;
  // Iterative post-order: a plan's depth is small, but nothing here needs recursion.
  std::vector<std::pair<LogicalNode*, size_t>> stack;
  if (plan.root) stack.push_back({plan.root.get(), 0});
  while (!stack.empty()) {
    auto& [node, next] = stack.back();
    if (next < node->inputs.size()) {
      LogicalNode* child = node->inputs[next++].get();
      stack.push_back({child, 0});
      continue;
    }
    out.push_back(node);
    stack.pop_back();
  }
  return out;
}

std::string Describe(const LogicalPlan& plan) {
  static const char* kNames[] = {"Source", "Filter", "Rekey",   "Aggregate",
                                 "Join",   "FlatMap", "Project", "Sink"};
  std::string s;
  for (const LogicalNode* n : PostOrder(plan)) {
    s += kNames[static_cast<int>(n->kind)];
    switch (n->kind) {
      case LogicalKind::kSource: s += " " + n->source.source->name; break;
      case LogicalKind::kFilter: s += " " + n->predicate->text; break;
      case LogicalKind::kSink: s += " " + n->target; break;
      default: break;
    }
    s += "\n";
  }
  return s;
}

}  // namespace brook
