// CORRELATION(x, y): Pearson's correlation coefficient of the rows where both are non-NULL
// (NaN with fewer than two). Accumulator STRUCT(n, sx, sy, sxx, syy, sxy). Undoable.
#include <cmath>

#include "runtime/functions/aggregates/aggregate_util.h"

namespace brook::functions::aggregates {

namespace {

class Correlation : public Aggregator {
 public:
  Value Initial() const override {
    Value::List l(6, Value::Double(0));
    l[0] = Value::Bigint(0);
    return Value::Struct(std::move(l));
  }
  void Add(Value& acc, const Value* args, int64_t) const override { Fold(acc, args, 1); }
  void Undo(Value& acc, const Value* args) const override { Fold(acc, args, -1); }
  Value Merge(const Value& a, const Value& b) const override {
    Value::List l(6);
    l[0] = Value::Bigint(Field(a, 0).as_int64() + Field(b, 0).as_int64());
    for (size_t i = 1; i < 6; ++i) {
      l[i] = Value::Double(Field(a, i).as_double() + Field(b, i).as_double());
    }
    return Value::Struct(std::move(l));
  }
  Value Result(const Value& acc) const override {
    double n = static_cast<double>(Field(acc, 0).as_int64());
    double sx = Field(acc, 1).as_double(), sy = Field(acc, 2).as_double();
    double sxx = Field(acc, 3).as_double(), syy = Field(acc, 4).as_double();
    double sxy = Field(acc, 5).as_double();
    double num = n * sxy - sx * sy;
    double den = std::sqrt(n * sxx - sx * sx) * std::sqrt(n * syy - sy * sy);
    return Value::Double(num / den);
  }

 private:
  static void Fold(Value& acc, const Value* args, int sign) {
    if (args[0].is_null() || args[1].is_null()) return;
    double x = args[0].ToDouble(), y = args[1].ToDouble();
    Value::List l(6);
    l[0] = Value::Bigint(Field(acc, 0).as_int64() + sign);
    l[1] = Value::Double(Field(acc, 1).as_double() + sign * x);
    l[2] = Value::Double(Field(acc, 2).as_double() + sign * y);
    l[3] = Value::Double(Field(acc, 3).as_double() + sign * x * x);
    l[4] = Value::Double(Field(acc, 4).as_double() + sign * y * y);
    l[5] = Value::Double(Field(acc, 5).as_double() + sign * x * y);
    acc = Value::Struct(std::move(l));
  }
};

}  // namespace

void RegisterCorrelation(FunctionRegistry& r) {
  Declare(r, {"CORRELATION", "The correlation coefficient of two columns.",
              [](const std::vector<TypePtr>& a) -> Result<TypePtr> {
                if (a.size() != 2 || !IsNumeric(a[0]) || !IsNumeric(a[1])) {
                  return NoMatchingSignature("CORRELATION", a);
                }
                return SqlType::Double();
              },
              Make<Correlation>()});
}

}  // namespace brook::functions::aggregates
