#include "server/print_topic.h"

#include <atomic>
#include <cctype>
#include <chrono>
#include <nlohmann/json.hpp>
#include <random>
#include <vector>

#include "common/base64.h"
#include "common/time_util.h"
#include "server/rest_format.h"
#include "common/ascii.h"

namespace brook::server {
namespace {

bool ValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

bool IsText(std::string_view s) {
  if (!ValidUtf8(s)) return false;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 && c != '\n' && c != '\r' && c != '\t') return false;
  }
  return true;
}

// Big-endian integer of 4 or 8 bytes (Kafka's IntegerSerializer / LongSerializer).
int64_t BigEndian(std::string_view data) {
  uint64_t v = 0;
  for (char c : data) v = (v << 8) | static_cast<unsigned char>(c);
  if (data.size() == 4) return static_cast<int32_t>(static_cast<uint32_t>(v));
  return static_cast<int64_t>(v);
}

std::string RenderData(const std::optional<std::string_view>& data) {
  if (!data) return "<null>";
  if (IsText(*data)) return std::string(*data);
  if (data->size() == 4 || data->size() == 8) return std::to_string(BigEndian(*data));
  return Base64Encode(std::string(*data));
}

}  // namespace

std::string DetectPrintFormat(std::string_view data) {
  if (!IsText(data)) {
    if (data.size() == 4) return "KAFKA_INT";
    if (data.size() == 8) return "KAFKA_BIGINT or KAFKA_DOUBLE";
    return "BYTES";
  }
  size_t i = 0;
  while (i < data.size() && std::isspace(static_cast<unsigned char>(data[i]))) ++i;
  if (i < data.size() && (data[i] == '{' || data[i] == '[') &&
      nlohmann::json::accept(data.begin(), data.end())) {
    return "JSON or KAFKA_STRING";
  }
  return "KAFKA_STRING";
}

std::string FormatPrintRecord(const kafka::RecordView& record) {
  std::string out = "rowtime: ";
  if (record.timestamp < 0) {
    out += "N/A";
  } else {
    // FormatTimestamp gives 2022-12-02T17:22:02.556; PRINT shows 2022/12/02 17:22:02.556 Z.
    std::string ts = FormatTimestamp(record.timestamp);
    size_t t = ts.find('T');
    for (size_t i = 0; i < t && i < ts.size(); ++i) {
      if (ts[i] == '-' && i > 0) ts[i] = '/';
    }
    if (t != std::string::npos) ts[t] = ' ';
    out += ts + " Z";
  }
  out += ", key: " + RenderData(record.key);
  out += ", value: " + RenderData(record.value);
  out += ", partition: " + std::to_string(record.partition);
  return out;
}

Status RunPrint(kafka::KafkaClientFactory& kafka, const PrintRequest& request,
                std::string_view content_type, ResponseWriter& out,
                const std::function<bool()>& cancelled) {
  // Resolve the topic without asking for it by name (that would auto-create it).
  ASSIGN_OR_RETURN(std::vector<kafka::TopicInfo> topics,
                   kafka.admin().ListTopics(request.admin_timeout));
  std::string topic;
  for (const kafka::TopicInfo& t : topics) {
    if (t.name == request.topic) topic = t.name;
  }
  if (topic.empty()) {
    for (const kafka::TopicInfo& t : topics) {
      if (AsciiLower(t.name) == AsciiLower(request.topic)) topic = t.name;
    }
  }
  if (topic.empty()) {
    return InvalidArgument("Could not find topic '" + request.topic +
                           "', or the KSQL user does not have permissions to list the topic. "
                           "Topic names are case-sensitive.");
  }
  static std::atomic<uint64_t> counter{0};
  static const uint64_t salt = std::random_device{}();
  kafka::ConsumerConfig cc;
  cc.group_id = request.group_prefix + std::to_string(salt) + "_" + std::to_string(counter++);
  cc.topics = {topic};
  cc.from_beginning = request.from_beginning;
  cc.assign_all = true;  // PRINT commits nothing: no group join
  ASSIGN_OR_RETURN(std::unique_ptr<kafka::Consumer> consumer, kafka.NewConsumer(cc));

  if (!out.BeginChunked(200, content_type)) return Status::Ok();
  bool formats_sent = false;
  int64_t seen = 0;
  int64_t printed = 0;
  const int64_t interval = request.interval > 0 ? request.interval : 1;
  std::vector<kafka::RecordView> records;
  while (!cancelled() && !out.PeerClosed()) {
    if (request.limit && printed >= *request.limit) break;
    Status st = consumer->Poll(500, request.poll_timeout, records);
    if (!st.ok()) {
      out.WriteChunk(ApiError::Generic(kServerError, st.ToString()).ToJson() + "\n");
      return Status::Ok();  // the stream ends without a terminating chunk
    }
    std::string chunk;
    for (const kafka::RecordView& r : records) {
      if ((seen++) % interval != 0) continue;
      if (!formats_sent) {
        chunk +=
            "Key format: " +
            (r.key ? DetectPrintFormat(*r.key) : std::string("¯\\_(ツ)_/¯ - no data processed")) +
            "\n";
        chunk += "Value format: " +
                 (r.value ? DetectPrintFormat(*r.value)
                          : std::string("¯\\_(ツ)_/¯ - no data processed")) +
                 "\n";
        formats_sent = true;
      }
      chunk += FormatPrintRecord(r) + "\n";
      ++printed;
      if (request.limit && printed >= *request.limit) break;
    }
    if (!chunk.empty() && !out.WriteChunk(chunk)) return Status::Ok();
  }
  out.EndChunked();
  return Status::Ok();
}

}  // namespace brook::server
