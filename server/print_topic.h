// PRINT <topic> [FROM BEGINNING] [INTERVAL n] [LIMIT n]: streams a topic's raw records as
// text lines, as ksqlDB does on /query-stream (delimited) and /query:
//
//   Key format: KAFKA_STRING
//   Value format: JSON or KAFKA_STRING
//   rowtime: 2022/12/02 17:22:02.556 Z, key: 18, value: {"a":1}, partition: 0
//
// The format lines are a simplification of ksqlDB's detection (which tries every format),
// from the first printed record: JSON for object/array text, KAFKA_STRING for other UTF-8
// text, KAFKA_INT for other 4-byte data and KAFKA_BIGINT for 8 bytes (both printed as
// big-endian integers), BYTES (printed as base64) otherwise.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "runtime/kafka/kafka.h"
#include "server/http_types.h"

namespace brook::server {

struct PrintRequest {
  std::string topic;  // as written; matched exactly, else case-insensitively
  bool from_beginning = false;
  std::optional<int64_t> limit;  // records printed before the stream ends
  int64_t interval = 1;          // print every n-th record
  std::string group_prefix;      // consumer group prefix; a unique suffix is appended
  std::chrono::milliseconds poll_timeout{100};
  std::chrono::milliseconds admin_timeout{10000};
};

// Resolves the topic, then streams its records to `out` (chunked, `content_type`) until the
// limit, `cancelled()` returning true, or the client leaving. Returns a non-OK Status only
// before the response has started (unknown topic, consumer creation failure); the caller sends
// it as an error. Failures after that end the stream with an error line.
[[nodiscard]] Status RunPrint(kafka::KafkaClientFactory& kafka, const PrintRequest& request,
                              std::string_view content_type, ResponseWriter& out,
                              const std::function<bool()>& cancelled);

// "rowtime: 2022/12/02 17:22:02.556 Z, key: 18, value: {...}, partition: 0" (no newline).
std::string FormatPrintRecord(const kafka::RecordView& record);

// "JSON or KAFKA_STRING", "KAFKA_STRING", "KAFKA_INT", "KAFKA_BIGINT or KAFKA_DOUBLE" or
// "BYTES" for one key or value.
std::string DetectPrintFormat(std::string_view data);

}  // namespace brook::server
