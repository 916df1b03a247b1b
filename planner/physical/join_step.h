// join_v1: joins two inputs on key equality; the output row is [left row..., right row..., key]:
// the key is the join key's value (the left key, or the right key where there is no left row).
//  - stream-stream: windowed by WITHIN (a left record at t matches right records in
//    [t - before, t + after]); with a GRACE PERIOD unmatched outer rows wait until their window
//    closes, without one they are emitted at once (ksqlDB's legacy behaviour);
//  - stream-table: a stream row looks its key up in the table side's store;
//  - table-table: on the primary key of both, or (foreign_key) on a column of the left table
//    that names the right table's primary key.
// `left_key` is bound over the left input row, `right_key` over the right input row. Both
// inputs arrive partitioned by the join key (repartition_v1 steps before the join see to it),
// so one task sees every row of a key. State stores are named after the step id
// ("<id>-left-store", "<id>-right-store"); see runtime/operators/join_operator.h.
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
  bool windowed = false;     // both sides are windowed: the window is part of the key
  bool foreign_key = false;  // table-table: left_key is not the left table's primary key
  int left_key_columns = 0;  // foreign_key: the left table's key columns (the left row's first)

  bool stream_stream() const { return shape == Shape::kStreamStream; }

  nlohmann::json ToJson() const;
  static Result<JoinStep> FromJson(const nlohmann::json& j, const FunctionRegistry& functions);
};

}  // namespace brook
