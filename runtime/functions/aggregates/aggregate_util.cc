#include "runtime/functions/aggregates/aggregate_util.h"

#include <limits>

namespace brook::functions::aggregates {

void Declare(FunctionRegistry& r, AggregateDecl d) {
  AggregateFunction f;
  f.name = std::move(d.name);
  f.description = std::move(d.description);
  f.resolve = std::move(d.resolve);
  f.make = std::move(d.make);
  f.literal_params = std::move(d.literal_params);
  f.allows_star = d.allows_star;
  f.table_source_allowed = d.table_source_allowed;
  f.limit_config = std::move(d.limit_config);
  r.RegisterAggregate(std::move(f));
}

bool IsNumeric(const TypePtr& t) { return t && t->IsNumeric(); }

bool Comparable(const TypePtr& t) {
  if (!t) return false;
  switch (t->kind()) {
    case TypeKind::kInt:
    case TypeKind::kBigint:
    case TypeKind::kDouble:
    case TypeKind::kDecimal:
    case TypeKind::kString:
    case TypeKind::kBytes:
    case TypeKind::kDate:
    case TypeKind::kTime:
    case TypeKind::kTimestamp:
    case TypeKind::kBoolean:
      return true;
    default:
      return false;
  }
}

Value AddNumbers(const Value& a, const Value& b, bool subtract) {
  using K = Value::Kind;
  if (b.is_null()) return a;
  if (a.is_null()) return subtract ? a : b;
  switch (a.kind()) {
    case K::kInt: {
      uint32_t x = static_cast<uint32_t>(a.as_int()), y = static_cast<uint32_t>(b.as_int());
      return Value::Int(static_cast<int32_t>(subtract ? x - y : x + y));
    }
    case K::kBigint: {
      uint64_t x = static_cast<uint64_t>(a.as_int64()), y = static_cast<uint64_t>(b.as_int64());
      return Value::Bigint(static_cast<int64_t>(subtract ? x - y : x + y));
    }
    case K::kDouble:
      return Value::Double(subtract ? a.as_double() - b.as_double()
                                    : a.as_double() + b.as_double());
    case K::kDecimal: {
      // Same declared type: same scale.
      // Past int128 the sum is far beyond any DECIMAL's precision: it saturates there, and the
      // result fails to encode with its declared precision (logged) instead of being UB.
      int128 y = b.decimal_unscaled(), r;
      bool overflow = subtract ? __builtin_sub_overflow(a.decimal_unscaled(), y, &r)
                               : __builtin_add_overflow(a.decimal_unscaled(), y, &r);
      if (overflow) {
        const int128 max = static_cast<int128>(~static_cast<unsigned __int128>(0) >> 1);
        r = (y < 0) != subtract ? -max - 1 : max;
      }
      return Value::Decimal(r, a.decimal_scale());
    }
    default:
      return a;
  }
}

Value ZeroOf(const TypePtr& t) {
  if (!t) return Value::Bigint(0);
  switch (t->kind()) {
    case TypeKind::kInt:
      return Value::Int(0);
    case TypeKind::kDouble:
      return Value::Double(0);
    case TypeKind::kDecimal:
      return Value::Decimal(0, t->scale());
    default:
      return Value::Bigint(0);
  }
}

double ToDouble(const Value& v) { return v.ToDouble(); }

}  // namespace brook::functions::aggregates
