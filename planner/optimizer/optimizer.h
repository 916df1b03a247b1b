// The optimizer: named passes over the logical plan, run in order. Each pass can be switched
// off with the configuration key `brook.optimizer.<name>.enabled=false` (default: on) and is
// tested alone (tests/unit/planner/optimizer_test.cc).
//
//   filter_placement  moves WHERE conjuncts that read one side of a join below the join (on
//                     the sides whose rows the join keeps), and merges stacked filters.
//   column_pruning    records on each Source which row slots later nodes read (`needed`) and
//                     which the filter right above it reads (`early`), so the decoder converts
//                     only those, and the filter's columns first.
//
// Passes never change what a query returns; the runtime reads their results instead of
// re-deriving them.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "planner/logical/logical_plan.h"
#include "planner/properties.h"

namespace brook {

struct OptimizerPass {
  const char* name;
  void (*run)(LogicalPlan& plan);
};

// The passes, in the order they run.
const std::vector<OptimizerPass>& OptimizerPasses();

void FilterPlacement(LogicalPlan& plan);
void ColumnPruning(LogicalPlan& plan);

// Runs every enabled pass. Returns the names of the passes that ran.
std::vector<std::string> Optimize(LogicalPlan& plan, const Config& config);

}  // namespace brook
