#include "common/value_cast.h"

#include <cmath>
#include <charconv>
#include <limits>

#include "common/java_format.h"
#include "common/time_util.h"
#include "common/ascii.h"

namespace brook {

namespace {

std::string Trim(const std::string& s) {
  size_t a = s.find_first_not_of(" \t\n\r");
  if (a == std::string::npos) return "";
  size_t b = s.find_last_not_of(" \t\n\r");
  return s.substr(a, b - a + 1);
}

Status BadInput(const std::string& type, const std::string& text) {
  return InvalidArgument("invalid input syntax for type " + type + ": \"" + text + "\".");
}

}  // namespace

Value ToDecimal(const Value& v, int scale) {
  if (v.kind() == Value::Kind::kDecimal) {
    auto r = RescaleDecimal(v.decimal_unscaled(), v.decimal_scale(), scale, 0);
    return Value::Decimal(r ? *r : 0, scale);
  }
  return Value::Decimal(static_cast<int128>(v.as_int64()) * Pow10(scale), scale);
}

std::string ValueToText(const Value& v, const TypePtr& type) {
  switch (v.kind()) {
    case Value::Kind::kNull: return "null";
    case Value::Kind::kBool: return v.as_bool() ? "true" : "false";
    case Value::Kind::kInt:
    case Value::Kind::kBigint: return std::to_string(v.as_int64());
    case Value::Kind::kDouble: return JavaDoubleToString(v.as_double());
    case Value::Kind::kDecimal: return DecimalToString(v.decimal_unscaled(), v.decimal_scale());
    case Value::Kind::kString: return v.as_string();
    case Value::Kind::kBytes: return v.as_string();
    case Value::Kind::kDate: return FormatDate(v.as_int64());
    case Value::Kind::kTime: return FormatTime(v.as_int64());
    case Value::Kind::kTimestamp: return FormatTimestamp(v.as_int64());
    case Value::Kind::kArray: {
      std::string s = "[";
      const auto& l = v.list();
      for (size_t i = 0; i < l.size(); ++i) {
        if (i) s += ", ";
        s += ValueToText(l[i], type ? type->element() : nullptr);
      }
      return s + "]";
    }
    case Value::Kind::kMap: {
      std::string s = "{";
      const auto& l = v.list();
      for (size_t i = 0; i + 1 < l.size(); i += 2) {
        if (i) s += ", ";
        s += ValueToText(l[i], type ? type->key() : nullptr) + "=" +
             ValueToText(l[i + 1], type ? type->value() : nullptr);
      }
      return s + "}";
    }
    case Value::Kind::kStruct: {
      std::string s = "Struct{";
      const auto& l = v.list();
      bool first = true;
      for (size_t i = 0; i < l.size(); ++i) {
        if (l[i].is_null()) continue;
        if (!first) s += ",";
        first = false;
        std::string name = type && i < type->fields().size() ? type->fields()[i].name : "?";
        s += name + "=" + ValueToText(l[i], type ? type->fields()[i].type : nullptr);
      }
      return s + "}";
    }
  }
  return "";
}

int64_t JavaDoubleToLong(double d) {
  if (std::isnan(d)) return 0;
  if (d >= 9.2233720368547758e18) return std::numeric_limits<int64_t>::max();
  if (d <= -9.2233720368547758e18) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(d);
}

Result<Value> CastValue(const Value& v, const TypePtr& from, const TypePtr& to) {
  if (v.is_null() || !to) return Value::Null();
  if (from && TypesEqual(from, to)) return v;
  switch (to->kind()) {
    case TypeKind::kString:
      return Value::String(ValueToText(v, from));
    case TypeKind::kBoolean:
      if (v.kind() == Value::Kind::kBool) return v;
      if (v.kind() == Value::Kind::kString) {
        std::string s = Trim(v.as_string());
        AsciiLowerInPlace(s);
        if (s == "true" || s == "t" || s == "yes" || s == "y") return Value::Bool(true);
        if (s == "false" || s == "f" || s == "no" || s == "n") return Value::Bool(false);
        return BadInput("BOOLEAN", v.as_string());
      }
      break;
    case TypeKind::kInt:
    case TypeKind::kBigint: {
      bool is_int = to->kind() == TypeKind::kInt;
      int64_t out = 0;
      switch (v.kind()) {
        case Value::Kind::kInt:
        case Value::Kind::kBigint: out = v.as_int64(); break;
        case Value::Kind::kDouble: {
          double d = v.as_double();
          out = JavaDoubleToLong(d);
          if (is_int) {
            if (d >= 2147483647.0) out = INT32_MAX;
            else if (d <= -2147483648.0) out = INT32_MIN;
          }
          break;
        }
        case Value::Kind::kDecimal:
          out = static_cast<int64_t>(v.decimal_unscaled() / Pow10(v.decimal_scale()));
          break;
        case Value::Kind::kString: {
          std::string s = Trim(v.as_string());
          auto r = std::from_chars(s.data(), s.data() + s.size(), out);
          if (r.ec != std::errc() || r.ptr != s.data() + s.size() || s.empty()) {
            return BadInput(is_int ? "INTEGER" : "BIGINT", v.as_string());
          }
          if (is_int && (out > INT32_MAX || out < INT32_MIN)) {
            return BadInput("INTEGER", v.as_string());
          }
          break;
        }
        default: return InvalidArgument("Cannot cast " + TypeName(from) + " to " + TypeName(to));
      }
      return is_int ? Value::Int(static_cast<int32_t>(out)) : Value::Bigint(out);
    }
    case TypeKind::kDouble:
      switch (v.kind()) {
        case Value::Kind::kInt:
        case Value::Kind::kBigint:
        case Value::Kind::kDouble:
        case Value::Kind::kDecimal: return Value::Double(v.ToDouble());
        case Value::Kind::kString: {
          std::string s = Trim(v.as_string());
          char* end = nullptr;
          double d = std::strtod(s.c_str(), &end);
          if (s.empty() || end != s.c_str() + s.size()) return BadInput("DOUBLE", v.as_string());
          return Value::Double(d);
        }
        default: break;
      }
      break;
    case TypeKind::kDecimal: {
      int128 unscaled;
      int scale;
      switch (v.kind()) {
        case Value::Kind::kInt:
        case Value::Kind::kBigint: unscaled = v.as_int64(); scale = 0; break;
        case Value::Kind::kDecimal: unscaled = v.decimal_unscaled(); scale = v.decimal_scale(); break;
        case Value::Kind::kDouble:
        case Value::Kind::kString: {
          std::string text = v.kind() == Value::Kind::kDouble ? JavaDoubleToString(v.as_double())
                                                               : Trim(v.as_string());
          auto p = ParseDecimal(text);
          if (!p) return BadInput("DECIMAL", v.kind() == Value::Kind::kString ? v.as_string() : text);
          unscaled = p->unscaled;
          scale = p->scale;
          if (scale < 0) {
            auto r = RescaleDecimal(unscaled, scale, 0, 38);
            if (!r) return InvalidArgument("Numeric field overflow: " + text);
            unscaled = *r;
            scale = 0;
          }
          break;
        }
        default: return InvalidArgument("Cannot cast " + TypeName(from) + " to " + TypeName(to));
      }
      auto r = RescaleDecimal(unscaled, scale, to->scale(), to->precision());
      if (!r) {
        return InvalidArgument("Cannot fit decimal '" + DecimalToString(unscaled, scale) +
                               "' into DECIMAL(" + std::to_string(to->precision()) + ", " +
                               std::to_string(to->scale()) + ") without rounding. (Requires " +
                               std::to_string(DecimalDigits(unscaled)) + "," + std::to_string(scale) +
                               ")");
      }
      return Value::Decimal(*r, to->scale());
    }
    case TypeKind::kDate:
      if (v.kind() == Value::Kind::kTimestamp) return Value::Date(static_cast<int32_t>(FloorDiv(v.as_int64(), 86'400'000)));
      if (v.kind() == Value::Kind::kString) {
        auto d = ParseDate(Trim(v.as_string()));
        if (!d) {
          auto ts = ParseTimestamp(Trim(v.as_string()));
          if (!ts) return BadInput("DATE", v.as_string());
          return Value::Date(static_cast<int32_t>(FloorDiv(*ts, 86'400'000)));
        }
        return Value::Date(static_cast<int32_t>(*d));
      }
      break;
    case TypeKind::kTime:
      if (v.kind() == Value::Kind::kTimestamp) {
        int64_t ms = v.as_int64() - FloorDiv(v.as_int64(), 86'400'000) * 86'400'000;
        return Value::Time(ms);
      }
      if (v.kind() == Value::Kind::kString) {
        auto t = ParseTime(Trim(v.as_string()));
        if (!t) return BadInput("TIME", v.as_string());
        return Value::Time(*t);
      }
      break;
    case TypeKind::kTimestamp:
      if (v.kind() == Value::Kind::kDate) return Value::Timestamp(v.as_int64() * 86'400'000);
      if (v.kind() == Value::Kind::kString) {
        auto t = ParseTimestamp(Trim(v.as_string()));
        if (!t) return BadInput("TIMESTAMP", v.as_string());
        return Value::Timestamp(*t);
      }
      if (v.kind() == Value::Kind::kBigint || v.kind() == Value::Kind::kInt) {
        return Value::Timestamp(v.as_int64());
      }
      break;
    case TypeKind::kBytes:
      if (v.kind() == Value::Kind::kBytes) return v;
      break;
    case TypeKind::kArray: {
      if (v.kind() != Value::Kind::kArray) break;
      Value::List out;
      for (const Value& e : v.list()) {
        ASSIGN_OR_RETURN(Value c, CastValue(e, from ? from->element() : nullptr, to->element()));
        out.push_back(std::move(c));
      }
      return Value::Array(std::move(out));
    }
    case TypeKind::kMap: {
      if (v.kind() != Value::Kind::kMap) break;
      Value::List out;
      const auto& l = v.list();
      for (size_t i = 0; i + 1 < l.size(); i += 2) {
        ASSIGN_OR_RETURN(Value k, CastValue(l[i], from ? from->key() : nullptr, to->key()));
        ASSIGN_OR_RETURN(Value x, CastValue(l[i + 1], from ? from->value() : nullptr, to->value()));
        out.push_back(std::move(k));
        out.push_back(std::move(x));
      }
      return Value::Map(std::move(out));
    }
    case TypeKind::kStruct: {
      if (v.kind() != Value::Kind::kStruct || !from) break;
      Value::List out;
      for (const auto& f : to->fields()) {
        int i = from->FieldIndex(f.name);
        if (i < 0 || static_cast<size_t>(i) >= v.list().size()) {
          out.push_back(Value::Null());
          continue;
        }
        ASSIGN_OR_RETURN(Value c, CastValue(v.list()[i], from->fields()[i].type, f.type));
        out.push_back(std::move(c));
      }
      return Value::Struct(std::move(out));
    }
  }
  return InvalidArgument("Cannot cast " + TypeName(from) + " to " + TypeName(to));
}

}  // namespace brook
