#include "runtime/topology/materialized_view.h"

namespace brook {

void MaterializedView::Add(int32_t partition, std::shared_ptr<state::StoreReader> reader) {
  std::lock_guard<std::mutex> lock(mu_);
  readers_[partition] = std::move(reader);
}

void MaterializedView::Remove(int32_t partition, const state::StoreReader* reader) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = readers_.find(partition);
  if (it != readers_.end() && it->second.get() == reader) readers_.erase(it);
}

std::map<int32_t, std::shared_ptr<state::StoreReader>> MaterializedView::Readers() const {
  std::lock_guard<std::mutex> lock(mu_);
  return readers_;
}

}  // namespace brook
