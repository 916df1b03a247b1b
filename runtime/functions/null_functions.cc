// NULL handling: COALESCE, IFNULL, NULLIF, and AS_VALUE (copies a key column into the value).
#include "common/value_cast.h"
#include "runtime/functions/function_util.h"

namespace brook::functions {

namespace {
Result<TypePtr> Common(const std::string& name, const std::vector<TypePtr>& a) {
  TypePtr t;
  for (const auto& x : a) {
    auto c = CommonType(t, x);
    if (!c.ok()) return NoMatchingSignature(name, a);
    t = *c;
  }
  return t;
}
Value Coerce(const Value& v, const std::vector<TypePtr>* types, size_t i, const TypePtr& to) {
  if (v.is_null() || !to || !types || i >= types->size() || TypesEqual((*types)[i], to)) return v;
  auto c = CastValue(v, (*types)[i], to);
  return c.ok() ? *c : v;
}
}  // namespace

void RegisterNullFunctions(FunctionRegistry& r) {
  Add(r, "COALESCE", "CONDITIONAL", "The first non-NULL argument.",
      [](const std::vector<TypePtr>& a) -> Result<TypePtr> {
        if (a.empty()) return NoMatchingSignature("COALESCE", a);
        return Common("COALESCE", a);
      },
      [](const std::vector<Value>& a, FunctionContext& ctx) {
        for (size_t i = 0; i < a.size(); ++i) {
          if (!a[i].is_null()) return Coerce(a[i], ctx.arg_types, i, ctx.return_type);
        }
        return Value();
      },
      false);
  Add(r, "IFNULL", "CONDITIONAL", "IFNULL(x, alt): alt when x is NULL.",
      [](const std::vector<TypePtr>& a) -> Result<TypePtr> {
        if (a.size() != 2) return NoMatchingSignature("IFNULL", a);
        return Common("IFNULL", a);
      },
      [](const std::vector<Value>& a, FunctionContext& ctx) {
        return a[0].is_null() ? Coerce(a[1], ctx.arg_types, 1, ctx.return_type)
                              : Coerce(a[0], ctx.arg_types, 0, ctx.return_type);
      },
      false);
  Add(r, "NULLIF", "CONDITIONAL", "NULLIF(x, y): NULL when x equals y, else x.",
      [](const std::vector<TypePtr>& a) -> Result<TypePtr> {
        if (a.size() != 2) return NoMatchingSignature("NULLIF", a);
        return a[0];
      },
      [](const std::vector<Value>& a, FunctionContext&) {
        if (!a[0].is_null() && !a[1].is_null() && a[0].Compare(a[1]) == 0) return Value();
        return a[0];
      },
      false);
  Add(r, "AS_VALUE", "OTHER", "Copies a key column into the value.",
      [](const std::vector<TypePtr>& a) -> Result<TypePtr> {
        if (a.size() != 1) return NoMatchingSignature("AS_VALUE", a);
        return a[0];
      },
      [](const std::vector<Value>& a, FunctionContext&) { return a[0]; }, false);
}

}  // namespace brook::functions
