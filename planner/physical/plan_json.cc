#include "planner/physical/plan_json.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "common/base64.h"
#include "common/java_format.h"

namespace brook {

using json = nlohmann::json;

namespace {

// Bounds what a stored plan may ask of the reader: expression and type nesting.
constexpr int kMaxDepth = 512;

// Lambda parameter slots are numbered per expression; no real query comes near this.
constexpr int kMaxLambdaSlot = 1 << 16;

Status Bad(const std::string& what) {
  return InvalidArgument("Invalid query plan JSON: " + what);
}

// TRANSFORM / FILTER / REDUCE are typed by the binder, not by a resolver: check that a stored
// call has the shape the evaluator relies on (collection, [initial state,] lambdas taking the
// right number of parameters).
Status CheckHigherOrderCall(const BoundExpr& e) {
  if (e.children.empty() || !e.children[0] || !e.children[0]->type) {
    return Bad(e.function->name + " without a collection");
  }
  TypeKind k = e.children[0]->type->kind();
  if (k != TypeKind::kArray && k != TypeKind::kMap) {
    return Bad(e.function->name + " over a value that is not an ARRAY or a MAP");
  }
  const bool is_map = k == TypeKind::kMap;
  size_t first_lambda = 1, count = 2, params = is_map ? 2 : 1;
  switch (e.function->higher_order) {
    case HigherOrder::kTransform: count = is_map ? 3 : 2; break;
    case HigherOrder::kFilter: break;
    case HigherOrder::kReduce:
      first_lambda = 2;
      count = 3;
      params += 1;
      break;
    case HigherOrder::kNone: break;
  }
  if (e.children.size() != count) return Bad(e.function->name + " with a wrong argument count");
  for (size_t i = 1; i < count; ++i) {
    const BoundExprPtr& c = e.children[i];
    if (!c) return Bad(e.function->name + " with a missing argument");
    bool lambda = c->kind == BoundKind::kLambda;
    if (lambda != (i >= first_lambda) || (lambda && c->lambda_slots.size() != params)) {
      return Bad(e.function->name + " with a malformed lambda argument");
    }
  }
  return Status::Ok();
}

// Typed field access that reports what is missing instead of throwing.
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
    return it->template get<T>();
  }
}

const json* Find(const json& j, const char* key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  return it == j.end() || it->is_null() ? nullptr : &*it;
}

// ----- types -----------------------------------------------------------------------------

constexpr const char* kTypeNames[] = {"BOOLEAN", "INTEGER", "BIGINT",    "DOUBLE", "DECIMAL",
                                      "STRING",  "BYTES",   "DATE",      "TIME",   "TIMESTAMP",
                                      "ARRAY",   "MAP",     "STRUCT"};

Result<TypePtr> TypeFromJsonAt(const json& j, int depth) {
  if (j.is_null()) return TypePtr();
  if (depth > kMaxDepth) return Bad("type nested too deeply");
  ASSIGN_OR_RETURN(std::string name, Get<std::string>(j, "type"));
  if (name == "BOOLEAN") return SqlType::Boolean();
  if (name == "INTEGER") return SqlType::Int();
  if (name == "BIGINT") return SqlType::Bigint();
  if (name == "DOUBLE") return SqlType::Double();
  if (name == "STRING") return SqlType::String();
  if (name == "BYTES") return SqlType::Bytes();
  if (name == "DATE") return SqlType::Date();
  if (name == "TIME") return SqlType::Time();
  if (name == "TIMESTAMP") return SqlType::Timestamp();
  if (name == "DECIMAL") {
    ASSIGN_OR_RETURN(int precision, Get<int>(j, "precision"));
    ASSIGN_OR_RETURN(int scale, Get<int>(j, "scale"));
    if (precision < 1 || precision > 38 || scale < 0 || scale > precision) {
      return Bad("DECIMAL(" + std::to_string(precision) + ", " + std::to_string(scale) + ")");
    }
    return SqlType::Decimal(precision, scale);
  }
  if (name == "ARRAY") {
    const json* e = Find(j, "element");
    if (!e) return Bad("ARRAY without 'element'");
    ASSIGN_OR_RETURN(TypePtr element, TypeFromJsonAt(*e, depth + 1));
    return SqlType::Array(element);
  }
  if (name == "MAP") {
    const json* k = Find(j, "key");
    const json* v = Find(j, "value");
    if (!k || !v) return Bad("MAP without 'key' and 'value'");
    ASSIGN_OR_RETURN(TypePtr key, TypeFromJsonAt(*k, depth + 1));
    ASSIGN_OR_RETURN(TypePtr value, TypeFromJsonAt(*v, depth + 1));
    return SqlType::Map(key, value);
  }
  if (name == "STRUCT") {
    const json* fs = Find(j, "fields");
    if (!fs || !fs->is_array()) return Bad("STRUCT without 'fields'");
    std::vector<StructField> fields;
    for (const json& f : *fs) {
      ASSIGN_OR_RETURN(std::string fname, Get<std::string>(f, "name"));
      const json* ft = Find(f, "type");
      if (!ft) return Bad("STRUCT field without 'type'");
      ASSIGN_OR_RETURN(TypePtr type, TypeFromJsonAt(*ft, depth + 1));
      fields.push_back({std::move(fname), std::move(type)});
    }
    return SqlType::Struct(std::move(fields));
  }
  return Bad("unknown type '" + name + "'");
}

