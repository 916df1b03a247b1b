#include "common/value.h"

#include <cmath>
#include <functional>

#include "common/java_format.h"

namespace brook {

const Value::List& Value::EmptyList() {
  static const List kEmpty;
  return kEmpty;
}

double Value::ToDouble() const {
  switch (kind_) {
    case Kind::kDouble: return d_;
    case Kind::kDecimal: return static_cast<double>(dec_) / std::pow(10.0, scale_);
    case Kind::kBool: return i_ ? 1 : 0;
    default: return static_cast<double>(i_);
  }
}

static int CompareDecimals(int128 a, int sa, int128 b, int sb) {
  // Bring to the same scale; fall back to double if that would overflow.
  int s = sa > sb ? sa : sb;
  int128 x, y;
  if (s - sa <= 38 && s - sb <= 38 && !__builtin_mul_overflow(a, Pow10(s - sa), &x) &&
      !__builtin_mul_overflow(b, Pow10(s - sb), &y)) {
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  double dx = static_cast<double>(a) / std::pow(10.0, sa);
  double dy = static_cast<double>(b) / std::pow(10.0, sb);
  return dx < dy ? -1 : (dx > dy ? 1 : 0);
}

int Value::Compare(const Value& o) const {
  if (is_null() || o.is_null()) return is_null() == o.is_null() ? 0 : (is_null() ? -1 : 1);
  auto numeric = [](Kind k) {
    return k == Kind::kInt || k == Kind::kBigint || k == Kind::kDouble || k == Kind::kDecimal;
  };
  if (numeric(kind_) && numeric(o.kind_)) {
    if (kind_ == Kind::kDecimal || o.kind_ == Kind::kDecimal) {
      if (kind_ != Kind::kDouble && o.kind_ != Kind::kDouble) {
        int128 a = kind_ == Kind::kDecimal ? dec_ : i_;
        int128 b = o.kind_ == Kind::kDecimal ? o.dec_ : o.i_;
        return CompareDecimals(a, kind_ == Kind::kDecimal ? scale_ : 0, b,
                               o.kind_ == Kind::kDecimal ? o.scale_ : 0);
      }
    }
    if (kind_ == Kind::kDouble || o.kind_ == Kind::kDouble || kind_ == Kind::kDecimal ||
        o.kind_ == Kind::kDecimal) {
      double a = ToDouble(), b = o.ToDouble();
      // NaN after every number and equal to itself (Java's Double.compare): without it NaN
      // would be "equal" to everything, and sorting (ARRAY_SORT, TOPK) would be undefined.
      if (std::isnan(a) || std::isnan(b)) {
        return std::isnan(a) == std::isnan(b) ? 0 : (std::isnan(a) ? 1 : -1);
      }
      return a < b ? -1 : (a > b ? 1 : 0);
    }
    return i_ < o.i_ ? -1 : (i_ > o.i_ ? 1 : 0);
  }
  if (kind_ != o.kind_) return kind_ < o.kind_ ? -1 : 1;
  switch (kind_) {
    case Kind::kString:
    case Kind::kBytes: {
      int c = str_.compare(o.str_);
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    case Kind::kArray:
    case Kind::kStruct:
    case Kind::kMap: {
      const List& a = list();
      const List& b = o.list();
      for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
        int c = a[i].Compare(b[i]);
        if (c) return c;
      }
      return a.size() < b.size() ? -1 : (a.size() > b.size() ? 1 : 0);
    }
    default: return i_ < o.i_ ? -1 : (i_ > o.i_ ? 1 : 0);
  }
}

bool Value::operator==(const Value& o) const {
  if (kind_ != o.kind_) {
    if (is_null() || o.is_null()) return false;
    return Compare(o) == 0 && kind_ != Kind::kString && o.kind_ != Kind::kString;
  }
  return Compare(o) == 0;
}

size_t Value::Hash() const {
  switch (kind_) {
    case Kind::kNull: return 0x9e3779b9;
    case Kind::kDouble: return std::hash<double>()(d_);
    case Kind::kDecimal: return std::hash<int64_t>()(static_cast<int64_t>(dec_)) ^ scale_;
    case Kind::kString:
    case Kind::kBytes: return std::hash<std::string>()(str_);
    case Kind::kArray:
    case Kind::kMap:
    case Kind::kStruct: {
      size_t h = static_cast<size_t>(kind_);
      for (const Value& v : list()) h = h * 31 + v.Hash();
      return h;
    }
    default: return std::hash<int64_t>()(i_);
  }
}

std::string Value::DebugString() const {
  switch (kind_) {
    case Kind::kNull: return "NULL";
    case Kind::kBool: return i_ ? "true" : "false";
    case Kind::kInt:
    case Kind::kBigint:
    case Kind::kDate:
    case Kind::kTime:
    case Kind::kTimestamp: return std::to_string(i_);
    case Kind::kDouble: return JavaDoubleToString(d_);
    case Kind::kDecimal: return DecimalToString(dec_, scale_);
    case Kind::kString: return "'" + str_ + "'";
    case Kind::kBytes: return "<bytes " + std::to_string(str_.size()) + ">";
    case Kind::kArray:
    case Kind::kStruct:
    case Kind::kMap: {
      std::string s = kind_ == Kind::kArray ? "[" : (kind_ == Kind::kMap ? "{" : "(");
      const List& l = list();
      for (size_t i = 0; i < l.size(); ++i) {
        if (i) s += (kind_ == Kind::kMap && i % 2 == 1) ? ":" : ",";
        s += l[i].DebugString();
      }
      return s + (kind_ == Kind::kArray ? "]" : (kind_ == Kind::kMap ? "}" : ")"));
    }
  }
  return "?";
}

}  // namespace brook
