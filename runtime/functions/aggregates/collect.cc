// COLLECT_LIST(col): every value (NULLs included) in arrival order; COLLECT_SET(col): each
// distinct value once, in first-arrival order. Both keep at most 1000 elements, or
// ksql.functions.collect_{list,set}.limit when the query was planned with it set (as ksqlDB);
// later values are ignored. Undoable: the
// first occurrence of the undone value is removed.
#include <algorithm>
#include <vector>

#include "runtime/functions/aggregates/aggregate_util.h"

namespace brook::functions::aggregates {

namespace {

constexpr size_t kCollectLimit = 1000;

// Value equality where a MAP is a set of entries (Java's Map.equals): {a:1, b:2} == {b:2, a:1}.
// Depth is bounded by the values' types, which the parser's nesting limit bounds.
bool SameValue(const Value& a, const Value& b) {
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case Value::Kind::kMap: {
      const Value::List& x = a.list();
      const Value::List& y = b.list();
      if (x.size() != y.size()) return false;
      // Entries in key order on both sides, then pairwise: n log n, not n^2 (a 20,000-entry
      // map compared entry against entry took seconds per record).
      auto by_key = [](const Value::List& l) {
        std::vector<size_t> ix;
        for (size_t i = 0; i + 1 < l.size(); i += 2) ix.push_back(i);
        std::stable_sort(ix.begin(), ix.end(),
                         [&](size_t p, size_t q) { return l[p].Compare(l[q]) < 0; });
        return ix;
      };
      const std::vector<size_t> ix = by_key(x), iy = by_key(y);
      for (size_t k = 0; k < ix.size(); ++k) {
        if (!SameValue(x[ix[k]], y[iy[k]]) || !SameValue(x[ix[k] + 1], y[iy[k] + 1])) {
          return false;
        }
      }
      return true;
    }
    case Value::Kind::kArray:
    case Value::Kind::kStruct: {
      const Value::List& x = a.list();
      const Value::List& y = b.list();
      if (x.size() != y.size()) return false;
      for (size_t i = 0; i < x.size(); ++i) {
        if (!SameValue(x[i], y[i])) return false;
      }
      return true;
    }
    default:
      return a == b;
  }
}

Value::List::const_iterator FindValue(const Value::List& l, const Value& v) {
  return std::find_if(l.begin(), l.end(), [&](const Value& e) { return SameValue(e, v); });
}

class Collect : public Aggregator {
 public:
  Collect(bool set, size_t limit) : set_(set), limit_(limit) {}
  Value Initial() const override { return Value::Array({}); }
  void Add(Value& acc, const Value* args, int64_t) const override {
    const Value::List& l = acc.list();
    if (l.size() >= limit_) return;
    if (set_ && FindValue(l, args[0]) != l.end()) return;
    Value::List next = l;
    next.push_back(args[0]);
    acc = Value::Array(std::move(next));
  }
  void Undo(Value& acc, const Value* args) const override {
    Value::List next = acc.list();
    auto found = FindValue(next, args[0]);
    if (found == next.end()) return;
    next.erase(next.begin() + (found - next.begin()));
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
  size_t limit_;
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
                [set](const std::vector<TypePtr>& types, const std::vector<Value>& constants,
                      const TypePtr&) -> Result<std::unique_ptr<Aggregator>> {
                  // A configured limit follows the argument constants.
                  size_t limit = kCollectLimit;
                  if (constants.size() > types.size()) {
                    limit = static_cast<size_t>(std::max<int64_t>(0, constants.back().as_int64()));
                  }
                  return std::unique_ptr<Aggregator>(std::make_unique<Collect>(set, limit));
                },
                {},
                false,
                true,
                set ? "ksql.functions.collect_set.limit" : "ksql.functions.collect_list.limit"});
  }
}

}  // namespace brook::functions::aggregates
