#include "runtime/state/task_state.h"

#include <rocksdb/options.h>
#include <rocksdb/table.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "runtime/state/commit_marker.h"
#include "runtime/state/key_encoding.h"
#include "runtime/state/state_internal.h"
#include "runtime/state/store_reader.h"

namespace brook::state {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kOffsetsColumnFamily = "__offsets";
// Written once the directory holds a complete state (created empty or fully restored).
constexpr std::string_view kInitializedMarker = ".brook-initialized";
// In the default column family: the sequence number of the last commit (OrderedInt64).
constexpr std::string_view kCommitSeqKey = "commit_seq";

// The task directories TaskStates of this process have open (RemoveDirectoryIfUnused).
std::mutex& OpenDirectoriesMutex() {
  static std::mutex mu;
  return mu;
}
std::map<std::string, int>& OpenDirectories() {  // directory -> TaskStates holding it
  static std::map<std::string, int> dirs;
  return dirs;
}

Status ValidateName(const std::string& what, const std::string& name) {
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos ||
      name.find('\0') != std::string::npos) {
    return InvalidArgument("state: invalid " + what + " '" + name + "'");
  }
  return Status::Ok();
}

Status ValidateConfig(const TaskStateConfig& config) {
  RETURN_IF_ERROR(ValidateName("query id", config.query_id));
  RETURN_IF_ERROR(ValidateName("task id", config.task_id));
  if (config.changelog_partition < 0) return InvalidArgument("state: negative partition");
  std::set<std::string> names;
  for (const StoreSpec& s : config.stores) {
    if (s.name.empty() || s.name.rfind("__", 0) == 0 ||
        s.name == rocksdb::kDefaultColumnFamilyName) {
      return InvalidArgument("state: invalid store name '" + s.name + "'");
    }
    if (!names.insert(s.name).second) {
      return InvalidArgument("state: duplicate store name '" + s.name + "'");
    }
  }
  return Status::Ok();
}

// Offsets key: the topic escaped and terminated, then the partition (KeyTime layout).
std::string OffsetKey(const std::string& topic, int32_t partition) {
  return EncodeKeyTime(topic, partition);
}

}  // namespace

TaskState::Db::~Db() {
  if (db == nullptr) return;
  for (rocksdb::ColumnFamilyHandle* h : handles)
    db->DestroyColumnFamilyHandle(h).PermitUncheckedError();
  db->Close().PermitUncheckedError();  // nothing to do about a close error on teardown
  delete db;
}

Result<std::unique_ptr<TaskState>> TaskState::Open(std::shared_ptr<StateEnvironment> env,
                                                   TaskStateConfig config,
                                                   kafka::KafkaClientFactory* kafka,
                                                   kafka::Producer* changelog_producer) {
  if (!env) return InvalidArgument("state: no StateEnvironment");
  RETURN_IF_ERROR(ValidateConfig(config));
  std::unique_ptr<TaskState> task(new TaskState());
  task->env_ = std::move(env);
  task->config_ = std::move(config);
  task->producer_ = changelog_producer;
  fs::path dir =
      fs::path(task->env_->options().state_dir) / task->config_.query_id / task->config_.task_id;
  task->directory_ = dir.string();
  {
    std::lock_guard<std::mutex> lock(OpenDirectoriesMutex());
    ++OpenDirectories()[task->directory_];
    task->registered_ = true;
  }

  std::error_code ec;
  bool fresh = !fs::exists(dir / kInitializedMarker, ec);
  if (fresh) {
    // Missing, or left half-restored by a crash: start from nothing.
    fs::remove_all(dir, ec);
    if (ec) return IOError("state: cannot clear " + dir.string() + ": " + ec.message());
  }
  fs::create_directories(dir, ec);
  if (ec) return IOError("state: cannot create " + dir.string() + ": " + ec.message());

  RETURN_IF_ERROR(task->OpenDb());
  if (fresh) {
    if (kafka != nullptr) {
      RETURN_IF_ERROR(task->Restore(*kafka));
      task->restored_ = true;
    }
    std::ofstream marker(dir / kInitializedMarker);
    marker << "initialized\n";
    marker.close();
    if (!marker) return IOError("state: cannot write marker in " + dir.string());
  }
  RETURN_IF_ERROR(task->LoadCommitted());
  return task;
}

