// Named time zones (IANA ids such as "America/Los_Angeles"), read from the system's tzdata
// (TZif files under /usr/share/zoneinfo, or $TZDIR). Fixed offsets ("+05:30", "UTC-8") and
// UTC/GMT/Z need no files. Zones are loaded once and cached; thread-safe.
//
// Limits: instants after a zone's last listed transition (2037 in Debian's tzdata) use the
// last rule's offset; the POSIX footer rule is not evaluated.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"

namespace brook {

class TimeZone {
 public:
  // Loads a zone by id; error "Unknown time-zone ID: X" if it is neither a fixed offset nor a
  // file in the tz database.
  static Result<std::shared_ptr<const TimeZone>> Find(const std::string& id);

  // Offset from UTC in milliseconds at the UTC instant `utc_ms`, and its abbreviation.
  int64_t OffsetAt(int64_t utc_ms) const;
  std::string AbbreviationAt(int64_t utc_ms) const;
  // Offset for a local wall-clock time (the earlier offset on ambiguous times).
  int64_t OffsetForLocal(int64_t local_ms) const;
  const std::string& id() const { return id_; }

 private:
  struct Type {
    int64_t offset_ms;
    std::string abbreviation;
  };
  size_t TypeIndexAt(int64_t utc_ms) const;

  std::string id_;
  std::vector<int64_t> transitions_ms_;  // ascending UTC instants
  std::vector<uint8_t> transition_types_;
  std::vector<Type> types_;
  size_t initial_type_ = 0;
};

}  // namespace brook
