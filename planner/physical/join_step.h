// join_v1 (declaration): joins two inputs on key equality. Stream-stream joins are windowed by
// WITHIN (before/after) with a grace period; stream-table and table-table joins look the other
// side up in its store. The output row is [left row..., right row...]. State stores are named
// after the step id (e.g. "Join-this-join-store" / "Join-other-join-store" for stream-stream).
// brook's runtime does not execute this step yet: TopologyBuilder rejects it by name.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <optional>

#include "common/status.h"
#include "planner/analyzer/bound_expr.h"
#include "planner/analyzer/function_registry.h"

namespace brook {

struct JoinStep {
  static constexpr const char* kName = "join_v1";
  enum class Type { kInner, kLeft, kRight, kOuter } type = Type::kInner;
  enum class Shape { kStreamStream, kStreamTable, kTableTable } shape = Shape::kStreamStream;
  BoundExprPtr left_key;   // over the left input row
  BoundExprPtr right_key;  // over the right input row
  std::optional<int64_t> before_ms;  // stream-stream: WITHIN
  std::optional<int64_t> after_ms;
  std::optional<int64_t> grace_ms;
  int left_width = 0;
  int right_width = 0;

  nlohmann::json ToJson() const;
  static Result<JoinStep> FromJson(const nlohmann::json& j, const FunctionRegistry& functions);
};

}  // namespace brook