Status TaskState::LoadCommitted() {
  std::string value;
  rocksdb::Status s = db_->db->Get(db_->read_options, db_->handles[0], kCommitSeqKey, &value);
  if (s.IsNotFound()) {
    commit_seq_ = 0;
  } else {
    RETURN_IF_ERROR(FromRocks(s, "read commit sequence " + directory_));
    auto seq = DecodeOrderedInt64(value);
    if (!seq.ok()) return Internal("state: corrupt commit sequence in " + directory_);
    commit_seq_ = *seq;
  }
  ASSIGN_OR_RETURN(std::vector<kafka::TopicPartitionOffset> offsets, CommittedOffsets());
  offsets_.clear();
  for (kafka::TopicPartitionOffset& o : offsets)
    offsets_[{std::move(o.topic), o.partition}] = o.offset;
  return Status::Ok();
}

TaskState::~TaskState() {
  // Stores reference the column family handles: drop them before the DB.
  kv_stores_.clear();
  window_stores_.clear();
  cores_.clear();
  db_.reset();
  if (registered_) {
    std::lock_guard<std::mutex> lock(OpenDirectoriesMutex());
    auto it = OpenDirectories().find(directory_);
    if (it != OpenDirectories().end() && --it->second <= 0) OpenDirectories().erase(it);
  }
}

bool TaskState::RemoveDirectoryIfUnused(const std::string& directory) {
  std::lock_guard<std::mutex> lock(OpenDirectoriesMutex());
  if (OpenDirectories().count(directory)) return false;
  std::error_code ec;
  fs::remove_all(directory, ec);
  return !ec;
}

Status TaskState::OpenDb() {
  const StateOptions& opts = env_->options();
  const StateEnvironment::Shared& shared = env_->shared();

  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.max_open_files = opts.max_open_files;
  db_options.keep_log_file_num = 2;
  db_options.write_buffer_manager = shared.write_buffer_manager;

  rocksdb::ColumnFamilyOptions cf_options;
  cf_options.write_buffer_size = opts.write_buffer_bytes;
  cf_options.max_write_buffer_number = opts.max_write_buffers;
  rocksdb::BlockBasedTableOptions table_options;
  table_options.block_cache = shared.block_cache;
  cf_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table_options));

  // RocksDB must open every existing column family, including stores no longer declared.
  std::vector<std::string> names = {rocksdb::kDefaultColumnFamilyName,
                                    std::string(kOffsetsColumnFamily)};
  for (const StoreSpec& s : config_.stores) names.push_back(s.name);
  std::vector<std::string> existing;
  if (rocksdb::DB::ListColumnFamilies(db_options, directory_, &existing).ok()) {
    for (const std::string& n : existing) {
      if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
    }
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& n : names) descriptors.emplace_back(n, cf_options);

  db_ = std::make_shared<Db>();
  db_->write_options.sync = opts.sync_commits;
  rocksdb::Status s =
      rocksdb::DB::Open(db_options, directory_, descriptors, &db_->handles, &db_->db);
  // A StoreReader of this directory's previous TaskState (a pull query reading while the task
  // moves between stream threads) holds RocksDB's lock for the length of one read: wait for it,
  // bounded by kLockWait.
  constexpr auto kLockWait = std::chrono::seconds(5);
  const auto deadline = std::chrono::steady_clock::now() + kLockWait;
  while (s.IsIOError() && s.ToString().find("lock") != std::string::npos &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    db_->handles.clear();
    s = rocksdb::DB::Open(db_options, directory_, descriptors, &db_->handles, &db_->db);
  }
  RETURN_IF_ERROR(FromRocks(s, "open state " + directory_));
  db_->offsets_cf = db_->handles[1];
  for (size_t i = 0; i < config_.stores.size(); ++i) {
    const StoreSpec& spec = config_.stores[i];
    auto core = std::make_unique<StoreCore>(
        spec, ChangelogTopicName(config_.service_id, config_.query_id, spec.name), db_.get(),
        db_->handles[2 + i], &opts);
    if (spec.kind == StoreKind::kKeyValue) {
      kv_stores_.push_back(std::make_unique<KeyValueStore>(core.get()));
    } else {
      window_stores_.push_back(std::make_unique<WindowStore>(core.get()));
    }
    cores_.push_back(std::move(core));
  }
  return Status::Ok();
}

