#include "planner/physical/plan_json.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "common/base64.h"
#include "common/java_format.h"
#include "planner/physical/json_util.h"

namespace brook {

using namespace plan_json;  // NOLINT: JSON helpers of this folder

namespace {

// Lambda parameter slots are numbered per expression; no real query comes near this.
constexpr int kMaxLambdaSlot = 1 << 16;

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

namespace {

// What the evaluator relies on, checked on expressions read from a stored plan (which may have
// been edited): child counts per kind, no missing children, types where the evaluator reads
// them, and column slots inside the row the expression is evaluated over.
Status CheckExpr(const BoundExpr& e, int width) {
  auto need = [&](bool ok, const char* what) {
    return ok ? Status::Ok()
              : Bad(std::string(kExprKinds[static_cast<int>(e.kind)]) + " expression " + what);
  };
  const size_t n = e.children.size();
  for (const auto& c : e.children) RETURN_IF_ERROR(need(c != nullptr, "with a missing child"));
  switch (e.kind) {
    case BoundKind::kLiteral:
    case BoundKind::kLambdaVar:
      RETURN_IF_ERROR(need(n == 0, "with children"));
      break;
    case BoundKind::kColumn:
      RETURN_IF_ERROR(need(n == 0 && e.index >= 0 && e.index < width,
                           "reading a column outside its input row"));
      break;
    case BoundKind::kFunction:
      RETURN_IF_ERROR(need(e.function != nullptr && n == e.arg_types.size(),
                           "with arguments that do not match its argument types"));
      break;
    case BoundKind::kCast:
      RETURN_IF_ERROR(need(n == 1 && e.type, "needs one child and a type"));
      break;
    case BoundKind::kCase:
      RETURN_IF_ERROR(need(n >= static_cast<size_t>(e.has_operand) + e.has_else,
                           "with too few children"));
      break;
    case BoundKind::kNegate:
    case BoundKind::kNot:
    case BoundKind::kIsNull:
    case BoundKind::kDereference:
    case BoundKind::kLambda:
      RETURN_IF_ERROR(need(n == 1, "needs one child"));
      break;
    case BoundKind::kArith:
    case BoundKind::kAnd:
    case BoundKind::kOr:
    case BoundKind::kCompare:
    case BoundKind::kDistinct:
    case BoundKind::kLike:
    case BoundKind::kConcat:
    case BoundKind::kSubscript:
      RETURN_IF_ERROR(need(n == 2, "needs two children"));
      break;
    case BoundKind::kBetween:
      RETURN_IF_ERROR(need(n == 3, "needs three children"));
      break;
    case BoundKind::kIn:
      RETURN_IF_ERROR(need(n >= 1, "needs a value"));
      break;
    case BoundKind::kArray:
      RETURN_IF_ERROR(need(e.type && e.type->kind() == TypeKind::kArray, "needs an ARRAY type"));
      break;
    case BoundKind::kMap:
      RETURN_IF_ERROR(need(n % 2 == 0 && e.type && e.type->kind() == TypeKind::kMap,
                           "needs key/value pairs and a MAP type"));
      break;
    case BoundKind::kStruct:
      break;
  }
  for (const auto& c : e.children) RETURN_IF_ERROR(CheckExpr(*c, width));
  return Status::Ok();
}

Status CheckAll(const std::vector<BoundExprPtr>& exprs, int width) {
  for (const auto& e : exprs) RETURN_IF_ERROR(CheckExpr(*e, width));
  return Status::Ok();
}

// Every expression of a step, against the width of the row it reads.
Status CheckStepExprs(const PhysicalStep& step, int input_width, int output_width) {
  if (const auto* f = step.As<FilterStep>()) return CheckExpr(*f->predicate, input_width);
  if (const auto* r = step.As<RekeyStep>()) return CheckAll(r->key_exprs, input_width);
  if (const auto* p = step.As<ProjectStep>()) {
    RETURN_IF_ERROR(CheckAll(p->key_exprs, input_width));
    return CheckAll(p->value_exprs, input_width);
  }
  if (const auto* fm = step.As<FlatMapStep>()) {
    for (const TableFunctionCall& c : fm->calls) RETURN_IF_ERROR(CheckAll(c.args, input_width));
  }
  if (const auto* a = step.As<AggregateStep>()) {
    RETURN_IF_ERROR(CheckAll(a->group_by, input_width));
    for (const AggregateCall& c : a->calls) RETURN_IF_ERROR(CheckAll(c.args, input_width));
    if (a->having) RETURN_IF_ERROR(CheckExpr(*a->having, output_width));
  }
  if (const auto* j = step.As<JoinStep>()) {
    RETURN_IF_ERROR(CheckExpr(*j->left_key, j->left_width));
    RETURN_IF_ERROR(CheckExpr(*j->right_key, j->right_width));
  }
  if (const auto* r = step.As<RepartitionStep>()) RETURN_IF_ERROR(CheckExpr(*r->key, input_width));
  return Status::Ok();
}

}  // namespace

json PlanToJson(const PhysicalPlan& plan) {
  json steps = json::array();
  for (const PhysicalStep& s : plan.steps) {
    json body = std::visit([](const auto& step) { return step.ToJson(); }, s.body);
    json step = {{"@type", s.name()}, {"id", s.id}, {"inputs", s.inputs}};
    step.update(body);
    steps.push_back(std::move(step));
  }
  return {{"planVersion", kPlanVersion},
          {"queryId", plan.query_id},
          {"sql", plan.sql},
          {"limit", plan.limit ? json(*plan.limit) : json(nullptr)},
          {"outputSchema", SchemaToJson(plan.output_schema)},
          {"outputIsTable", plan.output_is_table},
          {"steps", std::move(steps)}};
}

namespace {

// The row width a step produces, so readers can check the column slots steps refer to.
int OutputWidth(const PhysicalStep& s, const std::vector<int>& input_widths) {
  if (const auto* src = s.As<SourceStep>()) return src->row_width;
  if (const auto* r = s.As<RekeyStep>()) {
    return static_cast<int>(r->key_exprs.size() + r->carried.size());
  }
  if (const auto* j = s.As<JoinStep>()) return j->left_width + j->right_width + 1;
  if (const auto* f = s.As<FlatMapStep>()) {
    return (input_widths.empty() ? 0 : input_widths[0]) + static_cast<int>(f->calls.size());
  }
  if (const auto* a = s.As<AggregateStep>()) {
    return static_cast<int>(a->group_by.size() + a->calls.size()) + (a->window ? 2 : 0);
  }
  return input_widths.empty() ? 0 : input_widths[0];
}

template <typename T>
Result<StepBody> Widen(Result<T> r) {
  if (!r.ok()) return std::move(r).TakeStatus();
  return StepBody(std::move(r).value());
}

Result<StepBody> StepFromJson(const std::string& type, const json& j,
                              const FunctionRegistry& functions, int input_width) {
  if (type == SourceStep::kName) return Widen(SourceStep::FromJson(j));
  if (type == FilterStep::kName) return Widen(FilterStep::FromJson(j, functions));
  if (type == RekeyStep::kName) return Widen(RekeyStep::FromJson(j, functions, input_width));
  if (type == FlatMapStep::kName) return Widen(FlatMapStep::FromJson(j, functions));
  if (type == ProjectStep::kName) return Widen(ProjectStep::FromJson(j, functions));
  if (type == SinkStep::kName) return Widen(SinkStep::FromJson(j));
  if (type == AggregateStep::kName) return Widen(AggregateStep::FromJson(j, functions));
  if (type == JoinStep::kName) return Widen(JoinStep::FromJson(j, functions));
  if (type == MaterializeStep::kName) return Widen(MaterializeStep::FromJson(j));
  if (type == RepartitionStep::kName) return Widen(RepartitionStep::FromJson(j, functions));
  return InvalidArgument("The query plan has a step of type '" + type +
                         "', which this brook does not know.");
}

}  // namespace

Result<PhysicalPlan> PlanFromJson(const json& j, const FunctionRegistry& functions) {
  ASSIGN_OR_RETURN(int version, Get<int>(j, "planVersion"));
  if (version != kPlanVersion) {
    return InvalidArgument("The query plan has version " + std::to_string(version) +
                           "; this brook reads version " + std::to_string(kPlanVersion) + ".");
  }
  PhysicalPlan plan;
  ASSIGN_OR_RETURN(plan.query_id, Get<std::string>(j, "queryId"));
  ASSIGN_OR_RETURN(plan.sql, Get<std::string>(j, "sql"));
  if (Find(j, "limit")) {
    ASSIGN_OR_RETURN(int64_t limit, Get<int64_t>(j, "limit"));
    plan.limit = limit;
  }
  ASSIGN_OR_RETURN(plan.output_schema, SchemaFromJson(Find(j, "outputSchema")));
  ASSIGN_OR_RETURN(plan.output_is_table, Get<bool>(j, "outputIsTable"));
  const json* steps = Find(j, "steps");
  if (!steps || !steps->is_array() || steps->empty()) return Bad("missing 'steps'");
  std::map<std::string, int> widths;
  for (const json& sj : *steps) {
    PhysicalStep step;
    ASSIGN_OR_RETURN(std::string type, Get<std::string>(sj, "@type"));
    ASSIGN_OR_RETURN(step.id, Get<std::string>(sj, "id"));
    const json* inputs = Find(sj, "inputs");
    if (!inputs || !inputs->is_array()) return Bad("step '" + step.id + "' without 'inputs'");
    std::vector<int> input_widths;
    for (const json& in : *inputs) {
      if (!in.is_string()) return Bad("'inputs' must hold step ids");
      auto it = widths.find(in.get<std::string>());
      if (it == widths.end()) return Bad("step '" + step.id + "' reads an unknown step");
      step.inputs.push_back(it->first);
      input_widths.push_back(it->second);
    }
    const int input_width = input_widths.empty() ? 0 : input_widths[0];
    ASSIGN_OR_RETURN(step.body, StepFromJson(type, sj, functions, input_width));
    if (const auto* jn = step.As<JoinStep>();
        jn && (input_widths.size() != 2 || input_widths[0] != jn->left_width ||
               input_widths[1] != jn->right_width)) {
      return Bad("join_v1 '" + step.id + "' does not match the widths of its inputs");
    }
    widths[step.id] = OutputWidth(step, input_widths);
    RETURN_IF_ERROR(CheckStepExprs(step, input_width, widths[step.id]));
    plan.steps.push_back(std::move(step));
  }
  RETURN_IF_ERROR(plan.Validate());
  return plan;
}

std::string PlanToJsonText(const PhysicalPlan& plan) {
  // SQL text or literals with invalid UTF-8 must not make dump() throw.
  return PlanToJson(plan).dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<PhysicalPlan> PlanFromJsonText(std::string_view text, const FunctionRegistry& functions) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Bad("not valid JSON");
  return PlanFromJson(j, functions);
}

}  // namespace brook
