#include "runtime/functions/datetime_format.h"

#include <cstring>

#include <cstdio>

#include "common/time_util.h"
#include "common/ascii.h"

namespace brook::functions {

namespace {
const char* kMonths[] = {"January", "February", "March", "April", "May", "June", "July",
                         "August", "September", "October", "November", "December"};
const char* kDays[] = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};

std::string Pad(int64_t v, int width) {
  std::string s = std::to_string(v < 0 ? -v : v);
  while (static_cast<int>(s.size()) < width) s = "0" + s;
  return (v < 0 ? "-" : "") + s;
}

std::string OffsetText(int64_t off_ms, char letter, int count) {
  if (off_ms == 0 && letter == 'Z' && count >= 4) return "GMT";
  if (off_ms == 0 && (letter == 'X')) return "Z";
  int64_t m = (off_ms < 0 ? -off_ms : off_ms) / 60000;
  std::string sign = off_ms < 0 ? "-" : "+";
  std::string hh = Pad(m / 60, 2), mm = Pad(m % 60, 2);
  if (letter == 'Z') return sign + hh + mm;
  if (count == 1) return sign + hh + (m % 60 ? mm : "");
  if (count == 2 || count == 4) return sign + hh + mm;
  return sign + hh + ":" + mm;
}
}  // namespace

const TimeZone& Utc() {
  static const std::shared_ptr<const TimeZone> utc = *TimeZone::Find("UTC");
  return *utc;
}

Result<std::string> FormatMillis(int64_t epoch_ms, const std::string& p, const TimeZone& zone) {
  int64_t off = zone.OffsetAt(epoch_ms);
  int64_t local;
  if (__builtin_add_overflow(epoch_ms, off, &local)) {
    return InvalidArgument("timestamp " + std::to_string(epoch_ms) + " is out of range");
  }
  int64_t days = FloorDiv(local, 86'400'000);
  int64_t ms = local % 86'400'000;
  if (ms < 0) ms += 86'400'000;
  CivilDate c = CivilFromDays(days);
  int dow = static_cast<int>(((days % 7) + 7 + 3) % 7);  // 1970-01-01 was a Thursday (index 3)
  std::string out;
  for (size_t i = 0; i < p.size();) {
    char ch = p[i];
    if (ch == '\'') {
      size_t j = i + 1;
      if (j < p.size() && p[j] == '\'') {
        out += '\'';
        i += 2;
        continue;
      }
      while (j < p.size() && p[j] != '\'') out += p[j++];
      i = j + 1;
      continue;
    }
    if (!std::isalpha(static_cast<unsigned char>(ch))) {
      out += ch;
      ++i;
      continue;
    }
    size_t n = 1;
    while (i + n < p.size() && p[i + n] == ch) ++n;
    int cnt = static_cast<int>(n);
    switch (ch) {
      case 'y':
      case 'u':
        out += cnt == 2 ? Pad(c.year % 100, 2) : Pad(c.year, cnt);
        break;
      case 'M':
      case 'L':
        if (cnt >= 4) out += kMonths[c.month - 1];
        else if (cnt == 3) out += std::string(kMonths[c.month - 1]).substr(0, 3);
        else out += Pad(c.month, cnt);
        break;
      case 'd': out += Pad(c.day, cnt); break;
      case 'D': out += Pad(days - DaysFromCivil(c.year, 1, 1) + 1, cnt); break;
      case 'H': out += Pad(ms / 3600000, cnt); break;
      case 'h': {
        int64_t h = (ms / 3600000) % 12;
        out += Pad(h == 0 ? 12 : h, cnt);
        break;
      }
      case 'k': out += Pad(ms / 3600000 == 0 ? 24 : ms / 3600000, cnt); break;
      case 'm': out += Pad(ms / 60000 % 60, cnt); break;
      case 's': out += Pad(ms / 1000 % 60, cnt); break;
      case 'S': {
        std::string f = Pad(ms % 1000, 3);
        while (static_cast<int>(f.size()) < cnt) f += '0';
        out += f.substr(0, cnt);
        break;
      }
      case 'a': out += ms < 43'200'000 ? "AM" : "PM"; break;
      case 'E': out += cnt >= 4 ? kDays[dow] : std::string(kDays[dow]).substr(0, 3); break;
      case 'X':
      case 'x':
      case 'Z': out += OffsetText(off, ch, cnt); break;
      case 'z': out += zone.AbbreviationAt(epoch_ms); break;
      case 'V': out += zone.id(); break;
      default:
        return InvalidArgument("Unknown pattern letter: " + std::string(1, ch));
    }
    i += n;
  }
  return out;
}

