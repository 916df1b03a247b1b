// Java DateTimeFormatter patterns (the subset ksqlDB users write): y M d H h m s S a E D
// and zone letters X x Z z V, quoted 'literals'.
#pragma once

#include <optional>
#include <string>

#include "common/status.h"
#include "common/time_zone.h"

namespace brook::functions {

// Formats/parses with a zone (named IANA zones come from the tz database; see
// common/time_zone.h). Text without an explicit offset is read as wall-clock time in `zone`.
Result<std::string> FormatMillis(int64_t epoch_ms, const std::string& pattern,
                                 const TimeZone& zone);
Result<int64_t> ParseMillis(const std::string& text, const std::string& pattern,
                            const TimeZone& zone);
// Which java.time fields a pattern's letters (outside quotes) parse.
struct PatternFields {
  bool time = false;  // any time-of-day field (H k K h m s S n N A a)
  bool year = false, month = false, day_of_month = false, day_of_year = false;
  bool FullDate() const { return year && ((month && day_of_month) || day_of_year); }
};
PatternFields PatternFieldsOf(const std::string& pattern);

// UTC.
const TimeZone& Utc();

}  // namespace brook::functions