Status TaskState::Restore(kafka::KafkaClientFactory& kafka) {
  const StateOptions& opts = env_->options();
  std::map<std::string, StoreCore*, std::less<>> by_topic;
  for (auto& core : cores_) {
    if (core->spec().changelog) by_topic[core->changelog_topic()] = core.get();
  }
  if (by_topic.empty()) return Status::Ok();

  kafka::ConsumerConfig cc;
  // A group of its own: restore always reads from the beginning and never commits.
  cc.group_id = "brook-restore-" + config_.service_id + config_.query_id + "-" + config_.task_id +
                "-" + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
  for (const auto& [topic, core] : by_topic) cc.topics.push_back(topic);
  cc.from_beginning = true;
  cc.assign_all = true;  // no group join: restore starts at once
  ASSIGN_OR_RETURN(std::unique_ptr<kafka::Consumer> consumer, kafka.NewConsumer(cc));

  auto deadline = std::chrono::steady_clock::now() + opts.restore_timeout;
  rocksdb::WriteBatch batch;
  size_t in_batch = 0;
  auto write_batch = [&]() -> Status {
    if (in_batch == 0) return Status::Ok();
    RETURN_IF_ERROR(FromRocks(db_->db->Write(db_->write_options, &batch),
                              "write restored state " + directory_));
    batch.Clear();
    in_batch = 0;
    return Status::Ok();
  };
  // Per changelog: records after the newest marker read so far belong to a commit whose marker
  // is not known yet; they wait in `tail` (at most one commit's changes). Records before a
  // topic's first marker belong to commits no newer than it, so they are written at once.
  struct Tail {
    int64_t last_seq = -1;  // newest marker seen in this changelog; -1: none
    std::vector<std::pair<std::string, std::optional<std::string>>> entries;
  };
  std::map<std::string_view, Tail> tails;
  std::optional<CommitMarker> newest;  // the marker with the highest seq in any changelog
  auto apply = [&](StoreCore& core, std::string_view key,
                   std::optional<std::string_view> value) -> Status {
    RETURN_IF_ERROR(core.WriteEntry(batch, key, value));
    ++restored_records_;
    if (++in_batch >= opts.restore_batch_records) RETURN_IF_ERROR(write_batch());
    return Status::Ok();
  };
  // Where each changelog partition ends now: the restore is complete once every one is read
  // to there (otherwise it ends only on idleness, restore_max_idle_polls x
  // restore_poll_timeout, ~5 s per task). Where the client cannot tell, idleness ends it.
  std::map<std::string_view, int64_t> ends;  // topic -> end offset still to reach
  bool known_ends = true;
  for (const auto& [topic, core] : by_topic) {
    auto marks = kafka.admin().PartitionWatermarks(topic, opts.restore_poll_timeout * 10);
    if (!marks.ok() || static_cast<size_t>(config_.changelog_partition) >= marks->size()) {
      known_ends = false;
      break;
    }
    const kafka::Watermarks& m = (*marks)[config_.changelog_partition];
    if (m.high > m.low) ends[topic] = m.high;
  }
  std::vector<kafka::RecordView> records;
  int idle = 0;
  while (idle < opts.restore_max_idle_polls && !(known_ends && ends.empty())) {
    if (std::chrono::steady_clock::now() > deadline) {
      return Status(StatusCode::kTimeout, "state: restore of " + directory_ + " timed out");
    }
    RETURN_IF_ERROR(consumer->Poll(opts.restore_poll_records, opts.restore_poll_timeout, records));
    if (records.empty()) {
      ++idle;
      continue;
    }
    idle = 0;
    for (const kafka::RecordView& r : records) {
      if (r.partition != config_.changelog_partition) continue;
      if (auto end = ends.find(r.topic); end != ends.end() && r.offset + 1 >= end->second) {
        ends.erase(end);
      }
      if (!r.key) continue;
      auto it = by_topic.find(r.topic);
      if (it == by_topic.end()) continue;
      Tail& tail = tails[it->first];
      if (IsCommitMarker(r)) {
        std::optional<CommitMarker> marker = r.value ? DecodeCommitMarker(*r.value) : std::nullopt;
        if (!marker) continue;  // not one this build wrote: neither data nor a commit
        if (marker->seq > tail.last_seq) {
          for (auto& [key, value] : tail.entries) RETURN_IF_ERROR(apply(*it->second, key, value));
        } else {
          // A marker of a commit already seen: written by a restore that left out what came
          // after that commit (the records of one that never completed). Leave them out again.
          restore_dropped_records_ += tail.entries.size();
        }
        tail.entries.clear();
        tail.last_seq = std::max(tail.last_seq, marker->seq);
        if (!newest || marker->seq > newest->seq) newest = std::move(*marker);
        continue;
      }
      if (tail.last_seq < 0) {
        RETURN_IF_ERROR(apply(*it->second, *r.key, r.value));
      } else {
        tail.entries.emplace_back(std::string(*r.key),
                                  r.value ? std::optional<std::string>(*r.value) : std::nullopt);
      }
    }
  }
  // A changelog whose newest marker is older than the newest commit holds that commit's data
  // (markers go out only after every store's data is durable): apply it. A changelog already
  // at the newest commit holds, after it, the data of a commit that never completed: drop it.
  for (auto& [topic, tail] : tails) {
    if (newest && tail.last_seq >= newest->seq) {
      restore_dropped_records_ += tail.entries.size();
      continue;
    }
    for (auto& [key, value] : tail.entries) {
      RETURN_IF_ERROR(apply(*by_topic.find(topic)->second, key, value));
    }
  }
  if (newest) {
    // The restored state is that of commit `newest`: resume from its offsets.
    for (const kafka::TopicPartitionOffset& o : newest->offsets) {
      std::string value;
      AppendOrderedInt64(o.offset, value);
      RETURN_IF_ERROR(FromRocks(batch.Put(db_->offsets_cf, OffsetKey(o.topic, o.partition), value),
                                "stage restored offsets"));
    }
    std::string seq;
    AppendOrderedInt64(newest->seq, seq);
    RETURN_IF_ERROR(FromRocks(batch.Put(db_->handles[0], kCommitSeqKey, seq), "stage sequence"));
    ++in_batch;
  }
  RETURN_IF_ERROR(write_batch());
  if (newest) {
    // Close every changelog at the restored commit: what a crash left after it there is then
    // followed by this commit's marker again, and stays out of every later restore (the next
    // commit's marker would otherwise take it in). The producer keeps the order per partition.
    RETURN_IF_ERROR(SendCommitMarkers(newest->seq, newest->offsets));
  }
  // The marker written after this must not be durable before the restored data.
  return FromRocks(db_->db->FlushWAL(/*sync=*/true), "sync restored state " + directory_);
}

