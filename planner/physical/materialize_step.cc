#include "planner/physical/materialize_step.h"

#include "planner/physical/json_util.h"

namespace brook {

using namespace plan_json;  // NOLINT: JSON helpers of this folder

json MaterializeStep::ToJson() const {
  return {{"keyCount", key_count},
          {"valueCount", value_count},
          {"windowed", windowed},
          {"retentionMs", OptionalInt(retention_ms)},
          {"changelog", changelog}};
}

Result<MaterializeStep> MaterializeStep::FromJson(const json& j) {
  MaterializeStep m;
  ASSIGN_OR_RETURN(m.key_count, Get<int>(j, "keyCount"));
  ASSIGN_OR_RETURN(m.value_count, Get<int>(j, "valueCount"));
  ASSIGN_OR_RETURN(m.windowed, Get<bool>(j, "windowed"));
  ASSIGN_OR_RETURN(m.retention_ms, OptionalIntFrom(j, "retentionMs"));
  ASSIGN_OR_RETURN(m.changelog, Get<bool>(j, "changelog"));
  if (m.key_count < 0 || m.value_count < 0) return Bad("materialize_v1 needs column counts");
  if (m.retention_ms && *m.retention_ms < 0) return Bad("materialize_v1: negative retention");
  return m;
}

}  // namespace brook
