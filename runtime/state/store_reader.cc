#include "runtime/state/store_reader.h"

#include <rocksdb/iterator.h>

#include "runtime/state/key_encoding.h"
#include "runtime/state/state_internal.h"

namespace brook::state {

namespace {

rocksdb::ColumnFamilyHandle* Handle(void* cf) {
  return static_cast<rocksdb::ColumnFamilyHandle*>(cf);
}

}  // namespace

StoreReader::StoreReader(std::shared_ptr<TaskState::Db> db, StoreSpec spec, void* cf)
    : db_(std::move(db)), spec_(std::move(spec)), cf_(cf) {}

StoreReader::~StoreReader() = default;

Result<std::optional<std::string>> StoreReader::Get(std::string_view key) const {
  if (spec_.kind != StoreKind::kKeyValue) {
    return InvalidArgument("store '" + spec_.name + "' is a window store");
  }
  std::string value;
  rocksdb::Status s = db_->db->Get(rocksdb::ReadOptions(), Handle(cf_),
                                   rocksdb::Slice(key.data(), key.size()), &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  RETURN_IF_ERROR(FromRocks(s, "read committed store '" + spec_.name + "'"));
  return std::optional<std::string>(std::move(value));
}

Status StoreReader::ScanPhysical(const std::string& begin, const std::string& end,
                                 const Visitor& visit) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->db->NewIterator(rocksdb::ReadOptions(), Handle(cf_)));
  for (it->Seek(begin); it->Valid(); it->Next()) {
    std::string_view k(it->key().data(), it->key().size());
    if (!end.empty() && k >= end) break;
    if (!visit(k, std::string_view(it->value().data(), it->value().size()))) break;
  }
  return FromRocks(it->status(), "scan committed store '" + spec_.name + "'");
}

Status StoreReader::Range(std::string_view begin, std::optional<std::string_view> end,
                          const Visitor& visit) const {
  if (spec_.kind != StoreKind::kKeyValue) {
    return InvalidArgument("store '" + spec_.name + "' is a window store");
  }
  std::string stop = end ? std::string(*end) : std::string();
  if (end && end->empty()) return Status::Ok();  // [begin, "") is empty
  return ScanPhysical(std::string(begin), stop, visit);
}

Status StoreReader::Fetch(std::string_view key, int64_t from, int64_t to,
                          const WindowVisitor& visit) const {
  if (spec_.kind != StoreKind::kWindow) {
    return InvalidArgument("store '" + spec_.name + "' is a key-value store");
  }
  if (from > to) return Status::Ok();
  std::string begin(1, kKeyTimeIndex);
  begin += EncodeKeyTime(key, from);
  // Every KeyTime of `key` has the same length: one byte past the last wanted encoding is an
  // exclusive bound that includes `to`.
  std::string end(1, kKeyTimeIndex);
  end += EncodeKeyTime(key, to);
  end.push_back('\0');
  Status decode_error;
  RETURN_IF_ERROR(ScanPhysical(begin, end, [&](std::string_view k, std::string_view v) {
    auto kt = DecodeKeyTime(k.substr(1));
    if (!kt.ok()) {
      decode_error = std::move(kt).TakeStatus();
      return false;
    }
    return visit(key, kt->time, v);
  }));
  return decode_error;
}

Status StoreReader::FetchAll(const WindowVisitor& visit) const {
  if (spec_.kind != StoreKind::kWindow) {
    return InvalidArgument("store '" + spec_.name + "' is a key-value store");
  }
  Status decode_error;
  RETURN_IF_ERROR(ScanPhysical(std::string(1, kKeyTimeIndex), std::string(1, kTimeKeyIndex),
                               [&](std::string_view k, std::string_view v) {
                                 auto kt = DecodeKeyTime(k.substr(1));
                                 if (!kt.ok()) {
                                   decode_error = std::move(kt).TakeStatus();
                                   return false;
                                 }
                                 return visit(kt->key, kt->time, v);
                               }));
  return decode_error;
}

}  // namespace brook::state