Result<KeyValueStore*> TaskState::key_value_store(const std::string& name) {
  for (auto& s : kv_stores_) {
    if (s->name() == name) return s.get();
  }
  for (auto& s : window_stores_) {
    if (s->name() == name) return InvalidArgument("state: '" + name + "' is a window store");
  }
  return NotFound("state: no store '" + name + "'");
}

Result<std::shared_ptr<StoreReader>> TaskState::Reader(const std::string& name) const {
  for (size_t i = 0; i < config_.stores.size(); ++i) {
    if (config_.stores[i].name != name) continue;
    return std::shared_ptr<StoreReader>(
        new StoreReader(db_, config_.stores[i], db_->handles[2 + i]));
  }
  return NotFound("state: no store '" + name + "'");
}

Result<WindowStore*> TaskState::window_store(const std::string& name) {
  for (auto& s : window_stores_) {
    if (s->name() == name) return s.get();
  }
  for (auto& s : kv_stores_) {
    if (s->name() == name) return InvalidArgument("state: '" + name + "' is a key-value store");
  }
  return NotFound("state: no store '" + name + "'");
}

Status TaskState::PrepareCommit() {
  if (db_->prepared) return Status::Ok();
  // Nothing overflowed since the last commit: the caches hold every change, one entry per key.
  db_->direct = db_->pending.GetWriteBatch()->Count() == 0;
  if (!db_->direct) {
    for (auto& core : cores_) RETURN_IF_ERROR(core->FlushCache());
  }
  if (producer_ != nullptr) {
    for (auto& core : cores_) {
      if (!core->spec().changelog) continue;
      ASSIGN_OR_RETURN(size_t sent,
                       db_->direct
                           ? core->SendCachedChangelog(*producer_, config_.changelog_partition)
                           : core->SendChangelog(*producer_, config_.changelog_partition));
      db_->sent += sent;
    }
  }
  db_->prepared = true;
  return Status::Ok();
}

