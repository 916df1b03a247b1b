// KeyValueStore: a task's byte-string key/value store (one RocksDB column family).
//
// Reads see, in order: this store's write cache, the task's pending batch (cache overflow not yet
// committed), then RocksDB. Writes go to the write cache only; nothing reaches RocksDB or the
// changelog before TaskState::Commit. Keys are ordered bytewise (unsigned lexicographic).
//
// Lifetime: owned by the TaskState that returned it; valid until that TaskState is destroyed.
// Thread-safety: none — used by its task's thread only (like the TaskState).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace brook::state {

class StoreCore;

class KeyValueStore {
 public:
  // Visitor for scans: return false to stop early. Views are valid only during the call.
  using Visitor = std::function<bool(std::string_view key, std::string_view value)>;

  explicit KeyValueStore(StoreCore* core) : core_(core) {}
  KeyValueStore(const KeyValueStore&) = delete;
  KeyValueStore& operator=(const KeyValueStore&) = delete;

  const std::string& name() const;

  // nullopt when the key is absent (or deleted since the last commit).
  [[nodiscard]] Result<std::optional<std::string>> Get(std::string_view key);
  // One result per key, in the order of `keys`.
  [[nodiscard]] Result<std::vector<std::optional<std::string>>> MultiGet(
      const std::vector<std::string>& keys);
  [[nodiscard]] Status Put(std::string_view key, std::string_view value);
  [[nodiscard]] Status Delete(std::string_view key);

  // Visits live keys in [begin, end) in byte order; end == nullopt: to the last key.
  [[nodiscard]] Status Range(std::string_view begin, std::optional<std::string_view> end,
                             const Visitor& visit);
  // Visits live keys starting with `prefix` in byte order.
  [[nodiscard]] Status PrefixScan(std::string_view prefix, const Visitor& visit);

 private:
  StoreCore* core_;  // owned by the TaskState
};

}  // namespace brook::state
