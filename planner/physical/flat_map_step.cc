#include "planner/physical/flat_map_step.h"

#include "planner/physical/json_util.h"

namespace brook {

using namespace plan_json;  // NOLINT: JSON helpers of this folder

json FlatMapStep::ToJson() const {
  json calls_json = json::array();
  for (const TableFunctionCall& c : calls) {
    calls_json.push_back({{"function", c.function->name},
                          {"args", ExprListToJson(c.args)},
                          {"type", TypeToJson(c.type)},
                          {"text", c.text}});
  }
  return {{"calls", std::move(calls_json)}};
}

Result<FlatMapStep> FlatMapStep::FromJson(const json& j, const FunctionRegistry& functions) {
  FlatMapStep step;
  const json* calls = Find(j, "calls");
  if (!calls || !calls->is_array() || calls->empty()) return Bad("flat_map_v1 without 'calls'");
  for (const json& c : *calls) {
    TableFunctionCall call;
    ASSIGN_OR_RETURN(std::string name, Get<std::string>(c, "function"));
    call.function = functions.FindTable(name);
    if (!call.function) {
      return InvalidArgument("The query plan calls table function '" + name +
                             "', which this brook does not have.");
    }
    ASSIGN_OR_RETURN(call.args, ExprListFromJson(Find(c, "args"), functions));
    const json* t = Find(c, "type");
    if (!t) return Bad("table function call without a type");
    ASSIGN_OR_RETURN(call.type, TypeFromJson(*t));
    ASSIGN_OR_RETURN(call.text, Get<std::string>(c, "text"));
    std::vector<TypePtr> arg_types;
    for (const auto& a : call.args) arg_types.push_back(a->type);
    auto resolved = call.function->resolve(arg_types);
    if (!resolved.ok() || !TypesEqual(*resolved, call.type)) {
      return InvalidArgument("The query plan calls " + name + FormatArgTypes(arg_types) +
                             " returning " + TypeName(call.type) +
                             ", which this brook does not provide.");
    }
    step.calls.push_back(std::move(call));
  }
  return step;
}

}  // namespace brook
