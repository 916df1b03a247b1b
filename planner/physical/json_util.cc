#include "planner/physical/json_util.h"

#include "planner/physical/plan_json.h"

namespace brook::plan_json {

Status Bad(const std::string& what) { return InvalidArgument("Invalid query plan JSON: " + what); }

const json* Find(const json& j, const char* key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  return it == j.end() || it->is_null() ? nullptr : &*it;
}

json ExprListToJson(const std::vector<BoundExprPtr>& exprs) {
  json out = json::array();
  for (const auto& e : exprs) out.push_back(ExprToJson(*e));
  return out;
}

Result<std::vector<BoundExprPtr>> ExprListFromJson(const json* j, const FunctionRegistry& fns) {
  std::vector<BoundExprPtr> out;
  if (!j) return out;
  if (!j->is_array()) return Bad("expression list must be a list");
  for (const json& e : *j) {
    ASSIGN_OR_RETURN(BoundExprPtr b, ExprFromJson(e, fns));
    out.push_back(std::move(b));
  }
  return out;
}

Result<BoundExprPtr> RequiredExpr(const json& j, const char* key, const FunctionRegistry& fns) {
  const json* e = Find(j, key);
  if (!e) return Bad(std::string("missing '") + key + "'");
  return ExprFromJson(*e, fns);
}

namespace {
constexpr const char* kNamespaces[] = {"KEY", "VALUE", "HEADER"};

json ColumnsToJson(const std::vector<Column>& cols) {
  json out = json::array();
  for (const Column& c : cols) {
    json col = {{"name", c.name},
                {"type", TypeToJson(c.type)},
                {"namespace", kNamespaces[static_cast<int>(c.ns)]}};
    if (c.header_key) col["headerKey"] = *c.header_key;
    out.push_back(std::move(col));
  }
  return out;
}

Result<std::vector<Column>> ColumnsFromJson(const json& j) {
  if (!j.is_array()) return Bad("columns must be a list");
  std::vector<Column> out;
  for (const json& c : j) {
    Column col;
    ASSIGN_OR_RETURN(col.name, Get<std::string>(c, "name"));
    const json* t = Find(c, "type");
    if (!t) return Bad("column '" + col.name + "' without a type");
    ASSIGN_OR_RETURN(col.type, TypeFromJson(*t));
    ASSIGN_OR_RETURN(std::string ns, Get<std::string>(c, "namespace"));
    int n = IndexOf(kNamespaces, ns);
    if (n < 0) return Bad("unknown column namespace '" + ns + "'");
    col.ns = static_cast<ColumnNamespace>(n);
    if (const json* h = Find(c, "headerKey")) {
      if (!h->is_string()) return Bad("'headerKey' must be a string");
      col.header_key = h->get<std::string>();
    }
    out.push_back(std::move(col));
  }
  return out;
}
}  // namespace

json SchemaToJson(const LogicalSchema& s) {
  return {{"key", ColumnsToJson(s.key)}, {"value", ColumnsToJson(s.value)}};
}

Result<LogicalSchema> SchemaFromJson(const json* j) {
  if (!j) return Bad("missing schema");
  LogicalSchema s;
  const json* k = Find(*j, "key");
  const json* v = Find(*j, "value");
  if (!k || !v) return Bad("schema without 'key' and 'value'");
  ASSIGN_OR_RETURN(s.key, ColumnsFromJson(*k));
  ASSIGN_OR_RETURN(s.value, ColumnsFromJson(*v));
  return s;
}

json FormatToJson(const FormatInfo& f) {
  return {{"format", f.name}, {"delimiter", f.delimiter}, {"wrapSingle", f.wrap_single}};
}

Result<FormatInfo> FormatFromJson(const json* j) {
  if (!j) return Bad("missing format");
  FormatInfo f;
  ASSIGN_OR_RETURN(f.name, Get<std::string>(*j, "format"));
  ASSIGN_OR_RETURN(f.delimiter, Get<std::string>(*j, "delimiter"));
  ASSIGN_OR_RETURN(f.wrap_single, Get<bool>(*j, "wrapSingle"));
  return f;
}

json OptionalString(const std::optional<std::string>& s) { return s ? json(*s) : json(nullptr); }

Result<std::optional<std::string>> OptionalStringFrom(const json& j, const char* key) {
  const json* v = Find(j, key);
  if (!v) return std::optional<std::string>();
  if (!v->is_string()) return Bad(std::string("'") + key + "' must be a string");
  return std::optional<std::string>(v->get<std::string>());
}

json OptionalInt(const std::optional<int64_t>& v) { return v ? json(*v) : json(nullptr); }

Result<std::optional<int64_t>> OptionalIntFrom(const json& j, const char* key) {
  if (!Find(j, key)) return std::optional<int64_t>();
  ASSIGN_OR_RETURN(int64_t v, Get<int64_t>(j, key));
  return std::optional<int64_t>(v);
}

json BoolsToJson(const std::vector<bool>& v) {
  json out = json::array();
  for (bool b : v) out.push_back(b);
  return out;
}

Result<std::vector<bool>> BoolsFromJson(const json* j, const char* what) {
  if (!j || !j->is_array()) return Bad(std::string("missing '") + what + "'");
  std::vector<bool> out;
  for (const json& b : *j) {
    if (!b.is_boolean()) return Bad(std::string("'") + what + "' must hold booleans");
    out.push_back(b.get<bool>());
  }
  return out;
}

Result<std::vector<int>> IntsFromJson(const json* j, const char* what) {
  if (!j || !j->is_array()) return Bad(std::string("missing '") + what + "'");
  std::vector<int> out;
  for (const json& n : *j) {
    if (!n.is_number_integer() || n.get<int64_t>() < 0 || n.get<int64_t>() > (1 << 24)) {
      return Bad(std::string("'") + what + "' must hold small non-negative integers");
    }
    out.push_back(n.get<int>());
  }
  return out;
}

}  // namespace brook::plan_json
