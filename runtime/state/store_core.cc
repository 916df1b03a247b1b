#include <rocksdb/iterator.h>

#include "runtime/state/key_encoding.h"
#include "runtime/state/state_internal.h"

namespace brook::state {

Status FromRocks(const rocksdb::Status& s, std::string_view context) {
  if (s.ok()) return Status::Ok();
  std::string msg = std::string(context) + ": rocksdb: " + s.ToString();
  if (s.IsNotFound()) return NotFound(std::move(msg));
  if (s.IsTimedOut()) return Status(StatusCode::kTimeout, std::move(msg));
  if (s.IsIOError() || s.IsCorruption() || s.IsNoSpace() || s.IsIncomplete()) {
    return IOError(std::move(msg));
  }
  return Internal(std::move(msg));
}

StoreCore::StoreCore(StoreSpec spec, std::string changelog_topic, TaskState::Db* db,
                     rocksdb::ColumnFamilyHandle* cf, const StateOptions* options)
    : spec_(std::move(spec)),
      changelog_topic_(std::move(changelog_topic)),
      db_(db),
      cf_(cf),
      options_(options) {}

std::string StoreCore::Physical(std::string_view logical_key) const {
  if (spec_.kind == StoreKind::kKeyValue) return std::string(logical_key);
  std::string out;
  out.reserve(logical_key.size() + 1);
  out.push_back(kKeyTimeIndex);
  out.append(logical_key);
  return out;
}

std::optional<std::string_view> StoreCore::Logical(std::string_view physical_key) const {
  if (spec_.kind == StoreKind::kKeyValue) return physical_key;
  if (physical_key.empty() || physical_key[0] != kKeyTimeIndex) return std::nullopt;
  return physical_key.substr(1);
}

Result<std::optional<std::string>> StoreCore::Get(std::string_view logical_key) {
  auto it = cache_.find(logical_key);
  if (it != cache_.end()) return it->second;
  std::string value;
  std::string physical = Physical(logical_key);
  rocksdb::Status s =
      db_->pending.GetFromBatchAndDB(db_->db, db_->read_options, cf_, physical, &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  RETURN_IF_ERROR(FromRocks(s, "get from store '" + spec_.name + "'"));
  return std::optional<std::string>(std::move(value));
}

Result<std::vector<std::optional<std::string>>> StoreCore::MultiGet(
    const std::vector<std::string>& logical_keys) {
  std::vector<std::optional<std::string>> out(logical_keys.size());
  std::vector<size_t> misses;
  std::vector<std::string> physical;
  for (size_t i = 0; i < logical_keys.size(); ++i) {
    auto it = cache_.find(logical_keys[i]);
    if (it != cache_.end()) {
      out[i] = it->second;
    } else {
      misses.push_back(i);
      physical.push_back(Physical(logical_keys[i]));
    }
  }
  if (misses.empty()) return out;
  std::vector<rocksdb::Slice> slices(physical.begin(), physical.end());
  std::vector<rocksdb::PinnableSlice> values(misses.size());
  std::vector<rocksdb::Status> statuses(misses.size());
  db_->pending.MultiGetFromBatchAndDB(db_->db, db_->read_options, cf_, slices.size(), slices.data(),
                                      values.data(), statuses.data(),
                                      /*sorted_input=*/false);
  for (size_t j = 0; j < misses.size(); ++j) {
    if (statuses[j].IsNotFound()) continue;
    RETURN_IF_ERROR(FromRocks(statuses[j], "multi-get from store '" + spec_.name + "'"));
    out[misses[j]] = values[j].ToString();
  }
  return out;
}

Status StoreCore::Write(std::string_view logical_key, std::optional<std::string_view> value) {
  db_->prepared = false;
  auto it = cache_.find(logical_key);
  if (it == cache_.end()) {
    it = cache_.emplace(std::string(logical_key), std::nullopt).first;
    cache_bytes_ += logical_key.size();
  } else if (it->second) {
    cache_bytes_ -= it->second->size();
  }
  if (value) {
    it->second = std::string(*value);
    cache_bytes_ += value->size();
  } else {
    it->second.reset();
  }
  if (cache_.size() > options_->cache_max_entries || cache_bytes_ > options_->cache_max_bytes) {
    return FlushCache();
  }
  return Status::Ok();
}

Status StoreCore::WriteEntry(rocksdb::WriteBatchBase& batch, std::string_view logical_key,
                             std::optional<std::string_view> value) {
  std::string physical = Physical(logical_key);
  rocksdb::Status s;
  if (value) {
    s = batch.Put(cf_, physical, rocksdb::Slice(value->data(), value->size()));
  } else {
    s = batch.Delete(cf_, physical);
  }
  RETURN_IF_ERROR(FromRocks(s, "stage write to store '" + spec_.name + "'"));
  if (spec_.kind != StoreKind::kWindow) return Status::Ok();
  // The time index entry of the same window.
  auto kt = DecodeKeyTime(logical_key);
  if (!kt.ok()) {
    return Internal("store '" + spec_.name + "': bad windowed key: " + kt.status().message());
  }
  std::string by_time(1, kTimeKeyIndex);
  by_time.append(EncodeTimeKey(kt->time, kt->key));
  s = value ? batch.Put(cf_, by_time, rocksdb::Slice()) : batch.Delete(cf_, by_time);
  return FromRocks(s, "stage write to store '" + spec_.name + "'");
}

Status StoreCore::FlushCache() { return DrainCache(db_->pending); }

Status StoreCore::DrainCache(rocksdb::WriteBatchBase& batch) {
  for (const auto& [key, value] : cache_) {
    std::optional<std::string_view> v;
    if (value) v = *value;
    RETURN_IF_ERROR(WriteEntry(batch, key, v));
  }
  cache_.clear();
  cache_bytes_ = 0;
  return Status::Ok();
}

Result<size_t> StoreCore::SendCachedChangelog(kafka::Producer& producer, int32_t partition) {
  for (const auto& [key, value] : cache_) {
    kafka::OutRecord r;
    r.topic = changelog_topic_;
    r.partition = partition;
    r.timestamp = 0;  // 0: the producer's clock
    r.key = key;
    r.value = value;
    RETURN_IF_ERROR(producer.Send(std::move(r)));
  }
  return cache_.size();
}

Status StoreCore::Scan(std::string_view begin, std::optional<std::string_view> end,
                       const Visitor& visit) {
  std::unique_ptr<rocksdb::Iterator> it(
      db_->pending.NewIteratorWithBase(cf_, db_->db->NewIterator(db_->read_options, cf_)));
  std::string seek = Physical(begin);
  it->Seek(seek);
  auto c = cache_.lower_bound(begin);
  auto in_range = [&](std::string_view k) { return !end || k < *end; };
  for (;;) {
    std::optional<std::string_view> db_key;
    if (it->Valid()) {
      rocksdb::Slice k = it->key();
      db_key = Logical(std::string_view(k.data(), k.size()));
      if (db_key && !in_range(*db_key)) db_key.reset();
    }
    bool cache_valid = c != cache_.end() && in_range(c->first);
    if (!db_key && !cache_valid) break;
    if (cache_valid && (!db_key || c->first <= *db_key)) {
      if (db_key && c->first == *db_key) it->Next();  // the cache shadows the stored value
      if (c->second && !visit(c->first, *c->second)) return Status::Ok();
      ++c;
    } else {
      rocksdb::Slice v = it->value();
      if (!visit(*db_key, std::string_view(v.data(), v.size()))) return Status::Ok();
      it->Next();
    }
  }
  return FromRocks(it->status(), "scan store '" + spec_.name + "'");
}

Status StoreCore::ScanPhysical(std::string_view begin, std::string_view end, const Visitor& visit) {
  std::unique_ptr<rocksdb::Iterator> it(
      db_->pending.NewIteratorWithBase(cf_, db_->db->NewIterator(db_->read_options, cf_)));
  for (it->Seek(rocksdb::Slice(begin.data(), begin.size())); it->Valid(); it->Next()) {
    std::string_view k(it->key().data(), it->key().size());
    if (k >= end) break;
    if (!visit(k, std::string_view(it->value().data(), it->value().size()))) break;
  }
  return FromRocks(it->status(), "scan store '" + spec_.name + "'");
}

Result<size_t> StoreCore::SendChangelog(kafka::Producer& producer, int32_t partition) {
  // Latest staged operation per logical key (the index may list several updates of a key).
  std::map<std::string, std::optional<std::string>> changes;
  std::unique_ptr<rocksdb::WBWIIterator> it(db_->pending.NewIterator(cf_));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    rocksdb::WriteEntry e = it->Entry();
    auto logical = Logical(std::string_view(e.key.data(), e.key.size()));
    if (!logical) continue;  // the window store's time index is not logged
    switch (e.type) {
      case rocksdb::kPutRecord:
        changes[std::string(*logical)] = e.value.ToString();
        break;
      case rocksdb::kDeleteRecord:
      case rocksdb::kSingleDeleteRecord:
        changes[std::string(*logical)] = std::nullopt;
        break;
      default:
        return Internal("store '" + spec_.name + "': unexpected staged write type");
    }
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "read staged writes of '" + spec_.name + "'"));
  for (auto& [key, value] : changes) {
    kafka::OutRecord r;
    r.topic = changelog_topic_;
    r.partition = partition;
    r.timestamp = 0;  // 0: the producer's clock
    r.key = key;
    r.value = std::move(value);
    RETURN_IF_ERROR(producer.Send(std::move(r)));
  }
  return changes.size();
}

}  // namespace brook::state
