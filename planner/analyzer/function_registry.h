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

// One variant (overload) of a function, as DESCRIBE FUNCTION shows it: type names as ksqlDB
// prints them (VARCHAR, INT, BIGINT, ARRAY<VARCHAR>; ANY, NUMERIC, ARRAY<ANY>, MAP<ANY, ANY> for
// generic parameters).
struct FunctionVariant {
  std::vector<std::string> argument_types;
  std::string return_type;  // "ANY" when it follows from generic arguments
  bool variadic = false;    // the last argument repeats
};

struct ScalarFunction {
  std::string name;         // upper-case
  std::string description;
  std::string category;     // "STRING", "MATHEMATICAL", ...
  std::vector<std::string> signatures;  // human-readable, for DESCRIBE FUNCTION
  std::vector<FunctionVariant> variants;  // from its overloads (functions::Overloads)
  TypeResolver resolve;
  ScalarImpl impl;
  bool null_if_any_null = true;  // returns NULL without calling impl if an argument is NULL
  HigherOrder higher_order = HigherOrder::kNone;
};

// The run-time behaviour of one aggregate call (one per call per operator; stateless itself:
// every group's accumulator is a Value it is handed). Accumulators are stored in state with
// common/value_codec.h, so they must be plain Values (structs, arrays, maps, bytes, ...).
class Aggregator {
 public:
  virtual ~Aggregator() = default;
  // The accumulator of an empty group.
  virtual Value Initial() const = 0;
  // Folds one row's arguments into `acc`. `seq` grows with input order (the record's offset):
  // EARLIEST/LATEST_BY_OFFSET use it to order rows, also across merged sessions.
  virtual void Add(Value& acc, const Value* args, int64_t seq) const = 0;
  // Removes the contribution of a row added earlier (aggregating a TABLE: the old row of a key
  // is undone before its new row is added).
  virtual void Undo(Value& acc, const Value* args) const = 0;
  // The accumulator of two merged session windows; `a` is the earlier session.
  virtual Value Merge(const Value& a, const Value& b) const = 0;
  // The aggregate's value for `acc`.
  virtual Value Result(const Value& acc) const = 0;
};

// Makes the Aggregator of one call. `constants` holds the value of each argument listed in
// literal_params (NULL elsewhere), e.g. TOPK's k; one more element, when present, is the call's
// configured limit (AggregateFunction::limit_config). Argument errors are kInvalidArgument.
using AggregatorFactory = std::function<Result<std::unique_ptr<Aggregator>>(
    const std::vector<TypePtr>& arg_types, const std::vector<Value>& constants,
    const TypePtr& result_type)>;

// An aggregate function: its name, how its result type follows from its argument types, and
// the factory of its run-time Aggregator. Each lives in one file of runtime/functions/aggregates/.
struct AggregateFunction {
  std::string name;         // upper-case
  std::string description;
  TypeResolver resolve;     // (argument types) -> result type, or ksqlDB's message
  // Argument positions (0-based) that must be literal constants, e.g. TOPK's k.
  std::vector<size_t> literal_params;
  bool allows_star = false;  // COUNT(*)
  bool table_source_allowed = true;  // LATEST_BY_OFFSET, MIN, MAX read streams only
  // A configuration key whose value, when set at planning time, becomes the call's limit
  // (COLLECT_LIST: ksql.functions.collect_list.limit). Empty: none.
  std::string limit_config;
  AggregatorFactory make;
};

// A table function (UDTF): one input row becomes one output row per value it returns.
struct TableFunction {
  std::string name;         // upper-case
  std::string description;
  TypeResolver resolve;     // (argument types) -> the type of each value it returns
  // Appends the values for one call. A per-record failure goes to ctx.error.
  std::function<void(const std::vector<Value>& args, FunctionContext& ctx,
                     std::vector<Value>& out)>
      impl;
};

class FunctionRegistry {
 public:
  void Register(ScalarFunction fn);
  const ScalarFunction* Find(const std::string& upper_name) const;
  std::vector<const ScalarFunction*> All() const;

  void RegisterAggregate(AggregateFunction fn);
  const AggregateFunction* FindAggregate(const std::string& upper_name) const;
  std::vector<const AggregateFunction*> AllAggregates() const;

  void RegisterTable(TableFunction fn);
  const TableFunction* FindTable(const std::string& upper_name) const;
  std::vector<const TableFunction*> AllTables() const;

 private:
  std::map<std::string, std::unique_ptr<ScalarFunction>> scalars_;
  std::map<std::string, std::unique_ptr<AggregateFunction>> aggregates_;
  std::map<std::string, std::unique_ptr<TableFunction>> tables_;
};

// Formats "(INT, STRING)" as in ksqlDB's "Function 'x' does not accept parameters (...)".
std::string FormatArgTypes(const std::vector<TypePtr>& args);
Status NoMatchingSignature(const std::string& name, const std::vector<TypePtr>& args);

}  // namespace brook
