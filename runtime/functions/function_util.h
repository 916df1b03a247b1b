// Helpers for declaring built-in functions concisely. Each family of functions lives in its
// own file (string_functions.cc, math_functions.cc, ...) and registers itself from
// RegisterBuiltinFunctions (builtins.cc).
#pragma once

#include <string>
#include <vector>

#include "planner/analyzer/expression_binder.h"
#include "planner/analyzer/function_registry.h"

namespace brook::functions {

// A parameter pattern: a concrete type, or a wildcard.
struct Param {
  enum class Kind { kType, kAny, kAnyNumeric, kAnyArray, kAnyMap } kind = Kind::kType;
  TypePtr type;
  Param(TypePtr t) : kind(Kind::kType), type(std::move(t)) {}  // NOLINT
  explicit Param(Kind k) : kind(k) {}
};
inline Param Any() { return Param(Param::Kind::kAny); }
inline Param AnyNumeric() { return Param(Param::Kind::kAnyNumeric); }
inline Param AnyArray() { return Param(Param::Kind::kAnyArray); }
inline Param AnyMap() { return Param(Param::Kind::kAnyMap); }

// How the return type is derived from the (bound) argument types.
using ReturnFn = std::function<TypePtr(const std::vector<TypePtr>&)>;
inline ReturnFn Returns(TypePtr t) {
  return [t](const std::vector<TypePtr>&) { return t; };
}
inline ReturnFn ReturnsArg(size_t i) {
  return [i](const std::vector<TypePtr>& a) { return i < a.size() ? a[i] : nullptr; };
}

struct Overload {
  std::vector<Param> params;
  ReturnFn ret;
  bool variadic = false;  // the last param repeats zero or more times
};

// Resolver trying overloads in order: exact matches first, then implicit widening.
TypeResolver Overloads(std::string name, std::vector<Overload> overloads);

// ksqlDB's spelling of a parameter type in DESCRIBE FUNCTION (VARCHAR, INT, ARRAY<VARCHAR>,
// MAP<VARCHAR, INT>; "ANY" for none).
std::string VariantTypeName(const TypePtr& t);

// Registers a function.
void Add(FunctionRegistry& r, std::string name, std::string category, std::string description,
         TypeResolver resolve, ScalarImpl impl, bool null_if_any_null = true);

// Bounds on what one call may build from record data. ksqlDB has none (the JVM throws
// OutOfMemoryError and the server may die); past them brook's call fails: NULL and a
// processing-log entry naming the bound. Documented in docs/sql.md ("Limits").
inline constexpr size_t kMaxResultBytes = size_t{32} << 20;    // one STRING or BYTES result
inline constexpr size_t kMaxResultElements = size_t{1} << 20;  // one ARRAY or MAP result
// Sets ctx.error to the message of a result over one of these bounds and returns NULL.
Value ResultTooLarge(FunctionContext& ctx, const char* function, size_t size, size_t limit);

// Argument accessors with implicit numeric widening.
double AsDouble(const Value& v);
int64_t AsInt64(const Value& v);
const std::string& AsString(const Value& v);

// How many regular expressions REGEXP_* functions have compiled in this process (for tests:
// a constant pattern compiles once per thread, not once per record).
uint64_t RegexCompilations();

// Per-family registration.
void RegisterStringFunctions(FunctionRegistry& r);
void RegisterMathFunctions(FunctionRegistry& r);
void RegisterNullFunctions(FunctionRegistry& r);
void RegisterCollectionFunctions(FunctionRegistry& r);
void RegisterJsonFunctions(FunctionRegistry& r);
void RegisterDateTimeFunctions(FunctionRegistry& r);
void RegisterUrlFunctions(FunctionRegistry& r);
void RegisterBytesFunctions(FunctionRegistry& r);
void RegisterAggregateFunctions(FunctionRegistry& r);
void RegisterTableFunctions(FunctionRegistry& r);
void RegisterLambdaFunctions(FunctionRegistry& r);

}  // namespace brook::functions
