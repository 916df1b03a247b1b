#include "runtime/functions/builtins.h"

#include "common/java_format.h"
#include "runtime/functions/function_util.h"

namespace brook {

namespace functions {

namespace {
bool MatchParam(const Param& p, const TypePtr& t, bool exact) {
  if (!t) return true;  // NULL literal fits anything
  switch (p.kind) {
    case Param::Kind::kAny: return true;
    case Param::Kind::kAnyNumeric: return t->IsNumeric();
    case Param::Kind::kAnyArray: return t->kind() == TypeKind::kArray;
    case Param::Kind::kAnyMap: return t->kind() == TypeKind::kMap;
    case Param::Kind::kType:
      if (exact) {
        if (p.type->kind() == TypeKind::kDecimal) return t->kind() == TypeKind::kDecimal;
        if (p.type->kind() == TypeKind::kArray && t->kind() == TypeKind::kArray) {
          return !p.type->element() || TypesEqual(p.type->element(), t->element());
        }
        return TypesEqual(p.type, t);
      }
      if (p.type->kind() == TypeKind::kDecimal) return t->IsNumeric() && t->kind() != TypeKind::kDouble;
      return CanImplicitlyCast(t, p.type);
  }
  return false;
}
}  // namespace

// The resolver of a function given as overloads. A named type (not a lambda) so that Add can
// find the overloads again (std::function::target) and list them for DESCRIBE FUNCTION.
struct OverloadSet {
  std::string name;
  std::vector<Overload> overloads;

  Result<TypePtr> operator()(const std::vector<TypePtr>& args) const {
    for (bool exact : {true, false}) {
      for (const Overload& o : overloads) {
        size_t n = o.params.size();
        if (o.variadic ? args.size() + 1 < n : args.size() != n) continue;
        bool ok = true;
        for (size_t i = 0; i < args.size() && ok; ++i) {
          const Param& p = i < n ? o.params[i] : o.params.back();
          ok = MatchParam(p, args[i], exact);
        }
        if (ok) return o.ret(args);
      }
    }
    return NoMatchingSignature(name, args);
  }
};

std::string VariantTypeName(const TypePtr& t) {
  if (!t) return "ANY";
  switch (t->kind()) {
    case TypeKind::kString:
      return "VARCHAR";
    case TypeKind::kInt:
      return "INT";
    case TypeKind::kArray:
      return "ARRAY<" + VariantTypeName(t->element()) + ">";
    case TypeKind::kMap:
      return "MAP<" + VariantTypeName(t->key()) + ", " + VariantTypeName(t->value()) + ">";
    default:
      return t->ToString();
  }
}

namespace {

std::string ParamName(const Param& p) {
  switch (p.kind) {
    case Param::Kind::kType:
      return VariantTypeName(p.type);
    case Param::Kind::kAny:
      return "ANY";
    case Param::Kind::kAnyNumeric:
      return "NUMERIC";
    case Param::Kind::kAnyArray:
      return "ARRAY<ANY>";
    case Param::Kind::kAnyMap:
      return "MAP<ANY, ANY>";
  }
  return "ANY";
}

std::vector<FunctionVariant> DescribeOverloads(const OverloadSet& set) {
  std::vector<FunctionVariant> out;
  for (const Overload& o : set.overloads) {
    FunctionVariant v;
    v.variadic = o.variadic;
    bool concrete = true;
    std::vector<TypePtr> types;
    for (const Param& p : o.params) {
      v.argument_types.push_back(ParamName(p));
      concrete = concrete && p.kind == Param::Kind::kType && p.type != nullptr;
      types.push_back(p.type);
    }
    // The return type of generic overloads follows from the call's arguments.
    TypePtr ret = concrete && o.ret ? o.ret(types) : nullptr;
    v.return_type = ret ? VariantTypeName(ret) : "ANY";
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace

TypeResolver Overloads(std::string name, std::vector<Overload> overloads) {
  return OverloadSet{std::move(name), std::move(overloads)};
}

void Add(FunctionRegistry& r, std::string name, std::string category, std::string description,
         TypeResolver resolve, ScalarImpl impl, bool null_if_any_null) {
  ScalarFunction f;
  f.name = std::move(name);
  f.category = std::move(category);
  f.description = std::move(description);
  f.resolve = std::move(resolve);
  if (const OverloadSet* set = f.resolve.target<OverloadSet>())
    f.variants = DescribeOverloads(*set);
  f.impl = std::move(impl);
  f.null_if_any_null = null_if_any_null;
  r.Register(std::move(f));
}

double AsDouble(const Value& v) { return v.ToDouble(); }

Value ResultTooLarge(FunctionContext& ctx, const char* function, size_t size, size_t limit) {
  ctx.error = std::string(function) + ": the result would have " + std::to_string(size) +
              (limit == kMaxResultElements ? " elements" : " bytes") + ", over the limit of " +
              std::to_string(limit);
  return Value();
}
int64_t AsInt64(const Value& v) {
  if (v.kind() == Value::Kind::kDouble) return static_cast<int64_t>(v.as_double());
  if (v.kind() == Value::Kind::kDecimal) return static_cast<int64_t>(v.decimal_unscaled() / Pow10(v.decimal_scale()));
  return v.as_int64();
}
const std::string& AsString(const Value& v) { return v.as_string(); }

}  // namespace functions

void RegisterBuiltinFunctions(FunctionRegistry& r) {
  functions::RegisterStringFunctions(r);
  functions::RegisterMathFunctions(r);
  functions::RegisterNullFunctions(r);
  functions::RegisterCollectionFunctions(r);
  functions::RegisterJsonFunctions(r);
  functions::RegisterDateTimeFunctions(r);
  functions::RegisterUrlFunctions(r);
  functions::RegisterAggregateFunctions(r);
  functions::RegisterTableFunctions(r);
  functions::RegisterBytesFunctions(r);
  functions::RegisterLambdaFunctions(r);
}

}  // namespace brook
