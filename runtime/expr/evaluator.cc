#include "runtime/expr/evaluator.h"

#include <cmath>
#include <exception>
#include <initializer_list>

#include "common/java_format.h"
#include "common/time_util.h"
#include "common/value_cast.h"

namespace brook {

namespace {

Value Fail(EvalContext& ctx, const BoundExpr& e, std::string msg) {
  ++ctx.failures;
  if (ctx.error.empty()) {
    ctx.error = std::move(msg);
    ctx.error_expr = e.text;
  }
  return Value::Null();
}

// Compares with temporal/string coercion. Returns false in `ok` if incomparable.
int CompareValues(const Value& a, const Value& b, bool& ok) {
  ok = true;
  auto temporal = [](Value::Kind k) {
    return k == Value::Kind::kTimestamp || k == Value::Kind::kDate || k == Value::Kind::kTime;
  };
  if (temporal(a.kind()) && b.kind() == Value::Kind::kString) {
    TypePtr t = a.kind() == Value::Kind::kTimestamp ? SqlType::Timestamp()
                : a.kind() == Value::Kind::kDate    ? SqlType::Date()
                                                    : SqlType::Time();
    auto c = CastValue(b, SqlType::String(), t);
    if (!c.ok()) {
      ok = false;
      return 0;
    }
    return a.Compare(*c);
  }
  if (temporal(b.kind()) && a.kind() == Value::Kind::kString) {
    return -CompareValues(b, a, ok);
  }
  if (temporal(a.kind()) && temporal(b.kind()) && a.kind() != b.kind()) {
    auto to_ms = [](const Value& v) {
      return v.kind() == Value::Kind::kDate ? v.as_int64() * 86'400'000 : v.as_int64();
    };
    int64_t x = to_ms(a), y = to_ms(b);
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  return a.Compare(b);
}

bool ApplyCompare(CompareOp op, int c) {
  switch (op) {
    case CompareOp::kEq: return c == 0;
    case CompareOp::kNe: return c != 0;
    case CompareOp::kLt: return c < 0;
    case CompareOp::kLe: return c <= 0;
    case CompareOp::kGt: return c > 0;
    case CompareOp::kGe: return c >= 0;
  }
  return false;
}

Value Arith(const BoundExpr& e, const Value& a, const Value& b, EvalContext& ctx) {
  const TypePtr& t = e.type;
  switch (t->kind()) {
    case TypeKind::kInt: {
      int64_t x = a.as_int64(), y = b.as_int64();
      uint32_t ux = static_cast<uint32_t>(x), uy = static_cast<uint32_t>(y);
      switch (e.arith) {
        case ArithOp::kAdd: return Value::Int(static_cast<int32_t>(ux + uy));
        case ArithOp::kSub: return Value::Int(static_cast<int32_t>(ux - uy));
        case ArithOp::kMul: return Value::Int(static_cast<int32_t>(ux * uy));
        case ArithOp::kDiv:
          if (y == 0) return Fail(ctx, e, "/ by zero");
          return Value::Int(static_cast<int32_t>(x / y));
        case ArithOp::kMod:
          if (y == 0) return Fail(ctx, e, "/ by zero");
          return Value::Int(static_cast<int32_t>(x % y));
      }
      break;
    }
    case TypeKind::kBigint: {
      int64_t x = a.as_int64(), y = b.as_int64();
      uint64_t ux = static_cast<uint64_t>(x), uy = static_cast<uint64_t>(y);
      switch (e.arith) {
        case ArithOp::kAdd: return Value::Bigint(static_cast<int64_t>(ux + uy));
        case ArithOp::kSub: return Value::Bigint(static_cast<int64_t>(ux - uy));
        case ArithOp::kMul: return Value::Bigint(static_cast<int64_t>(ux * uy));
        case ArithOp::kDiv:
          if (y == 0) return Fail(ctx, e, "/ by zero");
          if (x == INT64_MIN && y == -1) return Value::Bigint(INT64_MIN);
          return Value::Bigint(x / y);
        case ArithOp::kMod:
          if (y == 0) return Fail(ctx, e, "/ by zero");
          if (y == -1) return Value::Bigint(0);
          return Value::Bigint(x % y);
      }
      break;
    }
    case TypeKind::kDouble: {
      double x = a.ToDouble(), y = b.ToDouble();
      switch (e.arith) {
        case ArithOp::kAdd: return Value::Double(x + y);
        case ArithOp::kSub: return Value::Double(x - y);
        case ArithOp::kMul: return Value::Double(x * y);
        case ArithOp::kDiv: return Value::Double(x / y);
        case ArithOp::kMod: return Value::Double(std::fmod(x, y));
      }
      break;
    }
    case TypeKind::kDecimal: {
      int sa = a.kind() == Value::Kind::kDecimal ? a.decimal_scale() : 0;
      int sb = b.kind() == Value::Kind::kDecimal ? b.decimal_scale() : 0;
      int128 x = a.kind() == Value::Kind::kDecimal ? a.decimal_unscaled() : a.as_int64();
      int128 y = b.kind() == Value::Kind::kDecimal ? b.decimal_unscaled() : b.as_int64();
      int rs = t->scale();
      int128 r = 0;
      int r_scale = 0;
      switch (e.arith) {
        case ArithOp::kAdd:
        case ArithOp::kSub:
        case ArithOp::kMod: {
          int s = std::max(sa, sb);
          int128 xx, yy;
          if (__builtin_mul_overflow(x, Pow10(s - sa), &xx) ||
              __builtin_mul_overflow(y, Pow10(s - sb), &yy)) {
            return Fail(ctx, e, "Numeric field overflow");
          }
          if (e.arith == ArithOp::kAdd) {
            if (__builtin_add_overflow(xx, yy, &r)) return Fail(ctx, e, "Numeric field overflow");
          } else if (e.arith == ArithOp::kSub) {
            if (__builtin_sub_overflow(xx, yy, &r)) return Fail(ctx, e, "Numeric field overflow");
          } else {
            if (yy == 0) return Fail(ctx, e, "Division by zero");
            r = xx % yy;
          }
          r_scale = s;
          break;
        }
        case ArithOp::kMul:
          if (__builtin_mul_overflow(x, y, &r)) return Fail(ctx, e, "Numeric field overflow");
          r_scale = sa + sb;
          break;
        case ArithOp::kDiv: {
          if (y == 0) return Fail(ctx, e, "Division by zero");
          // x/10^sa / (y/10^sb) at scale rs: x * 10^(rs - sa + sb) / y, HALF_UP.
          int shift = rs - sa + sb;
          int128 num = x, den = y;
          if (shift > 38 || shift < -38 ||
              (shift >= 0 ? __builtin_mul_overflow(x, Pow10(shift), &num)
                          : __builtin_mul_overflow(y, Pow10(-shift), &den))) {
            return Fail(ctx, e, "Numeric field overflow");
          }
          int128 q = num / den, rem = num % den;
          if (rem < 0) rem = -rem;
          int128 aden = den < 0 ? -den : den;
          if (rem >= aden - rem) q += ((num < 0) != (den < 0)) ? -1 : 1;
          r = q;
          r_scale = rs;
          break;
        }
      }
      auto rescaled = RescaleDecimal(r, r_scale, rs, t->precision());
      if (!rescaled) return Fail(ctx, e, "Numeric field overflow");
      return Value::Decimal(*rescaled, rs);
    }
    default: break;
  }
  return Fail(ctx, e, "unsupported arithmetic");
}

}  // namespace

bool LikeMatch(std::string_view s, std::string_view p, std::optional<char> esc) {
  // Iterative matcher with backtracking on the last '%'.
  size_t si = 0, pi = 0, star_p = std::string_view::npos, star_s = 0;
  while (si < s.size()) {
    if (pi < p.size()) {
      char c = p[pi];
      if (esc && c == *esc && pi + 1 < p.size()) {
        if (s[si] == p[pi + 1]) {
          si++;
          pi += 2;
          continue;
        }
      } else if (c == '%') {
        star_p = pi++;
        star_s = si;
        continue;
      } else if (c == '_' || c == s[si]) {
        si++;
        pi++;
        continue;
      }
    }
    if (star_p != std::string_view::npos) {
      pi = star_p + 1;
      si = ++star_s;
      continue;
    }
    return false;
  }
  while (pi < p.size() && p[pi] == '%') pi++;
  return pi == p.size();
}

namespace {

// Runs lambda `lambda` (a BoundKind::kLambda) with its parameters bound to `args`.
Value CallLambda(const BoundExpr& lambda, std::initializer_list<const Value*> args,
                 const Value* row, EvalContext& ctx) {
  size_t i = 0;
  for (const Value* arg : args) {
    size_t slot = static_cast<size_t>(lambda.lambda_slots[i++]);
    if (slot >= ctx.lambda_slots.size()) ctx.lambda_slots.resize(slot + 1);
    ctx.lambda_slots[slot] = *arg;
  }
  ++ctx.lambda_depth;
  Value v = Evaluate(*lambda.children[0], row, ctx);
  --ctx.lambda_depth;
  return v;
}

// TRANSFORM / FILTER / REDUCE, with the semantics of ksqlDB's invocation functions: a NULL
// collection gives NULL (REDUCE: the initial state), a NULL initial state gives NULL, and any
// failure inside a lambda fails the whole call (NULL, error recorded), as the exception thrown
// by a compiled lambda does in ksqlDB. Building a map fails on a NULL value or a duplicate key
// (Java's Collectors.toMap).
Value EvaluateHigherOrder(const BoundExpr& e, const Value* row, EvalContext& ctx) {
  Value collection = Evaluate(*e.children[0], row, ctx);
  const bool is_map = e.children[0]->type->kind() == TypeKind::kMap;
  const HigherOrder kind = e.function->higher_order;
  Value initial;
  if (kind == HigherOrder::kReduce) {
    initial = Evaluate(*e.children[1], row, ctx);
    if (initial.is_null()) return Value::Null();
    if (collection.is_null()) return initial;
  } else if (collection.is_null()) {
    return Value::Null();
  }
  const uint64_t failures_before = ctx.failures;
  auto failed = [&]() { return ctx.failures != failures_before; };
  const Value::List& items = collection.list();
  const size_t step = is_map ? 2 : 1;
  Value::List out;
  auto put = [&](Value k, Value v) -> bool {
    if (v.is_null()) {
      Fail(ctx, e, "Null value for key " + k.DebugString() + " in the map built by " + e.text);
      return false;
    }
    for (size_t j = 0; j < out.size(); j += 2) {
      if (out[j] == k) {
        Fail(ctx, e, "Duplicate key " + k.DebugString() + " in the map built by " + e.text);
        return false;
      }
    }
    out.push_back(std::move(k));
    out.push_back(std::move(v));
    return true;
  };
  switch (kind) {
    case HigherOrder::kTransform:
      for (size_t i = 0; i < items.size(); i += step) {
        if (!is_map) {
          Value v = CallLambda(*e.children[1], {&items[i]}, row, ctx);
          if (failed()) return Value::Null();
          out.push_back(std::move(v));
          continue;
        }
        Value k = CallLambda(*e.children[1], {&items[i], &items[i + 1]}, row, ctx);
        Value v = CallLambda(*e.children[2], {&items[i], &items[i + 1]}, row, ctx);
        if (failed() || !put(std::move(k), std::move(v))) return Value::Null();
      }
      return is_map ? Value::Map(std::move(out)) : Value::Array(std::move(out));
    case HigherOrder::kFilter:
      for (size_t i = 0; i < items.size(); i += step) {
        Value keep = is_map ? CallLambda(*e.children[1], {&items[i], &items[i + 1]}, row, ctx)
                            : CallLambda(*e.children[1], {&items[i]}, row, ctx);
        if (failed()) return Value::Null();
        if (keep.is_null()) return Fail(ctx, e, "The lambda of " + e.text + " returned NULL");
        if (!keep.as_bool()) continue;
        if (!is_map) {
          out.push_back(items[i]);
        } else if (!put(items[i], items[i + 1])) {
          return Value::Null();
        }
      }
      return is_map ? Value::Map(std::move(out)) : Value::Array(std::move(out));
    case HigherOrder::kReduce: {
      Value state = std::move(initial);
      for (size_t i = 0; i < items.size(); i += step) {
        Value next = is_map
                         ? CallLambda(*e.children[2], {&state, &items[i], &items[i + 1]}, row, ctx)
                         : CallLambda(*e.children[2], {&state, &items[i]}, row, ctx);
        if (failed()) return Value::Null();
        state = std::move(next);
      }
      return state;
    }
    case HigherOrder::kNone: break;
  }
  return Value::Null();
}

}  // namespace

Value Evaluate(const BoundExpr& e, const Value* row, EvalContext& ctx) {
  auto eval = [&](size_t i) { return Evaluate(*e.children[i], row, ctx); };
  switch (e.kind) {
    case BoundKind::kLiteral: return e.literal;
    case BoundKind::kColumn: return row[e.index];
    case BoundKind::kLambdaVar:
      return static_cast<size_t>(e.index) < ctx.lambda_slots.size() ? ctx.lambda_slots[e.index]
                                                                   : Value::Null();
    case BoundKind::kFunction: {
      if (e.function->higher_order != HigherOrder::kNone) return EvaluateHigherOrder(e, row, ctx);
      std::vector<Value> args;
      args.reserve(e.children.size());
      for (size_t i = 0; i < e.children.size(); ++i) {
        args.push_back(eval(i));
        if (e.function->null_if_any_null && args.back().is_null()) return Value::Null();
      }
      FunctionContext fc;
      fc.arg_types = &e.arg_types;
      fc.return_type = e.type;
      // The net under every function: an implementation that throws on a value it did not
      // expect fails this expression (NULL + processing log), never the query or the server.
      Value v;
      try {
        v = e.function->impl(args, fc);
      } catch (const std::exception& ex) {
        return Fail(ctx, e, std::string("function failed: ") + ex.what());
      } catch (...) {
        return Fail(ctx, e, "function failed");
      }
      if (!fc.error.empty()) return Fail(ctx, e, fc.error);
      return v;
    }
    case BoundKind::kCast: {
      Value v = eval(0);
      auto r = CastValue(v, e.children[0]->type, e.type);
      if (!r.ok()) return Fail(ctx, e, r.status().message());
      return std::move(r).value();
    }
    case BoundKind::kCase: {
      size_t i = 0;
      Value operand;
      if (e.has_operand) operand = eval(i++);
      size_t end = e.children.size() - (e.has_else ? 1 : 0);
      for (; i + 1 < end + 1 && i < end; i += 2) {
        Value w = eval(i);
        bool hit;
        if (e.has_operand) {
          bool ok;
          hit = !operand.is_null() && !w.is_null() && CompareValues(operand, w, ok) == 0 && ok;
        } else {
          hit = IsTrue(w);
        }
        if (hit) {
          Value r = eval(i + 1);
          if (e.type && !r.is_null() && e.children[i + 1]->type &&
              !TypesEqual(e.children[i + 1]->type, e.type)) {
            auto c = CastValue(r, e.children[i + 1]->type, e.type);
            return c.ok() ? *c : Value::Null();
          }
          return r;
        }
      }
      if (e.has_else) {
        Value r = eval(e.children.size() - 1);
        const TypePtr& et = e.children.back()->type;
        if (e.type && !r.is_null() && et && !TypesEqual(et, e.type)) {
          auto c = CastValue(r, et, e.type);
          return c.ok() ? *c : Value::Null();
        }
        return r;
      }
      return Value::Null();
    }
    case BoundKind::kArith: {
      Value a = eval(0);
      Value b = a.is_null() ? Value::Null() : eval(1);
      if (a.is_null() || b.is_null()) {
        // ksqlDB's compiled lambdas unbox the operands: NULL throws, failing the invocation.
        if (ctx.lambda_depth > 0) return Fail(ctx, e, "null operand in " + e.text);
        return Value::Null();
      }
      return Arith(e, a, b, ctx);
    }
    case BoundKind::kNegate: {
      Value a = eval(0);
      if (a.is_null() && ctx.lambda_depth > 0) return Fail(ctx, e, "null operand in " + e.text);
      switch (a.kind()) {
        case Value::Kind::kInt: return Value::Int(static_cast<int32_t>(0u - static_cast<uint32_t>(a.as_int())));
        case Value::Kind::kBigint: return Value::Bigint(static_cast<int64_t>(0ull - static_cast<uint64_t>(a.as_int64())));
        case Value::Kind::kDouble: return Value::Double(-a.as_double());
        case Value::Kind::kDecimal: return Value::Decimal(-a.decimal_unscaled(), a.decimal_scale());
        default: return Value::Null();
      }
    }
    case BoundKind::kNot: {
      Value a = eval(0);
      if (a.is_null()) return a;
      return Value::Bool(!a.as_bool());
    }
    case BoundKind::kAnd: {
      Value a = eval(0);
      if (!a.is_null() && !a.as_bool()) return Value::Bool(false);
      Value b = eval(1);
      if (!b.is_null() && !b.as_bool()) return Value::Bool(false);
      if (a.is_null() || b.is_null()) return Value::Null();
      return Value::Bool(true);
    }
    case BoundKind::kOr: {
      Value a = eval(0);
      if (!a.is_null() && a.as_bool()) return Value::Bool(true);
      Value b = eval(1);
      if (!b.is_null() && b.as_bool()) return Value::Bool(true);
      if (a.is_null() || b.is_null()) return Value::Null();
      return Value::Bool(false);
    }
    case BoundKind::kCompare: {
      // ksqlDB: a comparison involving NULL is false (not NULL).
      Value a = eval(0);
      if (a.is_null()) return Value::Bool(false);
      Value b = eval(1);
      if (b.is_null()) return Value::Bool(false);
      bool ok;
      int c = CompareValues(a, b, ok);
      if (!ok) return Fail(ctx, e, "Cannot compare values in " + e.text);
      return Value::Bool(ApplyCompare(e.compare, c));
    }
    case BoundKind::kDistinct: {
      Value a = eval(0), b = eval(1);
      bool distinct;
      if (a.is_null() || b.is_null()) {
        distinct = a.is_null() != b.is_null();
      } else {
        bool ok;
        distinct = CompareValues(a, b, ok) != 0;
      }
      return Value::Bool(e.negated ? !distinct : distinct);
    }
    case BoundKind::kIsNull: {
      bool n = eval(0).is_null();
      return Value::Bool(e.negated ? !n : n);
    }
    case BoundKind::kBetween: {
      Value v = eval(0), lo = eval(1), hi = eval(2);
      if (v.is_null() || lo.is_null() || hi.is_null()) return Value::Bool(false);
      bool ok1, ok2;
      bool in = CompareValues(v, lo, ok1) >= 0 && CompareValues(v, hi, ok2) <= 0;
      return Value::Bool(e.negated ? !in : in);
    }
    case BoundKind::kIn: {
      Value v = eval(0);
      if (v.is_null()) return Value::Bool(false);
      bool saw_null = false;
      for (size_t i = 1; i < e.children.size(); ++i) {
        Value x = eval(i);
        if (x.is_null()) {
          saw_null = true;
          continue;
        }
        bool ok;
        if (CompareValues(v, x, ok) == 0 && ok) return Value::Bool(!e.negated);
      }
      (void)saw_null;
      return Value::Bool(e.negated);
    }
    case BoundKind::kLike: {
      Value v = eval(0), p = eval(1);
      if (v.is_null() || p.is_null()) return Value::Null();
      bool m = LikeMatch(v.as_string(), p.as_string(), e.escape);
      return Value::Bool(e.negated ? !m : m);
    }
    case BoundKind::kConcat: {
      Value a = eval(0), b = eval(1);
      if (a.is_null() && b.is_null()) return Value::Null();
      std::string s = a.is_null() ? "" : a.as_string();
      if (!b.is_null()) s += b.as_string();
      return e.type && e.type->kind() == TypeKind::kBytes ? Value::Bytes(std::move(s))
                                                          : Value::String(std::move(s));
    }
    case BoundKind::kArray: {
      Value::List l;
      l.reserve(e.children.size());
      const TypePtr& et = e.type->element();
      for (size_t i = 0; i < e.children.size(); ++i) {
        Value v = eval(i);
        if (!v.is_null() && e.children[i]->type && !TypesEqual(e.children[i]->type, et)) {
          auto c = CastValue(v, e.children[i]->type, et);
          v = c.ok() ? *c : Value::Null();
        }
        l.push_back(std::move(v));
      }
      return Value::Array(std::move(l));
    }
    case BoundKind::kMap: {
      Value::List l;
      for (size_t i = 0; i + 1 < e.children.size(); i += 2) {
        Value k = eval(i), v = eval(i + 1);
        if (!v.is_null() && e.children[i + 1]->type &&
            !TypesEqual(e.children[i + 1]->type, e.type->value())) {
          auto c = CastValue(v, e.children[i + 1]->type, e.type->value());
          v = c.ok() ? *c : Value::Null();
        }
        bool replaced = false;
        for (size_t j = 0; j < l.size(); j += 2) {
          if (l[j] == k) {
            l[j + 1] = v;
            replaced = true;
          }
        }
        if (!replaced) {
          l.push_back(std::move(k));
          l.push_back(std::move(v));
        }
      }
      return Value::Map(std::move(l));
    }
    case BoundKind::kStruct: {
      Value::List l;
      for (size_t i = 0; i < e.children.size(); ++i) l.push_back(eval(i));
      return Value::Struct(std::move(l));
    }
    case BoundKind::kDereference: {
      Value s = eval(0);
      if (s.kind() != Value::Kind::kStruct) return Value::Null();
      const auto& l = s.list();
      return static_cast<size_t>(e.index) < l.size() ? l[e.index] : Value::Null();
    }
    case BoundKind::kSubscript: {
      Value base = eval(0);
      if (base.is_null()) return base;
      Value idx = eval(1);
      if (idx.is_null()) return idx;
      if (base.kind() == Value::Kind::kArray) {
        const auto& l = base.list();
        int64_t i = idx.as_int64();
        int64_t n = static_cast<int64_t>(l.size());
        int64_t pos = i > 0 ? i - 1 : n + i;
        if (i == 0 || pos < 0 || pos >= n) return Value::Null();
        return l[pos];
      }
      if (base.kind() == Value::Kind::kMap) {
        const auto& l = base.list();
        for (size_t j = 0; j + 1 < l.size(); j += 2) {
          if (l[j] == idx) return l[j + 1];
        }
        return Value::Null();
      }
      return Value::Null();
    }
    case BoundKind::kLambda: return Value::Null();
  }
  return Value::Null();
}

}  // namespace brook
