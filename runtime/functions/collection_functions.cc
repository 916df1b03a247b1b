// ARRAY and MAP functions.
#include <algorithm>
#include <limits>
#include <map>

#include "common/ascii.h"
#include "common/value_cast.h"
#include "runtime/functions/function_util.h"

namespace brook::functions {

namespace {

TypePtr ElementOf(const TypePtr& t) { return t && t->kind() == TypeKind::kArray ? t->element() : nullptr; }
bool Contains(const Value::List& l, const Value& v) {
  for (const Value& x : l) {
    if (x.is_null() && v.is_null()) return true;
    if (!x.is_null() && !v.is_null() && x.Compare(v) == 0) return true;
  }
  return false;
}
// Contains' equality as an order (NULL first): the distinct-value functions sort instead of
// comparing every pair, so a 20,000-element array costs milliseconds, not seconds.
bool Before(const Value& x, const Value& y) {
  if (x.is_null() || y.is_null()) return x.is_null() && !y.is_null();
  return x.Compare(y) < 0;
}

// The distinct elements of `l` in first-occurrence order.
Value::List Distinct(const Value::List& l) {
  std::vector<size_t> order(l.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return Before(l[a], l[b]); });
  std::vector<bool> keep(l.size(), false);
  for (size_t i = 0; i < order.size(); ++i) {
    if (i == 0 || Before(l[order[i - 1]], l[order[i]])) keep[order[i]] = true;
  }
  Value::List out;
  for (size_t i = 0; i < l.size(); ++i) {
    if (keep[i]) out.push_back(l[i]);
  }
  return out;
}

// Membership in one array, after sorting it once.
class SortedValues {
 public:
  explicit SortedValues(const Value::List& l) {
    for (const Value& v : l) items_.push_back(&v);
    std::sort(items_.begin(), items_.end(),
              [](const Value* a, const Value* b) { return Before(*a, *b); });
  }
  bool Has(const Value& v) const {
    auto it = std::lower_bound(items_.begin(), items_.end(), &v,
                               [](const Value* a, const Value* b) { return Before(*a, *b); });
    return it != items_.end() && !Before(v, **it);
  }

 private:
  std::vector<const Value*> items_;
};

}  // namespace

