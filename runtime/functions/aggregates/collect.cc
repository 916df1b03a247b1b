// COLLECT_LIST(col): every value (NULLs included) in arrival order; COLLECT_SET(col): each
// distinct value once, in first-arrival order. Both keep at most 1000 elements (ksqlDB's
// ksql.functions.collect_{list,set}.limit default); later values are ignored. Undoable: the
// first occurrence of the undone value is removed.
#include <algorithm>

#include "runtime/functions/aggregates/aggregate_util.h"

namespace brook::functions::aggregates {

namespace {

constexpr size_t kCollectLimit = 1000;

class Collect : public Aggregator {
 public:
  explicit Collect(bool set) : set_(set) {}
  Value Initial() const override { return Value::Array({}); }
  void Add(Value& acc, const Value* args, int64_t) const override {
    const Value::List& l = acc.list();
    if (l.size() >= kCollectLimit) return;
    if (set_ && std::find(l.begin(), l.end(), args[0]) != l.end()) return;
    Value::List next = l;
    next.push_back(args[0]);
    acc = Value::Array(std::move(next));
  }
  void Undo(Value& acc, const Value* args) const override {
    Value::List next = acc.list();
    auto it = std::find(next.begin(), next.end(), args[0]);
    if (it == next.end()) return;
    next.erase(it);
    acc = Value::Array(std::move(next));
  }
  Value Merge(const Value& a, const Value& b) const override {
    Value acc = a;
    for (const Value& v : b.list()) Add(acc, &v, 0);
    return acc;
  }
  Value Result(const Value& acc) const override { return acc; }

 private:
  bool set_;
};

}  // namespace

void RegisterCollect(FunctionRegistry& r) {
  for (bool set : {false, true}) {
    std::string n = set ? "COLLECT_SET" : "COLLECT_LIST";
    Declare(r, {n,
                set ? "Collects the distinct values into an array."
                    : "Collects the values into an array.",
                [n](const std::vector<TypePtr>& a) -> Result<TypePtr> {
                  if (a.size() != 1 || !a[0]) return NoMatchingSignature(n, a);
                  return SqlType::Array(a[0]);
                },
                Make<Collect>(set)});
  }
}

}  // namespace brook::functions::aggregates
