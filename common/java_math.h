// Java's 64-bit integer arithmetic without C++'s undefined behaviour: `long` addition,
// subtraction and multiplication wrap in Java (and so in ksqlDB); here they wrap the same way
// instead of being UB when record data pushes them past the range. TimeUnit-style conversions
// saturate, as java.util.concurrent.TimeUnit does.
#pragma once

#include <cstdint>
#include <limits>

namespace brook {

inline int64_t JavaAdd(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}
inline int64_t JavaSub(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
}
inline int64_t JavaMul(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b));
}
// a * b, clamped to the int64 range (TimeUnit.toMillis).
inline int64_t SaturatingMul(int64_t a, int64_t b) {
  int64_t r;
  if (!__builtin_mul_overflow(a, b, &r)) return r;
  return (a < 0) != (b < 0) ? std::numeric_limits<int64_t>::min()
                            : std::numeric_limits<int64_t>::max();
}

}  // namespace brook
