#include "common/time_zone.h"

#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

namespace brook {

namespace {

int64_t ReadBE(const std::string& d, size_t pos, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<uint8_t>(d[pos + i]);
  if (bytes == 4) return static_cast<int32_t>(static_cast<uint32_t>(v));
  return static_cast<int64_t>(v);
}

std::optional<int64_t> FixedOffset(const std::string& id_in) {
  std::string z = id_in;
  for (const char* p : {"UTC", "GMT", "UT"}) {
    if (z.rfind(p, 0) == 0) {
      z = z.substr(std::string(p).size());
      break;
    }
  }
  if (z.empty() || z == "Z") return 0;
  if (z[0] != '+' && z[0] != '-') return std::nullopt;
  int sign = z[0] == '-' ? -1 : 1;
  std::string rest = z.substr(1);
  int h = 0, m = 0;
  for (char c : rest) {
    if (!std::isdigit(static_cast<unsigned char>(c)) && c != ':') return std::nullopt;
  }
  if (rest.empty() || rest.size() > 5) return std::nullopt;  // at most "hh:mm"
  size_t colon = rest.find(':');
  if (colon != std::string::npos) {
    h = std::atoi(rest.substr(0, colon).c_str());
    m = std::atoi(rest.substr(colon + 1).c_str());
  } else if (rest.size() > 2) {
    h = std::atoi(rest.substr(0, rest.size() - 2).c_str());
    m = std::atoi(rest.substr(rest.size() - 2).c_str());
  } else {
    h = std::atoi(rest.c_str());
  }
  if (h > 18 || m > 59) return std::nullopt;
  return sign * (h * 3'600'000LL + m * 60'000LL);
}

}  // namespace

Result<std::shared_ptr<const TimeZone>> TimeZone::Find(const std::string& id) {
  static std::mutex mu;
  static std::map<std::string, std::shared_ptr<const TimeZone>> cache;
  std::lock_guard<std::mutex> lock(mu);
  auto it = cache.find(id);
  if (it != cache.end()) return it->second;
  // Zone ids come from record data: the cache is bounded (it starts over when full; zones already
  // handed out stay valid), and an id longer than any real one is refused without a file look-up.
  constexpr size_t kMaxCachedZones = 1024;
  constexpr size_t kMaxZoneIdLength = 64;
  if (id.size() > kMaxZoneIdLength)
    return InvalidArgument("Unknown time-zone ID: " + id.substr(0, kMaxZoneIdLength) + "...");
  if (cache.size() >= kMaxCachedZones) cache.clear();
  auto tz = std::make_shared<TimeZone>();
  tz->id_ = id;
  if (auto off = FixedOffset(id)) {
    tz->types_.push_back({*off, id.empty() ? "UTC" : id});
    cache[id] = tz;
    return std::shared_ptr<const TimeZone>(tz);
  }
  auto unknown = [&]() { return InvalidArgument("Unknown time-zone ID: " + id); };
  // Short ids java.time accepts (ZoneId.SHORT_IDS and common abbreviations) map to regions, so
  // daylight saving still applies ("PST" in May is UTC-7, as in Java).
  static const std::map<std::string, std::string> kShortIds = {
      {"PST", "America/Los_Angeles"}, {"PDT", "America/Los_Angeles"},
      {"MST", "America/Denver"},      {"MDT", "America/Denver"},
      {"CST", "America/Chicago"},     {"CDT", "America/Chicago"},
      {"EST", "America/New_York"},    {"EDT", "America/New_York"},
      {"CET", "Europe/Paris"},        {"CEST", "Europe/Paris"},
      {"BST", "Europe/London"},       {"IST", "Asia/Kolkata"},
      {"JST", "Asia/Tokyo"},          {"AET", "Australia/Sydney"},
      {"HST", "Pacific/Honolulu"},    {"AST", "America/Anchorage"}};
  std::string file_id = id;
  if (auto s = kShortIds.find(id); s != kShortIds.end()) file_id = s->second;
  if (id.find("..") != std::string::npos || id.empty() || id[0] == '/') return unknown();
  const char* dir = std::getenv("TZDIR");
  std::ifstream in(std::string(dir ? dir : "/usr/share/zoneinfo") + "/" + file_id, std::ios::binary);
  if (!in) return unknown();
  std::stringstream ss;
  ss << in.rdbuf();
  std::string d = ss.str();
  if (d.size() < 44 || d.compare(0, 4, "TZif") != 0) return unknown();
  auto counts = [&](size_t base, int64_t c[6]) {
    for (int i = 0; i < 6; ++i) c[i] = ReadBE(d, base + 20 + 4 * i, 4);
  };
  int64_t c[6];
  counts(0, c);
  size_t pos = 44;
  int time_size = 4;
  if (d[4] >= '2') {
    // Skip the v1 block and use the 64-bit v2 block.
    pos += c[3] * 5 + c[4] * 6 + c[5] + c[2] * 8 + c[1] + c[0];
    if (d.size() < pos + 44) return unknown();
    counts(pos, c);
    pos += 44;
    time_size = 8;
  }
  int64_t timecnt = c[3], typecnt = c[4], charcnt = c[5];
  size_t need = pos + timecnt * (time_size + 1) + typecnt * 6 + charcnt;
  if (d.size() < need || typecnt < 1) return unknown();
  for (int64_t i = 0; i < timecnt; ++i) {
    tz->transitions_ms_.push_back(ReadBE(d, pos + i * time_size, time_size) * 1000);
  }
  pos += timecnt * time_size;
  for (int64_t i = 0; i < timecnt; ++i) tz->transition_types_.push_back(static_cast<uint8_t>(d[pos + i]));
  pos += timecnt;
  size_t abbr_base = pos + typecnt * 6;
  bool first_std_found = false;
  for (int64_t i = 0; i < typecnt; ++i) {
    int64_t off = ReadBE(d, pos + i * 6, 4);
    bool dst = d[pos + i * 6 + 4] != 0;
    size_t ai = static_cast<uint8_t>(d[pos + i * 6 + 5]);
    std::string abbr;
    for (size_t k = abbr_base + ai; k < abbr_base + charcnt && d[k]; ++k) abbr += d[k];
    tz->types_.push_back({off * 1000, abbr});
    if (!dst && !first_std_found) {
      tz->initial_type_ = static_cast<size_t>(i);
      first_std_found = true;
    }
  }
  for (uint8_t t : tz->transition_types_) {
    if (t >= tz->types_.size()) return unknown();
  }
  cache[id] = tz;
  return std::shared_ptr<const TimeZone>(tz);
}

size_t TimeZone::TypeIndexAt(int64_t utc_ms) const {
  if (transitions_ms_.empty() || utc_ms < transitions_ms_.front()) return initial_type_;
  size_t lo = 0, hi = transitions_ms_.size();
  while (hi - lo > 1) {
    size_t mid = (lo + hi) / 2;
    if (transitions_ms_[mid] <= utc_ms) lo = mid;
    else hi = mid;
  }
  return transition_types_[lo];
}

int64_t TimeZone::OffsetAt(int64_t utc_ms) const { return types_[TypeIndexAt(utc_ms)].offset_ms; }

std::string TimeZone::AbbreviationAt(int64_t utc_ms) const {
  return types_[TypeIndexAt(utc_ms)].abbreviation;
}

int64_t TimeZone::OffsetForLocal(int64_t local_ms) const {
  // Try the offsets in effect a day either side; pick one consistent with the local time.
  int64_t guess = OffsetAt(local_ms - 86'400'000);
  int64_t off = OffsetAt(local_ms - guess);
  if (OffsetAt(local_ms - off) == off) return off;
  return guess;
}

}  // namespace brook
