#include "planner/physical/join_step.h"

#include "planner/physical/json_util.h"
#include "planner/physical/plan_json.h"

namespace brook {

using namespace plan_json;  // NOLINT: JSON helpers of this folder

namespace {
constexpr const char* kTypes[] = {"INNER", "LEFT", "RIGHT", "OUTER"};
constexpr const char* kShapes[] = {"STREAM_STREAM", "STREAM_TABLE", "TABLE_TABLE"};
}  // namespace

json JoinStep::ToJson() const {
  return {{"joinType", kTypes[static_cast<int>(type)]},
          {"shape", kShapes[static_cast<int>(shape)]},
          {"leftKey", ExprToJson(*left_key)},
          {"rightKey", ExprToJson(*right_key)},
          {"beforeMs", OptionalInt(before_ms)},
          {"afterMs", OptionalInt(after_ms)},
          {"graceMs", OptionalInt(grace_ms)},
          {"leftWidth", left_width},
          {"rightWidth", right_width},
          {"windowed", windowed},
          {"foreignKey", foreign_key},
          {"leftKeyColumns", left_key_columns}};
}

Result<JoinStep> JoinStep::FromJson(const json& j, const FunctionRegistry& functions) {
  JoinStep s;
  ASSIGN_OR_RETURN(std::string type, Get<std::string>(j, "joinType"));
  int t = IndexOf(kTypes, type);
  if (t < 0) return Bad("unknown join type '" + type + "'");
  s.type = static_cast<Type>(t);
  ASSIGN_OR_RETURN(std::string shape, Get<std::string>(j, "shape"));
  int sh = IndexOf(kShapes, shape);
  if (sh < 0) return Bad("unknown join shape '" + shape + "'");
  s.shape = static_cast<Shape>(sh);
  ASSIGN_OR_RETURN(s.left_key, RequiredExpr(j, "leftKey", functions));
  ASSIGN_OR_RETURN(s.right_key, RequiredExpr(j, "rightKey", functions));
  ASSIGN_OR_RETURN(s.before_ms, OptionalIntFrom(j, "beforeMs"));
  ASSIGN_OR_RETURN(s.after_ms, OptionalIntFrom(j, "afterMs"));
  ASSIGN_OR_RETURN(s.grace_ms, OptionalIntFrom(j, "graceMs"));
  ASSIGN_OR_RETURN(s.left_width, Get<int>(j, "leftWidth"));
  ASSIGN_OR_RETURN(s.right_width, Get<int>(j, "rightWidth"));
  ASSIGN_OR_RETURN(s.windowed, Get<bool>(j, "windowed"));
  ASSIGN_OR_RETURN(s.foreign_key, Get<bool>(j, "foreignKey"));
  ASSIGN_OR_RETURN(s.left_key_columns, Get<int>(j, "leftKeyColumns"));
  if (s.left_key_columns < 0 || s.left_key_columns > s.left_width) {
    return Bad("join_v1 has more left key columns than its left row");
  }
  if (s.left_width < 0 || s.right_width < 0) return Bad("join_v1 has a negative row width");
  if (s.shape == Shape::kStreamStream && (!s.before_ms || !s.after_ms)) {
    return Bad("a stream-stream join_v1 needs its window");
  }
  return s;
}

}  // namespace brook
