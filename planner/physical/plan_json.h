// The JSON form of a PhysicalPlan: what the command log stores next to a statement, what EXPLAIN
// returns, and what a running query can be rebuilt from.
//
// Shape (version 1):
//   {"planVersion": 1, "queryId": ..., "sql": ..., "limit": n|null,
//    "outputSchema": {...}, "outputIsTable": bool,
//    "steps": [ {"@type": "source_v1", "id": "KsqlTopic/Source", "inputs": [], ...},
//               {"@type": "filter_v1", "id": "WhereFilter", "inputs": ["KsqlTopic/Source"],
//                "predicate": {...}}, ... ]}
// Each step names its inputs by id; ids follow ksqlDB's step context names and are what state
// stores and internal topics are named after. Each step's own fields are written and read by
// its file (source_step.cc, filter_step.cc, ...). Expressions are trees with their types; function
// calls are stored by name and argument types, and resolved against the FunctionRegistry when
// read, so a plan that names a function (or signature) this brook lacks fails loudly.
//
// Step names carry versions: a reader that meets an unknown "@type" or a newer "planVersion"
// returns an error naming it rather than guessing.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include "common/status.h"
#include "planner/analyzer/function_registry.h"
#include "planner/physical/physical_plan.h"

namespace brook {

inline constexpr int kPlanVersion = 1;

nlohmann::json PlanToJson(const PhysicalPlan& plan);
Result<PhysicalPlan> PlanFromJson(const nlohmann::json& json, const FunctionRegistry& functions);

// Text helpers (compact JSON text), for the command log and tests.
std::string PlanToJsonText(const PhysicalPlan& plan);
Result<PhysicalPlan> PlanFromJsonText(std::string_view text, const FunctionRegistry& functions);

// The pieces, exposed for tests and for later steps that embed them.
nlohmann::json TypeToJson(const TypePtr& type);
Result<TypePtr> TypeFromJson(const nlohmann::json& json);
nlohmann::json ValueToJson(const Value& value);
Result<Value> ValueFromJson(const nlohmann::json& json);
nlohmann::json ExprToJson(const BoundExpr& expr);
Result<BoundExprPtr> ExprFromJson(const nlohmann::json& json, const FunctionRegistry& functions);

}  // namespace brook
