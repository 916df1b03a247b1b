// ATTR(col): the value if every row of the group has the same one (NULL counts as a value),
// else NULL. Accumulator: a MAP from each value seen to its count, so it is undoable.
#include "runtime/functions/aggregates/aggregate_util.h"

namespace brook::functions::aggregates {

namespace {

class Attr : public Aggregator {
 public:
  Value Initial() const override { return Value::Map({}); }
  void Add(Value& acc, const Value* args, int64_t) const override { Fold(acc, args[0], 1); }
  void Undo(Value& acc, const Value* args) const override { Fold(acc, args[0], -1); }
  Value Merge(const Value& a, const Value& b) const override {
    Value acc = a;
    const Value::List& l = b.list();
    for (size_t i = 0; i + 1 < l.size(); i += 2) Fold(acc, l[i], l[i + 1].as_int64());
    return acc;
  }
  Value Result(const Value& acc) const override {
    return acc.list().size() == 2 ? acc.list()[0] : Value();
  }

 private:
  static void Fold(Value& acc, const Value& v, int64_t delta) {
    Value::List l = acc.list();
    bool found = false;
    for (size_t i = 0; i + 1 < l.size(); i += 2) {
      // NULL equals NULL here: it is one of the values seen.
      bool same = (l[i].is_null() && v.is_null()) || (!l[i].is_null() && l[i] == v);
      if (!same) continue;
      found = true;
      int64_t n = l[i + 1].as_int64() + delta;
      if (n <= 0) {
        l.erase(l.begin() + i, l.begin() + i + 2);
      } else {
        l[i + 1] = Value::Bigint(n);
      }
      break;
    }
    if (!found && delta > 0) {
      l.push_back(v);
      l.push_back(Value::Bigint(delta));
    }
    acc = Value::Map(std::move(l));
  }
};

}  // namespace

void RegisterAttr(FunctionRegistry& r) {
  Declare(r, {"ATTR", "The value, if every record of the group has the same one; else NULL.",
              [](const std::vector<TypePtr>& a) -> Result<TypePtr> {
                if (a.size() != 1 || !a[0]) return NoMatchingSignature("ATTR", a);
                return a[0];
              },
              Make<Attr>()});
}

}  // namespace brook::functions::aggregates
