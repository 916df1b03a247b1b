// QueryPlanner: a SELECT (inside CSAS/CTAS, INSERT INTO, or a transient push query) ->
// PhysicalPlan, through the stages of DESIGN.md §1:
//   AnalyzeQuery (analyzer/)  -> BoundQuery
//   BuildLogicalPlan (logical/) -> LogicalPlan
//   Optimize (optimizer/)       -> LogicalPlan, rewritten by named passes
//   BuildPhysicalPlan (physical/) -> PhysicalPlan (+ the new catalog entry for CSAS/CTAS)
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "planner/analyzer/bound_query.h"
#include "planner/analyzer/catalog.h"
#include "planner/analyzer/function_registry.h"
#include "planner/physical/physical_plan.h"
#include "planner/properties.h"

namespace brook {

struct QueryPlanResult {
  PhysicalPlan plan;
  NewDataSourcePtr sink_source;  // kCreateAs: the catalog entry to register
  std::optional<int> sink_replicas;
  // Set when the plan holds steps brook's runtime does not run yet (aggregation, windows,
  // joins, persistent queries over windowed sources): the error to report, positioned at the
  // SQL. EXPLAIN still shows such a plan.
  std::optional<Status> not_runnable;
  std::vector<std::string> optimizer_passes;  // the passes that ran
};

Result<QueryPlanResult> PlanQuery(const QueryPlanRequest& request, const Catalog& catalog,
                                  const FunctionRegistry& functions, const Config& config);

}  // namespace brook
