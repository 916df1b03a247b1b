// flat_map_v1: table functions (EXPLODE, CUBE_EXPLODE, ...) in the SELECT. Each input row
// becomes one row per value the calls return; several calls are zipped, the shorter padded
// with NULL; a row whose calls return nothing produces no row. The output row is the input row
// followed by one column per call. A call that fails is logged and its input row skipped.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "common/status.h"
#include "planner/analyzer/bound_expr.h"
#include "planner/analyzer/function_registry.h"

namespace brook {

struct TableFunctionCall {
  const TableFunction* function = nullptr;
  std::vector<BoundExprPtr> args;  // over the step's input row
  TypePtr type;                    // the type of each value it returns
  std::string text;                // SQL text, for messages
};

struct FlatMapStep {
  static constexpr const char* kName = "flat_map_v1";
  std::vector<TableFunctionCall> calls;

  nlohmann::json ToJson() const;
  static Result<FlatMapStep> FromJson(const nlohmann::json& j, const FunctionRegistry& functions);
};

}  // namespace brook
