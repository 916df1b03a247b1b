#include "planner/optimizer/optimizer.h"

namespace brook {

const std::vector<OptimizerPass>& OptimizerPasses() {
  static const std::vector<OptimizerPass> kPasses = {
      {"filter_placement", &FilterPlacement},
      {"column_pruning", &ColumnPruning},
  };
  return kPasses;
}

std::vector<std::string> Optimize(LogicalPlan& plan, const Config& config) {
  std::vector<std::string> ran;
  for (const OptimizerPass& pass : OptimizerPasses()) {
    std::string key = std::string("brook.optimizer.") + pass.name + ".enabled";
    if (ConfigOr(config, key, "true") == "false") continue;
    pass.run(plan);
    ran.push_back(pass.name);
  }
  return ran;
}

}  // namespace brook
