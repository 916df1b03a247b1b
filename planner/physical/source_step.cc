#include "planner/physical/source_step.h"

#include "planner/physical/json_util.h"

namespace brook {

using namespace plan_json;  // NOLINT: JSON helpers of this folder

namespace {
constexpr const char* kWindowTypes[] = {"TUMBLING", "HOPPING", "SESSION", "SLIDING"};
}

json SourceStep::ToJson() const {
  json j = {{"sourceName", source_name},
            {"alias", alias},
            {"topic", topic},
            {"keyFormat", FormatToJson(key_format)},
            {"valueFormat", FormatToJson(value_format)},
            {"schema", SchemaToJson(schema)},
            {"isTable", is_table},
            {"rowWidth", row_width},
            {"timestampIndex", timestamp_index},
            {"timestampFormat", OptionalString(timestamp_format)},
            {"needed", BoolsToJson(needed)},
            {"early", BoolsToJson(early)}};
  if (window) {
    j["window"] = {{"type", kWindowTypes[static_cast<int>(window->type)]},
                   {"sizeMs", window->size_ms}};
  }
  return j;
}

Result<SourceStep> SourceStep::FromJson(const json& j) {
  SourceStep s;
  ASSIGN_OR_RETURN(s.source_name, Get<std::string>(j, "sourceName"));
  ASSIGN_OR_RETURN(s.alias, Get<std::string>(j, "alias"));
  ASSIGN_OR_RETURN(s.topic, Get<std::string>(j, "topic"));
  ASSIGN_OR_RETURN(s.key_format, FormatFromJson(Find(j, "keyFormat")));
  ASSIGN_OR_RETURN(s.value_format, FormatFromJson(Find(j, "valueFormat")));
  ASSIGN_OR_RETURN(s.schema, SchemaFromJson(Find(j, "schema")));
  ASSIGN_OR_RETURN(s.is_table, Get<bool>(j, "isTable"));
  ASSIGN_OR_RETURN(s.row_width, Get<int>(j, "rowWidth"));
  ASSIGN_OR_RETURN(s.timestamp_index, Get<int>(j, "timestampIndex"));
  ASSIGN_OR_RETURN(s.timestamp_format, OptionalStringFrom(j, "timestampFormat"));
  ASSIGN_OR_RETURN(s.needed, BoolsFromJson(Find(j, "needed"), "needed"));
  ASSIGN_OR_RETURN(s.early, BoolsFromJson(Find(j, "early"), "early"));
  int expected_width = static_cast<int>(s.schema.key.size() + s.schema.value.size()) + 3;
  if (const json* w = Find(j, "window")) {
    WindowInfo window;
    ASSIGN_OR_RETURN(std::string type, Get<std::string>(*w, "type"));
    int t = IndexOf(kWindowTypes, type);
    if (t < 0) return Bad("unknown window type '" + type + "'");
    window.type = static_cast<WindowInfo::Type>(t);
    ASSIGN_OR_RETURN(window.size_ms, Get<int64_t>(*w, "sizeMs"));
    s.window = window;
    expected_width += 2;
  }
  if (s.row_width != expected_width || static_cast<int>(s.needed.size()) != s.row_width ||
      static_cast<int>(s.early.size()) != s.row_width || s.timestamp_index >= s.row_width) {
    return Bad("source_v1 row layout does not match its schema");
  }
  return s;
}

}  // namespace brook
