#include "planner/physical/filter_step.h"

#include "planner/physical/json_util.h"

namespace brook {

using namespace plan_json;  // NOLINT: JSON helpers of this folder

json FilterStep::ToJson() const { return {{"predicate", ExprToJson(*predicate)}}; }

Result<FilterStep> FilterStep::FromJson(const json& j, const FunctionRegistry& functions) {
  FilterStep f;
  ASSIGN_OR_RETURN(f.predicate, RequiredExpr(j, "predicate", functions));
  return f;
}

}  // namespace brook
