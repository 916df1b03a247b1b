// Key encodings for state stores: byte layouts whose bytewise (RocksDB default comparator) order
// equals the logical order an access path needs.
//
//   OrderedInt64      8 bytes, big-endian, sign bit flipped: bytewise order == signed order.
//   KeyTime (lookup)  [escaped key][0x00 0x01][OrderedInt64(window_start)]
//                     Key bytes are escaped (0x00 -> 0x00 0xFF) and terminated by 0x00 0x01, so no
//                     encoded key is a prefix of another and the order is (key bytes
//                     lexicographically, then window start). All windows of one key are
//                     contiguous and sorted by time: a key's windows are one range scan.
//   TimeKey (expiry)  [OrderedInt64(time)][raw key bytes]
//                     Order is (time, then key bytes): everything older than T is a prefix range.
//
// Pure functions; thread-safe. Decoders return kInvalidArgument on malformed input, never throw.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace brook::state {

inline constexpr size_t kOrderedInt64Size = 8;

// Appends the 8-byte order-preserving form of `v` to `out`.
void AppendOrderedInt64(int64_t v, std::string& out);
// Decodes the first 8 bytes of `in`. Requires in.size() >= 8 (kInvalidArgument otherwise).
[[nodiscard]] Result<int64_t> DecodeOrderedInt64(std::string_view in);

// Escaped, terminated key: the prefix shared by every KeyTime encoding of `key`.
std::string EncodeKeyPrefix(std::string_view key);

// Key-then-time encoding (see file comment).
std::string EncodeKeyTime(std::string_view key, int64_t window_start);
struct KeyTime {
  std::string key;
  int64_t time = 0;
};
[[nodiscard]] Result<KeyTime> DecodeKeyTime(std::string_view encoded);

// Time-then-key encoding (see file comment).
std::string EncodeTimeKey(int64_t time, std::string_view key);
[[nodiscard]] Result<KeyTime> DecodeTimeKey(std::string_view encoded);

// The smallest byte string greater than every string that starts with `prefix`; empty when there
// is none (prefix empty or all 0xFF), meaning "unbounded".
std::string PrefixSuccessor(std::string_view prefix);

}  // namespace brook::state
