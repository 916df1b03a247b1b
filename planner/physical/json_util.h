// Helpers shared by the steps' JSON readers and writers (internal to planner/physical).
// Readers never throw: a missing or mistyped field is an InvalidArgument naming it.
#pragma once

#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "common/schema.h"
#include "common/status.h"
#include "planner/analyzer/bound_expr.h"
#include "planner/analyzer/catalog.h"
#include "planner/analyzer/function_registry.h"
#include "planner/physical/plan_json.h"

namespace brook::plan_json {

using json = nlohmann::json;

// Bounds what a stored plan may ask of the reader: expression and type nesting.
inline constexpr int kMaxDepth = 1100;  // above the parser's parse-tree bound (1000)

Status Bad(const std::string& what);

// The field, or null when absent or JSON null.
const json* Find(const json& j, const char* key);

template <typename T>
Result<T> Get(const json& j, const char* key) {
  if (!j.is_object()) return Bad(std::string("expected an object holding '") + key + "'");
  auto it = j.find(key);
  if (it == j.end()) return Bad(std::string("missing '") + key + "'");
  if constexpr (std::is_same_v<T, std::string>) {
    if (!it->is_string()) return Bad(std::string("'") + key + "' must be a string");
    return it->template get<std::string>();
  } else if constexpr (std::is_same_v<T, bool>) {
    if (!it->is_boolean()) return Bad(std::string("'") + key + "' must be a boolean");
    return it->template get<bool>();
  } else {
    if (!it->is_number_integer()) return Bad(std::string("'") + key + "' must be an integer");
    // No silent narrowing: 4294967297 is not 1.
    if (it->is_number_unsigned() ? it->template get<uint64_t>() >
                                       static_cast<uint64_t>(std::numeric_limits<T>::max())
                                 : (it->template get<int64_t>() < std::numeric_limits<T>::min() ||
                                    it->template get<int64_t>() > std::numeric_limits<T>::max())) {
      return Bad(std::string("'") + key + "' is out of range");
    }
    return it->template get<T>();
  }
}

template <size_t N>
int IndexOf(const char* const (&names)[N], const std::string& name) {
  for (size_t i = 0; i < N; ++i) {
    if (name == names[i]) return static_cast<int>(i);
  }
  return -1;
}

json ExprListToJson(const std::vector<BoundExprPtr>& exprs);
Result<std::vector<BoundExprPtr>> ExprListFromJson(const json* j, const FunctionRegistry& fns);
Result<BoundExprPtr> RequiredExpr(const json& j, const char* key, const FunctionRegistry& fns);
json SchemaToJson(const LogicalSchema& s);
Result<LogicalSchema> SchemaFromJson(const json* j);
json FormatToJson(const FormatInfo& f);
Result<FormatInfo> FormatFromJson(const json* j);
json OptionalString(const std::optional<std::string>& s);
Result<std::optional<std::string>> OptionalStringFrom(const json& j, const char* key);
json OptionalInt(const std::optional<int64_t>& v);
Result<std::optional<int64_t>> OptionalIntFrom(const json& j, const char* key);
json BoolsToJson(const std::vector<bool>& v);
Result<std::vector<bool>> BoolsFromJson(const json* j, const char* what);
Result<std::vector<int>> IntsFromJson(const json* j, const char* what);

}  // namespace brook::plan_json
