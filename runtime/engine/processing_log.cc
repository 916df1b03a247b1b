#include "runtime/engine/processing_log.h"

#include <chrono>
#include <cstdio>

namespace brook {

void ProcessingLog::Log(ProcessingLogEntry e) {
  e.time_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::system_clock::now().time_since_epoch())
                  .count();
  // A message may quote record data (a value that failed to parse): keep entries small.
  constexpr size_t kMaxMessageBytes = 4096;
  if (e.message.size() > kMaxMessageBytes) {
    e.message.resize(kMaxMessageBytes);
    e.message += "... (truncated)";
  }
  count_.fetch_add(1);
  if (echo_) {
    std::fprintf(stderr, "processing.%s.%s %s topic=%s partition=%d offset=%lld: %s\n",
                 e.query_id.c_str(), e.step.c_str(),
                 e.type == ProcessingLogEntry::Type::kDeserializationError ? "DESERIALIZATION_ERROR"
                 : e.type == ProcessingLogEntry::Type::kSerializationError ? "SERIALIZATION_ERROR"
                 : e.type == ProcessingLogEntry::Type::kProductionError    ? "PRODUCTION_ERROR"
                                                                           : "RECORD_PROCESSING_ERROR",
                 e.topic.c_str(), e.partition, static_cast<long long>(e.offset), e.message.c_str());
  }
  std::function<void(const ProcessingLogEntry&)> sink;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (by_query_.size() < 100000 || by_query_.count(e.query_id)) ++by_query_[e.query_id];
    entries_.push_back(e);
    while (entries_.size() > capacity_) entries_.pop_front();
    sink = sink_;
  }
  if (sink) sink(e);
}

void ProcessingLog::SetSink(std::function<void(const ProcessingLogEntry&)> sink) {
  std::lock_guard<std::mutex> lock(mu_);
  sink_ = std::move(sink);
}

std::map<std::string, uint64_t> ProcessingLog::CountsByQuery() const {
  std::lock_guard<std::mutex> lock(mu_);
  return by_query_;
}

std::vector<ProcessingLogEntry> ProcessingLog::Recent() const {
  std::lock_guard<std::mutex> lock(mu_);
  return {entries_.begin(), entries_.end()};
}

}  // namespace brook
