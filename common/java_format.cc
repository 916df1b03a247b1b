#include "common/java_format.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdlib>

namespace brook {

std::string JavaDoubleToString(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  if (d == 0) return std::signbit(d) ? "-0.0" : "0.0";
  // Java prints the smallest subnormal with two digits.
  if (std::fabs(d) == 4.9406564584124654e-324) return d < 0 ? "-4.9E-324" : "4.9E-324";
  // Shortest round-trip digits, then laid out the way Java does.
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string sci(buf, res.ptr);  // e.g. "-1.2345e+02"
  bool neg = sci[0] == '-';
  if (neg) sci.erase(0, 1);
  size_t e = sci.find('e');
  int exp10 = std::atoi(sci.c_str() + e + 1);
  std::string digits;
  for (size_t i = 0; i < e; ++i) {
    if (sci[i] != '.') digits += sci[i];
  }
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  std::string out = neg ? "-" : "";
  double a = std::fabs(d);
  if (a >= 1e-3 && a < 1e7) {
    if (exp10 >= 0) {
      std::string int_part = digits.substr(0, std::min<size_t>(digits.size(), exp10 + 1));
      while (static_cast<int>(int_part.size()) < exp10 + 1) int_part += '0';
      std::string frac = digits.size() > static_cast<size_t>(exp10 + 1) ? digits.substr(exp10 + 1) : "0";
      out += int_part + "." + frac;
    } else {
      out += "0." + std::string(-exp10 - 1, '0') + digits;
    }
  } else {
    out += digits.substr(0, 1) + "." + (digits.size() > 1 ? digits.substr(1) : "0") + "E" +
           std::to_string(exp10);
  }
  return out;
}

int128 Pow10(int n) {
  static const auto kTable = [] {
    std::array<int128, 39> t{};
    t[0] = 1;
    for (int i = 1; i < 39; ++i) t[i] = t[i - 1] * 10;
    return t;
  }();
  // Callers keep n within 0..38 (the DECIMAL range); anything else is a bug.
  if (n < 0) return 1;
  return kTable[n < 39 ? n : 38];
}

std::string Int128ToString(int128 v) {
  if (v >= INT64_MIN && v <= INT64_MAX) {
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, static_cast<int64_t>(v));
    return std::string(buf, r.ptr);
  }
  if (v == 0) return "0";
  bool neg = v < 0;
  unsigned __int128 u = neg ? -static_cast<unsigned __int128>(v) : v;
  std::string s;
  while (u) {
    s += static_cast<char>('0' + static_cast<int>(u % 10));
    u /= 10;
  }
  if (neg) s += '-';
  return std::string(s.rbegin(), s.rend());
}

int DecimalDigits(int128 v) {
  if (v < 0) v = -v;
  // Compare against powers of ten instead of dividing 128-bit numbers digit by digit.
  int n = 1;
  while (n < 39 && v >= Pow10(n)) ++n;
  return n;
}

std::string DecimalToString(int128 unscaled, int scale) {
  bool neg = unscaled < 0;
  std::string digits = Int128ToString(neg ? -unscaled : unscaled);
  if (scale <= 0) {
    return (neg ? "-" : "") + digits + std::string(-scale, '0');
  }
  if (static_cast<int>(digits.size()) <= scale) {
    digits = std::string(scale - digits.size() + 1, '0') + digits;
  }
  std::string out = digits.substr(0, digits.size() - scale) + "." + digits.substr(digits.size() - scale);
  return (neg ? "-" : "") + out;
}

std::optional<DecimalParts> ParseDecimal(std::string_view t) {
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
  if (t.empty()) return std::nullopt;
  bool neg = false;
  size_t i = 0;
  if (t[i] == '+' || t[i] == '-') {
    neg = t[i] == '-';
    ++i;
  }
  int128 unscaled = 0;
  int scale = 0;
  bool seen_digit = false, seen_dot = false;
  for (; i < t.size(); ++i) {
    char c = t[i];
    if (c >= '0' && c <= '9') {
      seen_digit = true;
      if (unscaled != 0 && DecimalDigits(unscaled) >= 38) return std::nullopt;  // > 38 digits
      unscaled = unscaled * 10 + (c - '0');
      if (seen_dot) ++scale;
    } else if (c == '.' && !seen_dot) {
      seen_dot = true;
    } else if ((c == 'e' || c == 'E') && seen_digit) {
      if (i + 1 >= t.size()) return std::nullopt;
      int exp = 0;
      auto r = std::from_chars(t.data() + i + 1 + (t[i + 1] == '+' ? 1 : 0), t.data() + t.size(), exp);
      if (r.ec != std::errc() || r.ptr != t.data() + t.size()) return std::nullopt;
      // Beyond +-76 no DECIMAL(38, s) can hold the value (or anything but zero).
      if (exp > 76 || exp < -76) return std::nullopt;
      scale -= exp;
      break;
    } else {
      return std::nullopt;
    }
  }
  if (!seen_digit) return std::nullopt;
  return DecimalParts{neg ? -unscaled : unscaled, scale};
}

std::optional<int128> RescaleDecimal(int128 unscaled, int from, int to, int precision) {
  int128 v = unscaled;
  if (to > from) {
    for (int i = from; i < to; ++i) {
      if (v != 0 && DecimalDigits(v) >= 38) return std::nullopt;
      v *= 10;
    }
  } else if (to < from && from - to > 38) {
    v = 0;  // |v| < 10^38: rounds to zero
  } else if (to < from) {
    int128 div = Pow10(from - to);
    int128 q = v / div;
    int128 r = v % div;
    if (r < 0) r = -r;
    if (r * 2 >= div) q += (v < 0 ? -1 : 1);  // HALF_UP
    v = q;
  }
  if (precision > 0 && v != 0 && DecimalDigits(v) > precision) return std::nullopt;
  return v;
}

}  // namespace brook
