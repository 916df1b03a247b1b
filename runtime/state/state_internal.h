// Private to runtime/state: the RocksDB-facing pieces behind the public headers' opaque types.
// Only this folder's .cc files include it, so RocksDB headers stay out of every other module.
#pragma once

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/utilities/write_batch_with_index.h>
#include <rocksdb/write_buffer_manager.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "runtime/kafka/kafka.h"
#include "runtime/state/state_environment.h"
#include "runtime/state/task_state.h"

namespace brook::state {

// Converts a RocksDB status: I/O errors and corruption -> kIOError, timeouts -> kTimeout,
// not-found -> kNotFound, anything else -> kInternal. `context` prefixes the message.
Status FromRocks(const rocksdb::Status& s, std::string_view context);

struct StateEnvironment::Shared {
  std::shared_ptr<rocksdb::Cache> block_cache;
  std::shared_ptr<rocksdb::WriteBufferManager> write_buffer_manager;  // null when disabled
};

struct TaskState::Db {
  ~Db();
  rocksdb::DB* db = nullptr;  // owned; closed in ~Db after the handles are destroyed
  std::vector<rocksdb::ColumnFamilyHandle*> handles;  // owned
  rocksdb::ColumnFamilyHandle* offsets_cf = nullptr;
  // Cache overflow and commit staging. overwrite_key=true: one index entry per key, which the
  // merged iterators (NewIteratorWithBase) require.
  rocksdb::WriteBatchWithIndex pending{rocksdb::BytewiseComparator(), 0, /*overwrite_key=*/true};
  rocksdb::ReadOptions read_options;
  rocksdb::WriteOptions write_options;
  // True after PrepareCommit sent the changelog, until the next store write.
  bool prepared = false;
  // Set by PrepareCommit when nothing overflowed into `pending` since the last commit: the
  // commit then writes the stores' caches straight into a plain WriteBatch, skipping the
  // indexed batch (whose skip-list inserts dominated the stateful benchmarks' profiles).
  bool direct = false;
  // Changelog records PrepareCommit sent for the coming commit.
  size_t sent = 0;
};

// One store's cache and column family. Works on *logical* keys (KV: the user key; window: the
// KeyTime encoding); the store kind decides the physical layout in the column family.
class StoreCore {
 public:
  using Visitor = std::function<bool(std::string_view key, std::string_view value)>;

  StoreCore(StoreSpec spec, std::string changelog_topic, TaskState::Db* db,
            rocksdb::ColumnFamilyHandle* cf, const StateOptions* options);

  const StoreSpec& spec() const { return spec_; }
  const std::string& changelog_topic() const { return changelog_topic_; }

  [[nodiscard]] Result<std::optional<std::string>> Get(std::string_view logical_key);
  [[nodiscard]] Result<std::vector<std::optional<std::string>>> MultiGet(
      const std::vector<std::string>& logical_keys);
  // value == nullopt: delete (a cached tombstone).
  [[nodiscard]] Status Write(std::string_view logical_key, std::optional<std::string_view> value);
  // Visits live logical keys in [begin, end) merged from cache, pending batch and RocksDB.
  [[nodiscard]] Status Scan(std::string_view begin, std::optional<std::string_view> end,
                            const Visitor& visit);
  // Visits physical keys in [begin, end) of the column family (pending batch + RocksDB, no
  // cache). For window stores' time index; call FlushCache first.
  [[nodiscard]] Status ScanPhysical(std::string_view begin, std::string_view end,
                                    const Visitor& visit);
  // Moves every cached entry into the pending batch.
  [[nodiscard]] Status FlushCache();
  // Sends one record per logical key changed in the pending batch; returns how many.
  [[nodiscard]] Result<size_t> SendChangelog(kafka::Producer& producer, int32_t partition);
  // The same for the keys in the cache (the commit's direct path: nothing is pending).
  [[nodiscard]] Result<size_t> SendCachedChangelog(kafka::Producer& producer, int32_t partition);
  // Writes the cache's entries into `batch` and empties the cache (the direct path).
  [[nodiscard]] Status DrainCache(rocksdb::WriteBatchBase& batch);
  // Writes the physical entries of one logical entry into `batch` (cache flush and restore).
  [[nodiscard]] Status WriteEntry(rocksdb::WriteBatchBase& batch, std::string_view logical_key,
                                  std::optional<std::string_view> value);

  size_t cached_entries() const { return cache_.size(); }

 private:
  std::string Physical(std::string_view logical_key) const;
  // Logical key of a physical key, or nullopt when it belongs to another index.
  std::optional<std::string_view> Logical(std::string_view physical_key) const;

  StoreSpec spec_;
  std::string changelog_topic_;
  TaskState::Db* db_;
  rocksdb::ColumnFamilyHandle* cf_;
  const StateOptions* options_;
  std::map<std::string, std::optional<std::string>, std::less<>> cache_;
  size_t cache_bytes_ = 0;
};

// Window store physical index prefixes.
inline constexpr char kKeyTimeIndex = '\x00';
inline constexpr char kTimeKeyIndex = '\x01';

}  // namespace brook::state
