// HISTOGRAM(col): a map from each distinct non-NULL string to how often it occurred, at most
// 1000 distinct strings (ksqlDB's limit; later new strings are ignored). Undoable: a count that
// drops to zero removes its entry.
#include "runtime/functions/aggregates/aggregate_util.h"

namespace brook::functions::aggregates {

namespace {

constexpr size_t kHistogramLimit = 1000;

// Adds `delta` to `key`'s count in a MAP value's entries (key, count, key, count, ...).
void Bump(Value::List& entries, const Value& key, int64_t delta) {
  for (size_t i = 0; i + 1 < entries.size(); i += 2) {
    if (entries[i] == key) {
      int64_t n = entries[i + 1].as_int64() + delta;
      if (n <= 0) {
        entries.erase(entries.begin() + i, entries.begin() + i + 2);
      } else {
        entries[i + 1] = Value::Bigint(n);
      }
      return;
    }
  }
  if (delta > 0 && entries.size() / 2 < kHistogramLimit) {
    entries.push_back(key);
    entries.push_back(Value::Bigint(delta));
  }
}

class Histogram : public Aggregator {
 public:
  Value Initial() const override { return Value::Map({}); }
  void Add(Value& acc, const Value* args, int64_t) const override { Fold(acc, args[0], 1); }
  void Undo(Value& acc, const Value* args) const override { Fold(acc, args[0], -1); }
  Value Merge(const Value& a, const Value& b) const override {
    Value::List l = a.list();
    const Value::List& other = b.list();
    for (size_t i = 0; i + 1 < other.size(); i += 2) Bump(l, other[i], other[i + 1].as_int64());
    return Value::Map(std::move(l));
  }
  Value Result(const Value& acc) const override { return acc; }

 private:
  static void Fold(Value& acc, const Value& v, int64_t delta) {
    if (v.is_null()) return;
    Value::List l = acc.list();
    Bump(l, v, delta);
    acc = Value::Map(std::move(l));
  }
};

}  // namespace

void RegisterHistogram(FunctionRegistry& r) {
  Declare(r, {"HISTOGRAM", "Counts each distinct string value.",
              [](const std::vector<TypePtr>& a) -> Result<TypePtr> {
                if (a.size() != 1 || !a[0] || a[0]->kind() != TypeKind::kString) {
                  return NoMatchingSignature("HISTOGRAM", a);
                }
                return SqlType::Map(SqlType::String(), SqlType::Bigint());
              },
              Make<Histogram>()});
}

}  // namespace brook::functions::aggregates
