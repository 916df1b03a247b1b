// PhysicalPlanner: logical plan -> PhysicalPlan. Names every step (its StepId), fixes the
// Kafka detail the logical plan leaves out — source and sink topics, key and value formats,
// partitions, the record-time column — and applies ksqlDB's rules on sinks (CSAS/CTAS result
// types, INSERT INTO schema compatibility, format checks). For CREATE ... AS SELECT it also
// returns the catalog entry of the new stream or table.
#pragma once

#include <optional>

#include "common/status.h"
#include "planner/logical/logical_plan.h"
#include "planner/physical/physical_plan.h"
#include "planner/properties.h"

namespace brook {

struct PhysicalPlanResult {
  PhysicalPlan plan;
  NewDataSourcePtr sink_source;  // kCreateAs: the catalog entry to register
  std::optional<int> sink_replicas;
};

Result<PhysicalPlanResult> BuildPhysicalPlan(const LogicalPlan& logical,
                                             const QueryPlanRequest& request,
                                             const Config& config);

}  // namespace brook
