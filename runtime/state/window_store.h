// WindowStore: a task's windowed store: (key, window start) -> value, one RocksDB column family
// holding two indexes (see key_encoding.h):
//   0x00 + KeyTime(key, start) -> value   serves Fetch(key, from, to)
//   0x01 + TimeKey(start, key) -> ""      serves FetchAll(from, to) and ExpireBefore(t)
// The write cache holds logical entries (KeyTime -> value or tombstone); both indexes are written
// when the cache is flushed. The changelog carries one record per changed (key, start): key =
// KeyTime(key, start) bytes, value = the value or a tombstone.
//
// Times are window starts in ms; ranges are inclusive at both ends (Kafka Streams' fetch).
// Lifetime: owned by the TaskState that returned it. Thread-safety: the task's thread only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace brook::state {

class StoreCore;

struct WindowValue {
  int64_t window_start = 0;
  std::string value;
  bool operator==(const WindowValue&) const = default;
};

struct WindowRecord {
  std::string key;
  int64_t window_start = 0;
  std::string value;
  bool operator==(const WindowRecord&) const = default;
};

class WindowStore {
 public:
  explicit WindowStore(StoreCore* core) : core_(core) {}
  WindowStore(const WindowStore&) = delete;
  WindowStore& operator=(const WindowStore&) = delete;

  const std::string& name() const;

  [[nodiscard]] Status Put(std::string_view key, int64_t window_start, std::string_view value);
  [[nodiscard]] Status Delete(std::string_view key, int64_t window_start);
  [[nodiscard]] Result<std::optional<std::string>> Get(std::string_view key, int64_t window_start);
  // One result per (key, window start), in order: cache, pending batch, then one RocksDB
  // MultiGet for the rest.
  [[nodiscard]] Result<std::vector<std::optional<std::string>>> MultiGet(
      const std::vector<std::pair<std::string, int64_t>>& windows);

  // The windows of `key` with from <= start <= to, ordered by start. One range scan.
  [[nodiscard]] Result<std::vector<WindowValue>> Fetch(std::string_view key, int64_t from,
                                                       int64_t to);
  // Every window with from <= start <= to, ordered by (start, key). Uses the time index; flushes
  // this store's cache to the pending batch first (still committed only at Commit).
  [[nodiscard]] Result<std::vector<WindowRecord>> FetchAll(int64_t from, int64_t to);
  // Deletes every window with start < `time` (tombstones go to the changelog at commit).
  // Returns how many windows were deleted. Uses the time index; flushes the cache first.
  // `oldest` (optional): no window starts before it — the scan starts there instead of at the
  // beginning of the index, past the tombstones of earlier expiries.
  [[nodiscard]] Result<size_t> ExpireBefore(int64_t time, int64_t oldest = INT64_MIN);

 private:
  StoreCore* core_;  // owned by the TaskState
};

}  // namespace brook::state
