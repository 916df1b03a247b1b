// AVG(col): the mean of the non-NULL values as DOUBLE (DECIMAL for DECIMAL input, rounded half
// up at its scale); 0 for a group without values, as ksqlDB. Accumulator: STRUCT(sum, count).
// Undoable.
#include "runtime/functions/aggregates/aggregate_util.h"

namespace brook::functions::aggregates {

namespace {

class Avg : public Aggregator {
 public:
  Avg(TypePtr input, TypePtr result) : input_(std::move(input)), result_(std::move(result)) {}
  Value Initial() const override {
    // Integers sum as BIGINT (no INT overflow), doubles as DOUBLE, decimals as themselves.
    Value zero = input_->kind() == TypeKind::kDouble    ? Value::Double(0)
                 : input_->kind() == TypeKind::kDecimal ? Value::Decimal(0, input_->scale())
                                                        : Value::Bigint(0);
    return Value::Struct({zero, Value::Bigint(0)});
  }
  void Add(Value& acc, const Value* args, int64_t) const override { Fold(acc, args[0], false); }
  void Undo(Value& acc, const Value* args) const override { Fold(acc, args[0], true); }
  Value Merge(const Value& a, const Value& b) const override {
    return Value::Struct({AddNumbers(Field(a, 0), Field(b, 0)),
                          Value::Bigint(Field(a, 1).as_int64() + Field(b, 1).as_int64())});
  }
  Value Result(const Value& acc) const override {
    int64_t n = Field(acc, 1).as_int64();
    const Value& sum = Field(acc, 0);
    if (result_->kind() == TypeKind::kDecimal) {
      if (n == 0) return Value::Decimal(0, result_->scale());
      int128 u = sum.decimal_unscaled();
      int128 q = u / n, rem = u % n;
      if (rem != 0 && 2 * (rem < 0 ? -rem : rem) >= n) q += u < 0 ? -1 : 1;
      return Value::Decimal(q, result_->scale());
    }
    if (n == 0) return Value::Double(0);
    return Value::Double(sum.ToDouble() / static_cast<double>(n));
  }

 private:
  void Fold(Value& acc, const Value& v, bool undo) const {
    if (v.is_null()) return;
    Value sum = Field(acc, 0);
    Value x = v;
    if (sum.kind() == Value::Kind::kBigint) x = Value::Bigint(v.as_int64());
    int64_t n = Field(acc, 1).as_int64() + (undo ? -1 : 1);
    acc = Value::Struct({AddNumbers(sum, x, undo), Value::Bigint(n)});
  }
  TypePtr input_, result_;
};

}  // namespace

void RegisterAvg(FunctionRegistry& r) {
  Declare(r, {"AVG", "Averages numeric values.",
              [](const std::vector<TypePtr>& a) -> Result<TypePtr> {
                if (a.size() != 1 || !IsNumeric(a[0])) return NoMatchingSignature("AVG", a);
                if (a[0]->kind() == TypeKind::kDecimal) return a[0];
                return SqlType::Double();
              },
              [](const std::vector<TypePtr>& types, const std::vector<Value>&,
                 const TypePtr& result) -> Result<std::unique_ptr<Aggregator>> {
                return std::unique_ptr<Aggregator>(std::make_unique<Avg>(types[0], result));
              }});
}

}  // namespace brook::functions::aggregates
