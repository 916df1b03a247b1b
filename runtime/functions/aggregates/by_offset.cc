// EARLIEST_BY_OFFSET(col [, n] [, ignore_nulls]) and LATEST_BY_OFFSET(...): the value of the
// earliest / latest row by input order, or (with n) an array of the n earliest / latest values.
// NULLs are skipped unless ignore_nulls is FALSE. Accumulator: STRUCT(seq, value), or an array
// of them for the n-form; seq is the row's offset, so merged sessions keep input order.
// LATEST_BY_OFFSET reads streams only (as ksqlDB); EARLIEST_BY_OFFSET undoes nothing.
#include <algorithm>

#include "runtime/functions/aggregates/aggregate_util.h"

namespace brook::functions::aggregates {

namespace {

class ByOffset : public Aggregator {
 public:
  ByOffset(bool latest, int n, bool ignore_nulls, bool array)
      : latest_(latest), n_(n), ignore_nulls_(ignore_nulls), array_(array) {}
  Value Initial() const override { return array_ ? Value::Array({}) : Value(); }
  void Add(Value& acc, const Value* args, int64_t seq) const override {
    if (ignore_nulls_ && args[0].is_null()) return;
    Value item = Value::Struct({Value::Bigint(seq), args[0]});
    if (!array_) {
      if (acc.is_null() || Takes(seq, Field(acc, 0).as_int64())) acc = std::move(item);
      return;
    }
    Value::List l = acc.list();
    l.push_back(std::move(item));
    acc = Value::Array(Keep(std::move(l)));
  }
  void Undo(Value&, const Value*) const override {}
  Value Merge(const Value& a, const Value& b) const override {
    if (!array_) {
      if (a.is_null()) return b;
      if (b.is_null()) return a;
      return Takes(Field(b, 0).as_int64(), Field(a, 0).as_int64()) ? b : a;
    }
    Value::List l = a.list();
    l.insert(l.end(), b.list().begin(), b.list().end());
    return Value::Array(Keep(std::move(l)));
  }
  Value Result(const Value& acc) const override {
    if (!array_) return acc.is_null() ? Value() : Field(acc, 1);
    Value::List out;
    for (const Value& item : acc.list()) out.push_back(Field(item, 1));
    return Value::Array(std::move(out));
  }

 private:
  // Whether a row with `seq` replaces one with `held`.
  bool Takes(int64_t seq, int64_t held) const { return latest_ ? seq >= held : seq < held; }
  // Orders by seq and keeps the n earliest or latest.
  Value::List Keep(Value::List l) const {
    std::stable_sort(l.begin(), l.end(), [](const Value& x, const Value& y) {
      return Field(x, 0).as_int64() < Field(y, 0).as_int64();
    });
    if (l.size() > static_cast<size_t>(n_)) {
      if (latest_) {
        l.erase(l.begin(), l.end() - n_);
      } else {
        l.resize(n_);
      }
    }
    return l;
  }
  bool latest_;
  int n_;
  bool ignore_nulls_;
  bool array_;
};

}  // namespace

void RegisterByOffset(FunctionRegistry& r) {
  for (bool latest : {false, true}) {
    std::string n = latest ? "LATEST_BY_OFFSET" : "EARLIEST_BY_OFFSET";
    Declare(r, {n,
                latest ? "The value of the latest record by offset (or an array of the last n)."
                       : "The value of the earliest record by offset (or an array of the first n).",
                [n](const std::vector<TypePtr>& a) -> Result<TypePtr> {
                  if (a.empty() || a.size() > 3 || !a[0]) return NoMatchingSignature(n, a);
                  if (a.size() == 2 && a[1] && a[1]->kind() == TypeKind::kBoolean) return a[0];
                  if (a.size() >= 2) {
                    if (!a[1] || a[1]->kind() != TypeKind::kInt) return NoMatchingSignature(n, a);
                    if (a.size() == 3 && (!a[2] || a[2]->kind() != TypeKind::kBoolean)) {
                      return NoMatchingSignature(n, a);
                    }
                    return SqlType::Array(a[0]);
                  }
                  return a[0];
                },
                [n, latest](const std::vector<TypePtr>& types, const std::vector<Value>& constants,
                            const TypePtr&) -> Result<std::unique_ptr<Aggregator>> {
                  int count = 1;
                  bool ignore_nulls = true;
                  bool array = false;
                  if (types.size() >= 2) {
                    if (types[1]->kind() == TypeKind::kBoolean) {
                      ignore_nulls = constants[1].is_null() || constants[1].as_bool();
                    } else {
                      array = true;
                      if (constants[1].is_null() || constants[1].as_int() <= 0) {
                        return InvalidArgument("For " + n +
                                               ", the number of values to keep must be a positive "
                                               "integer literal.");
                      }
                      count = constants[1].as_int();
                      if (types.size() == 3)
                        ignore_nulls = constants[2].is_null() || constants[2].as_bool();
                    }
                  }
                  return std::unique_ptr<Aggregator>(
                      std::make_unique<ByOffset>(latest, count, ignore_nulls, array));
                },
                {1, 2},
                false,
                /*table_source_allowed=*/!latest});
  }
}

}  // namespace brook::functions::aggregates
