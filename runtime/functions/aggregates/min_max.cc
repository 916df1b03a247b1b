// MIN(col), MAX(col): the smallest / largest non-NULL value; NULL for a group without values.
// Streams only (a table's old row cannot be undone from a single extreme).
#include "runtime/functions/aggregates/aggregate_util.h"

namespace brook::functions::aggregates {

namespace {

class Extreme : public Aggregator {
 public:
  explicit Extreme(bool max) : max_(max) {}
  Value Initial() const override { return Value(); }
  void Add(Value& acc, const Value* args, int64_t) const override {
    if (Better(args[0], acc)) acc = args[0];
  }
  void Undo(Value&, const Value*) const override {}
  Value Merge(const Value& a, const Value& b) const override { return Better(b, a) ? b : a; }
  Value Result(const Value& acc) const override { return acc; }

 private:
  bool Better(const Value& v, const Value& than) const {
    if (v.is_null()) return false;
    if (than.is_null()) return true;
    int c = v.Compare(than);
    return max_ ? c > 0 : c < 0;
  }
  bool max_;
};

}  // namespace

void RegisterMinMax(FunctionRegistry& r) {
  for (bool max : {false, true}) {
    std::string n = max ? "MAX" : "MIN";
    Declare(r, {n,
                "The " + std::string(max ? "largest" : "smallest") + " value.",
                [n](const std::vector<TypePtr>& a) -> Result<TypePtr> {
                  if (a.size() != 1 || !Comparable(a[0]) || a[0]->kind() == TypeKind::kBoolean) {
                    return NoMatchingSignature(n, a);
                  }
                  return a[0];
                },
                Make<Extreme>(max),
                {},
                false,
                /*table_source_allowed=*/false});
  }
}

}  // namespace brook::functions::aggregates
