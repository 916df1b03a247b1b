#include "planner/physical/rekey_step.h"

#include "planner/physical/json_util.h"

namespace brook {

using namespace plan_json;  // NOLINT: JSON helpers of this folder

json RekeyStep::ToJson() const {
  json j = {{"keyExpressions", ExprListToJson(key_exprs)},
            {"carriedColumns", carried},
            {"schema", SchemaToJson(schema)},
            {"repartition", repartition}};
  if (repartition) j["topic"] = topic;
  return j;
}

Result<RekeyStep> RekeyStep::FromJson(const json& j, const FunctionRegistry& functions,
                                      int input_width) {
  RekeyStep r;
  ASSIGN_OR_RETURN(r.key_exprs, ExprListFromJson(Find(j, "keyExpressions"), functions));
  ASSIGN_OR_RETURN(r.carried, IntsFromJson(Find(j, "carriedColumns"), "carriedColumns"));
  for (int c : r.carried) {
    if (c < 0 || c >= input_width) return Bad("rekey_v1 carries a column outside its input row");
  }
  ASSIGN_OR_RETURN(r.schema, SchemaFromJson(Find(j, "schema")));
  ASSIGN_OR_RETURN(r.repartition, Get<bool>(j, "repartition"));
  if (r.repartition) {
    ASSIGN_OR_RETURN(r.topic, Get<std::string>(j, "topic"));
  }
  return r;
}

}  // namespace brook
