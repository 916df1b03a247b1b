// The built-in scalar functions, registered into a FunctionRegistry.
#pragma once

#include "planner/analyzer/function_registry.h"

namespace brook {

void RegisterBuiltinFunctions(FunctionRegistry& registry);

}  // namespace brook
