// SUM(col): INT, BIGINT, DOUBLE or DECIMAL; NULLs ignored; an empty group sums to 0 (ksqlDB's
// initial value). INT and BIGINT wrap around on overflow as Java's do. Undoable.
#include "runtime/functions/aggregates/aggregate_util.h"

namespace brook::functions::aggregates {

namespace {

class Sum : public Aggregator {
 public:
  explicit Sum(TypePtr type) : type_(std::move(type)) {}
  Value Initial() const override { return ZeroOf(type_); }
  void Add(Value& acc, const Value* args, int64_t) const override {
    acc = AddNumbers(acc, args[0]);
  }
  void Undo(Value& acc, const Value* args) const override {
    acc = AddNumbers(acc, args[0], /*subtract=*/true);
  }
  Value Merge(const Value& a, const Value& b) const override { return AddNumbers(a, b); }
  Value Result(const Value& acc) const override { return acc; }

 private:
  TypePtr type_;
};

}  // namespace

void RegisterSum(FunctionRegistry& r) {
  Declare(r, {"SUM", "Sums numeric values.",
              [](const std::vector<TypePtr>& a) -> Result<TypePtr> {
                if (a.size() != 1 || !IsNumeric(a[0])) return NoMatchingSignature("SUM", a);
                return a[0];
              },
              [](const std::vector<TypePtr>&, const std::vector<Value>&,
                 const TypePtr& result) -> Result<std::unique_ptr<Aggregator>> {
                return std::unique_ptr<Aggregator>(std::make_unique<Sum>(result));
              }});
}

}  // namespace brook::functions::aggregates