Status TaskState::SendCommitMarkers(int64_t seq,
                                    const std::vector<kafka::TopicPartitionOffset>& offsets) {
  if (producer_ == nullptr) return Status::Ok();
  CommitMarker marker{seq, offsets};
  std::string value = EncodeCommitMarker(marker);
  for (auto& core : cores_) {
    if (!core->spec().changelog) continue;
    kafka::OutRecord r;
    r.topic = core->changelog_topic();
    r.partition = config_.changelog_partition;
    r.key = std::string(kCommitMarkerKey);
    r.value = value;
    r.headers.push_back({std::string(kCommitMarkerHeader), std::to_string(seq)});
    RETURN_IF_ERROR(producer_->Send(std::move(r)));
  }
  return Status::Ok();
}

Status TaskState::Commit(const std::vector<kafka::TopicPartitionOffset>& consumed) {
  RETURN_IF_ERROR(PrepareCommit());
  // The offsets after this commit, and its sequence number, go to the changelogs first: on
  // error nothing is written here and the task fails.
  std::map<std::pair<std::string, int32_t>, int64_t> offsets = offsets_;
  for (const kafka::TopicPartitionOffset& o : consumed) offsets[{o.topic, o.partition}] = o.offset;
  std::vector<kafka::TopicPartitionOffset> all;
  for (const auto& [tp, offset] : offsets) all.push_back({tp.first, tp.second, offset});
  // A commit that changes nothing (no store record, the same offsets) needs no marker.
  const bool changes = db_->sent > 0 || offsets != offsets_;
  const int64_t seq = changes ? commit_seq_ + 1 : commit_seq_;
  if (changes) RETURN_IF_ERROR(SendCommitMarkers(seq, all));
  std::string seq_value;
  AppendOrderedInt64(seq, seq_value);
  auto committed = [&] {
    offsets_ = std::move(offsets);
    commit_seq_ = seq;
    db_->prepared = false;
    db_->sent = 0;
  };
  if (db_->direct) {
    // The caches straight into one plain batch with the offsets (no index to maintain).
    rocksdb::WriteBatch batch;
    for (auto& core : cores_) RETURN_IF_ERROR(core->DrainCache(batch));
    for (const kafka::TopicPartitionOffset& o : consumed) {
      std::string value;
      AppendOrderedInt64(o.offset, value);
      RETURN_IF_ERROR(FromRocks(batch.Put(db_->offsets_cf, OffsetKey(o.topic, o.partition), value),
                                "stage offsets"));
    }
    RETURN_IF_ERROR(FromRocks(batch.Put(db_->handles[0], kCommitSeqKey, seq_value), "stage seq"));
    RETURN_IF_ERROR(
        FromRocks(db_->db->Write(db_->write_options, &batch), "commit state " + directory_));
    committed();
    db_->direct = false;
    return Status::Ok();
  }
  for (const kafka::TopicPartitionOffset& o : consumed) {
    std::string value;
    AppendOrderedInt64(o.offset, value);
    RETURN_IF_ERROR(
        FromRocks(db_->pending.Put(db_->offsets_cf, OffsetKey(o.topic, o.partition), value),
                  "stage offsets"));
  }
  RETURN_IF_ERROR(
      FromRocks(db_->pending.Put(db_->handles[0], kCommitSeqKey, seq_value), "stage seq"));
  RETURN_IF_ERROR(FromRocks(db_->db->Write(db_->write_options, db_->pending.GetWriteBatch()),
                            "commit state " + directory_));
  db_->pending.Clear();
  committed();
  return Status::Ok();
}

Result<std::vector<kafka::TopicPartitionOffset>> TaskState::CommittedOffsets() const {
  std::vector<kafka::TopicPartitionOffset> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->db->NewIterator(db_->read_options, db_->offsets_cf));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    auto tp = DecodeKeyTime(std::string_view(it->key().data(), it->key().size()));
    if (!tp.ok()) return Internal("state: corrupt offsets key: " + tp.status().message());
    auto offset = DecodeOrderedInt64(std::string_view(it->value().data(), it->value().size()));
    if (!offset.ok()) return Internal("state: corrupt offset: " + offset.status().message());
    out.push_back({tp->key, static_cast<int32_t>(tp->time), *offset});
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "read offsets " + directory_));
  return out;
}

}  // namespace brook::state
