#include "runtime/operators/operator.h"

namespace brook {

void OperatorContext::LogError(ProcessingLogEntry::Type type, const Row& row,
                               const std::string& step, const std::string& target,
                               const std::string& message) const {
  if (!log) return;
  ProcessingLogEntry e;
  e.type = type;
  e.query_id = query_id;
  e.step = step;
  e.topic = topic;
  e.partition = row.partition;
  e.offset = row.offset;
  e.target = target;
  e.message = message;
  log->Log(std::move(e));
}

}  // namespace brook
