// select_v1: evaluates the output key and value columns over its input row. `select_order`
// lists the SELECT items in the order a push query prints them: (is_key, index into
// key_exprs or value_exprs).
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <utility>
#include <vector>

#include "common/status.h"
#include "planner/analyzer/bound_expr.h"
#include "planner/analyzer/function_registry.h"

namespace brook {

struct ProjectStep {
  static constexpr const char* kName = "select_v1";
  std::vector<BoundExprPtr> key_exprs;
  std::vector<BoundExprPtr> value_exprs;
  std::vector<std::pair<bool, int>> select_order;

  nlohmann::json ToJson() const;
  static Result<ProjectStep> FromJson(const nlohmann::json& j, const FunctionRegistry& functions);
};

}  // namespace brook
