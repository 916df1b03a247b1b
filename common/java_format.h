// Number text exactly as ksqlDB (Java) prints and parses it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/value.h"

namespace brook {

// Java's Double.toString: "1.0", "0.001", "1.0E7", "1.234E-5", "NaN", "Infinity", "-0.0".
std::string JavaDoubleToString(double d);
// Java's Float.toString semantics are not needed; DOUBLE only.

// BigDecimal.toPlainString of unscaled * 10^-scale: "12.50", "-0.05", "100".
std::string DecimalToString(int128 unscaled, int scale);
// The same text appended to `out`, without building intermediate strings (serializers).
void AppendDecimal(int128 unscaled, int scale, std::string& out);
// Parses "12.5", "-1e3", "  7 " into unscaled/scale; nullopt if not a number.
struct DecimalParts {
  int128 unscaled;
  int scale;
};
std::optional<DecimalParts> ParseDecimal(std::string_view text);
// Rescales (HALF_UP rounding when reducing scale). nullopt on overflow of `precision` digits.
std::optional<int128> RescaleDecimal(int128 unscaled, int from_scale, int to_scale, int precision);
// Number of decimal digits of |v| (at least 1).
int DecimalDigits(int128 v);
int128 Pow10(int n);
std::string Int128ToString(int128 v);

}  // namespace brook
