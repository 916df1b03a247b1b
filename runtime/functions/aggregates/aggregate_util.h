// Helpers shared by the aggregate functions of this folder: one file per aggregate (or family),
// each registering its type rule and its Aggregator. See ../../README.md for how to add one.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "planner/analyzer/function_registry.h"

namespace brook::functions::aggregates {

// Registers an aggregate function: name, description, type rule and factory.
// `literal_params`: argument positions that must be literal constants (TOPK's k).
// `table_source_allowed`: false for functions that cannot undo (ksqlDB's non-table UDAFs).
struct AggregateDecl {
  std::string name;
  std::string description;
  TypeResolver resolve;
  AggregatorFactory make;
  std::vector<size_t> literal_params = {};
  bool allows_star = false;
  bool table_source_allowed = true;
  std::string limit_config = {};
};
void Declare(FunctionRegistry& r, AggregateDecl decl);

// A factory that ignores its inputs and makes a T from `args...`.
template <typename T, typename... Args>
AggregatorFactory Make(Args... args) {
  return [=](const std::vector<TypePtr>&, const std::vector<Value>&,
             const TypePtr&) -> Result<std::unique_ptr<Aggregator>> {
    return std::unique_ptr<Aggregator>(std::make_unique<T>(args...));
  };
}

bool IsNumeric(const TypePtr& t);
// Types MIN/MAX/TOPK compare.
bool Comparable(const TypePtr& t);

// Numeric a + b (or a - b) of two values of one numeric kind, with Java's wrap-around for
// INT and BIGINT. NULL operands count as absent: the other one is returned.
Value AddNumbers(const Value& a, const Value& b, bool subtract = false);
// The zero of a numeric type (INT 0, DECIMAL 0 at its scale, ...).
Value ZeroOf(const TypePtr& t);
double ToDouble(const Value& v);

// A struct accumulator's field (accumulators are plain Values; see Aggregator).
inline const Value& Field(const Value& acc, size_t i) { return acc.list()[i]; }

// Registration of each file's functions (called by RegisterAggregateFunctions).
void RegisterCount(FunctionRegistry& r);
void RegisterSum(FunctionRegistry& r);
void RegisterAvg(FunctionRegistry& r);
void RegisterMinMax(FunctionRegistry& r);
void RegisterCollect(FunctionRegistry& r);
void RegisterByOffset(FunctionRegistry& r);
void RegisterTopK(FunctionRegistry& r);
void RegisterHistogram(FunctionRegistry& r);
void RegisterStddev(FunctionRegistry& r);
void RegisterCorrelation(FunctionRegistry& r);
void RegisterAttr(FunctionRegistry& r);
void RegisterCountDistinct(FunctionRegistry& r);

}  // namespace brook::functions::aggregates
