#include "planner/physical/sink_step.h"

#include "planner/physical/json_util.h"

namespace brook {

using namespace plan_json;  // NOLINT: JSON helpers of this folder

json SinkStep::ToJson() const {
  return {{"name", name},
          {"topic", topic},
          {"keyFormat", FormatToJson(key_format)},
          {"valueFormat", FormatToJson(value_format)},
          {"partitions", partitions},
          {"timestampColumn", timestamp_column},
          {"timestampInKey", timestamp_in_key},
          {"timestampFormat", OptionalString(timestamp_format)}};
}

Result<SinkStep> SinkStep::FromJson(const json& j) {
  SinkStep k;
  ASSIGN_OR_RETURN(k.name, Get<std::string>(j, "name"));
  ASSIGN_OR_RETURN(k.topic, Get<std::string>(j, "topic"));
  ASSIGN_OR_RETURN(k.key_format, FormatFromJson(Find(j, "keyFormat")));
  ASSIGN_OR_RETURN(k.value_format, FormatFromJson(Find(j, "valueFormat")));
  ASSIGN_OR_RETURN(k.partitions, Get<int>(j, "partitions"));
  ASSIGN_OR_RETURN(k.timestamp_column, Get<int>(j, "timestampColumn"));
  ASSIGN_OR_RETURN(k.timestamp_in_key, Get<bool>(j, "timestampInKey"));
  ASSIGN_OR_RETURN(k.timestamp_format, OptionalStringFrom(j, "timestampFormat"));
  if (k.partitions < 1) return Bad("sink_v1 needs at least one partition");
  return k;
}

}  // namespace brook
