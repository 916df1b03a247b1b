// STDDEV_SAMP / STDDEV_SAMPLE(col): the sample standard deviation of the non-NULL values (0.0
// with fewer than two); STDDEV_POP(col): the population one (0.0 without values).
// Accumulator STRUCT(count, sum, m2), updated as ksqlDB does: with n and S the new count and
// sum, m2 += (n*x - S)^2 / (n*(n-1)). Undoable (the same step backwards); sessions merge with
// Chan's parallel formula.
#include <cmath>

#include "runtime/functions/aggregates/aggregate_util.h"

namespace brook::functions::aggregates {

namespace {

class Stddev : public Aggregator {
 public:
  explicit Stddev(bool sample) : sample_(sample) {}
  Value Initial() const override {
    return Value::Struct({Value::Bigint(0), Value::Double(0), Value::Double(0)});
  }
  void Add(Value& acc, const Value* args, int64_t) const override {
    if (args[0].is_null()) return;
    double x = args[0].ToDouble();
    int64_t n = Field(acc, 0).as_int64() + 1;
    double sum = Field(acc, 1).as_double() + x;
    double m2 = Field(acc, 2).as_double();
    if (n > 1) {
      double d = static_cast<double>(n) * x - sum;
      m2 += d * d / (static_cast<double>(n) * static_cast<double>(n - 1));
    }
    acc = Value::Struct({Value::Bigint(n), Value::Double(sum), Value::Double(m2)});
  }
  void Undo(Value& acc, const Value* args) const override {
    if (args[0].is_null()) return;
    double x = args[0].ToDouble();
    int64_t n = Field(acc, 0).as_int64();
    double sum = Field(acc, 1).as_double();
    double m2 = Field(acc, 2).as_double();
    if (n <= 0) return;
    if (n > 1) {
      double d = static_cast<double>(n) * x - sum;
      m2 -= d * d / (static_cast<double>(n) * static_cast<double>(n - 1));
    } else {
      m2 = 0;
    }
    acc = Value::Struct({Value::Bigint(n - 1), Value::Double(sum - x), Value::Double(m2)});
  }
  Value Merge(const Value& a, const Value& b) const override {
    int64_t na = Field(a, 0).as_int64(), nb = Field(b, 0).as_int64();
    if (na == 0) return b;
    if (nb == 0) return a;
    double sa = Field(a, 1).as_double(), sb = Field(b, 1).as_double();
    double delta = sb / static_cast<double>(nb) - sa / static_cast<double>(na);
    double n = static_cast<double>(na + nb);
    double m2 = Field(a, 2).as_double() + Field(b, 2).as_double() +
                delta * delta * static_cast<double>(na) * static_cast<double>(nb) / n;
    return Value::Struct({Value::Bigint(na + nb), Value::Double(sa + sb), Value::Double(m2)});
  }
  Value Result(const Value& acc) const override {
    int64_t n = Field(acc, 0).as_int64();
    double m2 = Field(acc, 2).as_double();
    if (sample_) return Value::Double(n < 2 ? 0.0 : std::sqrt(m2 / static_cast<double>(n - 1)));
    return Value::Double(n < 1 ? 0.0 : std::sqrt(m2 / static_cast<double>(n)));
  }

 private:
  bool sample_;
};

}  // namespace

void RegisterStddev(FunctionRegistry& r) {
  for (const char* name : {"STDDEV_SAMP", "STDDEV_SAMPLE", "STDDEV_POP"}) {
    std::string n = name;
    bool sample = n != "STDDEV_POP";
    Declare(r, {n, sample ? "The sample standard deviation." : "The population standard deviation.",
                [n](const std::vector<TypePtr>& a) -> Result<TypePtr> {
                  if (a.size() != 1 || !IsNumeric(a[0]) || a[0]->kind() == TypeKind::kDecimal) {
                    return NoMatchingSignature(n, a);
                  }
                  return SqlType::Double();
                },
                Make<Stddev>(sample)});
  }
}

}  // namespace brook::functions::aggregates