Result<int64_t> ParseMillis(const std::string& text, const std::string& p, const TimeZone& zone) {
  int64_t year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0, milli = 0;
  bool pm = false, has_ampm = false, has_offset = false, day_of_year = false;
  std::shared_ptr<const TimeZone> parsed_zone;
  int64_t parsed_off = 0;
  size_t t = 0;
  auto fail = [&]() -> Status {
    return InvalidArgument("Text '" + text + "' could not be parsed with pattern '" + p + "'");
  };
  auto number = [&](int min_digits, int max_digits, int64_t& out) -> bool {
    size_t start = t;
    bool neg = false;
    if (t < text.size() && (text[t] == '-' || text[t] == '+') && max_digits > 4) {
      neg = text[t] == '-';
      ++t;
    }
    int64_t v = 0;
    int d = 0;
    while (t < text.size() && d < max_digits && std::isdigit(static_cast<unsigned char>(text[t]))) {
      v = v * 10 + (text[t++] - '0');
      ++d;
    }
    if (d < min_digits) {
      t = start;
      return false;
    }
    out = neg ? -v : v;
    return true;
  };
  for (size_t i = 0; i < p.size();) {
    char ch = p[i];
    if (ch == '\'') {
      size_t j = i + 1;
      if (j < p.size() && p[j] == '\'') {
        if (t >= text.size() || text[t] != '\'') return fail();
        ++t;
        i += 2;
        continue;
      }
      while (j < p.size() && p[j] != '\'') {
        if (t >= text.size() || text[t] != p[j]) return fail();
        ++t;
        ++j;
      }
      i = j + 1;
      continue;
    }
    if (!std::isalpha(static_cast<unsigned char>(ch))) {
      if (t >= text.size() || text[t] != ch) return fail();
      ++t;
      ++i;
      continue;
    }
    size_t n = 1;
    while (i + n < p.size() && p[i + n] == ch) ++n;
    int cnt = static_cast<int>(n);
    // Adjacent numeric fields without separators must use their exact width.
    bool adjacent = i + n < p.size() && std::isalpha(static_cast<unsigned char>(p[i + n]));
    int maxd = adjacent ? cnt : 9;
    bool ok = true;
    switch (ch) {
      case 'y':
      case 'u':
        ok = number(cnt == 2 ? 2 : 1, cnt == 2 ? 2 : (adjacent ? cnt : 9), year);
        if (ok && cnt == 2) year += 2000;
        break;
      case 'M':
        if (cnt >= 3) {
          ok = false;
          for (int m = 0; m < 12; ++m) {
            std::string name = cnt >= 4 ? kMonths[m] : std::string(kMonths[m]).substr(0, 3);
            bool same = t + name.size() <= text.size();
            for (size_t c = 0; same && c < name.size(); ++c) {
              same = AsciiLower(text[t + c]) ==
                     AsciiLower(name[c]);
            }
            if (same) {
              month = m + 1;
              t += name.size();
              ok = true;
              break;
            }
          }
        } else {
          ok = number(1, adjacent ? cnt : 2, month);
        }
        break;
      case 'd': ok = number(1, adjacent ? cnt : 2, day); break;
      case 'D': {
        int64_t doy;
        ok = number(1, 3, doy);
        if (ok) {
          month = 1;
          day = doy;
          day_of_year = true;
        }
        break;
      }
      case 'H':
      case 'k': ok = number(1, adjacent ? cnt : 2, hour); break;
      case 'h': ok = number(1, adjacent ? cnt : 2, hour); break;
      case 'm': ok = number(1, adjacent ? cnt : 2, minute); break;
      case 's': ok = number(1, adjacent ? cnt : 2, second); break;
      case 'S': {
        size_t start = t;
        int64_t f;
        ok = number(1, std::max(cnt, maxd == 9 ? 9 : cnt), f);
        if (ok) {
          int digits = static_cast<int>(t - start);
          while (digits > 3) {
            f /= 10;
            --digits;
          }
          while (digits < 3) {
            f *= 10;
            ++digits;
          }
          milli = f;
        }
        break;
      }
      case 'a':
        has_ampm = true;
        if (t + 2 > text.size()) {
          ok = false;
        } else {
          char a0 = AsciiUpper(text[t]);
          char a1 = AsciiUpper(text[t + 1]);
          if (a1 != 'M' || (a0 != 'A' && a0 != 'P')) ok = false;
          pm = a0 == 'P';
        }
        t += 2;
        break;
      case 'E': {
        ok = false;
        for (const char* d : kDays) {
          std::string name = cnt >= 4 ? d : std::string(d).substr(0, 3);
          if (text.compare(t, name.size(), name) == 0) {
            t += name.size();
            ok = true;
            break;
          }
        }
        break;
      }
      case 'X':
      case 'x':
      case 'Z': {
        if (t < text.size() && (text[t] == 'Z' || text[t] == 'z')) {
          ++t;
          has_offset = true;
          parsed_off = 0;
          break;
        }
        size_t start = t;
        if (t < text.size() && (text[t] == '+' || text[t] == '-')) ++t;
        while (t < text.size() && (std::isdigit(static_cast<unsigned char>(text[t])) || text[t] == ':')) ++t;
        auto o = TimeZone::Find(text.substr(start, t - start));
        if (!o.ok()) return fail();
        has_offset = true;
        parsed_off = (*o)->OffsetAt(0);
        break;
      }
      case 'z':
      case 'V': {
        size_t start = t;
        while (t < text.size() && !std::isspace(static_cast<unsigned char>(text[t]))) ++t;
        auto o = TimeZone::Find(text.substr(start, t - start));
        if (!o.ok()) return o.status();
        parsed_zone = *o;
        break;
      }
      default: return InvalidArgument("Unknown pattern letter: " + std::string(1, ch));
    }
    if (!ok) return fail();
    i += n;
  }
  if (t != text.size()) return fail();
  if (has_ampm) {
    if (hour == 12) hour = 0;
    if (pm) hour += 12;
  }
  if (month < 1 || month > 12 || day < 1 || day > 366 || hour > 24 || minute > 59 || second > 59) {
    return fail();
  }
  if (!day_of_year) {
    // java.time's SMART resolver: a day-of-month past the month's end (up to 31) is clamped.
    static constexpr int kMonthDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    int64_t last = kMonthDays[month - 1] + (month == 2 && leap ? 1 : 0);
    if (day > 31) return fail();
    day = std::min(day, last);
  }
  int64_t days = DaysFromCivil(year, static_cast<int>(month), 1) + day - 1;
  // java.time's toEpochMilli throws past the long range; so does this (years up to 9 digits).
  int64_t local;
  if (__builtin_mul_overflow(days, int64_t{86'400'000}, &local) ||
      __builtin_add_overflow(local, ((hour * 60 + minute) * 60 + second) * 1000 + milli, &local)) {
    return fail();
  }
  const TimeZone& z = parsed_zone ? *parsed_zone : zone;
  int64_t off = has_offset ? parsed_off : z.OffsetForLocal(local);
  int64_t utc;
  if (__builtin_sub_overflow(local, off, &utc)) return fail();
  return utc;
}

PatternFields PatternFieldsOf(const std::string& p) {
  PatternFields f;
  for (size_t i = 0; i < p.size(); ++i) {
    char ch = p[i];
    if (ch == '\'') {
      size_t j = p.find('\'', i + 1);
      if (j == std::string::npos) break;
      i = j;
      continue;
    }
    if (std::strchr("HkKhmsSnNAa", ch)) f.time = true;
    if (ch == 'y' || ch == 'u') f.year = true;
    if (ch == 'M' || ch == 'L') f.month = true;
    if (ch == 'd') f.day_of_month = true;
    if (ch == 'D') f.day_of_year = true;
  }
  return f;
}

}  // namespace brook::functions
