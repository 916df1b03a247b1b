// ProcessingLog: per-record failures that were skipped (undecodable records, expression
// errors, bad timestamps). Every entry is counted, kept in a bounded in-memory ring for
// DESCRIBE/REST, and optionally printed to stderr. Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace brook {

struct ProcessingLogEntry {
  enum class Type { kDeserializationError = 0, kRecordProcessingError = 1,
                    kProductionError = 2, kSerializationError = 3 };
  Type type = Type::kDeserializationError;
  std::string query_id;
  std::string step;       // e.g. "source_v1", "select_v1"
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  std::string target;     // "key" / "value" for (de)serialization errors
  std::string message;
  int64_t time_ms = 0;    // wall-clock time of the entry
};

class ProcessingLog {
 public:
  // capacity: entries kept in memory (default 1000); echo: print each entry to stderr.
  explicit ProcessingLog(size_t capacity = 1000, bool echo = false)
      : capacity_(capacity), echo_(echo) {}

  void Log(ProcessingLogEntry entry);
  // Also hands every entry to `sink` (e.g. a writer to the processing-log topic). Called outside
  // the log's lock, from the thread that logged; the sink must be thread-safe.
  void SetSink(std::function<void(const ProcessingLogEntry&)> sink);
  uint64_t count() const { return count_.load(); }
  // Entries logged per query id.
  std::map<std::string, uint64_t> CountsByQuery() const;
  std::vector<ProcessingLogEntry> Recent() const;
  void set_echo(bool echo) { echo_ = echo; }

 private:
  size_t capacity_;
  bool echo_;
  std::atomic<uint64_t> count_{0};
  mutable std::mutex mu_;
  std::deque<ProcessingLogEntry> entries_;
  std::map<std::string, uint64_t> by_query_;
  std::function<void(const ProcessingLogEntry&)> sink_;
};

}  // namespace brook
