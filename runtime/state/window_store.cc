#include "runtime/state/window_store.h"

#include "runtime/state/key_encoding.h"
#include "runtime/state/state_internal.h"

namespace brook::state {

const std::string& WindowStore::name() const { return core_->spec().name; }

Status WindowStore::Put(std::string_view key, int64_t window_start, std::string_view value) {
  return core_->Write(EncodeKeyTime(key, window_start), value);
}

Status WindowStore::Delete(std::string_view key, int64_t window_start) {
  return core_->Write(EncodeKeyTime(key, window_start), std::nullopt);
}

Result<std::optional<std::string>> WindowStore::Get(std::string_view key, int64_t window_start) {
  return core_->Get(EncodeKeyTime(key, window_start));
}

Result<std::vector<std::optional<std::string>>> WindowStore::MultiGet(
    const std::vector<std::pair<std::string, int64_t>>& windows) {
  std::vector<std::string> keys;
  keys.reserve(windows.size());
  for (const auto& [key, start] : windows) keys.push_back(EncodeKeyTime(key, start));
  return core_->MultiGet(keys);
}

Result<std::vector<WindowValue>> WindowStore::Fetch(std::string_view key, int64_t from,
                                                    int64_t to) {
  std::vector<WindowValue> out;
  if (from > to) return out;
  // Every KeyTime of `key` has the same length, so appending a byte to the last wanted encoding
  // gives the smallest key past it: an exclusive bound that includes `to`.
  std::string end = EncodeKeyTime(key, to);
  end.push_back('\0');
  Status decode_error;
  RETURN_IF_ERROR(core_->Scan(EncodeKeyTime(key, from), std::string_view(end),
                              [&](std::string_view k, std::string_view v) {
                                auto kt = DecodeKeyTime(k);
                                if (!kt.ok()) {
                                  decode_error = std::move(kt).TakeStatus();
                                  return false;
                                }
                                out.push_back({kt->time, std::string(v)});
                                return true;
                              }));
  RETURN_IF_ERROR(decode_error);
  return out;
}

namespace {

std::string TimeIndexKey(int64_t time) {
  std::string out(1, kTimeKeyIndex);
  AppendOrderedInt64(time, out);
  return out;
}

// Collects (key, start) from the time index in [begin, end).
Status CollectTimeIndex(StoreCore& core, const std::string& begin, const std::string& end,
                        std::vector<KeyTime>& out) {
  Status decode_error;
  RETURN_IF_ERROR(core.ScanPhysical(begin, end, [&](std::string_view k, std::string_view) {
    auto tk = DecodeTimeKey(k.substr(1));
    if (!tk.ok()) {
      decode_error = std::move(tk).TakeStatus();
      return false;
    }
    out.push_back(std::move(tk).value());
    return true;
  }));
  return decode_error;
}

}  // namespace

Result<std::vector<WindowRecord>> WindowStore::FetchAll(int64_t from, int64_t to) {
  std::vector<WindowRecord> out;
  if (from > to) return out;
  RETURN_IF_ERROR(core_->FlushCache());
  std::vector<KeyTime> entries;
  RETURN_IF_ERROR(
      CollectTimeIndex(*core_, TimeIndexKey(from), PrefixSuccessor(TimeIndexKey(to)), entries));
  for (KeyTime& e : entries) {
    ASSIGN_OR_RETURN(std::optional<std::string> value, core_->Get(EncodeKeyTime(e.key, e.time)));
    if (!value) {
      return Internal("window store '" + name() + "': time index entry without a value");
    }
    out.push_back({std::move(e.key), e.time, std::move(*value)});
  }
  return out;
}

Result<size_t> WindowStore::ExpireBefore(int64_t time, int64_t oldest) {
  if (oldest >= time) return size_t{0};
  RETURN_IF_ERROR(core_->FlushCache());
  std::vector<KeyTime> entries;
  const std::string begin =
      oldest == INT64_MIN ? std::string(1, kTimeKeyIndex) : TimeIndexKey(oldest);
  RETURN_IF_ERROR(CollectTimeIndex(*core_, begin, TimeIndexKey(time), entries));
  for (const KeyTime& e : entries) {
    RETURN_IF_ERROR(core_->Write(EncodeKeyTime(e.key, e.time), std::nullopt));
  }
  return entries.size();
}

}  // namespace brook::state