void RegisterCollectionFunctions(FunctionRegistry& r) {
  Add(r, "ARRAY_LENGTH", "ARRAY", "The number of elements of an array.",
      Overloads("ARRAY_LENGTH", {{{AnyArray()}, Returns(SqlType::Int())}}),
      [](const std::vector<Value>& a, FunctionContext&) {
        return Value::Int(static_cast<int32_t>(a[0].list().size()));
      });
  Add(r, "ARRAY_CONTAINS", "ARRAY", "Whether an array contains a value.",
      Overloads("ARRAY_CONTAINS", {{{AnyArray(), Any()}, Returns(SqlType::Boolean())}}),
      [](const std::vector<Value>& a, FunctionContext&) -> Value {
        if (a[0].is_null()) return Value::Bool(false);
        return Value::Bool(Contains(a[0].list(), a[1]));
      },
      false);
  Add(r, "ARRAY_DISTINCT", "ARRAY", "The distinct elements, in order.",
      Overloads("ARRAY_DISTINCT", {{{AnyArray()}, ReturnsArg(0)}}),
      [](const std::vector<Value>& a, FunctionContext&) { return Value::Array(Distinct(a[0].list())); });
  Add(r, "ARRAY_EXCEPT", "ARRAY", "Distinct elements of the first array not in the second.",
      Overloads("ARRAY_EXCEPT", {{{AnyArray(), AnyArray()}, ReturnsArg(0)}}),
      [](const std::vector<Value>& a, FunctionContext&) {
        Value::List out;
        SortedValues other(a[1].list());
        for (const Value& v : Distinct(a[0].list())) {
          if (!other.Has(v)) out.push_back(v);
        }
        return Value::Array(std::move(out));
      });
  Add(r, "ARRAY_INTERSECT", "ARRAY", "Distinct elements in both arrays.",
      Overloads("ARRAY_INTERSECT", {{{AnyArray(), AnyArray()}, ReturnsArg(0)}}),
      [](const std::vector<Value>& a, FunctionContext&) {
        Value::List out;
        SortedValues other(a[1].list());
        for (const Value& v : Distinct(a[0].list())) {
          if (other.Has(v)) out.push_back(v);
        }
        return Value::Array(std::move(out));
      });
  Add(r, "ARRAY_UNION", "ARRAY", "Distinct elements of either array.",
      Overloads("ARRAY_UNION", {{{AnyArray(), AnyArray()}, ReturnsArg(0)}}),
      [](const std::vector<Value>& a, FunctionContext&) {
        Value::List all = a[0].list();
        all.insert(all.end(), a[1].list().begin(), a[1].list().end());
        return Value::Array(Distinct(all));
      });
  Add(r, "ARRAY_CONCAT", "ARRAY", "Concatenates two arrays.",
      Overloads("ARRAY_CONCAT", {{{AnyArray(), AnyArray()}, ReturnsArg(0)}}),
      [](const std::vector<Value>& a, FunctionContext&) -> Value {
        if (a[0].is_null() && a[1].is_null()) return Value();
        Value::List all = a[0].list();
        all.insert(all.end(), a[1].list().begin(), a[1].list().end());
        return Value::Array(std::move(all));
      },
      false);
  Add(r, "ARRAY_REMOVE", "ARRAY", "Removes every element equal to a value.",
      Overloads("ARRAY_REMOVE", {{{AnyArray(), Any()}, ReturnsArg(0)}}),
      [](const std::vector<Value>& a, FunctionContext&) -> Value {
        if (a[0].is_null()) return Value();
        Value::List out;
        for (const Value& v : a[0].list()) {
          bool eq = (v.is_null() && a[1].is_null()) || (!v.is_null() && !a[1].is_null() && v.Compare(a[1]) == 0);
          if (!eq) out.push_back(v);
        }
        return Value::Array(std::move(out));
      },
      false);
  auto minmax = [](bool max) {
    return [max](const std::vector<Value>& a, FunctionContext&) {
      Value best;
      for (const Value& v : a[0].list()) {
        if (v.is_null()) continue;
        if (best.is_null() || (max ? v.Compare(best) > 0 : v.Compare(best) < 0)) best = v;
      }
      return best;
    };
  };
  auto elem = [](const std::vector<TypePtr>& a) { return ElementOf(a[0]); };
  Add(r, "ARRAY_MAX", "ARRAY", "The largest non-NULL element.", Overloads("ARRAY_MAX", {{{AnyArray()}, elem}}), minmax(true));
  Add(r, "ARRAY_MIN", "ARRAY", "The smallest non-NULL element.", Overloads("ARRAY_MIN", {{{AnyArray()}, elem}}), minmax(false));
  Add(r, "ARRAY_SORT", "ARRAY", "ARRAY_SORT(array[, 'ASC'|'DESC']); NULLs last.",
      Overloads("ARRAY_SORT", {{{AnyArray()}, ReturnsArg(0)}, {{AnyArray(), SqlType::String()}, ReturnsArg(0)}}),
      [](const std::vector<Value>& a, FunctionContext&) -> Value {
        bool desc = false;
        if (a.size() > 1) {
          std::string d = a[1].as_string();
          AsciiUpperInPlace(d);
          if (d == "DESC") desc = true;
          else if (d != "ASC") return Value();
        }
        Value::List l = a[0].list();
        std::stable_sort(l.begin(), l.end(), [desc](const Value& x, const Value& y) {
          if (x.is_null() || y.is_null()) return !x.is_null() && y.is_null();
          return desc ? x.Compare(y) > 0 : x.Compare(y) < 0;
        });
        return Value::Array(std::move(l));
      });
  Add(r, "ARRAY_JOIN", "ARRAY", "ARRAY_JOIN(array[, delimiter]): elements as text.",
      Overloads("ARRAY_JOIN", {{{AnyArray()}, Returns(SqlType::String())},
                               {{AnyArray(), SqlType::String()}, Returns(SqlType::String())}}),
      [](const std::vector<Value>& a, FunctionContext& ctx) -> Value {
        if (a[0].is_null()) return Value();
        std::string d = a.size() > 1 ? (a[1].is_null() ? "" : a[1].as_string()) : ",";
        std::string out;
        TypePtr et = ctx.arg_types ? ElementOf((*ctx.arg_types)[0]) : nullptr;
        const auto& l = a[0].list();
        for (size_t i = 0; i < l.size(); ++i) {
          if (i) out += d;
          out += ValueToText(l[i], et);
          if (out.size() > kMaxResultBytes) {
            return ResultTooLarge(ctx, "ARRAY_JOIN", out.size(), kMaxResultBytes);
          }
        }
        return Value::String(out);
      },
      false);
  Add(r, "SLICE", "ARRAY", "SLICE(array, from, to): 1-based, inclusive.",
      Overloads("SLICE", {{{AnyArray(), SqlType::Int(), SqlType::Int()}, ReturnsArg(0)}}),
      [](const std::vector<Value>& a, FunctionContext&) -> Value {
        if (a[0].is_null()) return Value();
        const auto& l = a[0].list();
        int64_t from = a[1].is_null() ? 1 : a[1].as_int64();
        int64_t to = a[2].is_null() ? static_cast<int64_t>(l.size()) : a[2].as_int64();
        Value::List out;
        for (int64_t i = std::max<int64_t>(from, 1); i <= to && i <= static_cast<int64_t>(l.size()); ++i) {
          out.push_back(l[i - 1]);
        }
        return Value::Array(std::move(out));
      },
      false);
  Add(r, "MAP_KEYS", "MAP", "The keys of a map.",
      Overloads("MAP_KEYS", {{{AnyMap()}, [](const std::vector<TypePtr>& a) {
                                return a[0] ? SqlType::Array(a[0]->key()) : nullptr;
                              }}}),
      [](const std::vector<Value>& a, FunctionContext&) {
        Value::List out;
        const auto& l = a[0].list();
        for (size_t i = 0; i < l.size(); i += 2) out.push_back(l[i]);
        return Value::Array(std::move(out));
      });
  Add(r, "MAP_VALUES", "MAP", "The values of a map.",
      Overloads("MAP_VALUES", {{{AnyMap()}, [](const std::vector<TypePtr>& a) {
                                  return a[0] ? SqlType::Array(a[0]->value()) : nullptr;
                                }}}),
      [](const std::vector<Value>& a, FunctionContext&) {
        Value::List out;
        const auto& l = a[0].list();
        for (size_t i = 1; i < l.size(); i += 2) out.push_back(l[i]);
        return Value::Array(std::move(out));
      });
  Add(r, "MAP_UNION", "MAP", "Merges two maps; the second wins on duplicate keys.",
      Overloads("MAP_UNION", {{{AnyMap(), AnyMap()}, ReturnsArg(0)}}),
      [](const std::vector<Value>& a, FunctionContext&) -> Value {
        if (a[0].is_null() && a[1].is_null()) return Value();
        Value::List out = a[0].list();
        const auto& l = a[1].list();
        // Key -> its entry in `out`: a lookup per key instead of a scan.
        auto less = [](const Value& x, const Value& y) { return Before(x, y); };
        std::map<Value, size_t, decltype(less)> index(less);
        for (size_t j = 0; j + 1 < out.size(); j += 2) index.emplace(out[j], j);
        for (size_t i = 0; i + 1 < l.size(); i += 2) {
          auto [it, fresh] = index.emplace(l[i], out.size());
          if (!fresh) {
            out[it->second + 1] = l[i + 1];
          } else {
            out.push_back(l[i]);
            out.push_back(l[i + 1]);
          }
        }
        return Value::Map(std::move(out));
      },
      false);
  Add(r, "AS_MAP", "MAP", "AS_MAP(keys, values)",
      Overloads("AS_MAP", {{{AnyArray(), AnyArray()}, [](const std::vector<TypePtr>& a) {
                              return a[0] && a[1] ? SqlType::Map(a[0]->element(), a[1]->element()) : nullptr;
                            }}}),
      [](const std::vector<Value>& a, FunctionContext&) {
        Value::List out;
        const auto& k = a[0].list();
        const auto& v = a[1].list();
        for (size_t i = 0; i < k.size() && i < v.size(); ++i) {
          out.push_back(k[i]);
          out.push_back(v[i]);
        }
        return Value::Map(std::move(out));
      });
  Add(r, "ELT", "STRING", "ELT(n, args...): the n-th argument (1-based).",
      Overloads("ELT", {{{SqlType::Int(), SqlType::String()}, Returns(SqlType::String()), true}}),
      [](const std::vector<Value>& a, FunctionContext&) -> Value {
        if (a[0].is_null()) return Value();
        int64_t n = a[0].as_int64();
        if (n < 1 || n >= static_cast<int64_t>(a.size())) return Value();
        return a[n];
      },
      false);
  Add(r, "FIELD", "STRING", "FIELD(str, args...): 1-based position of str among args, or 0.",
      Overloads("FIELD", {{{SqlType::String(), SqlType::String()}, Returns(SqlType::Int()), true}}),
      [](const std::vector<Value>& a, FunctionContext&) -> Value {
        if (a[0].is_null()) return Value::Int(0);
        for (size_t i = 1; i < a.size(); ++i) {
          if (!a[i].is_null() && a[i].as_string() == a[0].as_string()) return Value::Int(static_cast<int32_t>(i));
        }
        return Value::Int(0);
      },
      false);
  Add(r, "GENERATE_SERIES", "ARRAY", "GENERATE_SERIES(start, end[, step])",
      Overloads("GENERATE_SERIES", {{{SqlType::Int(), SqlType::Int()}, Returns(SqlType::Array(SqlType::Int()))},
                                    {{SqlType::Int(), SqlType::Int(), SqlType::Int()}, Returns(SqlType::Array(SqlType::Int()))},
                                    {{SqlType::Bigint(), SqlType::Bigint()}, Returns(SqlType::Array(SqlType::Bigint()))},
                                    {{SqlType::Bigint(), SqlType::Bigint(), SqlType::Int()}, Returns(SqlType::Array(SqlType::Bigint()))}}),
      [](const std::vector<Value>& a, FunctionContext& ctx) -> Value {
        int64_t from = a[0].as_int64(), to = a[1].as_int64();
        int64_t step = a.size() > 2 ? a[2].as_int64() : (to >= from ? 1 : -1);
        if (step == 0) {
          ctx.error = "GENERATE_SERIES step cannot be zero";
          return Value();
        }
        if ((to > from && step < 0) || (to < from && step > 0)) {
          ctx.error = "GENERATE_SERIES has invalid step: " + std::to_string(step);
          return Value();
        }
        // The element count in 128 bits: to - from may not fit 64.
        __int128 count = (static_cast<__int128>(to) - from) / step + 1;
        if (count > static_cast<__int128>(kMaxResultElements)) {
          return ResultTooLarge(
              ctx, "GENERATE_SERIES",
              static_cast<size_t>(std::min<__int128>(count, std::numeric_limits<int64_t>::max())),
              kMaxResultElements);
        }
        bool big = ctx.return_type && ctx.return_type->element()->kind() == TypeKind::kBigint;
        Value::List out;
        out.reserve(static_cast<size_t>(count));
        for (__int128 k = 0; k < count; ++k) {
          int64_t i = static_cast<int64_t>(from + k * step);
          out.push_back(big ? Value::Bigint(i) : Value::Int(static_cast<int32_t>(i)));
        }
        return Value::Array(std::move(out));
      });
}

}  // namespace brook::functions