// ----- values ----------------------------------------------------------------------------

constexpr const char* kValueKinds[] = {"NULL", "BOOLEAN", "INTEGER", "BIGINT", "DOUBLE",
                                       "DECIMAL", "STRING", "BYTES", "DATE", "TIME",
                                       "TIMESTAMP", "ARRAY", "MAP", "STRUCT"};

Result<Value> ValueFromJsonAt(const json& j, int depth) {
  if (j.is_null()) return Value();
  if (depth > kMaxDepth) return Bad("value nested too deeply");
  ASSIGN_OR_RETURN(std::string kind, Get<std::string>(j, "kind"));
  const json* v = Find(j, "v");
  auto need = [&](bool ok) { return ok ? Status::Ok() : Bad("bad " + kind + " literal"); };
  if (kind == "NULL") return Value();
  if (kind == "BOOLEAN") {
    RETURN_IF_ERROR(need(v && v->is_boolean()));
    return Value::Bool(v->get<bool>());
  }
  if (kind == "INTEGER" || kind == "BIGINT" || kind == "DATE" || kind == "TIME" ||
      kind == "TIMESTAMP") {
    RETURN_IF_ERROR(need(v && v->is_number_integer()));
    int64_t n = v->get<int64_t>();
    if (kind == "INTEGER") {
      RETURN_IF_ERROR(need(n >= INT32_MIN && n <= INT32_MAX));
      return Value::Int(static_cast<int32_t>(n));
    }
    if (kind == "BIGINT") return Value::Bigint(n);
    if (kind == "DATE") return Value::Date(static_cast<int32_t>(n));
    if (kind == "TIME") return Value::Time(n);
    return Value::Timestamp(n);
  }
  if (kind == "DOUBLE") {
    if (v && v->is_string()) {  // non-finite values, which JSON numbers cannot hold
      std::string s = v->get<std::string>();
      if (s == "NaN") return Value::Double(std::nan(""));
      if (s == "Infinity") return Value::Double(INFINITY);
      if (s == "-Infinity") return Value::Double(-INFINITY);
    }
    RETURN_IF_ERROR(need(v && v->is_number()));
    return Value::Double(v->get<double>());
  }
  if (kind == "DECIMAL") {
    RETURN_IF_ERROR(need(v && v->is_string()));
    auto parts = ParseDecimal(v->get<std::string>());
    RETURN_IF_ERROR(need(parts.has_value()));
    return Value::Decimal(parts->unscaled, parts->scale);
  }
  if (kind == "STRING") {
    RETURN_IF_ERROR(need(v && v->is_string()));
    return Value::String(v->get<std::string>());
  }
  if (kind == "BYTES") {
    RETURN_IF_ERROR(need(v && v->is_string()));
    auto bytes = Base64Decode(v->get<std::string>());
    RETURN_IF_ERROR(need(bytes.has_value()));
    return Value::Bytes(std::move(*bytes));
  }
  if (kind == "ARRAY" || kind == "MAP" || kind == "STRUCT") {
    RETURN_IF_ERROR(need(v && v->is_array()));
    Value::List items;
    for (const json& e : *v) {
      ASSIGN_OR_RETURN(Value item, ValueFromJsonAt(e, depth + 1));
      items.push_back(std::move(item));
    }
    if (kind == "ARRAY") return Value::Array(std::move(items));
    if (kind == "STRUCT") return Value::Struct(std::move(items));
    RETURN_IF_ERROR(need(items.size() % 2 == 0));
    return Value::Map(std::move(items));
  }
  return Bad("unknown literal kind '" + kind + "'");
}

