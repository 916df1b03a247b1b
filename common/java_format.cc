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

void AppendDecimal(int128 unscaled, int scale, std::string& out) {
  const bool neg = unscaled < 0;
  unsigned __int128 u =
      neg ? -static_cast<unsigned __int128>(unscaled) : static_cast<unsigned __int128>(unscaled);
  char buf[48];  // an unsigned 128-bit number has at most 39 digits
  char* const end = buf + sizeof buf;
  char* p = end;
  if (u <= UINT64_MAX) {
    uint64_t x = static_cast<uint64_t>(u);
    do {
      *--p = static_cast<char>('0' + x % 10);
      x /= 10;
    } while (x != 0);
  } else {
    do {
      *--p = static_cast<char>('0' + static_cast<int>(u % 10));
      u /= 10;
    } while (u != 0);
  }
  const size_t n = static_cast<size_t>(end - p);
  if (neg) out += '-';
  if (scale <= 0) {
    out.append(p, n);
    out.append(static_cast<size_t>(-scale), '0');
  } else if (n <= static_cast<size_t>(scale)) {
    out += "0.";
    out.append(static_cast<size_t>(scale) - n, '0');
    out.append(p, n);
  } else {
    out.append(p, n - scale);
    out += '.';
    out.append(p + n - scale, static_cast<size_t>(scale));
  }
}

std::string DecimalToString(int128 unscaled, int scale) {
  std::string out;
  AppendDecimal(unscaled, scale, out);
  return out;
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

namespace {
// |v| as unsigned (well defined for the most negative value too).
unsigned __int128 Magnitude(int128 v) {
  return v < 0 ? -static_cast<unsigned __int128>(v) : static_cast<unsigned __int128>(v);
}
}  // namespace

std::optional<int128> RescaleDecimal(int128 unscaled, int from, int to, int precision) {
  int128 v = unscaled;
  if (to > from) {
    // DecimalDigits(v) >= 38, i.e. |v| >= 10^37, without counting digits one by one.
    const unsigned __int128 limit = static_cast<unsigned __int128>(Pow10(37));
    for (int i = from; i < to; ++i) {
      if (Magnitude(v) >= limit) return std::nullopt;
      v *= 10;
    }
  } else if (to < from && from - to > 38) {
    v = 0;  // |v| < 10^38: rounds to zero
  } else if (to < from) {
    int128 div = Pow10(from - to);
    int128 q = v / div;
    int128 r = v % div;
    if (r < 0) r = -r;
    if (r >= div - r) q += (v < 0 ? -1 : 1);  // HALF_UP
    v = q;
  }
  // DecimalDigits(v) > precision, i.e. |v| >= 10^precision (no value has more than 39 digits).
  if (precision > 0 && precision < 39 &&
      Magnitude(v) >= static_cast<unsigned __int128>(Pow10(precision))) {
    return std::nullopt;
  }
  return v;
}

}  // namespace brook
