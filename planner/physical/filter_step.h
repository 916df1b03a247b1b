// filter_v1: keeps the rows whose predicate is TRUE (NULL and FALSE drop the row). Over a
// table, a row that fails the predicate becomes a tombstone for its key.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include "common/status.h"
#include "planner/analyzer/bound_expr.h"
#include "planner/analyzer/function_registry.h"

namespace brook {

struct FilterStep {
  static constexpr const char* kName = "filter_v1";
  BoundExprPtr predicate;  // over the input row of this step

  nlohmann::json ToJson() const;
  static Result<FilterStep> FromJson(const nlohmann::json& j, const FunctionRegistry& functions);
};

}  // namespace brook