// ----- expressions -----------------------------------------------------------------------

constexpr const char* kExprKinds[] = {
    "LITERAL", "COLUMN",   "LAMBDA_VAR", "FUNCTION", "CAST",   "CASE",      "ARITH",
    "NEGATE",  "NOT",      "AND",        "OR",       "COMPARE", "IS_NULL",  "DISTINCT",
    "BETWEEN", "IN",       "LIKE",       "CONCAT",   "ARRAY",  "MAP",       "STRUCT",
    "DEREFERENCE", "SUBSCRIPT", "LAMBDA"};
constexpr int kExprKindCount = sizeof(kExprKinds) / sizeof(kExprKinds[0]);
static_assert(kExprKindCount == static_cast<int>(BoundKind::kLambda) + 1,
              "every BoundKind needs a JSON name");
constexpr const char* kArithOps[] = {"+", "-", "*", "/", "%"};
constexpr const char* kCompareOps[] = {"=", "<>", "<", "<=", ">", ">="};

template <size_t N>
int IndexOf(const char* const (&names)[N], const std::string& name) {
  for (size_t i = 0; i < N; ++i) {
    if (name == names[i]) return static_cast<int>(i);
  }
  return -1;
}

Result<BoundExprPtr> ExprFromJsonAt(const json& j, const FunctionRegistry& functions, int depth) {
  if (depth > kMaxDepth) return Bad("expression nested too deeply");
  BoundExpr e;
  ASSIGN_OR_RETURN(std::string kind, Get<std::string>(j, "kind"));
  int k = IndexOf(kExprKinds, kind);
  if (k < 0) return Bad("unknown expression kind '" + kind + "'");
  e.kind = static_cast<BoundKind>(k);
  if (const json* t = Find(j, "type")) {
    ASSIGN_OR_RETURN(e.type, TypeFromJsonAt(*t, 0));
  }
  if (const json* text = Find(j, "text"); text && text->is_string()) {
    e.text = text->get<std::string>();
  }
  if (const json* kids = Find(j, "children")) {
    if (!kids->is_array()) return Bad("'children' must be a list");
    for (const json& c : *kids) {
      if (c.is_null()) {
        e.children.push_back(nullptr);
        continue;
      }
      ASSIGN_OR_RETURN(BoundExprPtr child, ExprFromJsonAt(c, functions, depth + 1));
      e.children.push_back(std::move(child));
    }
  }
  if (Find(j, "index")) {
    ASSIGN_OR_RETURN(e.index, Get<int>(j, "index"));
  }
  if (Find(j, "negated")) {
    ASSIGN_OR_RETURN(e.negated, Get<bool>(j, "negated"));
  }
  if (Find(j, "hasOperand")) {
    ASSIGN_OR_RETURN(e.has_operand, Get<bool>(j, "hasOperand"));
  }
  if (Find(j, "hasElse")) {
    ASSIGN_OR_RETURN(e.has_else, Get<bool>(j, "hasElse"));
  }
  switch (e.kind) {
    case BoundKind::kLiteral: {
      const json* v = Find(j, "literal");
      if (v) {
        ASSIGN_OR_RETURN(e.literal, ValueFromJsonAt(*v, 0));
      }
      break;
    }
    case BoundKind::kColumn:
    case BoundKind::kLambdaVar:
    case BoundKind::kDereference:
      if (e.index < 0) return Bad(kind + " without an index");
      break;
    case BoundKind::kArith: {
      ASSIGN_OR_RETURN(std::string op, Get<std::string>(j, "op"));
      int i = IndexOf(kArithOps, op);
      if (i < 0) return Bad("unknown arithmetic operator '" + op + "'");
      e.arith = static_cast<ArithOp>(i);
      break;
    }
    case BoundKind::kCompare: {
      ASSIGN_OR_RETURN(std::string op, Get<std::string>(j, "op"));
      int i = IndexOf(kCompareOps, op);
      if (i < 0) return Bad("unknown comparison operator '" + op + "'");
      e.compare = static_cast<CompareOp>(i);
      break;
    }
    case BoundKind::kLike:
      if (const json* esc = Find(j, "escape")) {
        if (!esc->is_string() || esc->get<std::string>().size() != 1) {
          return Bad("LIKE escape must be one character");
        }
        e.escape = esc->get<std::string>()[0];
      }
      break;
    case BoundKind::kLambda:
      if (const json* slots = Find(j, "lambdaSlots")) {
        if (!slots->is_array()) return Bad("'lambdaSlots' must be a list");
        for (const json& s : *slots) {
          if (!s.is_number_integer()) return Bad("lambda slots must be integers");
          int slot = s.get<int>();
          // The evaluator sizes its slot table by the largest slot.
          if (slot < 0 || slot >= kMaxLambdaSlot) return Bad("lambda slot out of range");
          e.lambda_slots.push_back(slot);
        }
      }
      if (e.children.size() != 1 || !e.children[0]) return Bad("lambda without a body");
      break;
    case BoundKind::kFunction: {
      ASSIGN_OR_RETURN(std::string name, Get<std::string>(j, "function"));
      const json* args = Find(j, "argTypes");
      if (!args || !args->is_array()) return Bad("function call without 'argTypes'");
      for (const json& a : *args) {
        ASSIGN_OR_RETURN(TypePtr t, TypeFromJsonAt(a, 0));
        e.arg_types.push_back(std::move(t));
      }
      e.function = functions.Find(name);
      if (!e.function) {
        return InvalidArgument("The query plan calls function '" + name +
                               "', which this brook does not have.");
      }
      if (e.function->higher_order != HigherOrder::kNone) {
        RETURN_IF_ERROR(CheckHigherOrderCall(e));
        break;
      }
      // The stored signature must still resolve, to the same return type.
      auto resolved = e.function->resolve(e.arg_types);
      if (!resolved.ok() || !TypesEqual(*resolved, e.type)) {
        return InvalidArgument("The query plan calls " + name + FormatArgTypes(e.arg_types) +
                               " returning " + TypeName(e.type) +
                               ", which this brook does not provide.");
      }
      break;
    }
    default:
      break;
  }
  return std::make_shared<const BoundExpr>(std::move(e));
}

