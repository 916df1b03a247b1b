// TOPK(col, k): the k largest non-NULL values, largest first; TOPKDISTINCT(col, k): the k
// largest distinct ones. Accumulator: the array itself. Streams only.
#include <algorithm>

#include "runtime/functions/aggregates/aggregate_util.h"

namespace brook::functions::aggregates {

namespace {

class TopK : public Aggregator {
 public:
  TopK(int k, bool distinct) : k_(k), distinct_(distinct) {}
  Value Initial() const override { return Value::Array({}); }
  void Add(Value& acc, const Value* args, int64_t) const override {
    if (args[0].is_null()) return;
    const Value::List& l = acc.list();
    if (distinct_ && std::find(l.begin(), l.end(), args[0]) != l.end()) return;
    if (l.size() >= static_cast<size_t>(k_) && args[0].Compare(l.back()) <= 0) return;
    Value::List next = l;
    auto pos = std::upper_bound(next.begin(), next.end(), args[0],
                                [](const Value& v, const Value& e) { return v.Compare(e) > 0; });
    next.insert(pos, args[0]);
    if (next.size() > static_cast<size_t>(k_)) next.resize(k_);
    acc = Value::Array(std::move(next));
  }
  void Undo(Value&, const Value*) const override {}
  Value Merge(const Value& a, const Value& b) const override {
    Value acc = a;
    for (const Value& v : b.list()) Add(acc, &v, 0);
    return acc;
  }
  Value Result(const Value& acc) const override { return acc; }

 private:
  int k_;
  bool distinct_;
};

}  // namespace

void RegisterTopK(FunctionRegistry& r) {
  for (bool distinct : {false, true}) {
    std::string n = distinct ? "TOPKDISTINCT" : "TOPK";
    Declare(r,
            {n,
             distinct ? "The k largest distinct values." : "The k largest values.",
             [n](const std::vector<TypePtr>& a) -> Result<TypePtr> {
               if (a.size() != 2 || !Comparable(a[0]) || !a[1] || a[1]->kind() != TypeKind::kInt) {
                 return NoMatchingSignature(n, a);
               }
               return SqlType::Array(a[0]);
             },
             [n, distinct](const std::vector<TypePtr>&, const std::vector<Value>& constants,
                           const TypePtr&) -> Result<std::unique_ptr<Aggregator>> {
               if (constants.size() < 2 || constants[1].is_null() || constants[1].as_int() <= 0) {
                 return InvalidArgument(n + "'s k must be a positive integer literal.");
               }
               return std::unique_ptr<Aggregator>(
                   std::make_unique<TopK>(constants[1].as_int(), distinct));
             },
             {1}});
  }
}

}  // namespace brook::functions::aggregates
