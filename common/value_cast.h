// Conversions between SQL types: CAST, implicit widening, and ksqlDB's text forms.
#pragma once

#include <string>

#include "common/sql_type.h"
#include "common/status.h"
#include "common/value.h"

namespace brook {

// Converts `v` (of type `from`) to `to`. On failure returns a Status with ksqlDB's message
// (the evaluator turns it into NULL plus a processing-log entry).
// Java's (long) cast of a double: NaN is 0, out-of-range values saturate. Never UB.
int64_t JavaDoubleToLong(double d);

Result<Value> CastValue(const Value& v, const TypePtr& from, const TypePtr& to);

// ksqlDB's text of a value (CAST(x AS STRING)): 1.0, 12.50, [1, 2], {a=1}, Struct{A=1}.
std::string ValueToText(const Value& v, const TypePtr& type);

// Numeric coercion helpers for mixed arithmetic.
Value ToDecimal(const Value& v, int scale);  // INT/BIGINT/DECIMAL -> DECIMAL at `scale`

}  // namespace brook
