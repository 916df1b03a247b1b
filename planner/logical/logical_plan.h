// The logical plan: a tree of relational operators built from a BoundQuery — Source, Filter,
// Rekey (PARTITION BY), Aggregate (+ WINDOW and HAVING), Join, Project, Sink — with no Kafka
// detail (no topics, formats or partitions; those are the physical planner's). The optimizer
// rewrites this tree; the physical planner turns it into steps.
//
// Row layouts: a Source produces the flat row of planner/analyzer/scope.h; a Join produces the
// left row followed by the right row; Rekey, Aggregate and Project produce their own layouts
// (see their fields). Expressions are bound to the layout of the node's input.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "planner/analyzer/bound_query.h"

namespace brook {

enum class LogicalKind { kSource, kFilter, kRekey, kAggregate, kJoin, kFlatMap, kProject, kSink };

struct LogicalNode;
using LogicalNodePtr = std::shared_ptr<LogicalNode>;

struct LogicalNode {
  LogicalKind kind = LogicalKind::kSource;
  std::vector<LogicalNodePtr> inputs;  // none for a source, two for a join, else one

  // kSource. `needed` / `early` are filled by column pruning: the row slots any node above
  // reads, and the slots the filter right above reads (decoded before the rest). Without the
  // pass both are all true: everything is decoded, up front.
  BoundSource source;
  int slot_offset = 0;  // where this source's slots start in the query's input row
  std::vector<bool> needed;
  std::vector<bool> early;

  BoundExprPtr predicate;  // kFilter
  BoundRekey rekey;        // kRekey
  BoundAggregation aggregation;  // kAggregate
  BoundJoin join;          // kJoin
  std::vector<TableFunctionCall> table_functions;  // kFlatMap

  // kProject: the result's key and value columns over the node's input.
  std::vector<BoundExprPtr> key_exprs;
  std::vector<BoundExprPtr> value_exprs;
  std::vector<std::pair<bool, int>> select_order;

  std::string target;  // kSink: the stream/table written

  // The row width this node produces.
  int OutputWidth() const;
};

struct LogicalPlan {
  LogicalNodePtr root;
  BoundQuery query;  // what the tree was built from (ids, output schema, limit, ...)
};

LogicalPlan BuildLogicalPlan(BoundQuery query);

// Every node of the tree, inputs before the nodes that read them.
std::vector<LogicalNode*> PostOrder(const LogicalPlan& plan);

// A readable one-line-per-node rendering, for tests and debugging.
std::string Describe(const LogicalPlan& plan);

}  // namespace brook
