// StateOptions: every knob of the state layer, each with its default next to it.
// A plain value; copy freely. Read by StateEnvironment (process-wide RocksDB memory) and by
// TaskState (per-task caches, commit, restore).
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace brook::state {

inline constexpr size_t kMiB = size_t{1} << 20;

struct StateOptions {
  // Root of all task directories: <state_dir>/<query_id>/<task_id>/. Required (no default);
  // ksqlDB's ksql.streams.state.dir.
  std::string state_dir;

  // --- RocksDB memory, shared by every task of the process (see StateEnvironment) ---
  // LRU block cache shared by all column families of all tasks. Default 64 MiB.
  size_t block_cache_bytes = 64 * kMiB;
  // Memtable size per column family (RocksDB write_buffer_size). Default 8 MiB.
  size_t write_buffer_bytes = 8 * kMiB;
  // Memtables per column family (RocksDB max_write_buffer_number). Default 2.
  int max_write_buffers = 2;
  // Cap on all memtables of the process (a shared WriteBufferManager), charged against the block
  // cache so block_cache_bytes bounds cache + memtables together. 0 disables the shared cap (then
  // memtables are bounded only per column family). Default 32 MiB.
  size_t total_write_buffer_bytes = 32 * kMiB;
  // RocksDB max_open_files per task instance; -1 keeps all open. Default 256.
  int max_open_files = 256;
  // fsync the WAL on every commit (RocksDB WriteOptions::sync). false survives a process crash
  // but not a machine crash (the changelog covers that). Default false.
  bool sync_commits = false;

  // --- Per-store write cache (absorbs repeated updates of a key between commits) ---
  // When a store's cache holds more than this many keys, it is flushed to the task's pending
  // batch (still only written to RocksDB at Commit). Default 100000 entries: an overflow puts
  // every entry through the batch's index, which dominated the stateful benchmarks' profiles
  // at 10000 (bench/RESULTS.md); cache_max_bytes bounds the memory.
  size_t cache_max_entries = 100000;
  // Same, by key + value bytes. Default 10 MiB (ksqlDB's cache.max.bytes.buffering).
  size_t cache_max_bytes = 10 * kMiB;

  // --- Restore from changelog (only when a task directory is fresh) ---
  // Bound on each Poll while restoring. Default 200 ms.
  std::chrono::milliseconds restore_poll_timeout{200};
  // Restore ends after this many consecutive empty polls. With a real cluster this must cover
  // the consumer group join (librdkafka's mock cluster: about 3 s). Default 25 (5 s at 200 ms).
  int restore_max_idle_polls = 25;
  // Records per Poll while restoring. Default 1000.
  size_t restore_poll_records = 1000;
  // Restored records are written to RocksDB in batches of this many. Default 10000.
  size_t restore_batch_records = 10000;
  // Upper bound on one task's whole restore; kTimeout after it. Default 10 minutes.
  std::chrono::milliseconds restore_timeout{std::chrono::minutes(10)};
};

}  // namespace brook::state
