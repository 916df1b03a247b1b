#include "runtime/functions/aggregates/hyperloglog.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <vector>

#include "common/value_codec.h"

namespace brook::hll {

namespace {

constexpr char kVersion = 1;
constexpr size_t kHeader = 3;
constexpr int kQ = 64 - kPrecision;  // bits left for the register value

uint64_t Mix(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

uint64_t HashBytes(std::string_view b) {
  uint64_t h = 0x9E3779B97F4A7C15ULL ^ (b.size() * 0xff51afd7ed558ccdULL);
  size_t i = 0;
  for (; i + 8 <= b.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, b.data() + i, 8);
    h = Mix(h ^ w) * 0x9E3779B97F4A7C15ULL;
  }
  uint64_t tail = 0;
  std::memcpy(&tail, b.data() + i, b.size() - i);
  return Mix(h ^ tail ^ (b.size() << 56));
}

bool Dense(std::string_view s) { return s[2] == 'd'; }

uint32_t EntryAt(std::string_view s, size_t i) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data() + kHeader + 3 * i);
  return (uint32_t{p[0]} << 16) | (uint32_t{p[1]} << 8) | p[2];
}

void PutEntry(char* p, uint32_t e) {
  p[0] = static_cast<char>(e >> 16);
  p[1] = static_cast<char>(e >> 8);
  p[2] = static_cast<char>(e);
}

void ToDense(std::string& s) {
  std::string d(kHeader + kRegisters, '\0');
  d[0] = kVersion;
  d[1] = kPrecision;
  d[2] = 'd';
  size_t n = (s.size() - kHeader) / 3;
  for (size_t i = 0; i < n; ++i) {
    uint32_t e = EntryAt(s, i);
    d[kHeader + (e >> 6)] = static_cast<char>(e & 0x3F);
  }
  s.swap(d);
}

// Sets register `index` to at least `value`.
void Raise(std::string& s, uint32_t index, uint8_t value) {
  if (Dense(s)) {
    auto& r = reinterpret_cast<uint8_t&>(s[kHeader + index]);
    r = std::max(r, value);
    return;
  }
  size_t n = (s.size() - kHeader) / 3;
  // Binary search by index.
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if ((EntryAt(s, mid) >> 6) < index) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  if (lo < n && (EntryAt(s, lo) >> 6) == index) {
    if ((EntryAt(s, lo) & 0x3F) < value) PutEntry(&s[kHeader + 3 * lo], index << 6 | value);
    return;
  }
  if (n + 1 > kSparseMax) {
    ToDense(s);
    Raise(s, index, value);
    return;
  }
  char e[3];
  PutEntry(e, index << 6 | value);
  s.insert(kHeader + 3 * lo, e, 3);
}

double Sigma(double x) {
  if (x == 1.0) return INFINITY;
  double y = 1, z = x, prev;
  do {
    x *= x;
    prev = z;
    z += x * y;
    y += y;
  } while (z != prev);
  return z;
}

double Tau(double x) {
  if (x == 0.0 || x == 1.0) return 0.0;
  double y = 1.0, z = 1 - x, prev;
  do {
    x = std::sqrt(x);
    prev = z;
    y *= 0.5;
    z -= (1 - x) * (1 - x) * y;
  } while (z != prev);
  return z / 3;
}

}  // namespace

std::string Empty() { return std::string{kVersion, static_cast<char>(kPrecision), 's'}; }

bool Valid(std::string_view s) {
  if (s.size() < kHeader || s[0] != kVersion || s[1] != kPrecision) return false;
  if (s[2] == 'd') {
    if (s.size() != kHeader + kRegisters) return false;
    for (size_t i = kHeader; i < s.size(); ++i) {
      if (static_cast<uint8_t>(s[i]) > kQ + 1) return false;
    }
    return true;
  }
  if (s[2] != 's' || (s.size() - kHeader) % 3 != 0) return false;
  size_t n = (s.size() - kHeader) / 3;
  if (n > kSparseMax) return false;
  for (size_t i = 0; i < n; ++i) {
    uint32_t e = EntryAt(s, i);
    if ((e & 0x3F) == 0 || (e & 0x3F) > kQ + 1 || (e >> 6) >= kRegisters) return false;
    if (i > 0 && (EntryAt(s, i - 1) >> 6) >= (e >> 6)) return false;
  }
  return true;
}

uint64_t HashValue(const Value& v) {
  if (v.kind() == Value::Kind::kString) return HashBytes(v.as_string());
  thread_local std::string buf;
  buf.clear();
  EncodeValue(v, buf);
  return HashBytes(buf);
}

void AddHash(std::string& s, uint64_t hash) {
  auto index = static_cast<uint32_t>(hash >> kQ);
  uint64_t rest = hash << kPrecision;
  uint8_t value = rest == 0 ? kQ + 1 : static_cast<uint8_t>(__builtin_clzll(rest) + 1);
  if (value > kQ + 1) value = kQ + 1;
  Raise(s, index, value);
}

void Merge(std::string& into, std::string_view other) {
  if (Dense(other)) {
    if (!Dense(into)) ToDense(into);
    for (size_t i = 0; i < kRegisters; ++i) {
      auto& r = reinterpret_cast<uint8_t&>(into[kHeader + i]);
      r = std::max(r, static_cast<uint8_t>(other[kHeader + i]));
    }
    return;
  }
  size_t n = (other.size() - kHeader) / 3;
  for (size_t i = 0; i < n; ++i) {
    uint32_t e = EntryAt(other, i);
    Raise(into, e >> 6, static_cast<uint8_t>(e & 0x3F));
  }
}

int64_t Estimate(std::string_view s) {
  std::array<double, kQ + 2> counts{};  // registers per value
  if (Dense(s)) {
    for (size_t i = 0; i < kRegisters; ++i) counts[static_cast<uint8_t>(s[kHeader + i])] += 1;
  } else {
    size_t n = (s.size() - kHeader) / 3;
    counts[0] = static_cast<double>(kRegisters - n);
    for (size_t i = 0; i < n; ++i) counts[EntryAt(s, i) & 0x3F] += 1;
  }
  const double m = static_cast<double>(kRegisters);
  if (counts[0] == m) return 0;
  double z = m * Tau(1 - counts[kQ + 1] / m);
  for (int k = kQ; k >= 1; --k) z = 0.5 * (z + counts[k]);
  z += m * Sigma(counts[0] / m);
  const double alpha_inf = 0.5 / std::log(2.0);
  return std::llround(alpha_inf * m * m / z);
}

}  // namespace brook::hll
