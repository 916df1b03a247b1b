#include "planner/physical/project_step.h"

#include "planner/physical/json_util.h"

namespace brook {

using namespace plan_json;  // NOLINT: JSON helpers of this folder

json ProjectStep::ToJson() const {
  json order = json::array();
  for (const auto& [is_key, idx] : select_order) order.push_back({is_key, idx});
  return {{"keyExpressions", ExprListToJson(key_exprs)},
          {"valueExpressions", ExprListToJson(value_exprs)},
          {"selectOrder", std::move(order)}};
}

Result<ProjectStep> ProjectStep::FromJson(const json& j, const FunctionRegistry& functions) {
  ProjectStep p;
  ASSIGN_OR_RETURN(p.key_exprs, ExprListFromJson(Find(j, "keyExpressions"), functions));
  ASSIGN_OR_RETURN(p.value_exprs, ExprListFromJson(Find(j, "valueExpressions"), functions));
  const json* order = Find(j, "selectOrder");
  if (!order || !order->is_array()) return Bad("select_v1 without 'selectOrder'");
  for (const json& o : *order) {
    if (!o.is_array() || o.size() != 2 || !o[0].is_boolean() || !o[1].is_number_integer()) {
      return Bad("'selectOrder' entries are [isKey, index]");
    }
    bool is_key = o[0].get<bool>();
    int idx = o[1].get<int>();
    size_t bound = is_key ? p.key_exprs.size() : p.value_exprs.size();
    if (idx < 0 || static_cast<size_t>(idx) >= bound) return Bad("'selectOrder' out of range");
    p.select_order.emplace_back(is_key, idx);
  }
  return p;
}

}  // namespace brook
