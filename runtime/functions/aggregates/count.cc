// COUNT(*), COUNT(col): rows, or non-NULL values. Undoable (tables).
#include "runtime/functions/aggregates/aggregate_util.h"

namespace brook::functions::aggregates {

namespace {

class Count : public Aggregator {
 public:
  explicit Count(bool star) : star_(star) {}
  Value Initial() const override { return Value::Bigint(0); }
  void Add(Value& acc, const Value* args, int64_t) const override {
    if (star_ || !args[0].is_null()) acc.SetInt64(Value::Kind::kBigint, acc.as_int64() + 1);
  }
  void Undo(Value& acc, const Value* args) const override {
    if (star_ || !args[0].is_null()) acc.SetInt64(Value::Kind::kBigint, acc.as_int64() - 1);
  }
  Value Merge(const Value& a, const Value& b) const override {
    return Value::Bigint(a.as_int64() + b.as_int64());
  }
  Value Result(const Value& acc) const override { return acc; }

 private:
  bool star_;
};

}  // namespace

void RegisterCount(FunctionRegistry& r) {
  Declare(r, {"COUNT",
              "Counts records (COUNT(*)) or non-null values.",
              [](const std::vector<TypePtr>& a) -> Result<TypePtr> {
                if (a.size() > 1) return NoMatchingSignature("COUNT", a);
                return SqlType::Bigint();
              },
              [](const std::vector<TypePtr>& types, const std::vector<Value>& constants,
                 const TypePtr&) -> Result<std::unique_ptr<Aggregator>> {
                // COUNT(*), COUNT() and COUNT(<literal>) count rows; a literal NULL counts none.
                bool star = types.empty() || (!constants.empty() && !constants[0].is_null());
                return std::unique_ptr<Aggregator>(std::make_unique<Count>(star));
              },
              {},
              /*allows_star=*/true});
}

}  // namespace brook::functions::aggregates
