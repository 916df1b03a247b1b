#include "runtime/state/key_value_store.h"

#include "runtime/state/key_encoding.h"
#include "runtime/state/state_internal.h"

namespace brook::state {

const std::string& KeyValueStore::name() const { return core_->spec().name; }

Result<std::optional<std::string>> KeyValueStore::Get(std::string_view key) {
  return core_->Get(key);
}

Result<std::vector<std::optional<std::string>>> KeyValueStore::MultiGet(
    const std::vector<std::string>& keys) {
  return core_->MultiGet(keys);
}

Status KeyValueStore::Put(std::string_view key, std::string_view value) {
  return core_->Write(key, value);
}

Status KeyValueStore::Delete(std::string_view key) { return core_->Write(key, std::nullopt); }

Status KeyValueStore::Range(std::string_view begin, std::optional<std::string_view> end,
                            const Visitor& visit) {
  return core_->Scan(begin, end, visit);
}

Status KeyValueStore::PrefixScan(std::string_view prefix, const Visitor& visit) {
  std::string end = PrefixSuccessor(prefix);
  if (end.empty()) return core_->Scan(prefix, std::nullopt, visit);
  return core_->Scan(prefix, std::string_view(end), visit);
}

}  // namespace brook::state
