// Numeric functions: ABS, CEIL, FLOOR, ROUND, TRUNC, SIGN, SQRT, CBRT, EXP, LN, LOG, POWER,
// trigonometry, DEGREES, RADIANS, PI, RANDOM, GREATEST, LEAST, GEO_DISTANCE.
#include <cmath>
#include <random>
#include <set>

#include "common/java_format.h"
#include "common/value_cast.h"
#include "runtime/functions/function_util.h"
#include "common/ascii.h"

namespace brook::functions {

namespace {

TypePtr Dbl() { return SqlType::Double(); }

// Rounds a decimal to `places` with HALF_UP.
Value RoundDecimal(const Value& v, int places, int out_scale) {
  int s = v.decimal_scale();
  int128 u = v.decimal_unscaled();
  if (places < s) {
    auto r = RescaleDecimal(u, s, std::max(places, 0), 0);
    u = r ? *r : 0;
    s = std::max(places, 0);
    if (places < 0) {
      int128 p = Pow10(-places);
      int128 q = u / p, rem = u % p;
      if ((rem < 0 ? -rem : rem) >= p - (rem < 0 ? -rem : rem)) q += u < 0 ? -1 : 1;
      u = q * p;
    }
  }
  auto r = RescaleDecimal(u, s, out_scale, 0);
  return Value::Decimal(r ? *r : 0, out_scale);
}

void Unary(FunctionRegistry& r, const char* name, double (*fn)(double), const char* desc) {
  Add(r, name, "MATHEMATICAL", desc, Overloads(name, {{{Dbl()}, Returns(Dbl())}}),
      [fn](const std::vector<Value>& a, FunctionContext&) { return Value::Double(fn(a[0].ToDouble())); });
}

}  // namespace

void RegisterMathFunctions(FunctionRegistry& r) {
  Add(r, "ABS", "MATHEMATICAL", "The absolute value of a number.",
      Overloads("ABS", {{{SqlType::Int()}, ReturnsArg(0)}, {{SqlType::Bigint()}, ReturnsArg(0)},
                        {{SqlType::Decimal(38, 0)}, ReturnsArg(0)}, {{Dbl()}, Returns(Dbl())}}),
      [](const std::vector<Value>& a, FunctionContext&) {
        const Value& v = a[0];
        switch (v.kind()) {
          // Java's Math.abs: the most negative value stays itself (no UB here either).
          case Value::Kind::kInt:
            return Value::Int(v.as_int() < 0
                                  ? static_cast<int32_t>(0u - static_cast<uint32_t>(v.as_int()))
                                  : v.as_int());
          case Value::Kind::kBigint:
            return Value::Bigint(
                v.as_int64() < 0 ? static_cast<int64_t>(0ull - static_cast<uint64_t>(v.as_int64()))
                                 : v.as_int64());
          case Value::Kind::kDecimal:
            return Value::Decimal(v.decimal_unscaled() < 0 ? -v.decimal_unscaled() : v.decimal_unscaled(),
                                  v.decimal_scale());
          default: return Value::Double(std::fabs(v.ToDouble()));
        }
      });
  auto ceil_floor = [](bool ceil) {
    return [ceil](const std::vector<Value>& a, FunctionContext& ctx) -> Value {
      const Value& v = a[0];
      switch (v.kind()) {
        case Value::Kind::kInt:
        case Value::Kind::kBigint: return v;
        case Value::Kind::kDecimal: {
          int s = v.decimal_scale();
          int128 p = Pow10(s);
          int128 q = v.decimal_unscaled() / p, rem = v.decimal_unscaled() % p;
          if (rem != 0 && ceil && v.decimal_unscaled() > 0) q += 1;
          if (rem != 0 && !ceil && v.decimal_unscaled() < 0) q -= 1;
          int out_scale = ctx.return_type ? ctx.return_type->scale() : 0;
          return Value::Decimal(q * Pow10(out_scale), out_scale);
        }
        default: return Value::Double(ceil ? std::ceil(v.ToDouble()) : std::floor(v.ToDouble()));
      }
    };
  };
  auto same_or_decimal0 = [](const std::vector<TypePtr>& a) -> TypePtr {
    if (a[0] && a[0]->kind() == TypeKind::kDecimal) {
      return SqlType::Decimal(std::max(1, a[0]->precision() - a[0]->scale() + (a[0]->scale() > 0 ? 1 : 0)), 0);
    }
    return a[0] ? a[0] : SqlType::Double();
  };
  Add(r, "CEIL", "MATHEMATICAL", "Rounds up to the nearest integer value.",
      Overloads("CEIL", {{{SqlType::Int()}, ReturnsArg(0)}, {{SqlType::Bigint()}, ReturnsArg(0)},
                         {{SqlType::Decimal(38, 0)}, same_or_decimal0}, {{Dbl()}, Returns(Dbl())}}),
      ceil_floor(true));
  Add(r, "FLOOR", "MATHEMATICAL", "Rounds down to the nearest integer value.",
      Overloads("FLOOR", {{{SqlType::Int()}, ReturnsArg(0)}, {{SqlType::Bigint()}, ReturnsArg(0)},
                          {{SqlType::Decimal(38, 0)}, same_or_decimal0}, {{Dbl()}, Returns(Dbl())}}),
      ceil_floor(false));
  Add(r, "ROUND", "MATHEMATICAL", "ROUND(x[, places]): half-up rounding.",
      Overloads("ROUND",
                {{{SqlType::Int()}, ReturnsArg(0)},
                 {{SqlType::Bigint()}, ReturnsArg(0)},
                 {{Dbl()}, Returns(SqlType::Bigint())},
                 {{SqlType::Decimal(38, 0)}, [](const std::vector<TypePtr>& a) -> TypePtr {
                    if (!a[0] || a[0]->kind() != TypeKind::kDecimal) return a[0];
                    return SqlType::Decimal(std::max(1, a[0]->precision() - a[0]->scale()), 0);
                  }},
                 {{SqlType::Int(), SqlType::Int()}, ReturnsArg(0)},
                 {{SqlType::Bigint(), SqlType::Int()}, ReturnsArg(0)},
                 {{Dbl(), SqlType::Int()}, Returns(Dbl())},
                 {{SqlType::Decimal(38, 0), SqlType::Int()}, ReturnsArg(0)}}),
      [](const std::vector<Value>& a, FunctionContext& ctx) -> Value {
        const Value& v = a[0];
        bool has_places = a.size() > 1;
        // Beyond +-60 places every type rounds to itself or to zero; clamping keeps -places and
        // 10^places defined for any INT.
        int places =
            has_places ? static_cast<int>(std::clamp<int64_t>(a[1].as_int64(), -60, 60)) : 0;
        switch (v.kind()) {
          case Value::Kind::kInt:
          case Value::Kind::kBigint: {
            if (places >= 0) return v;
            // In 128 bits: 10^-places and the rounded value may not fit 64 (Java's BigDecimal
            // result is then narrowed the way a (long) cast narrows).
            int128 p = Pow10(std::min(-places, 38));
            int128 x = v.as_int64();
            int128 q = x / p, rem = x % p;
            if ((rem < 0 ? -rem : rem) >= p - (rem < 0 ? -rem : rem)) q += x < 0 ? -1 : 1;
            int64_t out = static_cast<int64_t>(q * p);
            return v.kind() == Value::Kind::kInt ? Value::Int(static_cast<int32_t>(out)) : Value::Bigint(out);
          }
          case Value::Kind::kDecimal:
            return RoundDecimal(v, places, ctx.return_type ? ctx.return_type->scale() : 0);
          default: {
            double d = v.ToDouble();
            if (!has_places) return Value::Bigint(JavaDoubleToLong(std::floor(d + 0.5)));
            if (std::isnan(d) || std::isinf(d)) return Value::Double(d);
            // Math.round semantics (half toward positive infinity) at `places`.
            double p = std::pow(10.0, places);
            return Value::Double(std::floor(d * p + 0.5) / p);
          }
        }
      });
  Add(r, "SIGN", "MATHEMATICAL", "The sign of a number: -1, 0 or 1.",
      Overloads("SIGN", {{{SqlType::Int()}, Returns(SqlType::Int())}, {{SqlType::Bigint()}, Returns(SqlType::Int())},
                         {{Dbl()}, Returns(SqlType::Int())}}),
      [](const std::vector<Value>& a, FunctionContext&) {
        double d = a[0].ToDouble();
        return Value::Int(d > 0 ? 1 : (d < 0 ? -1 : 0));
      });
  Unary(r, "SQRT", [](double x) { return std::sqrt(x); }, "Square root.");
  Unary(r, "CBRT", [](double x) { return std::cbrt(x); }, "Cube root.");
  Unary(r, "EXP", [](double x) { return std::exp(x); }, "e raised to the power.");
  Unary(r, "LN", [](double x) { return std::log(x); }, "Natural logarithm.");
  Unary(r, "SIN", [](double x) { return std::sin(x); }, "Sine.");
  Unary(r, "COS", [](double x) { return std::cos(x); }, "Cosine.");
  Unary(r, "TAN", [](double x) { return std::tan(x); }, "Tangent.");
  Unary(r, "ASIN", [](double x) { return std::asin(x); }, "Arc sine.");
  Unary(r, "ACOS", [](double x) { return std::acos(x); }, "Arc cosine.");
  Unary(r, "ATAN", [](double x) { return std::atan(x); }, "Arc tangent.");
  Unary(r, "SINH", [](double x) { return std::sinh(x); }, "Hyperbolic sine.");
  Unary(r, "COSH", [](double x) { return std::cosh(x); }, "Hyperbolic cosine.");
  Unary(r, "TANH", [](double x) { return std::tanh(x); }, "Hyperbolic tangent.");
  Unary(r, "COT", [](double x) { return 1.0 / std::tan(x); }, "Cotangent.");
  Unary(r, "DEGREES", [](double x) { return x * 180.0 / M_PI; }, "Radians to degrees.");
  Unary(r, "RADIANS", [](double x) { return x / 180.0 * M_PI; }, "Degrees to radians.");
  Add(r, "ATAN2", "MATHEMATICAL", "ATAN2(y, x)", Overloads("ATAN2", {{{Dbl(), Dbl()}, Returns(Dbl())}}),
      [](const std::vector<Value>& a, FunctionContext&) {
        return Value::Double(std::atan2(a[0].ToDouble(), a[1].ToDouble()));
      });
  Add(r, "LOG", "MATHEMATICAL", "LOG(x) natural log, LOG(base, x).",
      Overloads("LOG", {{{Dbl()}, Returns(Dbl())}, {{Dbl(), Dbl()}, Returns(Dbl())}}),
      [](const std::vector<Value>& a, FunctionContext&) {
        if (a.size() == 1) return Value::Double(std::log(a[0].ToDouble()));
        double base = a[0].ToDouble();
        if (base <= 0 || base == 1) return Value::Double(std::nan(""));
        return Value::Double(std::log(a[1].ToDouble()) / std::log(base));
      });
  Add(r, "POWER", "MATHEMATICAL", "POWER(base, exponent)", Overloads("POWER", {{{Dbl(), Dbl()}, Returns(Dbl())}}),
      [](const std::vector<Value>& a, FunctionContext&) {
        return Value::Double(std::pow(a[0].ToDouble(), a[1].ToDouble()));
      });
  Add(r, "PI", "MATHEMATICAL", "The constant pi.", Overloads("PI", {{{}, Returns(Dbl())}}),
      [](const std::vector<Value>&, FunctionContext&) { return Value::Double(M_PI); });
  Add(r, "RANDOM", "MATHEMATICAL", "A random DOUBLE in [0, 1).", Overloads("RANDOM", {{{}, Returns(Dbl())}}),
      [](const std::vector<Value>&, FunctionContext&) {
        thread_local std::mt19937_64 rng(std::random_device{}());
        return Value::Double(std::uniform_real_distribution<double>(0, 1)(rng));
      });
  Add(r, "TRUNC", "MATHEMATICAL", "TRUNC(x[, places]): rounds toward zero.",
      Overloads("TRUNC", {{{SqlType::Int()}, ReturnsArg(0)}, {{SqlType::Bigint()}, ReturnsArg(0)},
                          {{Dbl()}, Returns(SqlType::Bigint())}, {{Dbl(), SqlType::Int()}, Returns(Dbl())},
                          {{SqlType::Decimal(38, 0)}, same_or_decimal0},
                          {{SqlType::Decimal(38, 0), SqlType::Int()}, ReturnsArg(0)}}),
      [](const std::vector<Value>& a, FunctionContext& ctx) -> Value {
        const Value& v = a[0];
        int places =
            a.size() > 1 ? static_cast<int>(std::clamp<int64_t>(a[1].as_int64(), -60, 60)) : 0;
        if (v.kind() == Value::Kind::kInt || v.kind() == Value::Kind::kBigint) return v;
        if (v.kind() == Value::Kind::kDecimal) {
          int s = v.decimal_scale();
          int128 u = v.decimal_unscaled();
          if (places < s) {
            int drop = s - places;  // digits to zero out (places may be negative)
            if (drop > 38) u = 0;
            else u = u / Pow10(drop) * Pow10(drop);
          }
          int out = ctx.return_type ? ctx.return_type->scale() : 0;
          int128 r2 = out >= s ? u * Pow10(out - s) : u / Pow10(s - out);
          return Value::Decimal(r2, out);
        }
        double d = v.ToDouble();
        if (a.size() == 1) return Value::Bigint(JavaDoubleToLong(std::trunc(d)));
        double p = std::pow(10.0, places);
        return Value::Double(std::trunc(d * p) / p);
      });
  auto extreme = [](bool greatest) {
    return [greatest](const std::vector<Value>& args, FunctionContext& ctx) -> Value {
      std::vector<Value> converted;
      const std::vector<Value>* in = &args;
      if (ctx.return_type && (ctx.return_type->kind() == TypeKind::kDate ||
                              ctx.return_type->kind() == TypeKind::kTime ||
                              ctx.return_type->kind() == TypeKind::kTimestamp)) {
        for (const Value& v : args) {
          if (v.kind() != Value::Kind::kString) {
            converted.push_back(v);
            continue;
          }
          auto c = CastValue(v, SqlType::String(), ctx.return_type);
          if (!c.ok()) {
            ctx.error = c.status().message();
            return Value();
          }
          converted.push_back(*c);
        }
        in = &converted;
      }
      const std::vector<Value>& a = *in;
      Value best;
      for (const Value& v : a) {
        if (v.is_null()) continue;
        if (best.is_null() || (greatest ? v.Compare(best) > 0 : v.Compare(best) < 0)) best = v;
      }
      if (!best.is_null() && ctx.return_type && ctx.arg_types) {
        auto c = CastValue(best, nullptr, ctx.return_type);
        if (best.kind() == Value::Kind::kInt && ctx.return_type->kind() == TypeKind::kBigint) return Value::Bigint(best.as_int64());
        if (ctx.return_type->kind() == TypeKind::kDouble) return Value::Double(best.ToDouble());
        if (ctx.return_type->kind() == TypeKind::kDecimal) {
          // ksqlDB's BigDecimal overload returns the winning argument itself: its own scale,
          // not the widened type's (GREATEST(2.5, 1.25) prints 2.5, not 2.50).
          if (best.kind() == Value::Kind::kDecimal) return best;
          return ToDecimal(best, ctx.return_type->scale());
        }
        (void)c;
      }
      return best;
    };
  };
  // ksqlDB declares one variadic overload per type (INT, BIGINT, DOUBLE, DECIMAL, STRING,
  // BYTES, DATE, TIME, TIMESTAMP): mixed integer kinds are ambiguous unless a DOUBLE decides,
  // and strings are accepted alongside DATE/TIME/TIMESTAMP (parsed at run time).
  auto common = [](const std::string& name) -> TypeResolver {
    return [name](const std::vector<TypePtr>& a) -> Result<TypePtr> {
      std::string lower = name;
      AsciiLowerInPlace(lower);
      if (a.empty()) return NoMatchingSignature(name, a);
      auto ambiguous = [&]() {
        std::string types;
        for (size_t i = 0; i < a.size(); ++i) {
          types += (i ? ", " : "") + (a[i] ? TypeName(a[i]) : std::string("null"));
        }
        return InvalidArgument("Function '" + lower +
                               "' cannot be resolved due to ambiguous method parameters (" + types +
                               ").");
      };
      TypePtr temporal;
      bool has_string = false, has_double = false;
      std::set<TypeKind> numeric_kinds;
      for (const auto& x : a) {
        if (!x) continue;
        if (x->kind() == TypeKind::kDate || x->kind() == TypeKind::kTime ||
            x->kind() == TypeKind::kTimestamp) {
          if (temporal && temporal->kind() != x->kind()) return NoMatchingSignature(name, a);
          temporal = x;
        } else if (x->kind() == TypeKind::kString) {
          has_string = true;
        } else if (x->IsNumeric()) {
          numeric_kinds.insert(x->kind());
          has_double = has_double || x->kind() == TypeKind::kDouble;
        }
      }
      if (temporal && numeric_kinds.empty()) return temporal;
      if (numeric_kinds.size() > 1 && !has_double) return ambiguous();
      TypePtr t;
      for (const auto& x : a) {
        auto c = CommonType(t, x);
        if (!c.ok()) return NoMatchingSignature(name, a);
        t = *c;
      }
      if (!t) return ambiguous();
      if (has_string && t->kind() != TypeKind::kString) return NoMatchingSignature(name, a);
      if (!t->IsPrimitive() || t->kind() == TypeKind::kBoolean) return NoMatchingSignature(name, a);
      return t;
    };
  };
  Add(r, "GREATEST", "MATHEMATICAL", "The greatest of its arguments (NULLs ignored).", common("GREATEST"),
      extreme(true), false);
  Add(r, "LEAST", "MATHEMATICAL", "The least of its arguments (NULLs ignored).", common("LEAST"),
      extreme(false), false);
  Add(r, "GEO_DISTANCE", "MATHEMATICAL", "GEO_DISTANCE(lat1, lon1, lat2, lon2[, 'KM'|'MI'])",
      Overloads("GEO_DISTANCE", {{{Dbl(), Dbl(), Dbl(), Dbl()}, Returns(Dbl())},
                                 {{Dbl(), Dbl(), Dbl(), Dbl(), SqlType::String()}, Returns(Dbl())}}),
      [](const std::vector<Value>& a, FunctionContext& ctx) -> Value {
        for (size_t i = 0; i < 4; ++i) {
          if (a[i].is_null()) return Value();
        }
        double radius = 6371.0;
        if (a.size() > 4 && !a[4].is_null()) {
          std::string u = a[4].as_string();
          size_t b = u.find_first_not_of(" \t"), e = u.find_last_not_of(" \t");
          u = b == std::string::npos ? "" : u.substr(b, e - b + 1);
          AsciiLowerInPlace(u);
          if (u == "mi" || u == "mile" || u == "miles") {
            radius = 3959.0;
          } else if (!u.empty() && u != "km" && u != "kilometer" && u != "kilometers" &&
                     u != "kilometre" && u != "kilometres") {
            ctx.error = "GeoDistance function units parameter must be one of mi, mile, miles, "
                        "km, kilometer, kilometers, kilometre or kilometres. Values are "
                        "case-insensitive.";
            return Value();
          }
        }
        double lat1d = a[0].ToDouble(), lon1d = a[1].ToDouble();
        double lat2d = a[2].ToDouble(), lon2d = a[3].ToDouble();
        if (lat1d < -90 || lat2d < -90 || lat1d > 90 || lat2d > 90) {
          ctx.error = "valid latitude values for GeoDistance function are in the range of -90 to "
                      "90 decimal degrees";
          return Value();
        }
        if (lon1d < -180 || lon2d < -180 || lon1d > 180 || lon2d > 180) {
          ctx.error = "valid longitude values for GeoDistance function are in the range of -180 "
                      "to +180 decimal degrees";
          return Value();
        }
        // Same operations in the same order as ksqlDB (Java's Math.toRadians, haversin(dLon)
        // times the cosines), so results match bit for bit.
        constexpr double kToRadians = 0.017453292519943295;
        double dlat = (lat2d - lat1d) * kToRadians;
        double dlon = (lon2d - lon1d) * kToRadians;
        double lat1 = lat1d * kToRadians, lat2 = lat2d * kToRadians;
        auto haversin = [](double v) { return std::pow(std::sin(v / 2), 2); };
        double h = haversin(dlat) + haversin(dlon) * std::cos(lat1) * std::cos(lat2);
        double c = 2 * std::asin(std::sqrt(h));
        return Value::Double(radius * c);
      },
      false);
}

}  // namespace brook::functions
