#include "runtime/topology/materialized_view.h"

#include <string>

namespace brook {

void MaterializedView::Opening(int32_t partition) {
  std::lock_guard<std::mutex> lock(mu_);
  ++opening_[partition];
  awaiting_assignment_ = false;
}

void MaterializedView::OpenFailed(int32_t partition) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = opening_.find(partition);
  if (it != opening_.end() && --it->second <= 0) opening_.erase(it);
}

void MaterializedView::Add(int32_t partition, std::shared_ptr<state::StoreReader> reader) {
  std::lock_guard<std::mutex> lock(mu_);
  readers_[partition] = std::move(reader);
  auto it = opening_.find(partition);
  if (it != opening_.end() && --it->second <= 0) opening_.erase(it);
  awaiting_assignment_ = false;
}

Status MaterializedView::Available(const std::string& table) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (awaiting_assignment_) {
    return Status(StatusCode::kTimeout,
                  "The state of table " + table +
                      " is not available yet: its query is starting and restoring its state. "
                      "Try the pull query again shortly.");
  }
  if (opening_.empty()) return Status::Ok();
  std::string parts;
  for (const auto& [p, n] : opening_) parts += (parts.empty() ? "" : ", ") + std::to_string(p);
  return Status(StatusCode::kTimeout, "The state of table " + table +
                                          " is being restored from its changelog "
                                          "(partition" +
                                          (opening_.size() > 1 ? "s " : " ") + parts +
                                          "). Try the pull query again once the restore is done.");
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