// ----- schema, formats, steps ------------------------------------------------------------

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
    ASSIGN_OR_RETURN(col.type, TypeFromJsonAt(*t, 0));
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

json SchemaToJson(const LogicalSchema& s) {
  return {{"key", ColumnsToJson(s.key)}, {"value", ColumnsToJson(s.value)}};
}

Result<LogicalSchema> SchemaFromJson(const json& j) {
  LogicalSchema s;
  const json* k = Find(j, "key");
  const json* v = Find(j, "value");
  if (!k || !v) return Bad("schema without 'key' and 'value'");
  ASSIGN_OR_RETURN(s.key, ColumnsFromJson(*k));
  ASSIGN_OR_RETURN(s.value, ColumnsFromJson(*v));
  return s;
}

json FormatToJson(const FormatInfo& f) {
  return {{"format", f.name}, {"delimiter", f.delimiter}, {"wrapSingle", f.wrap_single}};
}

Result<FormatInfo> FormatFromJson(const json& j) {
  FormatInfo f;
  ASSIGN_OR_RETURN(f.name, Get<std::string>(j, "format"));
  ASSIGN_OR_RETURN(f.delimiter, Get<std::string>(j, "delimiter"));
  ASSIGN_OR_RETURN(f.wrap_single, Get<bool>(j, "wrapSingle"));
  return f;
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
    ASSIGN_OR_RETURN(BoundExprPtr b, ExprFromJsonAt(e, fns, 0));
    out.push_back(std::move(b));
  }
  return out;
}

