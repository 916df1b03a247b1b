#include "planner/physical/repartition_step.h"

#include "planner/physical/json_util.h"

namespace brook {

using namespace plan_json;  // NOLINT: JSON helpers of this folder

json RepartitionStep::ToJson() const {
  return {{"key", ExprToJson(*key)},
          {"keyFormat", FormatToJson(key_format)},
          {"partitions", partitions},
          {"keepNullKeys", keep_null_keys},
          {"foreignKey", foreign_key}};
}

Result<RepartitionStep> RepartitionStep::FromJson(const json& j,
                                                  const FunctionRegistry& functions) {
  RepartitionStep r;
  ASSIGN_OR_RETURN(r.key, RequiredExpr(j, "key", functions));
  ASSIGN_OR_RETURN(r.key_format, FormatFromJson(Find(j, "keyFormat")));
  ASSIGN_OR_RETURN(r.partitions, Get<int>(j, "partitions"));
  ASSIGN_OR_RETURN(r.keep_null_keys, Get<bool>(j, "keepNullKeys"));
  ASSIGN_OR_RETURN(r.foreign_key, Get<bool>(j, "foreignKey"));
  if (r.partitions < 1) return Bad("repartition_v1 needs at least one partition");
  return r;
}

}  // namespace brook
