// rekey_v1 (PARTITION BY): computes a new key from the input row and lays out the rekeyed row
//   [new key columns..., carried columns...]
// where `carried[i]` is the input-row slot copied to position key_exprs.size() + i (the value
// columns not promoted to key, the old key columns, then ROWTIME, ROWPARTITION, ROWOFFSET).
// An empty `key_exprs` is PARTITION BY NULL: the output has no key.
//
// With `repartition` set the rekeyed rows are written to the internal topic `topic`
// (_confluent-ksql-<service id>query_<query id>-<step id>-repartition, as ksqlDB names it) and the
// steps after this one form a new sub-topology that reads it: that is how a stateful step
// downstream sees every row of a key in one task. A stateless query needs no repartition topic (its
// sink is partitioned by the new key), so today's planner leaves it unset.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "common/schema.h"
#include "common/status.h"
#include "planner/analyzer/bound_expr.h"
#include "planner/analyzer/function_registry.h"

namespace brook {

struct RekeyStep {
  static constexpr const char* kName = "rekey_v1";
  std::vector<BoundExprPtr> key_exprs;
  std::vector<int> carried;
  LogicalSchema schema;  // the rekeyed row's columns (key, then value), without pseudo-columns
  bool repartition = false;
  std::string topic;     // repartition only

  nlohmann::json ToJson() const;
  static Result<RekeyStep> FromJson(const nlohmann::json& j, const FunctionRegistry& functions,
                                    int input_width);
};

}  // namespace brook