json OptionalString(const std::optional<std::string>& s) { return s ? json(*s) : json(nullptr); }

Result<std::optional<std::string>> OptionalStringFrom(const json& j, const char* key) {
  const json* v = Find(j, key);
  if (!v) return std::optional<std::string>();
  if (!v->is_string()) return Bad(std::string("'") + key + "' must be a string");
  return std::optional<std::string>(v->get<std::string>());
}

// ksqlDB's step context names, so state stores and internal topics read like ksqlDB's.
constexpr const char* kSourceId = "KsqlTopic/Source";
constexpr const char* kFilterId = "WhereFilter";
constexpr const char* kRekeyId = "PartitionBy";
constexpr const char* kSelectId = "Project";
constexpr const char* kSinkId = "KsqlTopic/Sink";

}  // namespace

// ----- public ----------------------------------------------------------------------------

json TypeToJson(const TypePtr& t) {
  if (!t) return nullptr;
  json j = {{"type", kTypeNames[static_cast<int>(t->kind())]}};
  switch (t->kind()) {
    case TypeKind::kDecimal:
      j["precision"] = t->precision();
      j["scale"] = t->scale();
      break;
    case TypeKind::kArray:
      j["element"] = TypeToJson(t->element());
      break;
    case TypeKind::kMap:
      j["key"] = TypeToJson(t->key());
      j["value"] = TypeToJson(t->value());
      break;
    case TypeKind::kStruct: {
      json fields = json::array();
      for (const StructField& f : t->fields()) {
        fields.push_back({{"name", f.name}, {"type", TypeToJson(f.type)}});
      }
      j["fields"] = std::move(fields);
      break;
    }
    default:
      break;
  }
  return j;
}

Result<TypePtr> TypeFromJson(const json& j) { return TypeFromJsonAt(j, 0); }

json ValueToJson(const Value& v) {
  if (v.is_null()) return nullptr;
  json j = {{"kind", kValueKinds[static_cast<int>(v.kind())]}};
  switch (v.kind()) {
    case Value::Kind::kBool: j["v"] = v.as_bool(); break;
    case Value::Kind::kInt:
    case Value::Kind::kBigint:
    case Value::Kind::kDate:
    case Value::Kind::kTime:
    case Value::Kind::kTimestamp: j["v"] = v.as_int64(); break;
    case Value::Kind::kDouble: {
      double d = v.as_double();
      if (std::isnan(d)) j["v"] = "NaN";
      else if (std::isinf(d)) j["v"] = d > 0 ? "Infinity" : "-Infinity";
      else j["v"] = d;
      break;
    }
    case Value::Kind::kDecimal:
      j["v"] = DecimalToString(v.decimal_unscaled(), v.decimal_scale());
      break;
    case Value::Kind::kString: j["v"] = v.as_string(); break;
    case Value::Kind::kBytes: j["v"] = Base64Encode(v.as_string()); break;
    case Value::Kind::kArray:
    case Value::Kind::kMap:
    case Value::Kind::kStruct: {
      json items = json::array();
      for (const Value& e : v.list()) items.push_back(ValueToJson(e));
      j["v"] = std::move(items);
      break;
    }
    case Value::Kind::kNull: break;
  }
  return j;
}

Result<Value> ValueFromJson(const json& j) { return ValueFromJsonAt(j, 0); }

