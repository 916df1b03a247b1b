// Aggregate functions: each lives in one file of aggregates/ with its type rule and its
// run-time Aggregator (planner/analyzer/function_registry.h). Adding one is a new file there,
// a line below and a line in CMakeLists.txt.
#include "runtime/functions/aggregates/aggregate_util.h"
#include "runtime/functions/function_util.h"

namespace brook::functions {

void RegisterAggregateFunctions(FunctionRegistry& r) {
  using namespace aggregates;  // NOLINT: the registration functions of aggregates/
  RegisterCount(r);
  RegisterSum(r);
  RegisterAvg(r);
  RegisterMinMax(r);
  RegisterCollect(r);
  RegisterByOffset(r);
  RegisterTopK(r);
  RegisterHistogram(r);
  RegisterStddev(r);
  RegisterCorrelation(r);
  RegisterAttr(r);
  RegisterCountDistinct(r);
}

}  // namespace brook::functions
