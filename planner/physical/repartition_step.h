// repartition_v1: sends every row of its input through the internal topic `topic` keyed by
// `key`, so that the rows of one key land in the partition of the same number as the other
// side of a join (the rows themselves are unchanged: same layout, same values).
//
// It is the boundary between sub-topologies: the steps after it read the internal topic
// "_confluent-ksql-<service id>query_<query id>-<step id>-repartition" (named by the runtime, which
// knows the service id; the engine creates it with `partitions` partitions). The key is written
// with `key_format` — the format of the join side that is not repartitioned (or the left source's),
// so that Kafka's default partitioner (murmur2 over the key bytes) places it where that side's
// records with the same key are. A push query runs in one task that reads every partition, so there
// the step passes rows through.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>

#include "common/status.h"
#include "planner/analyzer/bound_expr.h"
#include "planner/analyzer/catalog.h"
#include "planner/analyzer/function_registry.h"

namespace brook {

struct RepartitionStep {
  static constexpr const char* kName = "repartition_v1";
  BoundExprPtr key;       // over the input row
  FormatInfo key_format;  // how the key is written (decides the partition)
  int partitions = 1;     // of the internal topic: the other join side's partition count
  // Rows whose key is NULL are sent on (without a key) instead of dropped: the join emits them
  // with NULLs for the other side (an outer side, as Kafka Streams does since KIP-962).
  bool keep_null_keys = false;
  // The left table of a foreign-key join: its changes are sent by foreign key, and a change that
  // moves a row to another key also unsubscribes it from the old one (runtime:
  // FkSubscribeOperator, which keeps each left row in "<step id>-prior").
  bool foreign_key = false;

  nlohmann::json ToJson() const;
  static Result<RepartitionStep> FromJson(const nlohmann::json& j,
                                          const FunctionRegistry& functions);
};

}  // namespace brook