json ExprToJson(const BoundExpr& e) {
  json j = {{"kind", kExprKinds[static_cast<int>(e.kind)]}, {"type", TypeToJson(e.type)}};
  if (!e.text.empty()) j["text"] = e.text;
  if (!e.children.empty()) {
    json kids = json::array();
    for (const auto& c : e.children) kids.push_back(c ? ExprToJson(*c) : json(nullptr));
    j["children"] = std::move(kids);
  }
  if (e.index >= 0) j["index"] = e.index;
  if (e.negated) j["negated"] = true;
  if (e.has_operand) j["hasOperand"] = true;
  if (e.has_else) j["hasElse"] = true;
  switch (e.kind) {
    case BoundKind::kLiteral: j["literal"] = ValueToJson(e.literal); break;
    case BoundKind::kArith: j["op"] = kArithOps[static_cast<int>(e.arith)]; break;
    case BoundKind::kCompare: j["op"] = kCompareOps[static_cast<int>(e.compare)]; break;
    case BoundKind::kLike:
      if (e.escape) j["escape"] = std::string(1, *e.escape);
      break;
    case BoundKind::kLambda: j["lambdaSlots"] = e.lambda_slots; break;
    case BoundKind::kFunction: {
      j["function"] = e.function ? e.function->name : std::string();
      json args = json::array();
      for (const auto& t : e.arg_types) args.push_back(TypeToJson(t));
      j["argTypes"] = std::move(args);
      break;
    }
    default: break;
  }
  return j;
}

Result<BoundExprPtr> ExprFromJson(const json& j, const FunctionRegistry& functions) {
  return ExprFromJsonAt(j, functions, 0);
}

json PlanToJson(const QueryPlan& plan) {
  json steps = json::array();
  const SourceStep& s = plan.source;
  json source = {{"@type", SourceStep::kName},
                 {"id", kSourceId},
                 {"sourceName", s.source_name},
                 {"topic", s.topic},
                 {"keyFormat", FormatToJson(s.key_format)},
                 {"valueFormat", FormatToJson(s.value_format)},
                 {"schema", SchemaToJson(s.schema)},
                 {"isTable", s.is_table},
                 {"rowWidth", s.row_width},
                 {"timestampIndex", s.timestamp_index},
                 {"timestampFormat", OptionalString(s.timestamp_format)},
                 {"needed", s.needed}};
  if (s.window) {
    static const char* kWindowTypes[] = {"TUMBLING", "HOPPING", "SESSION"};
    source["window"] = {{"type", kWindowTypes[static_cast<int>(s.window->type)]},
                        {"sizeMs", s.window->size_ms}};
  }
  steps.push_back(std::move(source));
  std::string input = kSourceId;
  if (plan.filter) {
    steps.push_back({{"@type", "filter_v1"},
                     {"id", kFilterId},
                     {"source", input},
                     {"predicate", ExprToJson(*plan.filter)}});
    input = kFilterId;
  }
  if (plan.has_rekey) {
    steps.push_back({{"@type", "rekey_v1"},
                     {"id", kRekeyId},
                     {"source", input},
                     {"keyExpressions", ExprListToJson(plan.rekey_exprs)},
                     {"carriedColumns", plan.rekey_sources}});
    input = kRekeyId;
  }
  json order = json::array();
  for (const auto& [is_key, idx] : plan.select_order) order.push_back({is_key, idx});
  steps.push_back({{"@type", "select_v1"},
                   {"id", kSelectId},
                   {"source", input},
                   {"keyExpressions", ExprListToJson(plan.key_exprs)},
                   {"valueExpressions", ExprListToJson(plan.value_exprs)},
                   {"selectOrder", std::move(order)},
                   {"rekeyed", plan.rekeyed}});
  input = kSelectId;
  if (plan.sink) {
    const SinkStep& k = *plan.sink;
    steps.push_back({{"@type", SinkStep::kName},
                     {"id", kSinkId},
                     {"source", input},
                     {"name", k.name},
                     {"topic", k.topic},
                     {"keyFormat", FormatToJson(k.key_format)},
                     {"valueFormat", FormatToJson(k.value_format)},
                     {"partitions", k.partitions},
                     {"timestampColumn", k.timestamp_column},
                     {"timestampInKey", k.timestamp_in_key},
                     {"timestampFormat", OptionalString(k.timestamp_format)}});
  }
  return {{"planVersion", kPlanVersion},
          {"queryId", plan.query_id},
          {"sql", plan.sql},
          {"limit", plan.limit ? json(*plan.limit) : json(nullptr)},
          {"outputSchema", SchemaToJson(plan.output_schema)},
          {"outputIsTable", plan.output_is_table},
          {"steps", std::move(steps)}};
}

