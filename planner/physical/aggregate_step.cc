#include "planner/physical/aggregate_step.h"

#include <algorithm>

#include "planner/physical/json_util.h"
#include "planner/physical/plan_json.h"

namespace brook {

int64_t WindowStepSpec::EffectiveGraceMs(bool emit_final) const {
  constexpr int64_t kDayMs = 24LL * 60 * 60 * 1000;
  if (grace_ms) return *grace_ms;
  return emit_final ? 0 : std::max<int64_t>(kDayMs - size_ms, 0);
}

int64_t WindowStepSpec::EffectiveRetentionMs(bool emit_final) const {
  return retention_ms ? *retention_ms : size_ms + EffectiveGraceMs(emit_final);
}

using namespace plan_json;  // NOLINT: JSON helpers of this folder

namespace {
constexpr const char* kWindowTypes[] = {"TUMBLING", "HOPPING", "SESSION", "SLIDING"};
}  // namespace

Result<std::unique_ptr<Aggregator>> AggregateCall::MakeAggregator() const {
  if (!fn || !fn->make)
    return Internal("aggregate function " + function + " has no implementation");
  std::vector<TypePtr> types;
  std::vector<Value> constants;
  for (const BoundExprPtr& a : args) {
    types.push_back(a->type);
    constants.push_back(a->kind == BoundKind::kLiteral ? a->literal : Value());
  }
  if (limit) constants.push_back(Value::Bigint(*limit));
  return fn->make(types, constants, type);
}

json AggregateStep::ToJson() const {
  json calls_json = json::array();
  for (const AggregateCall& c : calls) {
    calls_json.push_back({{"function", c.function},
                          {"args", ExprListToJson(c.args)},
                          {"type", TypeToJson(c.type)},
                          {"text", c.text},
                          {"limit", OptionalInt(c.limit)}});
  }
  json j = {{"groupBy", ExprListToJson(group_by)},
            {"calls", std::move(calls_json)},
            {"having", having ? ExprToJson(*having) : json(nullptr)},
            {"emitFinal", emit_final},
            {"tableInput", table_input},
            {"tableKeySlots", table_key_slots},
            {"repartition", repartition}};
  if (window) {
    j["window"] = {{"type", kWindowTypes[static_cast<int>(window->type)]},
                   {"sizeMs", window->size_ms},
                   {"advanceMs", window->advance_ms},
                   {"retentionMs", OptionalInt(window->retention_ms)},
                   {"graceMs", OptionalInt(window->grace_ms)}};
  }
  return j;
}

Result<AggregateStep> AggregateStep::FromJson(const json& j, const FunctionRegistry& functions) {
  AggregateStep a;
  ASSIGN_OR_RETURN(a.group_by, ExprListFromJson(Find(j, "groupBy"), functions));
  const json* calls = Find(j, "calls");
  if (!calls || !calls->is_array()) return Bad("aggregate_v1 without 'calls'");
  for (const json& c : *calls) {
    AggregateCall call;
    ASSIGN_OR_RETURN(call.function, Get<std::string>(c, "function"));
    ASSIGN_OR_RETURN(call.args, ExprListFromJson(Find(c, "args"), functions));
    const json* t = Find(c, "type");
    if (!t) return Bad("aggregate call without a type");
    ASSIGN_OR_RETURN(call.type, TypeFromJson(*t));
    ASSIGN_OR_RETURN(call.text, Get<std::string>(c, "text"));
    ASSIGN_OR_RETURN(call.limit, OptionalIntFrom(c, "limit"));
    call.fn = functions.FindAggregate(call.function);
    if (!call.fn) return Bad("unknown aggregate function '" + call.function + "'");
    RETURN_IF_ERROR(call.MakeAggregator().status());
    a.calls.push_back(std::move(call));
  }
  if (Find(j, "having")) {
    ASSIGN_OR_RETURN(a.having, RequiredExpr(j, "having", functions));
  }
  ASSIGN_OR_RETURN(a.emit_final, Get<bool>(j, "emitFinal"));
  if (Find(j, "tableInput")) {
    ASSIGN_OR_RETURN(a.table_input, Get<bool>(j, "tableInput"));
  }
  if (Find(j, "repartition")) {
    ASSIGN_OR_RETURN(a.repartition, Get<bool>(j, "repartition"));
  }
  if (Find(j, "tableKeySlots")) {
    ASSIGN_OR_RETURN(a.table_key_slots, IntsFromJson(Find(j, "tableKeySlots"), "tableKeySlots"));
    for (int slot : a.table_key_slots) {
      if (slot < 0) return Bad("aggregate_v1 has a negative table key slot");
    }
  }
  if (const json* w = Find(j, "window")) {
    WindowStepSpec spec;
    ASSIGN_OR_RETURN(std::string type, Get<std::string>(*w, "type"));
    int t = IndexOf(kWindowTypes, type);
    if (t < 0) return Bad("unknown window type '" + type + "'");
    spec.type = static_cast<WindowStepSpec::Type>(t);
    ASSIGN_OR_RETURN(spec.size_ms, Get<int64_t>(*w, "sizeMs"));
    ASSIGN_OR_RETURN(spec.advance_ms, Get<int64_t>(*w, "advanceMs"));
    ASSIGN_OR_RETURN(spec.retention_ms, OptionalIntFrom(*w, "retentionMs"));
    ASSIGN_OR_RETURN(spec.grace_ms, OptionalIntFrom(*w, "graceMs"));
    a.window = spec;
  }
  return a;
}

}  // namespace brook
