// TaskState: the state of one task — one RocksDB instance in <state_dir>/<query_id>/<task_id>/,
// one column family per store, plus the "__offsets" column family holding the input offsets
// the committed state corresponds to.
//
// Data enters through the stores (KeyValueStore / WindowStore), which buffer writes in a
// per-store cache and, on overflow, in one pending batch for the task. Data leaves at Commit:
//   1. every store's cache is flushed into the pending batch;
//   2. every key changed since the previous commit is sent to its store's changelog topic
//      through the changelog producer (value, or a tombstone for a delete; key = store key bytes;
//      partition = config.changelog_partition);
//   3. the consumed offsets are added to the same batch, and the batch is written to RocksDB
//      atomically (one rocksdb::WriteBatch): state and offsets never disagree after a crash.
// The caller flushes the changelog producer (before committing offsets to the Kafka group).
// A caller that wants the changelog durable before RocksDB is written calls PrepareCommit(),
// flushes the producer, then Commit(offsets).
//
// Open: if the task directory has no completed-initialization marker (fresh, or a restore that
// was interrupted), the directory is (re)created and every store is restored by reading its
// changelog from the beginning (this task's partition only; last write wins, tombstones
// delete), then the marker is written. Destroying a TaskState without Commit drops everything
// written since the last Commit — that is what a crash does, and what the tests simulate.
//
// Every Commit also sends a commit marker (commit_marker.h) to each changelog partition of the
// task, carrying the commit's sequence number and input offsets. A restore applies each
// changelog up to the newest complete commit and stores that commit's offsets, so
// CommittedOffsets() after a restore says exactly where the restored state resumes. (A changelog
// written before markers existed restores whole, with no offsets: the task then resumes from the
// consumer group's offsets, at-least-once.)
//
// Thread-safety: none; one task thread uses a TaskState and its stores. Different TaskStates may
// be used from different threads concurrently (they share only the StateEnvironment).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "runtime/kafka/kafka.h"
#include "runtime/state/changelog.h"
#include "runtime/state/key_value_store.h"
#include "runtime/state/state_environment.h"
#include "runtime/state/window_store.h"

namespace brook::state {

class StoreReader;

enum class StoreKind { kKeyValue, kWindow };

struct StoreSpec {
  // Column family name and changelog infix, e.g. "Aggregate-Aggregate-Materialize". Must be
  // non-empty, unique within the task, and not start with "__" (reserved).
  std::string name;
  StoreKind kind = StoreKind::kKeyValue;
  // Send changes to, and restore from, the changelog topic. Default true.
  bool changelog = true;
};

struct TaskStateConfig {
  std::string service_id = std::string(kDefaultServiceId);  // ksql.service.id; "default_"
  std::string query_id;             // e.g. "CTAS_X_0"; a directory name, required
  std::string task_id;              // e.g. "0_3"; a directory name, required
  int32_t changelog_partition = 0;  // the task's input partition; default 0
  std::vector<StoreSpec> stores;
};

class TaskState {
 public:
  // Opens (or creates and restores) the task's state.
  //   kafka: used only to restore a fresh directory; may be null (then nothing is restored).
  //   changelog_producer: receives changelog records at commit; may be null (no changelog).
  //     Not owned; must outlive the TaskState.
  // Errors: kInvalidArgument (bad config), kIOError (RocksDB / filesystem), kTimeout (restore
  // took longer than StateOptions::restore_timeout), or a Kafka error from restore.
  [[nodiscard]] static Result<std::unique_ptr<TaskState>> Open(
      std::shared_ptr<StateEnvironment> env, TaskStateConfig config,
      kafka::KafkaClientFactory* kafka, kafka::Producer* changelog_producer);

  ~TaskState();  // closes RocksDB; uncommitted changes are dropped
  TaskState(const TaskState&) = delete;
  TaskState& operator=(const TaskState&) = delete;

  // The store named `name`; kNotFound if not declared, kInvalidArgument if of the other kind.
  // The pointer is valid for the TaskState's lifetime.
  [[nodiscard]] Result<KeyValueStore*> key_value_store(const std::string& name);
  [[nodiscard]] Result<WindowStore*> window_store(const std::string& name);

  // Steps 1-2 of Commit: flush caches to the pending batch and send changed keys to the
  // changelogs. Idempotent until the next write. Optional; Commit calls it.
  [[nodiscard]] Status PrepareCommit();
  // Sends the commit markers (one per changelog partition; the caller must have flushed the
  // records PrepareCommit sent, and must flush the markers before committing `consumed` to the
  // consumer group), then writes all pending changes and `consumed` (next offsets to read) in one
  // atomic RocksDB write. Offsets of partitions not listed keep their stored value. On error
  // nothing of the pending batch is written and the TaskState should be discarded (the task is
  // failed).
  [[nodiscard]] Status Commit(const std::vector<kafka::TopicPartitionOffset>& consumed);

  // The offsets stored by the last successful Commit (as of RocksDB, ignoring pending changes),
  // sorted by (topic, partition). After a restore: those of the commit restored to. Empty for a
  // fresh task, or one restored from a changelog without commit markers.
  [[nodiscard]] Result<std::vector<kafka::TopicPartitionOffset>> CommittedOffsets() const;

  // True if Open found the directory fresh and restored it from the changelogs.
  bool restored() const { return restored_; }
  // Changelog records applied during restore (all stores).
  uint64_t restored_records() const { return restored_records_; }
  // Changelog records a restore left out: written by a commit that never completed.
  uint64_t restore_dropped_records() const { return restore_dropped_records_; }
  // Sequence number of the last commit (0: none yet).
  int64_t commit_seq() const { return commit_seq_; }
  const std::string& directory() const { return directory_; }
  const TaskStateConfig& config() const { return config_; }

  // Removes the task directory `directory` unless a TaskState of this process has it open (the
  // task moved to another stream thread of the same query). Thread-safe; true if removed.
  static bool RemoveDirectoryIfUnused(const std::string& directory);

  // A thread-safe reader of store `name`'s committed state (store_reader.h). kNotFound if the
  // store is not declared.
  [[nodiscard]] Result<std::shared_ptr<StoreReader>> Reader(const std::string& name) const;

  struct Db;  // RocksDB handles; defined in state_internal.h

 private:
  TaskState() = default;
  [[nodiscard]] Status OpenDb();
  [[nodiscard]] Status Restore(kafka::KafkaClientFactory& kafka);
  [[nodiscard]] Status LoadCommitted();
  [[nodiscard]] Status SendCommitMarkers(int64_t seq,
                                         const std::vector<kafka::TopicPartitionOffset>& offsets);

  std::shared_ptr<StateEnvironment> env_;
  TaskStateConfig config_;
  kafka::Producer* producer_ = nullptr;
  std::string directory_;
  bool restored_ = false;
  bool registered_ = false;  // directory_ is in the process's set of open task directories
  uint64_t restored_records_ = 0;
  uint64_t restore_dropped_records_ = 0;
  int64_t commit_seq_ = 0;
  // The committed offsets, as stored, by (topic, partition): what the next marker carries.
  std::map<std::pair<std::string, int32_t>, int64_t> offsets_;
  std::shared_ptr<Db> db_;  // shared with StoreReaders, which may outlive the TaskState
  std::vector<std::unique_ptr<StoreCore>> cores_;
  std::vector<std::unique_ptr<KeyValueStore>> kv_stores_;
  std::vector<std::unique_ptr<WindowStore>> window_stores_;
};

}  // namespace brook::state