Result<QueryPlan> PlanFromJson(const json& j, const FunctionRegistry& functions) {
  ASSIGN_OR_RETURN(int version, Get<int>(j, "planVersion"));
  if (version != kPlanVersion) {
    return InvalidArgument("The query plan has version " + std::to_string(version) +
                           "; this brook reads version " + std::to_string(kPlanVersion) + ".");
  }
  QueryPlan plan;
  ASSIGN_OR_RETURN(plan.query_id, Get<std::string>(j, "queryId"));
  ASSIGN_OR_RETURN(plan.sql, Get<std::string>(j, "sql"));
  if (Find(j, "limit")) {
    ASSIGN_OR_RETURN(int64_t limit, Get<int64_t>(j, "limit"));
    plan.limit = limit;
  }
  const json* out = Find(j, "outputSchema");
  if (!out) return Bad("missing 'outputSchema'");
  ASSIGN_OR_RETURN(plan.output_schema, SchemaFromJson(*out));
  ASSIGN_OR_RETURN(plan.output_is_table, Get<bool>(j, "outputIsTable"));
  const json* steps = Find(j, "steps");
  if (!steps || !steps->is_array() || steps->empty()) return Bad("missing 'steps'");
  std::string previous;
  bool saw_select = false;
  for (const json& step : *steps) {
    ASSIGN_OR_RETURN(std::string type, Get<std::string>(step, "@type"));
    ASSIGN_OR_RETURN(std::string id, Get<std::string>(step, "id"));
    if (!previous.empty()) {
      ASSIGN_OR_RETURN(std::string input, Get<std::string>(step, "source"));
      if (input != previous) return Bad("step '" + id + "' reads '" + input + "'");
    } else if (type != SourceStep::kName) {
      return Bad("the first step must be " + std::string(SourceStep::kName));
    }
    previous = id;
    if (type == SourceStep::kName) {
      SourceStep& s = plan.source;
      ASSIGN_OR_RETURN(s.source_name, Get<std::string>(step, "sourceName"));
      ASSIGN_OR_RETURN(s.topic, Get<std::string>(step, "topic"));
      const json* kf = Find(step, "keyFormat");
      const json* vf = Find(step, "valueFormat");
      const json* schema = Find(step, "schema");
      if (!kf || !vf || !schema) return Bad("source_v1 without formats or schema");
      ASSIGN_OR_RETURN(s.key_format, FormatFromJson(*kf));
      ASSIGN_OR_RETURN(s.value_format, FormatFromJson(*vf));
      ASSIGN_OR_RETURN(s.schema, SchemaFromJson(*schema));
      ASSIGN_OR_RETURN(s.is_table, Get<bool>(step, "isTable"));
      ASSIGN_OR_RETURN(s.row_width, Get<int>(step, "rowWidth"));
      ASSIGN_OR_RETURN(s.timestamp_index, Get<int>(step, "timestampIndex"));
      ASSIGN_OR_RETURN(s.timestamp_format, OptionalStringFrom(step, "timestampFormat"));
      const json* needed = Find(step, "needed");
      if (!needed || !needed->is_array()) return Bad("source_v1 without 'needed'");
      for (const json& n : *needed) {
        if (!n.is_boolean()) return Bad("'needed' must hold booleans");
        s.needed.push_back(n.get<bool>());
      }
      int expected_width = static_cast<int>(s.schema.key.size() + s.schema.value.size()) + 3;
      if (const json* w = Find(step, "window")) {
        WindowInfo window;
        ASSIGN_OR_RETURN(std::string wt, Get<std::string>(*w, "type"));
        static const char* const kWindowTypes[] = {"TUMBLING", "HOPPING", "SESSION"};
        int t = IndexOf(kWindowTypes, wt);
        if (t < 0) return Bad("unknown window type '" + wt + "'");
        window.type = static_cast<WindowInfo::Type>(t);
        ASSIGN_OR_RETURN(window.size_ms, Get<int64_t>(*w, "sizeMs"));
        s.window = window;
        expected_width += 2;
      }
      if (s.row_width != expected_width || static_cast<int>(s.needed.size()) != s.row_width ||
          s.timestamp_index >= s.row_width) {
        return Bad("source_v1 row layout does not match its schema");
      }
    } else if (type == "filter_v1") {
      const json* p = Find(step, "predicate");
      if (!p) return Bad("filter_v1 without 'predicate'");
      ASSIGN_OR_RETURN(plan.filter, ExprFromJsonAt(*p, functions, 0));
    } else if (type == "rekey_v1") {
      plan.has_rekey = true;
      ASSIGN_OR_RETURN(plan.rekey_exprs, ExprListFromJson(Find(step, "keyExpressions"), functions));
      const json* carried = Find(step, "carriedColumns");
      if (!carried || !carried->is_array()) return Bad("rekey_v1 without 'carriedColumns'");
      for (const json& c : *carried) {
        if (!c.is_number_integer() || c.get<int>() < 0 || c.get<int>() >= plan.source.row_width) {
          return Bad("rekey_v1 carries a column outside the source row");
        }
        plan.rekey_sources.push_back(c.get<int>());
      }
    } else if (type == "select_v1") {
      saw_select = true;
      ASSIGN_OR_RETURN(plan.key_exprs, ExprListFromJson(Find(step, "keyExpressions"), functions));
      ASSIGN_OR_RETURN(plan.value_exprs,
                       ExprListFromJson(Find(step, "valueExpressions"), functions));
      ASSIGN_OR_RETURN(plan.rekeyed, Get<bool>(step, "rekeyed"));
      const json* order = Find(step, "selectOrder");
      if (!order || !order->is_array()) return Bad("select_v1 without 'selectOrder'");
      for (const json& o : *order) {
        if (!o.is_array() || o.size() != 2 || !o[0].is_boolean() || !o[1].is_number_integer()) {
          return Bad("'selectOrder' entries are [isKey, index]");
        }
        bool is_key = o[0].get<bool>();
        int idx = o[1].get<int>();
        size_t bound = is_key ? plan.key_exprs.size() : plan.value_exprs.size();
        if (idx < 0 || static_cast<size_t>(idx) >= bound) return Bad("'selectOrder' out of range");
        plan.select_order.emplace_back(is_key, idx);
      }
    } else if (type == SinkStep::kName) {
      SinkStep k;
      ASSIGN_OR_RETURN(k.name, Get<std::string>(step, "name"));
      ASSIGN_OR_RETURN(k.topic, Get<std::string>(step, "topic"));
      const json* kf = Find(step, "keyFormat");
      const json* vf = Find(step, "valueFormat");
      if (!kf || !vf) return Bad("sink_v1 without formats");
      ASSIGN_OR_RETURN(k.key_format, FormatFromJson(*kf));
      ASSIGN_OR_RETURN(k.value_format, FormatFromJson(*vf));
      ASSIGN_OR_RETURN(k.partitions, Get<int>(step, "partitions"));
      ASSIGN_OR_RETURN(k.timestamp_column, Get<int>(step, "timestampColumn"));
      ASSIGN_OR_RETURN(k.timestamp_in_key, Get<bool>(step, "timestampInKey"));
      ASSIGN_OR_RETURN(k.timestamp_format, OptionalStringFrom(step, "timestampFormat"));
      if (k.partitions < 1) return Bad("sink_v1 needs at least one partition");
      size_t ts_bound = k.timestamp_in_key ? plan.output_schema.key.size()
                                           : plan.output_schema.value.size();
      if (k.timestamp_column >= static_cast<int>(ts_bound)) {
        return Bad("sink_v1 timestamp column out of range");
      }
      plan.sink = std::move(k);
    } else {
      return InvalidArgument("The query plan has a step of type '" + type +
                             "', which this brook does not know.");
    }
  }
  if (!saw_select) return Bad("missing select_v1");
  if (plan.key_exprs.size() != plan.output_schema.key.size() ||
      plan.value_exprs.size() != plan.output_schema.value.size()) {
    return Bad("select_v1 does not match the output schema");
  }
  return plan;
}

std::string PlanToJsonText(const QueryPlan& plan) { return PlanToJson(plan).dump(); }

Result<QueryPlan> PlanFromJsonText(std::string_view text, const FunctionRegistry& functions) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Bad("not valid JSON");
  return PlanFromJson(j, functions);
}

}  // namespace brook
