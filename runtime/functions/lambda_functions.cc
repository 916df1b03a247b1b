// Invocation functions: TRANSFORM, FILTER and REDUCE, which take lambda arguments.
//
// Only their names, descriptions and signatures live here. Their calls are typed by the
// ExpressionBinder (BindHigherOrder: lambda parameter types come from the collection and the
// initial state) and run by the evaluator (EvaluateHigherOrder), because a lambda body is a
// BoundExpr that needs the row and the EvalContext, which a ScalarImpl does not get.
#include "runtime/functions/function_util.h"

namespace brook::functions {

namespace {

void AddHigherOrder(FunctionRegistry& r, std::string name, HigherOrder kind,
                    std::string description, std::vector<std::string> signatures) {
  ScalarFunction f;
  f.name = name;
  f.category = "LAMBDA";
  f.description = std::move(description);
  f.signatures = std::move(signatures);
  f.higher_order = kind;
  f.null_if_any_null = false;
  // The binder types these calls itself; reaching the resolver means a caller bypassed it.
  f.resolve = [name](const std::vector<TypePtr>& args) -> Result<TypePtr> {
    return NoMatchingSignature(name, args);
  };
  f.impl = [](const std::vector<Value>&, FunctionContext& ctx) {
    ctx.error = "invocation function called without its lambda";
    return Value::Null();
  };
  r.Register(std::move(f));
}

}  // namespace

void RegisterLambdaFunctions(FunctionRegistry& r) {
  AddHigherOrder(r, "TRANSFORM", HigherOrder::kTransform,
                 "Apply a function to each element in a collection. The transformed collection "
                 "is returned.",
                 {"TRANSFORM(ARRAY<T> array, (T) => R) -> ARRAY<R>",
                  "TRANSFORM(MAP<K, V> map, (K, V) => K1, (K, V) => V1) -> MAP<K1, V1>"});
  AddHigherOrder(r, "FILTER", HigherOrder::kFilter,
                 "Filter the input collection through a given lambda function. The filtered "
                 "collection is returned.",
                 {"FILTER(ARRAY<T> array, (T) => BOOLEAN) -> ARRAY<T>",
                  "FILTER(MAP<K, V> map, (K, V) => BOOLEAN) -> MAP<K, V>"});
  AddHigherOrder(r, "REDUCE", HigherOrder::kReduce,
                 "Reduce the input collection down to a single value using an initial state and "
                 "a function. Each invocation returns the new state; the final state is "
                 "returned.",
                 {"REDUCE(ARRAY<T> array, S initial, (S, T) => S) -> S",
                  "REDUCE(MAP<K, V> map, S initial, (S, K, V) => S) -> S"});
}

}  // namespace brook::functions
