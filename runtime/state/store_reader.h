// StoreReader: a read-only view of one store's *committed* state, for threads other than the
// task's own — pull queries read materialized tables through it while the task keeps writing.
//
// What it sees: what the task's last TaskState::Commit wrote to RocksDB. Writes still in the
// store's write cache or in the task's pending batch are not visible (they become visible at the
// next commit). Each call reads RocksDB's latest state; a scan sees one consistent snapshot.
//
// Lifetime: the reader keeps the task's RocksDB instance open, so it stays valid after the
// TaskState that made it is destroyed (it then reads the last committed state). Hold readers
// only for the duration of a read: while one is alive the task's directory stays locked (a new
// TaskState for it waits, at most 5 s, for the lock).
// Thread-safety: every method may be called from any thread, concurrently.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "runtime/state/task_state.h"

namespace brook::state {

class StoreReader {
 public:
  // Visitor for scans: return false to stop early. Views are valid only during the call.
  using Visitor = std::function<bool(std::string_view key, std::string_view value)>;
  using WindowVisitor =
      std::function<bool(std::string_view key, int64_t window_start, std::string_view value)>;

  ~StoreReader();
  StoreReader(const StoreReader&) = delete;
  StoreReader& operator=(const StoreReader&) = delete;

  const std::string& name() const { return spec_.name; }
  StoreKind kind() const { return spec_.kind; }

  // Key-value stores: the committed value of `key`, nullopt when absent.
  [[nodiscard]] Result<std::optional<std::string>> Get(std::string_view key) const;
  // Key-value stores: keys in [begin, end) in byte order; end == nullopt: to the last key.
  [[nodiscard]] Status Range(std::string_view begin, std::optional<std::string_view> end,
                             const Visitor& visit) const;

  // Window stores: the windows of `key` with from <= start <= to, ordered by start.
  [[nodiscard]] Status Fetch(std::string_view key, int64_t from, int64_t to,
                             const WindowVisitor& visit) const;
  // Window stores: every window, ordered by (key bytes, start).
  [[nodiscard]] Status FetchAll(const WindowVisitor& visit) const;

 private:
  friend class TaskState;
  StoreReader(std::shared_ptr<TaskState::Db> db, StoreSpec spec, void* cf);
  // Visits physical keys in [begin, end) (end empty: unbounded).
  [[nodiscard]] Status ScanPhysical(const std::string& begin, const std::string& end,
                                    const Visitor& visit) const;

  std::shared_ptr<TaskState::Db> db_;
  StoreSpec spec_;
  void* cf_;  // rocksdb::ColumnFamilyHandle*, owned by db_
};

}  // namespace brook::state
