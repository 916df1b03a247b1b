// COUNT_DISTINCT(col): the approximate number of distinct non-NULL values, from a HyperLogLog
// sketch per group (hyperloglog.h: sparse while small, at most 16 KiB, ~0.8 % standard error).
// Beyond ksqlDB, sketches as values, so unions over groups and windows can be computed later:
//   HLL_SKETCH(col)        aggregate -> BYTES: the sketch of the group's values;
//   HLL_MERGE(sketch)      aggregate -> BYTES: the union of BYTES sketches (invalid ones are
//                          skipped);
//   HLL_ESTIMATE(sketch)   scalar    -> BIGINT: a sketch's distinct count (NULL and a
//                          processing-log entry for bytes that are not a sketch).
// Streams only: a sketch cannot forget a value.
#include "runtime/functions/aggregates/aggregate_util.h"
#include "runtime/functions/aggregates/hyperloglog.h"

namespace brook::functions::aggregates {

namespace {

class Distinct : public Aggregator {
 public:
  enum class Mode { kCount, kSketch, kMerge };
  explicit Distinct(Mode mode) : mode_(mode) {}
  Value Initial() const override { return Value::Bytes(hll::Empty()); }
  void Add(Value& acc, const Value* args, int64_t) const override {
    if (args[0].is_null()) return;
    if (mode_ == Mode::kMerge) {
      if (hll::Valid(args[0].as_string())) hll::Merge(acc.mutable_string(), args[0].as_string());
      return;
    }
    hll::AddHash(acc.mutable_string(), hll::HashValue(args[0]));
  }
  void Undo(Value&, const Value*) const override {}
  Value Merge(const Value& a, const Value& b) const override {
    Value out = a;
    hll::Merge(out.mutable_string(), b.as_string());
    return out;
  }
  Value Result(const Value& acc) const override {
    if (mode_ == Mode::kCount) return Value::Bigint(hll::Estimate(acc.as_string()));
    return acc;
  }

 private:
  Mode mode_;
};

}  // namespace

void RegisterCountDistinct(FunctionRegistry& r) {
  Declare(r, {"COUNT_DISTINCT", "Counts distinct non-null values (approximately, as ksqlDB).",
              [](const std::vector<TypePtr>& a) -> Result<TypePtr> {
                if (a.size() != 1 || (a[0] && !a[0]->IsPrimitive())) {
                  return NoMatchingSignature("COUNT_DISTINCT", a);
                }
                return SqlType::Bigint();
              },
              Make<Distinct>(Distinct::Mode::kCount)});
  Declare(r, {"HLL_SKETCH",
              "A HyperLogLog sketch (BYTES) of the distinct non-null values.",
              [](const std::vector<TypePtr>& a) -> Result<TypePtr> {
                if (a.size() != 1 || (a[0] && !a[0]->IsPrimitive())) {
                  return NoMatchingSignature("HLL_SKETCH", a);
                }
                return SqlType::Bytes();
              },
              Make<Distinct>(Distinct::Mode::kSketch),
              {},
              false,
              false});
  Declare(r, {"HLL_MERGE",
              "The union of HyperLogLog sketches made by HLL_SKETCH.",
              [](const std::vector<TypePtr>& a) -> Result<TypePtr> {
                if (a.size() != 1 || !a[0] || a[0]->kind() != TypeKind::kBytes) {
                  return NoMatchingSignature("HLL_MERGE", a);
                }
                return SqlType::Bytes();
              },
              Make<Distinct>(Distinct::Mode::kMerge),
              {},
              false,
              false});
  ScalarFunction est;
  est.name = "HLL_ESTIMATE";
  est.category = "AGGREGATE SKETCHES";
  est.description = "The distinct count of a HyperLogLog sketch made by HLL_SKETCH/HLL_MERGE.";
  est.signatures = {"HLL_ESTIMATE(sketch BYTES) -> BIGINT"};
  est.resolve = [](const std::vector<TypePtr>& a) -> Result<TypePtr> {
    if (a.size() != 1 || (a[0] && a[0]->kind() != TypeKind::kBytes)) {
      return NoMatchingSignature("HLL_ESTIMATE", a);
    }
    return SqlType::Bigint();
  };
  est.impl = [](const std::vector<Value>& args, FunctionContext& ctx) -> Value {
    if (!hll::Valid(args[0].as_string())) {
      ctx.error = "HLL_ESTIMATE: the argument is not a sketch made by HLL_SKETCH or HLL_MERGE";
      return Value();
    }
    return Value::Bigint(hll::Estimate(args[0].as_string()));
  };
  r.Register(std::move(est));
}

}  // namespace brook::functions::aggregates
