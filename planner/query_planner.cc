#include "planner/query_planner.h"

#include "planner/analyzer/query_analyzer.h"
#include "planner/logical/logical_plan.h"
#include "planner/optimizer/optimizer.h"
#include "planner/physical/physical_planner.h"

namespace brook {

namespace {

// What brook's runtime cannot run yet, as ksqlDB users would read it.
std::optional<Status> NotRunnable(const BoundQuery& q, const ast::Query& ast_query) {
  return std::nullopt;
}

}  // namespace

Result<QueryPlanResult> PlanQuery(const QueryPlanRequest& req, const Catalog& catalog,
                                  const FunctionRegistry& functions, const Config& config) {
  ASSIGN_OR_RETURN(BoundQuery bound, AnalyzeQuery(req, catalog, functions, config));
  std::optional<Status> not_runnable = NotRunnable(bound, *req.query);
  LogicalPlan logical = BuildLogicalPlan(std::move(bound));
  QueryPlanResult result;
  result.optimizer_passes = Optimize(logical, config);
  ASSIGN_OR_RETURN(PhysicalPlanResult physical, BuildPhysicalPlan(logical, req, config));
  result.plan = std::move(physical.plan);
  result.sink_source = std::move(physical.sink_source);
  result.sink_replicas = physical.sink_replicas;
  result.not_runnable = std::move(not_runnable);
  return result;
}

}  // namespace brook
