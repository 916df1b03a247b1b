#include "common/time_util.h"

#include <cstdio>

namespace brook {

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// Howard Hinnant's days_from_civil / civil_from_days algorithms.
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

CivilDate CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t y = yoe + era * 400;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {y + (m <= 2), m, d};
}

std::string FormatDate(int64_t days) {
  CivilDate c = CivilFromDays(days);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04lld-%02d-%02d", static_cast<long long>(c.year), c.month, c.day);
  return buf;
}

std::string FormatTime(int64_t ms) {
  char buf[32];
  int64_t s = ms / 1000;
  int milli = static_cast<int>(ms % 1000);
  if (milli) {
    std::snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld.%03d", static_cast<long long>(s / 3600),
                  static_cast<long long>(s / 60 % 60), static_cast<long long>(s % 60), milli);
  } else {
    std::snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld", static_cast<long long>(s / 3600),
                  static_cast<long long>(s / 60 % 60), static_cast<long long>(s % 60));
  }
  return buf;
}

std::string FormatTimestamp(int64_t ms) {
  int64_t days = FloorDiv(ms, 86'400'000);
  int64_t rem = ms % 86'400'000;  // not ms - days * 86'400'000: that overflows near INT64_MIN
  if (rem < 0) rem += 86'400'000;
  char buf[64];
  int64_t s = rem / 1000;
  std::snprintf(buf, sizeof buf, "%sT%02lld:%02lld:%02lld.%03lld", FormatDate(days).c_str(),
                static_cast<long long>(s / 3600), static_cast<long long>(s / 60 % 60),
                static_cast<long long>(s % 60), static_cast<long long>(rem % 1000));
  return buf;
}

namespace {
bool Digits(std::string_view t, size_t pos, size_t n, int64_t& out) {
  if (pos + n > t.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (t[i] < '0' || t[i] > '9') return false;
    out = out * 10 + (t[i] - '0');
  }
  return true;
}
}  // namespace

std::optional<int64_t> ParseDate(std::string_view t) {
  int64_t y, m, d;
  if (t.size() != 10 || t[4] != '-' || t[7] != '-') return std::nullopt;
  if (!Digits(t, 0, 4, y) || !Digits(t, 5, 2, m) || !Digits(t, 8, 2, d)) return std::nullopt;
  if (m < 1 || m > 12 || d < 1 || d > 31) return std::nullopt;
  return DaysFromCivil(y, static_cast<int>(m), static_cast<int>(d));
}

std::optional<int64_t> ParseTime(std::string_view t) {
  int64_t h, mi, s = 0, ms = 0;
  if (t.size() < 5 || t[2] != ':') return std::nullopt;
  if (!Digits(t, 0, 2, h) || !Digits(t, 3, 2, mi)) return std::nullopt;
  size_t pos = 5;
  if (pos < t.size()) {
    if (t[pos] != ':' || !Digits(t, pos + 1, 2, s)) return std::nullopt;
    pos += 3;
    if (pos < t.size()) {
      if (t[pos] != '.') return std::nullopt;
      size_t n = t.size() - pos - 1;
      if (n == 0 || n > 9) return std::nullopt;
      int64_t frac;
      if (!Digits(t, pos + 1, n, frac)) return std::nullopt;
      while (n > 3) {
        frac /= 10;
        --n;
      }
      while (n < 3) {
        frac *= 10;
        ++n;
      }
      ms = frac;
    }
  }
  if (h > 23 || mi > 59 || s > 59) return std::nullopt;
  return ((h * 60 + mi) * 60 + s) * 1000 + ms;
}

std::optional<int64_t> ParseTimestamp(std::string_view t) {
  if (t.size() < 10) return std::nullopt;
  auto date = ParseDate(t.substr(0, 10));
  if (!date) return std::nullopt;
  int64_t ms = *date * 86'400'000;
  if (t.size() == 10) return ms;
  if (t[10] != 'T' && t[10] != ' ') return std::nullopt;
  std::string_view rest = t.substr(11);
  int64_t offset_ms = 0;
  size_t zpos = rest.find_first_of("Z+-");
  if (zpos != std::string_view::npos) {
    std::string_view zone = rest.substr(zpos);
    rest = rest.substr(0, zpos);
    if (zone != "Z") {
      int64_t zh, zm = 0;
      if (!Digits(zone, 1, 2, zh)) return std::nullopt;
      if (zone.size() > 3) {
        size_t p = zone[3] == ':' ? 4 : 3;
        if (!Digits(zone, p, 2, zm)) return std::nullopt;
      }
      offset_ms = (zh * 60 + zm) * 60'000 * (zone[0] == '-' ? -1 : 1);
    }
  }
  auto time = ParseTime(rest);
  if (!time) return std::nullopt;
  return ms + *time - offset_ms;
}

}  // namespace brook
