#include "planner/analyzer/expression_binder.h"

#include <algorithm>

#include "common/java_format.h"
#include "common/time_util.h"
#include "common/value_cast.h"
#include "common/ascii.h"

namespace brook {

namespace {

using ast::ExprKind;

BoundExprPtr Make(BoundExpr e) { return std::make_shared<const BoundExpr>(std::move(e)); }

int NumericRank(const TypePtr& t) {
  if (!t) return -1;
  switch (t->kind()) {
    case TypeKind::kInt: return 0;
    case TypeKind::kBigint: return 1;
    case TypeKind::kDecimal: return 2;
    case TypeKind::kDouble: return 3;
    default: return -1;
  }
}

const char* CompareName(const std::string& op) {
  if (op == "=") return "EQUAL";
  if (op == "<>") return "NOT_EQUAL";
  if (op == "<") return "LESS_THAN";
  if (op == "<=") return "LESS_THAN_OR_EQUAL";
  if (op == ">") return "GREATER_THAN";
  if (op == ">=") return "GREATER_THAN_OR_EQUAL";
  return "IS_DISTINCT_FROM";
}

// ksqlDB's "Function 'x' does not accept parameters (...)." for argument lists that contain
// lambdas, which have no SqlType: `args` are already rendered ("LAMBDA (INTEGER) => BOOLEAN").
Status NoMatchingSignatureDescribed(const std::string& name, const std::vector<std::string>& args,
                                    const SourceRange& range) {
  std::string lower;
  lower += AsciiLower(name);
  std::string list;
  for (size_t i = 0; i < args.size(); ++i) list += (i ? ", " : "") + args[i];
  return InvalidArgument("Function '" + lower + "' does not accept parameters (" + list + ").",
                         range);
}

bool IsTemporal(const TypePtr& t) {
  return t && (t->kind() == TypeKind::kTimestamp || t->kind() == TypeKind::kDate ||
               t->kind() == TypeKind::kTime);
}

}  // namespace

TypePtr DecimalArithmeticType(ArithOp op, const TypePtr& a, const TypePtr& b) {
  TypePtr x = DecimalOf(a), y = DecimalOf(b);
  int p1 = x->precision(), s1 = x->scale(), p2 = y->precision(), s2 = y->scale();
  int p = 0, s = 0;
  switch (op) {
    case ArithOp::kAdd:
    case ArithOp::kSub:
      s = std::max(s1, s2);
      p = std::max(p1 - s1, p2 - s2) + s + 1;
      break;
    case ArithOp::kMul:
      p = p1 + p2 + 1;
      s = s1 + s2;
      break;
    case ArithOp::kDiv:
      s = std::max(6, s1 + p2 + 1);
      p = p1 - s1 + s2 + s;
      break;
    case ArithOp::kMod:
      s = std::max(s1, s2);
      p = std::min(p1 - s1, p2 - s2) + s;
      break;
  }
  if (p > 38) {
    s = std::max(0, s - (p - 38));
    p = 38;
  }
  if (s > p) s = p;
  return SqlType::Decimal(std::max(p, 1), s);
}

Result<TypePtr> CommonType(const TypePtr& a, const TypePtr& b) {
  if (!a) return b;
  if (!b) return a;
  if (TypesEqual(a, b)) return a;
  int ra = NumericRank(a), rb = NumericRank(b);
  if (ra >= 0 && rb >= 0) {
    if (ra == 3 || rb == 3) return SqlType::Double();
    if (ra == 2 || rb == 2) {
      TypePtr x = DecimalOf(a), y = DecimalOf(b);
      int s = std::max(x->scale(), y->scale());
      int p = std::max(x->precision() - x->scale(), y->precision() - y->scale()) + s;
      return SqlType::Decimal(std::min(p, 38), s);
    }
    return SqlType::Bigint();
  }
  if (a->kind() == TypeKind::kArray && b->kind() == TypeKind::kArray) {
    ASSIGN_OR_RETURN(TypePtr e, CommonType(a->element(), b->element()));
    return SqlType::Array(e);
  }
  if (a->kind() == TypeKind::kStruct && b->kind() == TypeKind::kStruct &&
      a->fields().size() == b->fields().size()) {
    std::vector<StructField> fields;
    for (size_t i = 0; i < a->fields().size(); ++i) {
      if (a->fields()[i].name != b->fields()[i].name) {
        return InvalidArgument("incompatible types " + TypeName(a) + " and " + TypeName(b));
      }
      ASSIGN_OR_RETURN(TypePtr f, CommonType(a->fields()[i].type, b->fields()[i].type));
      fields.push_back({a->fields()[i].name, f});
    }
    return SqlType::Struct(std::move(fields));
  }
  if (a->kind() == TypeKind::kMap && b->kind() == TypeKind::kMap) {
    ASSIGN_OR_RETURN(TypePtr k, CommonType(a->key(), b->key()));
    ASSIGN_OR_RETURN(TypePtr v, CommonType(a->value(), b->value()));
    return SqlType::Map(k, v);
  }
  return InvalidArgument("incompatible types " + TypeName(a) + " and " + TypeName(b));
}

bool CanImplicitlyCast(const TypePtr& from, const TypePtr& to) {
  if (!from || !to) return true;
  if (TypesEqual(from, to)) return true;
  int rf = NumericRank(from), rt = NumericRank(to);
  if (rf >= 0 && rt >= 0) return rf <= rt;
  if (from->kind() == TypeKind::kArray && to->kind() == TypeKind::kArray) {
    return CanImplicitlyCast(from->element(), to->element());
  }
  if (from->kind() == TypeKind::kMap && to->kind() == TypeKind::kMap) {
    return CanImplicitlyCast(from->key(), to->key()) &&
           CanImplicitlyCast(from->value(), to->value());
  }
  return false;
}

bool CanCast(const TypePtr& from, const TypePtr& to) {
  if (!from || !to) return true;
  if (TypesEqual(from, to)) return true;
  TypeKind f = from->kind(), t = to->kind();
  if (t == TypeKind::kString) return f != TypeKind::kBytes || true;
  if (from->IsNumeric() && to->IsNumeric()) return true;
  if (f == TypeKind::kString) {
    return to->IsPrimitive() && t != TypeKind::kBytes;
  }
  if (f == TypeKind::kBoolean) return t == TypeKind::kString;
  if (f == TypeKind::kTimestamp) return t == TypeKind::kDate || t == TypeKind::kTime;
  if (f == TypeKind::kDate) return t == TypeKind::kTimestamp;
  if (f == TypeKind::kArray && t == TypeKind::kArray) return CanCast(from->element(), to->element());
  if (f == TypeKind::kMap && t == TypeKind::kMap) {
    return CanCast(from->key(), to->key()) && CanCast(from->value(), to->value());
  }
  if (f == TypeKind::kStruct && t == TypeKind::kStruct) {
    for (const auto& tf : to->fields()) {
      int i = from->FieldIndex(tf.name);
      if (i >= 0 && !CanCast(from->fields()[i].type, tf.type)) return false;
    }
    return true;
  }
  return false;
}

Result<TypePtr> ResolveType(const ast::TypeNode& node, const Catalog& catalog) {
  using K = ast::TypeNode::Kind;
  switch (node.kind) {
    case K::kArray: {
      ASSIGN_OR_RETURN(TypePtr e, ResolveType(*node.children[0], catalog));
      return SqlType::Array(e);
    }
    case K::kMap: {
      ASSIGN_OR_RETURN(TypePtr k, ResolveType(*node.children[0], catalog));
      ASSIGN_OR_RETURN(TypePtr v, ResolveType(*node.children[1], catalog));
      return SqlType::Map(k, v);
    }
    case K::kStruct: {
      std::vector<StructField> fields;
      for (size_t i = 0; i < node.children.size(); ++i) {
        ASSIGN_OR_RETURN(TypePtr t, ResolveType(*node.children[i], catalog));
        for (const auto& f : fields) {
          if (f.name == node.field_names[i]) {
            return InvalidArgument("Duplicate field names found in STRUCT: '" + f.name + "'",
                                   node.range);
          }
        }
        fields.push_back({node.field_names[i], t});
      }
      return SqlType::Struct(std::move(fields));
    }
    case K::kDecimal: {
      int p = node.params.size() > 0 ? node.params[0] : 0;
      int s = node.params.size() > 1 ? node.params[1] : 0;
      if (p < 1 || p > 38) {
        return InvalidArgument("DECIMAL precision must be between 1 and 38: " + std::to_string(p),
                               node.range);
      }
      if (s < 0 || s > p) {
        return InvalidArgument("DECIMAL scale must be between 0 and precision (" +
                                   std::to_string(p) + "): " + std::to_string(s),
                               node.range);
      }
      return SqlType::Decimal(p, s);
    }
    case K::kNamed: break;
  }
  const std::string& n = node.name;
  if (!node.params.empty() && n != "VARCHAR" && n != "STRING") {
    return InvalidArgument("Unexpected parameters for type " + n, node.range);
  }
  if (n == "BOOLEAN") return SqlType::Boolean();
  if (n == "INT" || n == "INTEGER") return SqlType::Int();
  if (n == "BIGINT") return SqlType::Bigint();
  if (n == "DOUBLE") return SqlType::Double();
  if (n == "STRING" || n == "VARCHAR") return SqlType::String();
  if (n == "BYTES") return SqlType::Bytes();
  if (n == "DATE") return SqlType::Date();
  if (n == "TIME") return SqlType::Time();
  if (n == "TIMESTAMP") return SqlType::Timestamp();
  if (TypePtr t = catalog.FindType(n)) return t;
  return InvalidArgument("Unknown type: " + n, node.range);
}

Result<BoundExprPtr> ExpressionBinder::BindColumn(const ast::Expr& e) {
  if (e.qualifier.empty()) {
    for (auto it = lambda_vars_.rbegin(); it != lambda_vars_.rend(); ++it) {
      if (it->first == e.name) {
        BoundExpr b;
        b.kind = BoundKind::kLambdaVar;
        b.index = it->second.first;
        b.type = it->second.second;
        b.text = e.name;
        b.range = e.range;
        return Make(std::move(b));
      }
    }
  }
  const ScopeColumn* found = nullptr;
  bool qualifier_known = e.qualifier.empty();
  for (const ScopeColumn& c : scope_.columns) {
    if (!e.qualifier.empty()) {
      if (c.qualifier != e.qualifier) continue;
      qualifier_known = true;
    }
    if (c.name != e.name) continue;
    if (found && found->qualifier != c.qualifier && !c.pseudo) {
      // ksqlDB names every source that has the column: "Could be A.X or B.X."
      std::vector<std::string> candidates;
      for (const ScopeColumn& other : scope_.columns) {
        if (other.name == e.name && !other.pseudo) {
          candidates.push_back(other.qualifier + "." + e.name);
        }
      }
      std::string listed;
      for (size_t i = 0; i < candidates.size(); ++i) {
        listed += (i == 0 ? "" : i + 1 == candidates.size() ? " or " : ", ") + candidates[i];
      }
      return InvalidArgument("Column '" + e.name + "' is ambiguous. Could be " + listed + ".",
                             e.range);
    }
    if (!found) found = &c;
  }
  if (!qualifier_known) {
    // ksqlDB resolves qualifiers while building the AST: a failure to prepare the statement.
    return InvalidArgument("Failed to prepare statement: '" + e.qualifier +
                               "' is not a valid stream/table name or alias.",
                           e.range);
  }
  if (!found && in_windowed_aggregation_ && (e.name == kWindowstart || e.name == kWindowend)) {
    return InvalidArgument("Window bounds column " + e.name +
                               " can only be used in the SELECT clause of windowed aggregations",
                           e.range);
  }
  if (!found) {
    std::string name = e.qualifier.empty() ? e.name : e.qualifier + "." + e.name;
    // kNotFound: callers tell an unknown column from other errors by the code.
    return Status(StatusCode::kNotFound, clause_ + " column '" + name + "' cannot be resolved.",
                  e.range);
  }
  if (found->window_bound && !allow_window_bounds_) {
    return InvalidArgument("Window bounds column " + found->name +
                               " can only be used in the SELECT clause of windowed aggregations",
                           e.range);
  }
  BoundExpr b;
  b.kind = BoundKind::kColumn;
  b.index = found->index;
  b.type = found->type;
  b.text = e.name;
  b.range = e.range;
  return Make(std::move(b));
}

Status ExpressionBinder::CheckComparable(const ast::Expr& e, const BoundExprPtr& l,
                                         const BoundExprPtr& r, const std::string& op) {
  const TypePtr& a = l->type;
  const TypePtr& b = r->type;
  auto fail = [&]() -> Status {
    return InvalidArgument("Cannot compare " + ast::FormatExpr(*e.children[0]) + " (" +
                               TypeName(a) + ") to " + ast::FormatExpr(*e.children[1]) + " (" +
                               TypeName(b) + ") with " + CompareName(op) +
                               ".\nStatement: " + ast::FormatExpr(e),
                           e.range);
  };
  if (!a && !b && op != "DISTINCT") {
    return InvalidArgument("Comparison with NULL not supported: NULL " + op + " NULL", e.range);
  }
  if (!a || !b) return Status::Ok();
  bool ok = false;
  if (a->IsNumeric() && b->IsNumeric()) ok = true;
  else if (a->kind() == b->kind() && a->IsPrimitive()) ok = true;
  else if ((IsTemporal(a) && (IsTemporal(b) || b->kind() == TypeKind::kString)) ||
           (IsTemporal(b) && a->kind() == TypeKind::kString)) ok = true;
  else if (!a->IsPrimitive() && TypesEqual(a, b) && (op == "=" || op == "<>" || op == "DISTINCT"))
    ok = true;
  if (!ok) return fail();
  return Status::Ok();
}

Result<BoundExprPtr> ExpressionBinder::BindFunction(const ast::Expr& e) {
  const ScalarFunction* fn = functions_.Find(e.name);
  if (!fn && functions_.FindTable(e.name)) {
    // Table function calls reach the binder only outside a SELECT item.
    return InvalidArgument("Table function " + e.name + " can only be used in the SELECT "
                               "clause, not in " + clause_ + ".",
                           e.range);
  }
  if (!fn && functions_.FindAggregate(e.name)) {
    // Aggregate calls reach the binder only where no aggregation can take them.
    if (clause_ == "GROUP BY") {
      return InvalidArgument("GROUP BY does not support aggregate functions: " + e.name +
                                 " is an aggregate function.",
                             e.range);
    }
    if (clause_ == "SELECT") {
      return InvalidArgument("Use of aggregate function " + e.name +
                                 " requires a GROUP BY clause.",
                             e.range);
    }
    return InvalidArgument("Aggregate functions can not be used in the " + clause_ +
                               " clause: " + ast::FormatExpr(e),
                           e.range);
  }
  if (!fn) {
    return InvalidArgument("Can't find any functions with the name '" + e.name + "'", e.range);
  }
  if (fn->higher_order != HigherOrder::kNone) return BindHigherOrder(e, *fn);
  BoundExpr b;
  b.kind = BoundKind::kFunction;
  b.function = fn;
  b.text = e.text;
  b.range = e.range;
  std::vector<TypePtr> types;
  bool has_lambda = false;
  static const char* kUnitFunctions[] = {"TIMESTAMPADD", "TIMESTAMPSUB", "DATEADD",
                                         "DATESUB", "TIMEADD", "TIMESUB"};
  bool unit_first = false;
  for (const char* f : kUnitFunctions) unit_first = unit_first || e.name == f;
  for (const auto& c : e.children) {
    if (unit_first && c == e.children[0] && c->kind == ExprKind::kColumnRef && c->qualifier.empty()) {
      // TIMESTAMPADD(SECONDS, ...): the unit is a keyword, passed on as its name.
      static const char* kUnits[] = {"MILLISECOND", "MILLISECONDS", "SECOND", "SECONDS",
                                     "MINUTE", "MINUTES", "HOUR", "HOURS", "DAY", "DAYS"};
      bool is_unit = false;
      for (const char* u : kUnits) is_unit = is_unit || c->name == u;
      if (is_unit) {
        BoundExpr lit;
        lit.kind = BoundKind::kLiteral;
        lit.literal = Value::String(c->name);
        lit.type = SqlType::String();
        lit.text = c->name;
        lit.range = c->range;
        b.children.push_back(Make(std::move(lit)));
        types.push_back(SqlType::String());
        continue;
      }
    }
    if (c->kind == ExprKind::kLambda) {
      // Only invocation functions take lambdas; report the call the way ksqlDB lists it.
      has_lambda = true;
      types.push_back(nullptr);
      b.children.push_back(nullptr);
      continue;
    }
    ASSIGN_OR_RETURN(BoundExprPtr arg, Bind(*c));
    types.push_back(arg->type);
    b.children.push_back(arg);
  }
  if (has_lambda) {
    std::vector<std::string> described;
    for (size_t i = 0; i < types.size(); ++i) {
      described.push_back(b.children[i] ? TypeName(types[i]) : "LAMBDA");
    }
    return NoMatchingSignatureDescribed(fn->name, described, e.range);
  }
  auto resolved = fn->resolve(types);
  if (!resolved.ok()) return std::move(resolved).TakeStatus().WithRange(e.range);
  b.type = *resolved;
  b.arg_types = types;
  return Make(std::move(b));
}

Result<BoundExprPtr> ExpressionBinder::BindLambda(const ast::Expr& lambda,
                                                   const std::vector<TypePtr>& params) {
  if (lambda.names.size() != params.size()) {
    std::string names;
    for (size_t i = 0; i < lambda.names.size(); ++i) {
      names += (i ? ", " : "") + lambda.names[i];
    }
    return InvalidArgument("Was expecting " + std::to_string(params.size()) +
                               " arguments but found " + std::to_string(lambda.names.size()) +
                               ", [" + names + "]. Check your lambda statement.",
                           lambda.range);
  }
  BoundExpr b;
  b.kind = BoundKind::kLambda;
  b.text = ast::FormatExpr(lambda);
  b.range = lambda.range;
  const size_t outer = lambda_vars_.size();
  for (size_t i = 0; i < params.size(); ++i) {
    int slot = next_lambda_slot_++;
    lambda_vars_.push_back({lambda.names[i], {slot, params[i]}});
    b.lambda_slots.push_back(slot);
  }
  Result<BoundExprPtr> body = Bind(*lambda.children[0]);
  lambda_vars_.erase(lambda_vars_.begin() + static_cast<std::ptrdiff_t>(outer), lambda_vars_.end());
  if (!body.ok()) return std::move(body).TakeStatus();
  b.type = (*body)->type;
  b.children.push_back(*body);
  return Make(std::move(b));
}

Result<BoundExprPtr> ExpressionBinder::BindHigherOrder(const ast::Expr& e,
                                                       const ScalarFunction& fn) {
  const size_t n = e.children.size();
  auto is_lambda = [&](size_t i) { return e.children[i]->kind == ExprKind::kLambda; };
  std::vector<BoundExprPtr> kids(n);
  std::vector<std::vector<TypePtr>> lambda_params(n);  // the types each lambda was bound with
  // ksqlDB's first pass: every argument but the lambdas is typed before any lambda is.
  for (size_t i = 0; i < n; ++i) {
    if (!is_lambda(i)) {
      ASSIGN_OR_RETURN(kids[i], Bind(*e.children[i]));
    }
  }
  // "Function 'filter' does not accept parameters (ARRAY<INTEGER>, LAMBDA (INTEGER) => INTEGER)."
  auto mismatch = [&]() -> Status {
    std::vector<std::string> described;
    for (size_t i = 0; i < n; ++i) {
      if (!is_lambda(i)) {
        described.push_back(TypeName(kids[i]->type));
      } else if (!kids[i]) {
        described.push_back("LAMBDA");
      } else {
        std::string params;
        for (size_t p = 0; p < kids[i]->lambda_slots.size(); ++p) {
          if (p) params += ", ";
          params += TypeName(lambda_params[i][p]);
        }
        described.push_back("LAMBDA (" + params + ") => " + TypeName(kids[i]->type));
      }
    }
    return NoMatchingSignatureDescribed(fn.name, described, e.range);
  };

  if (n == 0 || is_lambda(0) || !kids[0]->type) return mismatch();
  const TypePtr& collection = kids[0]->type;
  const bool is_array = collection->kind() == TypeKind::kArray;
  const bool is_map = collection->kind() == TypeKind::kMap;
  if (!is_array && !is_map) return mismatch();

  // Shape of the call: how many arguments, and where the lambdas start.
  size_t expected = 2, first_lambda = 1;
  switch (fn.higher_order) {
    case HigherOrder::kTransform: expected = is_array ? 2 : 3; break;
    case HigherOrder::kFilter: break;
    case HigherOrder::kReduce: expected = 3; first_lambda = 2; break;
    case HigherOrder::kNone: return Internal("not an invocation function");
  }
  if (n != expected) return mismatch();
  for (size_t i = 1; i < n; ++i) {
    if (is_lambda(i) != (i >= first_lambda)) return mismatch();
  }

  // Lambda parameters: [state,] element | key, value.
  std::vector<TypePtr> params;
  TypePtr state;
  if (fn.higher_order == HigherOrder::kReduce) {
    state = kids[1]->type;
    if (!state) return mismatch();  // an untyped NULL leaves S unresolved
    params.push_back(state);
  }
  if (is_array) {
    params.push_back(collection->element());
  } else {
    params.push_back(collection->key());
    params.push_back(collection->value());
  }
  for (size_t i = first_lambda; i < n; ++i) {
    ASSIGN_OR_RETURN(kids[i], BindLambda(*e.children[i], params));
    lambda_params[i] = params;
  }

  // The result, from the generic signature with the lambda types known.
  TypePtr result;
  switch (fn.higher_order) {
    case HigherOrder::kTransform:
      if (is_array) {
        if (!kids[1]->type) return mismatch();
        result = SqlType::Array(kids[1]->type);
      } else {
        if (!kids[1]->type || !kids[2]->type) return mismatch();
        result = SqlType::Map(kids[1]->type, kids[2]->type);
      }
      break;
    case HigherOrder::kFilter:
      if (!kids[1]->type || kids[1]->type->kind() != TypeKind::kBoolean) return mismatch();
      result = collection;
      break;
    case HigherOrder::kReduce:
      // S is fixed by the initial state; the lambda must return exactly S.
      if (kids[2]->type && !TypesEqual(kids[2]->type, state)) return mismatch();
      result = state;
      break;
    case HigherOrder::kNone: break;
  }

  BoundExpr b;
  b.kind = BoundKind::kFunction;
  b.function = &fn;
  b.text = e.text;
  b.range = e.range;
  b.type = result;
  for (const BoundExprPtr& k : kids) b.arg_types.push_back(k->type);
  b.children = std::move(kids);
  return Make(std::move(b));
}

bool ExpressionBinder::IsTimeColumn(const ast::Expr& e) const {
  return e.kind == ExprKind::kColumnRef &&
         (e.name == kRowtime || e.name == kWindowstart || e.name == kWindowend);
}

Status ExpressionBinder::CoerceTimeLiteral(const ast::Expr& e, BoundExprPtr& bound) {
  if (e.kind != ExprKind::kLiteral || e.literal_kind != ast::LiteralKind::kString) {
    return Status::Ok();
  }
  // ksqlDB accepts partial timestamps here: '2018', '2018-05', '2018-05-11T21', ...
  std::string text = e.literal.as_string();
  std::optional<int64_t> ms = ParseTimestamp(text);
  if (!ms) {
    static const char* kFill = "0000-01-01T00:00:00.000";
    if (text.size() >= 4 && text.size() < 23) {
      std::string t = text;
      size_t zone = t.find_first_of("Z+", 10);
      std::string tz;
      if (zone != std::string::npos) {
        tz = t.substr(zone);
        t = t.substr(0, zone);
      }
      // Hour 24 is midnight at the end of the day, as Java's lenient parsing reads it.
      bool end_of_day = t.size() >= 13 && t.compare(11, 2, "24") == 0;
      if (end_of_day) t.replace(11, 2, "00");
      if (t.size() <= 10 || t.size() == 13 || t.size() == 16 || t.size() == 19 || t.size() > 19) {
        std::string full = t + std::string(kFill + std::min<size_t>(t.size(), 23));
        ms = ParseTimestamp(full + tz);
        if (ms && end_of_day) *ms += 24LL * 60 * 60 * 1000;
      }
    }
  }
  if (!ms) {
    return InvalidArgument("Failed to parse timestamp '" + e.literal.as_string() +
                               "': text is not a valid timestamp (expected yyyy-MM-ddTHH:mm:ss.SSS)",
                           e.range);
  }
  BoundExpr b = *bound;
  b.literal = Value::Bigint(*ms);
  b.type = SqlType::Bigint();
  bound = Make(std::move(b));
  return Status::Ok();
}

namespace {
std::string InTypeName(const TypePtr& t) {
  return t->kind() == TypeKind::kDecimal ? "DECIMAL" : TypeName(t);
}
bool Comparable(const TypePtr& a, const TypePtr& b) {
  if (a->IsNumeric() && b->IsNumeric()) return true;
  if (a->IsPrimitive() && a->kind() == b->kind()) return true;
  bool ta = a->kind() == TypeKind::kTimestamp || a->kind() == TypeKind::kDate ||
            a->kind() == TypeKind::kTime;
  if (ta && b->kind() == TypeKind::kString) return true;
  if (a->kind() == TypeKind::kStruct && b->kind() == TypeKind::kStruct) return true;
  if (!a->IsPrimitive() && a->kind() == b->kind()) return CommonType(a, b).ok();
  return false;
}
}  // namespace

Status ExpressionBinder::CoerceInItem(const ast::Expr& e, const TypePtr& target,
                                      BoundExprPtr& bound) {
  const TypePtr& t = bound->type;
  if (!target || !t) return Status::Ok();
  bool string_literal = e.kind == ExprKind::kLiteral && e.literal_kind == ast::LiteralKind::kString;
  if (string_literal && (target->IsNumeric() || target->kind() == TypeKind::kBoolean)) {
    std::string text = e.literal.as_string();
    BoundExpr nb = *bound;
    auto bad = [&]() {
      return InvalidArgument("invalid input syntax for type " + InTypeName(target) + ": \"" +
                             text + "\".");
    };
    if (target->kind() == TypeKind::kBoolean) {
      std::string low;
      low += AsciiLower(text);
      bool is_true = !low.empty() && (std::string("true").rfind(low, 0) == 0 ||
                                       std::string("yes").rfind(low, 0) == 0);
      bool is_false = !low.empty() && (std::string("false").rfind(low, 0) == 0 ||
                                        std::string("no").rfind(low, 0) == 0);
      if (!is_true && !is_false) return bad();
      nb.literal = Value::Bool(is_true);
      nb.type = SqlType::Boolean();
    } else {
      auto parts = ParseDecimal(text);
      if (!parts) return bad();
      if (target->kind() == TypeKind::kDouble) {
        nb.literal = Value::Double(std::strtod(text.c_str(), nullptr));
        nb.type = SqlType::Double();
      } else {
        int scale = std::max(parts->scale, 0);
        int128 unscaled = parts->unscaled;
        if (parts->scale < 0) {
          auto r = RescaleDecimal(parts->unscaled, parts->scale, 0, 38);
          if (!r) return bad();
          unscaled = *r;
        }
        nb.literal = Value::Decimal(unscaled, scale);
        nb.type = SqlType::Decimal(std::max(DecimalDigits(unscaled), scale), scale);
      }
    }
    bound = Make(std::move(nb));
    return Status::Ok();
  }
  if (target->kind() == TypeKind::kString && e.kind == ExprKind::kLiteral) {
    if (t->kind() != TypeKind::kString) {
      BoundExpr nb = *bound;
      nb.literal = Value::String(ast::FormatExpr(e));
      nb.type = SqlType::String();
      bound = Make(std::move(nb));
    }
    return Status::Ok();
  }
  // Constructors with string literals inside: ARRAY['3'] against ARRAY<BIGINT>, MAP('a' := '1').
  if ((e.kind == ExprKind::kArray && target->kind() == TypeKind::kArray) ||
      (e.kind == ExprKind::kMap && target->kind() == TypeKind::kMap)) {
    BoundExpr nb = *bound;
    for (size_t i = 0; i < e.children.size(); ++i) {
      bool is_value = e.kind == ExprKind::kArray || i % 2 == 1;
      TypePtr want = e.kind == ExprKind::kArray ? target->element()
                     : is_value                 ? target->value()
                                                : target->key();
      const ast::Expr& c = *e.children[i];
      if (c.kind == ExprKind::kLiteral && c.literal_kind == ast::LiteralKind::kString &&
          want->IsNumeric()) {
        auto cv = CastValue(c.literal, SqlType::String(), want);
        if (!cv.ok()) {
          return InvalidArgument("invalid input syntax for type " + InTypeName(want) + ": \"" +
                                 c.literal.as_string() + "\"");
        }
        BoundExpr lit = *nb.children[i];
        lit.literal = *cv;
        lit.type = want;
        nb.children[i] = Make(std::move(lit));
      } else if (nb.children[i]->type && !Comparable(want, nb.children[i]->type)) {
        break;
      }
    }
    nb.type = target;
    bound = Make(std::move(nb));
    if (Comparable(target, bound->type)) return Status::Ok();
  }
  if (Comparable(target, t)) return Status::Ok();
  return InvalidArgument("operator does not exist: " + TypeName(target) + " = " + TypeName(t) +
                         " (" + ast::FormatExpr(e) + ")");
}

Status ExpressionBinder::CoerceStringLiterals(const std::vector<ast::ExprPtr>& exprs,
                                              std::vector<BoundExprPtr>& kids, size_t first,
                                              size_t step) {
  auto is_string_literal = [&](size_t i) {
    return exprs[i]->kind == ExprKind::kLiteral &&
           exprs[i]->literal_kind == ast::LiteralKind::kString;
  };
  TypePtr common;
  for (size_t i = first; i < kids.size(); i += step) {
    if (is_string_literal(i) || !kids[i]->type) continue;
    auto ct = CommonType(common, kids[i]->type);
    if (!ct.ok()) return Status::Ok();  // reported by the caller
    common = *ct;
  }
  if (!common || !(common->IsNumeric() || common->kind() == TypeKind::kBoolean)) {
    return Status::Ok();
  }
  for (size_t i = first; i < kids.size(); i += step) {
    if (!is_string_literal(i)) continue;
    const std::string& text = exprs[i]->literal.as_string();
    Result<Value> v = Value();
    if (common->kind() == TypeKind::kBoolean) {
      v = CastValue(exprs[i]->literal, SqlType::String(), common);
    } else if (auto parts = ParseDecimal(text)) {
      int128 unscaled = parts->unscaled;
      int scale = parts->scale;
      std::optional<int128> whole = scale < 0 ? RescaleDecimal(unscaled, scale, 0, 38)
                                              : std::optional<int128>(unscaled);
      if (scale < 0) scale = 0;
      if (!whole) {
        v = InvalidArgument("overflow");
      } else {
        unscaled = *whole;
        v = CastValue(Value::Decimal(unscaled, scale),
                      SqlType::Decimal(std::max(DecimalDigits(unscaled), std::max(scale, 1)), scale),
                      common);
      }
    } else {
      v = InvalidArgument("bad");
    }
    if (!v.ok()) {
      return InvalidArgument("invalid input syntax for type " + TypeName(common) + ": \"" + text +
                                 "\".",
                             exprs[i]->range);
    }
    BoundExpr nb = *kids[i];
    nb.literal = *v;
    nb.type = common;
    kids[i] = Make(std::move(nb));
  }
  return Status::Ok();
}

Status ExpressionBinder::CoerceLiteral(const ast::Expr& e, const TypePtr& target,
                                       BoundExprPtr& bound) {
  if (!target || e.kind != ExprKind::kLiteral || e.literal_kind != ast::LiteralKind::kString) {
    return Status::Ok();
  }
  if (!target->IsNumeric() && target->kind() != TypeKind::kBoolean) return Status::Ok();
  std::string text = e.literal.as_string();
  Value v = e.literal;
  Result<Value> c = Value();
  if (target->kind() == TypeKind::kBoolean) {
    std::string low;
    low += AsciiLower(text);
    if (low != "true" && low != "false") c = InvalidArgument("bad");
    else c = Value::Bool(low == "true");
  } else {
    c = CastValue(v, SqlType::String(), target);
  }
  if (!c.ok()) {
    return InvalidArgument("invalid input syntax for type " + TypeName(target) + ": \"" + e.text +
                               "\"",
                           e.range);
  }
  BoundExpr b = *bound;
  b.literal = *c;
  b.type = target;
  bound = Make(std::move(b));
  return Status::Ok();
}

Result<BoundExprPtr> ExpressionBinder::Bind(const ast::Expr& e) {
  if (substitution_) {
    ASSIGN_OR_RETURN(BoundExprPtr substituted, substitution_(e));
    if (substituted) return substituted;
  }
  BoundExpr b;
  b.text = e.text;
  b.range = e.range;
  std::vector<BoundExprPtr> kids;
  auto bind_children = [&]() -> Status {
    for (const auto& c : e.children) {
      ASSIGN_OR_RETURN(BoundExprPtr k, Bind(*c));
      kids.push_back(k);
    }
    return Status::Ok();
  };
  switch (e.kind) {
    case ExprKind::kLiteral: {
      b.kind = BoundKind::kLiteral;
      b.literal = e.literal;
      switch (e.literal_kind) {
        case ast::LiteralKind::kNull: b.type = nullptr; break;
        case ast::LiteralKind::kBoolean: b.type = SqlType::Boolean(); break;
        case ast::LiteralKind::kInteger: b.type = SqlType::Int(); break;
        case ast::LiteralKind::kBigint: b.type = SqlType::Bigint(); break;
        case ast::LiteralKind::kDouble: b.type = SqlType::Double(); break;
        case ast::LiteralKind::kString: b.type = SqlType::String(); break;
        case ast::LiteralKind::kDecimal: {
          int s = std::max(0, e.literal.decimal_scale());
          int p = std::max(DecimalDigits(e.literal.decimal_unscaled()), s);
          if (e.literal.decimal_scale() < 0) {
            b.literal = Value::Decimal(e.literal.decimal_unscaled() * Pow10(-e.literal.decimal_scale()), 0);
            p = DecimalDigits(b.literal.decimal_unscaled());
          }
          b.type = SqlType::Decimal(std::min(p, 38), s);
          break;
        }
      }
      return Make(std::move(b));
    }
    case ExprKind::kColumnRef: return BindColumn(e);
    case ExprKind::kFunctionCall: return BindFunction(e);
    case ExprKind::kDereference: {
      RETURN_IF_ERROR(bind_children());
      const TypePtr& t = kids[0]->type;
      if (!t || t->kind() != TypeKind::kStruct) {
        return InvalidArgument("Expected STRUCT type for dereference of " +
                                   ast::FormatExpr(*e.children[0]) + " but got " + TypeName(t),
                               e.range);
      }
      int idx = t->FieldIndex(e.name);
      if (idx < 0) {
        return InvalidArgument("Could not find field '" + e.name + "' in '" +
                                   ast::FormatExpr(*e.children[0]) + "'.",
                               e.range);
      }
      b.kind = BoundKind::kDereference;
      b.index = idx;
      b.type = t->fields()[idx].type;
      b.children = kids;
      return Make(std::move(b));
    }
    case ExprKind::kSubscript: {
      RETURN_IF_ERROR(bind_children());
      const TypePtr& t = kids[0]->type;
      b.kind = BoundKind::kSubscript;
      b.children = kids;
      if (t && t->kind() == TypeKind::kArray) {
        if (kids[1]->type && !kids[1]->type->IsIntegral()) {
          return InvalidArgument("Array index must be an INTEGER: " + e.children[1]->text,
                                 e.children[1]->range);
        }
        b.type = t->element();
      } else if (t && t->kind() == TypeKind::kMap) {
        b.type = t->value();
      } else {
        return InvalidArgument("Subscript expression requires ARRAY or MAP but got " + TypeName(t),
                               e.range);
      }
      return Make(std::move(b));
    }
    case ExprKind::kCast: {
      RETURN_IF_ERROR(bind_children());
      ASSIGN_OR_RETURN(TypePtr target, ResolveType(*e.cast_type, catalog_));
      if (!CanCast(kids[0]->type, target)) {
        return InvalidArgument("Cast of " + TypeName(kids[0]->type) + " to " + TypeName(target) +
                                   " is not supported",
                               e.range);
      }
      b.kind = BoundKind::kCast;
      b.type = target;
      b.children = kids;
      return Make(std::move(b));
    }
    case ExprKind::kCase: {
      RETURN_IF_ERROR(bind_children());
      b.kind = BoundKind::kCase;
      b.has_operand = e.has_operand;
      b.has_else = e.has_else;
      size_t i = e.has_operand ? 1 : 0;
      size_t end = kids.size() - (e.has_else ? 1 : 0);
      TypePtr result;
      for (; i < end; i += 2) {
        if (!e.has_operand && kids[i]->type && kids[i]->type->kind() != TypeKind::kBoolean) {
          return InvalidArgument("WHEN operand type should be boolean. Type for '" +
                                     e.children[i]->text + "' is " + TypeName(kids[i]->type),
                                 e.children[i]->range);
        }
        auto ct = CommonType(result, kids[i + 1]->type);
        if (!ct.ok()) {
          return InvalidArgument(
              "Invalid Case expression. Type for all 'THEN' clauses should be the same.\n"
              "THEN expression '" + e.children[i + 1]->text + "' has type: " +
                  TypeName(kids[i + 1]->type) + ".\nPrevious THEN expression(s) type: " +
                  TypeName(result) + ".",
              e.range);
        }
        result = *ct;
      }
      if (e.has_else) {
        auto ct = CommonType(result, kids.back()->type);
        if (!ct.ok()) {
          return InvalidArgument("Invalid Case expression. Type for the default clause should be "
                                 "the same as for 'THEN' clauses.\nTHEN type: " + TypeName(result) +
                                     ".\nDEFAULT type: " + TypeName(kids.back()->type) + ".",
                                 e.range);
        }
        result = *ct;
      }
      if (!result) {
        return InvalidArgument("Invalid Case expression. All case branches have NULL type",
                               e.range);
      }
      b.type = result;
      b.children = kids;
      return Make(std::move(b));
    }
    case ExprKind::kArithmetic: {
      RETURN_IF_ERROR(bind_children());
      b.kind = BoundKind::kArith;
      const std::string& op = e.op;
      b.arith = op == "+" ? ArithOp::kAdd : op == "-" ? ArithOp::kSub : op == "*" ? ArithOp::kMul
              : op == "/" ? ArithOp::kDiv : ArithOp::kMod;
      TypePtr a = kids[0]->type, c = kids[1]->type;
      if (!a || !c) {
        // A bare NULL has no type to compute with (ksqlDB's message, "null" in lower case).
        auto name = [](const TypePtr& t) { return t ? TypeName(t) : std::string("null"); };
        return InvalidArgument("Error processing expression: " + ast::FormatExpr(e) +
                                   ". Arithmetic on types " + name(a) + " and " + name(c) +
                                   " are not supported.",
                               e.range);
      }
      if (!a->IsNumeric() || !c->IsNumeric()) {
        if (a && c && b.arith == ArithOp::kAdd && a->kind() == TypeKind::kString &&
            c->kind() == TypeKind::kString) {
          b.kind = BoundKind::kConcat;
          b.type = SqlType::String();
          b.children = kids;
          return Make(std::move(b));
        }
        return InvalidArgument("Error processing expression: " + ast::FormatExpr(e) +
                                   ". Unsupported arithmetic types. " + TypeName(kids[0]->type) +
                                   " " + TypeName(kids[1]->type),
                               e.range);
      }
      int ra = NumericRank(a), rc = NumericRank(c);
      if (ra == 3 || rc == 3) b.type = SqlType::Double();
      else if (ra == 2 || rc == 2) b.type = DecimalArithmeticType(b.arith, a, c);
      else b.type = (ra == 1 || rc == 1) ? SqlType::Bigint() : SqlType::Int();
      b.children = kids;
      return Make(std::move(b));
    }
    case ExprKind::kNegate: {
      RETURN_IF_ERROR(bind_children());
      if (kids[0]->type && !kids[0]->type->IsNumeric()) {
        return InvalidArgument("Unsupported type for negation: " + TypeName(kids[0]->type), e.range);
      }
      b.kind = BoundKind::kNegate;
      b.type = kids[0]->type;
      b.children = kids;
      return Make(std::move(b));
    }
    case ExprKind::kNot:
    case ExprKind::kAnd:
    case ExprKind::kOr: {
      RETURN_IF_ERROR(bind_children());
      for (size_t i = 0; i < kids.size(); ++i) {
        if (kids[i]->type && kids[i]->type->kind() != TypeKind::kBoolean) {
          return InvalidArgument("Type mismatch: expected BOOLEAN but got " +
                                     TypeName(kids[i]->type) + " for '" + e.children[i]->text + "'",
                                 e.children[i]->range);
        }
      }
      b.kind = e.kind == ExprKind::kNot ? BoundKind::kNot
             : e.kind == ExprKind::kAnd ? BoundKind::kAnd : BoundKind::kOr;
      b.type = SqlType::Boolean();
      b.children = kids;
      return Make(std::move(b));
    }
    case ExprKind::kComparison:
    case ExprKind::kIsDistinctFrom: {
      RETURN_IF_ERROR(bind_children());
      std::string op = e.kind == ExprKind::kComparison ? e.op : "DISTINCT";
      if (IsTimeColumn(*e.children[0])) RETURN_IF_ERROR(CoerceTimeLiteral(*e.children[1], kids[1]));
      if (IsTimeColumn(*e.children[1])) RETURN_IF_ERROR(CoerceTimeLiteral(*e.children[0], kids[0]));
      RETURN_IF_ERROR(CheckComparable(e, kids[0], kids[1], op));
      b.kind = e.kind == ExprKind::kComparison ? BoundKind::kCompare : BoundKind::kDistinct;
      b.compare = op == "=" ? CompareOp::kEq : op == "<>" ? CompareOp::kNe : op == "<" ? CompareOp::kLt
                : op == "<=" ? CompareOp::kLe : op == ">" ? CompareOp::kGt
                : op == ">=" ? CompareOp::kGe : CompareOp::kEq;
      b.negated = e.negated;
      b.type = SqlType::Boolean();
      b.children = kids;
      return Make(std::move(b));
    }
    case ExprKind::kIsNull: {
      RETURN_IF_ERROR(bind_children());
      b.kind = BoundKind::kIsNull;
      b.negated = e.negated;
      b.type = SqlType::Boolean();
      b.children = kids;
      return Make(std::move(b));
    }
    case ExprKind::kBetween: {
      RETURN_IF_ERROR(bind_children());
      if (IsTimeColumn(*e.children[0])) {
        RETURN_IF_ERROR(CoerceTimeLiteral(*e.children[1], kids[1]));
        RETURN_IF_ERROR(CoerceTimeLiteral(*e.children[2], kids[2]));
      }
      for (int i = 1; i <= 2; ++i) {
        ast::Expr pair = e;
        pair.children = {e.children[0], e.children[i]};
        RETURN_IF_ERROR(CheckComparable(pair, kids[0], kids[i], i == 1 ? ">=" : "<="));
      }
      b.kind = BoundKind::kBetween;
      b.negated = e.negated;
      b.type = SqlType::Boolean();
      b.children = kids;
      return Make(std::move(b));
    }
    case ExprKind::kIn: {
      RETURN_IF_ERROR(bind_children());
      for (size_t i = 1; i < kids.size(); ++i) {
        Status st = CoerceInItem(*e.children[i], kids[0]->type, kids[i]);
        if (!st.ok()) {
          return Status(st.code(), "Invalid Predicate: " + st.message(), e.children[i]->range);
        }
      }
      b.kind = BoundKind::kIn;
      b.negated = e.negated;
      b.type = SqlType::Boolean();
      b.children = kids;
      return Make(std::move(b));
    }
    case ExprKind::kLike: {
      RETURN_IF_ERROR(bind_children());
      for (size_t i = 0; i < 2; ++i) {
        if (kids[i]->type && kids[i]->type->kind() != TypeKind::kString) {
          return InvalidArgument(
              "The column type for Like condition must be VARCHAR. The column "
              "type is " +
                  TypeName(kids[i]->type),
              e.range);
        }
      }
      b.kind = BoundKind::kLike;
      b.negated = e.negated;
      if (e.escape) b.escape = (*e.escape)[0];
      b.type = SqlType::Boolean();
      b.children = kids;
      return Make(std::move(b));
    }
    case ExprKind::kConcat: {
      RETURN_IF_ERROR(bind_children());
      for (size_t i = 0; i < 2; ++i) {
        if (kids[i]->type && kids[i]->type->kind() != TypeKind::kString &&
            kids[i]->type->kind() != TypeKind::kBytes) {
          return InvalidArgument("Function 'concat' does not accept parameters (" +
                                     TypeName(kids[0]->type) + ", " + TypeName(kids[1]->type) + ").",
                                 e.range);
        }
      }
      b.kind = BoundKind::kConcat;
      b.type = kids[0]->type ? kids[0]->type : kids[1]->type;
      if (!b.type) b.type = SqlType::String();
      b.children = kids;
      return Make(std::move(b));
    }
    case ExprKind::kArray: {
      RETURN_IF_ERROR(bind_children());
      if (kids.empty()) {
        return InvalidArgument("Array constructor cannot be empty. Please supply at least one "
                               "element (see https://github.com/confluentinc/ksql/issues/4239).",
                               e.range);
      }
      RETURN_IF_ERROR(CoerceStringLiterals(e.children, kids, 0, 1));
      TypePtr elem;
      for (size_t i = 0; i < kids.size(); ++i) {
        auto ct = CommonType(elem, kids[i]->type);
        if (!ct.ok()) {
          return InvalidArgument("invalid input syntax for type " + TypeName(elem) + ": \"" +
                                     e.children[i]->text + "\".",
                                 e.children[i]->range);
        }
        elem = *ct;
      }
      if (!elem) {
        return InvalidArgument("Cannot construct an array with all NULL elements (see "
                               "https://github.com/confluentinc/ksql/issues/4239). As a "
                               "workaround, you may cast a NULL value to the desired type.",
                               e.range);
      }
      b.kind = BoundKind::kArray;
      b.type = SqlType::Array(elem);
      b.children = kids;
      return Make(std::move(b));
    }
    case ExprKind::kMap: {
      RETURN_IF_ERROR(bind_children());
      RETURN_IF_ERROR(CoerceStringLiterals(e.children, kids, 1, 2));
      TypePtr kt, vt;
      for (size_t i = 0; i + 1 < kids.size(); i += 2) {
        auto k = CommonType(kt, kids[i]->type);
        if (!k.ok()) return InvalidArgument("Map keys must all be of the same type", e.range);
        kt = *k;
        auto v = CommonType(vt, kids[i + 1]->type);
        if (!v.ok()) {
          return InvalidArgument("invalid input syntax for type " + TypeName(vt) + ": \"" +
                                     e.children[i + 1]->text + "\".",
                                 e.children[i + 1]->range);
        }
        vt = *v;
      }
      if (!kids.empty() && !kt) {
        return InvalidArgument("Cannot construct a map with all NULL keys (see "
                               "https://github.com/confluentinc/ksql/issues/4239). As a "
                               "workaround, you may cast a NULL key to the desired type.",
                               e.range);
      }
      if (!kids.empty() && !vt) {
        return InvalidArgument("Cannot construct a map with all NULL values (see "
                               "https://github.com/confluentinc/ksql/issues/4239). As a "
                               "workaround, you may cast a NULL value to the desired type.",
                               e.range);
      }
      if (kids.empty()) {
        return InvalidArgument("Map constructor cannot be empty. Please supply at least one "
                               "key value pair (see https://github.com/confluentinc/ksql/issues/"
                               "4239).",
                               e.range);
      }
      b.kind = BoundKind::kMap;
      b.type = SqlType::Map(kt, vt);
      b.children = kids;
      return Make(std::move(b));
    }
    case ExprKind::kStruct: {
      RETURN_IF_ERROR(bind_children());
      std::vector<StructField> fields;
      for (size_t i = 0; i < kids.size(); ++i) {
        for (const auto& f : fields) {
          if (f.name == e.names[i]) {
            return InvalidArgument("Duplicate field names found in STRUCT: '" + f.name + "'",
                                   e.range);
          }
        }
        fields.push_back({e.names[i], kids[i]->type ? kids[i]->type : SqlType::String()});
      }
      b.kind = BoundKind::kStruct;
      b.type = SqlType::Struct(std::move(fields));
      b.children = kids;
      return Make(std::move(b));
    }
    case ExprKind::kLambda:
      return InvalidArgument("Lambda expressions are only allowed as function arguments", e.range);
  }
  return Internal("unhandled expression kind");
}

}  // namespace brook
