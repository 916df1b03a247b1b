// aggregate_v1 (declaration): GROUP BY [WINDOW] with aggregate calls, optionally followed by
// HAVING. Its state store is named after the step id ("Aggregate-Aggregate-Materialize", as
// ksqlDB names it), with the changelog topic
// _confluent-ksql-<service id>query_<query id>-Aggregate-Aggregate-Materialize-changelog.
//
// The output row is [group-by keys..., aggregate results...] (plus WINDOWSTART/WINDOWEND for
// windowed aggregations); HAVING and the final projection are bound over it.
// Executed by runtime/operators/aggregate_operator.h.
#pragma once

#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "planner/analyzer/bound_expr.h"
#include "planner/analyzer/function_registry.h"

namespace brook {

struct WindowStepSpec {
  enum class Type { kTumbling, kHopping, kSession, kSliding } type = Type::kTumbling;
  int64_t size_ms = 0;     // session: the inactivity gap
  int64_t advance_ms = 0;  // hopping only
  std::optional<int64_t> retention_ms;
  std::optional<int64_t> grace_ms;

  // The grace period in force: GRACE PERIOD, else 0 with EMIT FINAL, else Kafka Streams' legacy
  // default max(24 h - size, 0).
  int64_t EffectiveGraceMs(bool emit_final) const;
  // The store retention in force: RETENTION, else size + grace (Kafka Streams' default).
  int64_t EffectiveRetentionMs(bool emit_final) const;
};

struct AggregateCall {
  std::string function;             // upper-case aggregate function name
  std::vector<BoundExprPtr> args;   // over the aggregate's input row
  TypePtr type;                     // result type
  std::string text;                 // SQL text, for messages
  // The function's configured limit (AggregateFunction::limit_config) when the query was
  // planned, or none (the function's default).
  std::optional<int64_t> limit;
  // The function, resolved by name from the registry (not part of the JSON form).
  const AggregateFunction* fn = nullptr;
  // Makes this call's Aggregator: arg types, literal constants, result type.
  Result<std::unique_ptr<Aggregator>> MakeAggregator() const;
};

struct AggregateStep {
  static constexpr const char* kName = "aggregate_v1";
  std::vector<BoundExprPtr> group_by;  // over the input row
  std::vector<AggregateCall> calls;
  std::optional<WindowStepSpec> window;
  BoundExprPtr having;                 // over the aggregate's output row, or null
  bool emit_final = false;             // EMIT FINAL: one row per window when it closes
  // The input is a table's changelog: a key's new row replaces (undoes) its old one.
  bool table_input = false;
  // table_input from a join: the input-row slots that identify a row of the joined table (the
  // join key, or a foreign-key join's left key columns). Empty: the input record's key.
  std::vector<int> table_key_slots;
  // The groups are not the input's key: rows go through an internal topic keyed by the group
  // ("_confluent-ksql-<service id>query_<query id>-<step id>-GroupBy-repartition") so that each
  // group lives in one task. Set unless GROUP BY is exactly the input's key columns.
  bool repartition = false;

  nlohmann::json ToJson() const;
  static Result<AggregateStep> FromJson(const nlohmann::json& j,
                                        const FunctionRegistry& functions);
};

}  // namespace brook
