// Function registry: what the binder needs to type-check calls, and the implementation the
// runtime calls. Built-in functions are registered by runtime/functions/ (one small file per
// family); the planner only sees this interface, keeping planner free of runtime code.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/sql_type.h"
#include "common/value.h"

namespace brook {

// Per-call context handed to implementations.
struct FunctionContext {
  const std::vector<TypePtr>* arg_types = nullptr;  // bound argument types
  TypePtr return_type;
  std::string error;  // set by an implementation to report a per-record failure
};

using ScalarImpl = std::function<Value(const std::vector<Value>& args, FunctionContext& ctx)>;
// Resolves the return type for argument types, or fails with ksqlDB's message.
using TypeResolver = std::function<Result<TypePtr>(const std::vector<TypePtr>& args)>;

// Functions that take lambda arguments ("invocation functions"). Their calls are bound by the
// ExpressionBinder (lambda parameter types come from the collection argument) and evaluated by
// the evaluator, which runs the lambda bodies; `impl` is not used for them.
enum class HigherOrder { kNone, kTransform, kFilter, kReduce };

struct ScalarFunction {
  std::string name;         // upper-case
  std::string description;
  std::string category;     // "STRING", "MATHEMATICAL", ...
  std::vector<std::string> signatures;  // human-readable, for DESCRIBE FUNCTION
  TypeResolver resolve;
  ScalarImpl impl;
  bool null_if_any_null = true;  // returns NULL without calling impl if an argument is NULL
  HigherOrder higher_order = HigherOrder::kNone;
};

class FunctionRegistry {
 public:
  void Register(ScalarFunction fn);
  const ScalarFunction* Find(const std::string& upper_name) const;
  std::vector<const ScalarFunction*> All() const;

 private:
  std::map<std::string, std::unique_ptr<ScalarFunction>> scalars_;
};

// Formats "(INT, STRING)" as in ksqlDB's "Function 'x' does not accept parameters (...)".
std::string FormatArgTypes(const std::vector<TypePtr>& args);
Status NoMatchingSignature(const std::string& name, const std::vector<TypePtr>& args);

}  // namespace brook
