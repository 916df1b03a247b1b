// column_pruning: which source row slots are read at all, and which by the filter right above
// the source. Walks the tree from the root, carrying the set of output slots each node's parent
// reads, and turns it into the set of input slots the node reads.
#include "planner/logical/expr_util.h"
#include "planner/optimizer/optimizer.h"

namespace brook {

namespace {

void MarkAll(const std::vector<BoundExprPtr>& exprs, std::vector<bool>& used) {
  for (const auto& e : exprs) MarkColumns(*e, used);
}

// `required`: the node's output slots its parent reads (sized to the node's output width).
void Prune(LogicalNode& node, const std::vector<bool>& required, const LogicalNode* parent) {
  std::vector<bool> in(node.inputs.empty() ? 0 : node.inputs[0]->OutputWidth(), false);
  switch (node.kind) {
    case LogicalKind::kSource: {
      node.needed = required;
      node.early.assign(required.size(), false);
      if (parent && parent->kind == LogicalKind::kFilter) {
        // The filter reads this source's own layout (slots from 0).
        MarkColumns(*parent->predicate, node.early);
      }
      // The record time comes from the TIMESTAMP column before anything else runs.
      const DataSource& src = *node.source.source;
      if (src.timestamp_column) {
        for (const ScopeColumn& c : node.source.scope.columns) {
          if (c.name == *src.timestamp_column && !c.pseudo) {
            node.needed[c.index - node.slot_offset] = true;
            node.early[c.index - node.slot_offset] = true;
          }
        }
      }
      return;
    }
    case LogicalKind::kSink:
      in.assign(in.size(), true);
      break;
    case LogicalKind::kProject:
      MarkAll(node.key_exprs, in);
      MarkAll(node.value_exprs, in);
      break;
    case LogicalKind::kFilter:
      in = required;
      MarkColumns(*node.predicate, in);
      break;
    case LogicalKind::kRekey: {
      MarkAll(node.rekey.key_exprs, in);
      size_t nk = node.rekey.key_exprs.size();
      for (size_t i = 0; i < node.rekey.carried.size(); ++i) {
        if (nk + i < required.size() && required[nk + i]) in[node.rekey.carried[i]] = true;
      }
      break;
    }
    case LogicalKind::kFlatMap:
      for (size_t i = 0; i < in.size() && i < required.size(); ++i) in[i] = required[i];
      for (const TableFunctionCall& c : node.table_functions) MarkAll(c.args, in);
      break;
    case LogicalKind::kAggregate:
      MarkAll(node.aggregation.group_by, in);
      for (const AggregateCall& c : node.aggregation.calls) MarkAll(c.args, in);
      break;
    case LogicalKind::kJoin: {
      int left_width = node.inputs[0]->OutputWidth();
      int right_width = node.inputs[1]->OutputWidth();
      std::vector<bool> all(left_width + right_width, false);
      for (size_t i = 0; i < required.size() && i < all.size(); ++i) all[i] = required[i];
      MarkColumns(*node.join.left_key, all);
      MarkColumns(*node.join.right_key, all);
      std::vector<bool> left(all.begin(), all.begin() + left_width);
      std::vector<bool> right(all.begin() + left_width, all.end());
      Prune(*node.inputs[0], left, &node);
      Prune(*node.inputs[1], right, &node);
      return;
    }
  }
  Prune(*node.inputs[0], in, &node);
}

}  // namespace

void ColumnPruning(LogicalPlan& plan) {
  if (!plan.root) return;
  std::vector<bool> all(plan.root->OutputWidth(), true);
  Prune(*plan.root, all, nullptr);
}

}  // namespace brook
