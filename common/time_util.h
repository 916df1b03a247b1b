// Civil date/time arithmetic (proleptic Gregorian, UTC) for DATE, TIME and TIMESTAMP values,
// and ksqlDB's default text forms.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace brook {

struct CivilDate {
  int64_t year;
  int month;  // 1..12
  int day;    // 1..31
};

int64_t DaysFromCivil(int64_t y, int m, int d);
CivilDate CivilFromDays(int64_t days);
int64_t FloorDiv(int64_t a, int64_t b);

// "2020-01-31"
std::string FormatDate(int64_t days);
// "12:34:56" or "12:34:56.789" (millis only when non-zero), as java.time.LocalTime prints.
std::string FormatTime(int64_t millis_of_day);
// "2020-01-31T12:34:56.789" (ksqlDB's TIMESTAMP text: always millis).
std::string FormatTimestamp(int64_t millis);

std::optional<int64_t> ParseDate(std::string_view text);       // days
std::optional<int64_t> ParseTime(std::string_view text);       // ms of day
// ISO-8601 "yyyy-MM-dd[THH:mm[:ss[.SSS]]][Z|+hh:mm]" -> ms since epoch.
std::optional<int64_t> ParseTimestamp(std::string_view text);

}  // namespace brook
