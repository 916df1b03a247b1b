// Java DateTimeFormatter patterns (the subset ksqlDB users write): y M d H h m s S a E D
// and zone/offset letters X x Z, quoted 'literals'. Time zones: UTC/GMT/Z and fixed offsets
// ("+05:30", "GMT+2", "UTC-08:00"); named IANA zones are not supported yet.
#pragma once

#include <optional>
#include <string>

#include "common/status.h"

namespace brook::functions {

// Offset in ms for a zone id, or an error naming the id.
Result<int64_t> ZoneOffsetMillis(const std::string& zone);
Result<std::string> FormatMillis(int64_t epoch_ms, const std::string& pattern, int64_t offset_ms);
Result<int64_t> ParseMillis(const std::string& text, const std::string& pattern, int64_t offset_ms);

}  // namespace brook::functions
